//! Progress shown while provisioning: a spinner on a terminal, nothing when piped.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with elapsed time; hidden automatically when stderr is not a terminal.
pub fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    if bar.is_hidden() {
        // Not a terminal (CI logs, pipes): one plain line instead of a redrawn spinner.
        eprintln!("epbench: {message} ...");
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
