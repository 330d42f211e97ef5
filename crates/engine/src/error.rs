//! Errors of the engine: a Snapshot that cannot be read, or that holds an HPA the API
//! server would have rejected. Each names the field and the problem.

use std::fmt;

/// One problem with one field, e.g.
/// `hpa.spec.metrics[1].resource.target.averageUtilization: must be greater than 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path from the Snapshot's root.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl FieldError {
    /// A problem with a field.
    pub fn new(field: &str, problem: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

/// A Snapshot that `decide` refuses: the problems, one per field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct InvalidSnapshot {
    /// Every problem found.
    pub errors: Vec<FieldError>,
}

impl From<FieldError> for InvalidSnapshot {
    fn from(e: FieldError) -> Self {
        Self { errors: vec![e] }
    }
}

/// Why a Snapshot could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Neither JSON nor YAML, or the wrong shape at a field.
    #[error("{0}")]
    Syntax(FieldError),
    /// Read, but not a valid Snapshot.
    #[error(transparent)]
    Invalid(#[from] InvalidSnapshot),
}
