//! Plain-text presentation shared by every report: how numbers are written ([`format`](mod@format)) and the
//! column table the terminal reports print ([`Table`]). What a report says stays with the report;
//! how it lays out numbers and columns is here, once.

pub mod format;
mod table;

pub use table::Table;
