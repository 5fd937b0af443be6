//! The statistics every report uses, in one place: quantiles (one definition, see
//! [`quantile`](mod@quantile)), the mean and standard deviation, the change between two sides
//! with a bootstrap interval, the sign-test interval of a median and its confidence sequence
//! (valid at every look), the power of such bounds, Student's t, least squares,
//! and the one [`Verdict`] that baselines, the study and upgrade checks give a change.
//!
//! Changes are relative: `+0.30` means the new side takes 30% more time. Intervals are built on
//! the log scale, where "2x slower" and "2x faster" are symmetric, and turned back with
//! `exp(d) - 1`.

pub mod bootstrap;
pub mod change;
pub mod moments;
pub mod power;
pub mod quantile;
pub mod regression;
pub mod runs;
pub mod sequential;
pub mod sign_test;
pub mod student;
pub mod verdict;

pub use change::{CONFIDENCE, Change};
pub use moments::{mean, sample_std_dev};
pub use quantile::{Sorted, median};
pub use verdict::Verdict;
