//! Why a comparison could not be made (as opposed to a comparison that found a mismatch, which
//! is a [`super::Comparison`] with `pass == false`).

use std::fmt;

/// Which side of a comparison something happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The session under test.
    Candidate,
    /// The session it is checked against.
    Reference,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Candidate => "candidate",
            Role::Reference => "reference",
        })
    }
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CorrectnessError {
    /// The model of one side could not be found, built or loaded into a session.
    // The cause is part of the message and deliberately not a `#[source]`: callers print
    // either `to_string()` (the suite) or the whole chain (the CLI), and both must show it once.
    #[error("cannot prepare the {role} ({model}): {cause}")]
    Prepare {
        role: Role,
        model: String,
        cause: Box<crate::Error>,
    },
    /// The inputs could not be made, or do not fit one side's model.
    #[error("inputs for the {role} ({model}): {reason}")]
    Inputs {
        role: Role,
        model: String,
        reason: String,
    },
    /// ONNX Runtime failed to run one side.
    #[error("running the {role} ({model}) failed: {reason}")]
    Run {
        role: Role,
        model: String,
        reason: String,
    },
    /// An output could not be read (not a tensor, an unsupported element type).
    #[error("output `{name}` of the {role} ({model}): {reason}")]
    Output {
        role: Role,
        model: String,
        name: String,
        reason: String,
    },
}
