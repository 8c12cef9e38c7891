use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("unknown profile {name:?}; known profiles: {known}; or pass --map FILE.toml")]
    UnknownProfile { name: String, known: String },
    #[error("mapping {origin}: {reason}")]
    Mapping { origin: String, reason: String },
    /// The mapping is not valid TOML (or not a mapping's shape), at a place in its text.
    #[error("mapping {origin}: line {line}, column {column}: {message}")]
    MappingSyntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: column {column:?} ({role}) is not in the header; the header has: {header}")]
    MissingColumn {
        path: String,
        column: String,
        role: String,
        header: String,
    },
    #[error("{path}: the file has no header line")]
    NoHeader { path: String },
    #[error("{path}: {reason}")]
    Encoding { path: String, reason: String },
    #[error("{path}: {reason}")]
    Malformed { path: String, reason: String },
    #[error("writing rejects to {path}: {source}")]
    Rejects { path: PathBuf, source: std::io::Error },
    #[error("storing batch ending at line {line}: {reason}")]
    Sink { line: u64, reason: String },
}
