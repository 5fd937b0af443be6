//! ORT log lines captured per session.
//!
//! Some facts are only in ORT's logs: the CoreML EP announces its partitioning with
//! `CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: ...`
//! (onnxruntime/core/providers/coreml/coreml_execution_provider.cc) through the session's
//! logger while the session is created. Each session built by epbench gets its own logger that
//! records every line, so the lines belong to that session and no other.

use std::sync::{Arc, Mutex};

/// Severity of an ORT log line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Verbose,
    Info,
    Warning,
    Error,
    Fatal,
}

impl From<ort::logging::LogLevel> for LogLevel {
    fn from(level: ort::logging::LogLevel) -> Self {
        match level {
            ort::logging::LogLevel::Verbose => LogLevel::Verbose,
            ort::logging::LogLevel::Info => LogLevel::Info,
            ort::logging::LogLevel::Warning => LogLevel::Warning,
            ort::logging::LogLevel::Error => LogLevel::Error,
            ort::logging::LogLevel::Fatal => LogLevel::Fatal,
        }
    }
}

impl From<LogLevel> for ort::logging::LogLevel {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Verbose => ort::logging::LogLevel::Verbose,
            LogLevel::Info => ort::logging::LogLevel::Info,
            LogLevel::Warning => ort::logging::LogLevel::Warning,
            LogLevel::Error => ort::logging::LogLevel::Error,
            LogLevel::Fatal => ort::logging::LogLevel::Fatal,
        }
    }
}

/// One line ORT logged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub level: LogLevel,
    pub category: String,
    /// The session's log id.
    pub id: String,
    /// `file:line function` in ORT's source.
    pub location: String,
    pub message: String,
}

/// A shared buffer a session's logger appends to.
#[derive(Clone, Default)]
pub(crate) struct LogSink(Arc<Mutex<Vec<LogLine>>>);

impl LogSink {
    pub(crate) fn logger(&self) -> ort::logging::LoggerFunction {
        let lines = Arc::clone(&self.0);
        Arc::new(move |level, category, id, location, message| {
            let line = LogLine {
                level: level.into(),
                category: category.to_string(),
                id: id.to_string(),
                location: location.to_string(),
                message: message.to_string(),
            };
            lines
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(line);
        })
    }

    /// Takes the lines logged so far, leaving the buffer empty for later ones.
    pub(crate) fn take(&self) -> Vec<LogLine> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}
