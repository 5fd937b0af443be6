//! Progress of a study run on stderr: one bar per phase with an ETA, hidden when stderr is not a
//! terminal (then one line per finished phase instead).

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// The phases of a run, each with its own bar.
pub struct Progress {
    multi: MultiProgress,
}

/// One phase's bar.
pub struct Phase {
    bar: ProgressBar,
    name: &'static str,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            multi: MultiProgress::new(),
        }
    }
}

impl Progress {
    /// A bar of `total` steps named `name` (`models`, `sessions`, `runs`, `partitions`).
    pub fn phase(&self, name: &'static str, total: usize) -> Phase {
        let bar = self.multi.add(ProgressBar::new(total as u64));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:>10} [{bar:30}] {pos}/{len} {elapsed_precise} ETA {eta} {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name);
        Phase { bar, name }
    }
}

impl Phase {
    /// Says what the phase is working on now.
    pub fn working_on(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// One step done.
    pub fn step(&self) {
        self.bar.inc(1);
    }

    /// The phase is over; on a non-terminal prints one summary line.
    pub fn finish(self) {
        if self.bar.is_hidden() {
            eprintln!(
                "epbench: {} done: {} in {:.1} s",
                self.name,
                self.bar.position(),
                self.bar.elapsed().as_secs_f64()
            );
        }
        self.bar.finish_with_message("done");
    }
}
