//! Importing users: the upload page (template, file, mode, preview, start) and the page of
//! one run (progress bar that survives a reload, cancel, report, result file).
mod problems;
mod run;
mod sync;
mod upload;

pub use run::ImportRunPage;
pub use upload::ImportPage;
