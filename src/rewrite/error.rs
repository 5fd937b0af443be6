//! Why a rewrite could not be made. A pattern that is absent is not an error: the rewrite says
//! so in its outcome and changes nothing.

/// A rewrite that cannot be applied as asked.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// `--dims` or `--shape` text that does not parse.
    #[error("bad {flag} `{text}`: {reason}")]
    BadSpec {
        flag: &'static str,
        text: String,
        reason: String,
    },
    /// A dim name no graph input has.
    #[error("no input dim is named `{name}`; the model's named dims are {known}")]
    UnknownDim { name: String, known: String },
    /// An input name the graph does not have.
    #[error("the model has no input `{name}`; its inputs are {known}")]
    UnknownInput { name: String, known: String },
    /// A shape of the wrong rank for its input.
    #[error("input `{input}` has rank {rank} ({declared}), but the shape given has {given} dims")]
    WrongRank {
        input: String,
        rank: usize,
        declared: String,
        given: usize,
    },
    /// A value that contradicts the model or another value given.
    #[error("{0}")]
    Conflict(String),
    /// The graph cannot be analysed (a cycle, a value produced twice).
    #[error("the graph cannot be rewritten: {0}")]
    Graph(String),
    /// The model has no graph.
    #[error("the model has no graph")]
    NoGraph,
}
