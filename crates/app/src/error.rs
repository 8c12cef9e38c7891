//! The one error type of every use case, and the one table of its codes:
//! each code's name (stable, machine-readable), HTTP status, CLI exit code
//! and what it means. The server renders `{"code", "message", "details"}`
//! with the status; the CLI prints `error: message` and exits with the code.
//!
//! Exit codes: 1 internal, 2 usage, 3 not found, 4 conflict with the
//! record's state, 5 refused by policy (authentication, permission, scope),
//! 6 bad input, 7 temporarily unavailable (try again).

use fengqiao_cases::EngineError;
use fengqiao_store::StoreError;
use fengqiao_store::cases::CaseError;
use serde_json::Value;

macro_rules! codes {
    ($($variant:ident => $name:literal, $status:literal, $exit:literal, $what:literal;)*) => {
        /// Every error code, with its row in the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }
            pub fn http_status(self) -> u16 {
                match self { $(Code::$variant => $status),* }
            }
            pub fn exit_code(self) -> u8 {
                match self { $(Code::$variant => $exit),* }
            }
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $what),* }
            }
        }
    };
}

codes! {
    Usage => "usage", 400, 2, "the command line is not well formed";
    InvalidParameter => "invalid_parameter", 400, 6, "a query or path parameter has a value it cannot take";
    InvalidBody => "invalid_body", 400, 6, "the request body is not the JSON this route takes";
    InvalidQuery => "invalid_query", 400, 6, "the store cannot answer the question as asked";
    InvalidGrid => "invalid_grid", 400, 6, "the grid asked for is not one the server draws";
    InvalidInput => "invalid_input", 422, 6, "a value or a file was read but does not make sense: what, where and why";
    Unknown => "unknown", 422, 6, "names a case type, category or action the configuration does not have";
    Invalid => "invalid", 422, 6, "the case engine refuses the values given (e.g. a reason is required)";
    MalformedCosignature => "malformed_cosignature", 400, 6, "a witness cosignature that cannot be read";
    BadCosignature => "bad_cosignature", 422, 6, "a witness cosignature that does not verify";
    TooManyPhotos => "too_many_photos", 422, 6, "more files than a case (or a public request) may carry";
    PayloadTooLarge => "payload_too_large", 413, 6, "the body is larger than this route takes";
    UnsupportedMediaType => "unsupported_media_type", 415, 6, "the body's media type is not one this route takes";
    NotFound => "not_found", 404, 3, "no such record, or none this account may see";
    Conflict => "conflict", 409, 4, "the record changed since it was read, or already exists";
    WrongStage => "wrong_stage", 409, 4, "the action is not possible at the case's current stage";
    Closed => "closed", 409, 4, "the case is closed";
    FileChanged => "file_changed", 409, 4, "a stored file no longer matches its recorded digest";
    NoProof => "no_proof", 422, 4, "the ledger cannot prove this yet (no checkpoint covers it)";
    Unauthenticated => "unauthenticated", 401, 5, "no valid session or API token";
    WrongCredentials => "wrong_credentials", 401, 5, "wrong user name or password, or the account is locked or disabled";
    WrongPassword => "wrong_password", 403, 5, "the current password given to change it is wrong";
    PasswordChangeRequired => "password_change_required", 403, 5, "a one-time password must be changed before anything else";
    Forbidden => "forbidden", 403, 5, "the role may not do this";
    OutOfScope => "out_of_scope", 403, 5, "the record lies outside the account's jurisdiction or department";
    Csrf => "csrf", 403, 5, "a cookie session's change without its CSRF token";
    UnknownWitness => "unknown_witness", 403, 5, "a cosignature from a witness this ledger does not know";
    Busy => "busy", 429, 7, "too many expensive requests from this account at once; try again";
    Throttled => "throttled", 429, 7, "too many attempts from this address; try again later";
    Unavailable => "unavailable", 503, 7, "this server cannot do that now";
    DatabaseUnavailable => "database_unavailable", 503, 7, "the database could not answer";
    Internal => "internal", 500, 1, "a fault of the program, logged on the server";
}

impl Code {
    /// The code named `name`, if the table has it.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// An error of a use case: its code, a message for the person who caused
/// it (what, where and why) and, where useful, machine-readable details.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: Code,
    pub message: String,
    pub details: Value,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Bad input: a value or a file that does not make sense.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidInput, message)
    }

    /// Bad input in one named field: the message, and the field and value in the details.
    pub fn field(parameter: &str, value: &str, why: impl Into<String>) -> Self {
        Self::input(why).with_details(serde_json::json!({"parameter": parameter, "value": value}))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Code::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }

    /// The same error with `context: ` before its message (a file, a flag).
    pub fn context(mut self, context: impl std::fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => Error::not_found(format!("{what} not found")),
            StoreError::InvalidQuery(m) => Error::new(Code::InvalidQuery, m),
            StoreError::Conflict(m) => Error::conflict(m),
            StoreError::SchemaTooNew { .. } => Error::new(Code::Unavailable, e.to_string()),
            other @ (StoreError::Backend(_) | StoreError::Open { .. }) => {
                Error::new(Code::DatabaseUnavailable, other.to_string())
            }
        }
    }
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Self {
        let code = match e {
            EngineError::UnknownType(_) | EngineError::UnknownCategory { .. } | EngineError::UnknownAction { .. } => {
                Code::Unknown
            }
            EngineError::WrongStage { .. } => Code::WrongStage,
            EngineError::Forbidden { .. } => Code::Forbidden,
            EngineError::ReasonRequired { .. } | EngineError::Invalid(_) => Code::Invalid,
        };
        Error::new(code, e.to_string())
    }
}

