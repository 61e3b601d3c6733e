//! Building blocks shared by the pages.
pub mod announcements;
pub mod collapsible;
pub mod confirm_dialog;
pub mod date;
pub mod error_message;
pub mod header;
pub mod icon;
pub mod language_switch;
pub mod licence;
pub mod loaded;
pub mod modal;
pub mod number;
pub mod page_shell;
pub mod pager;
pub mod public_page;
pub mod robot_check;
pub mod site_picker;
