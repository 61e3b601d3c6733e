//! The school-year rollover: every September each class's pupils move up a class, the pupils
//! of the last class leave. A guided bulk operation on a site's classes: proposed by name
//! (`plan::propose`), previewed (`plan::plan`), applied as a job in one transaction, journaled,
//! and undone within a day (`run`).
pub mod plan;
pub mod run;

pub use plan::{
    next_august_31, next_name, plan, propose, ClassRow, Move, Proposal, RolloverOptions,
    RolloverPlan,
};
pub use run::{
    recent, run_job, start, status, undo, RolloverJob, RolloverRun, JOB_KIND, UNDO_WINDOW,
};