impl From<CaseError> for Error {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::NotFound(what) => Error::not_found(format!("no case {what}")),
            CaseError::Engine(e) => e.into(),
            CaseError::Store(e) => e.into(),
        }
    }
}

impl From<fengqiao_ingest::IngestError> for Error {
    fn from(e: fengqiao_ingest::IngestError) -> Self {
        use fengqiao_ingest::IngestError;
        match e {
            IngestError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::not_found(format!("{}: {source}", path.display()))
            }
            e @ IngestError::Sink { .. } => Error::new(Code::DatabaseUnavailable, e.to_string()),
            e @ IngestError::Rejects { .. } => Error::internal(e.to_string()),
            IngestError::MappingSyntax {
                ref line,
                ref column,
                ref message,
                ..
            } => {
                let details =
                    serde_json::json!({"kind": "mapping_syntax", "line": line, "column": column, "reason": message});
                Error::input(e.to_string()).with_details(details)
            }
            IngestError::Mapping { ref reason, .. } => {
                let details = serde_json::json!({"kind": "mapping", "reason": reason});
                Error::input(e.to_string()).with_details(details)
            }
            other => Error::input(other.to_string()),
        }
    }
}

impl From<fengqiao_ingest::LoadError> for Error {
    fn from(e: fengqiao_ingest::LoadError) -> Self {
        use fengqiao_ingest::LoadError;
        let message = e.to_string();
        let code = match e {
            LoadError::Ingest(e) | LoadError::Interrupted { error: e, .. } => Error::from(e).code,
            LoadError::Store(e) => Error::from(e).code,
        };
        Error::new(code, message)
    }
}

/// A file or pipe that could not be read or written: the machine's fault,
/// not the input's (a missing file the caller names is reported as not found
/// where it is opened).
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::internal(e.to_string())
    }
}

impl From<fengqiao_store::files::FileError> for Error {
    fn from(e: fengqiao_store::files::FileError) -> Self {
        use fengqiao_store::files::FileError;
        let code = match &e {
            FileError::Missing | FileError::Io { missing: true, .. } => Code::NotFound,
            FileError::Changed => Code::FileChanged,
            FileError::TooLarge { .. } | FileError::NotAFile(_) | FileError::NotADigest => Code::InvalidInput,
            FileError::Io { .. } => Code::Internal,
        };
        Error::new(code, e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::internal(format!("JSON: {e}"))
    }
}

impl From<fengqiao_plan::deploy::DeployError> for Error {
    fn from(e: fengqiao_plan::deploy::DeployError) -> Self {
        Error::input(e.to_string())
    }
}

impl From<fengqiao_geo::GridError> for Error {
    fn from(e: fengqiao_geo::GridError) -> Self {
        Error::input(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        let mut names = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(names.insert(c.name()), "{} twice", c.name());
            assert_eq!(Code::from_name(c.name()), Some(*c));
            assert!((400..600).contains(&c.http_status()), "{}", c.name());
            assert!((1..=7).contains(&c.exit_code()), "{}", c.name());
            assert!(!c.description().is_empty());
            // Client errors are never exit 1; server faults never blame the input.
            match c.http_status() {
                500 => assert_eq!(c.exit_code(), 1),
                404 => assert_eq!(c.exit_code(), 3),
                409 => assert_eq!(c.exit_code(), 4),
                401 | 403 => assert_eq!(c.exit_code(), 5),
                429 | 503 => assert_eq!(c.exit_code(), 7),
                _ => assert!(c.exit_code() > 1),
            }
        }
    }

    #[test]
    fn store_and_engine_errors_keep_their_meaning() {
        let e: Error = StoreError::Conflict("moved on".into()).into();
        assert_eq!(
            (e.code, e.code.http_status(), e.code.exit_code()),
            (Code::Conflict, 409, 4)
        );
        let e: Error = EngineError::Forbidden {
            role: "citizen".into(),
            action: "close".into(),
        }
        .into();
        assert_eq!((e.code.name(), e.code.http_status()), ("forbidden", 403));
        let e: Error = StoreError::Backend("disk".into()).into();
        assert_eq!(e.code, Code::DatabaseUnavailable);
    }
}
