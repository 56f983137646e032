//! One error type for the whole library. The variant decides the exit code:
//! bad data exits 1, bad options exit 2 (see `main.rs`).

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's data cannot be used as it is (exit code 1).
    #[error("{0}")]
    Data(String),
    /// The options or arguments are wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The user or the UI asked to stop.
    #[error("cancelled")]
    Cancelled,
    /// An I/O failure, with what we were doing when it happened.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn data(msg: impl Into<String>) -> Self {
        Error::Data(msg.into())
    }
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
    /// "reading customers.csv: ..." style I/O error for a path.
    pub fn io_path(verb: &str, path: &Path, source: std::io::Error) -> Self {
        Error::io(format!("{verb} {}", path.display()), source)
    }
    /// Process exit code for this error: 1 data, 2 usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
