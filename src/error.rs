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
    /// The user's data cannot be used as it is, and there is something to do
    /// about it (exit code 1). The message does not word the remedy: each
    /// face does (the CLI as a flag, the TUI as a Load option).
    #[error("{message}")]
    DataWithRemedy { message: String, remedy: Remedy },
    /// The options or arguments are wrong (exit code 2), and `remedy` is the
    /// option that would fix it (each face words it).
    #[error("{message}")]
    UsageWithRemedy { message: String, remedy: Remedy },
    /// An option's value cannot be used (exit code 2): `setting` names the
    /// option and its value, `message` says why (without naming a flag), and
    /// `remedy` says what else to change when there is something.
    #[error("{message}")]
    Setting {
        setting: Remedy,
        message: String,
        /// Boxed: most setting errors have none, and `Error` stays small.
        remedy: Option<Box<Remedy>>,
    },
    /// An I/O failure, with what we were doing when it happened.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub use crate::remedy::Remedy;

impl Error {
    pub fn with_remedy(msg: impl Into<String>, remedy: Remedy) -> Self {
        Error::DataWithRemedy {
            message: msg.into(),
            remedy,
        }
    }
    /// What the user can do about this error, if the library knows.
    pub fn remedy(&self) -> Option<&Remedy> {
        match self {
            Error::DataWithRemedy { remedy, .. } => Some(remedy),
            Error::UsageWithRemedy { remedy, .. } => Some(remedy),
            Error::Setting { remedy, .. } => remedy.as_deref(),
            _ => None,
        }
    }
    /// A usage error with the option that would fix it.
    pub fn usage_with_remedy(msg: impl Into<String>, remedy: Remedy) -> Self {
        Error::UsageWithRemedy {
            message: msg.into(),
            remedy,
        }
    }
    /// The option (and value) a `Setting` error is about.
    pub fn setting(&self) -> Option<&Remedy> {
        match self {
            Error::Setting { setting, .. } => Some(setting),
            _ => None,
        }
    }
    /// An option's value that cannot be used, and why.
    pub fn bad_setting(setting: Remedy, msg: impl Into<String>) -> Self {
        Error::Setting {
            setting,
            message: msg.into(),
            remedy: None,
        }
    }
    /// The kind of the underlying I/O failure, if this is one.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            Error::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
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
            Error::Usage(_) | Error::UsageWithRemedy { .. } | Error::Setting { .. } => 2,
            _ => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
