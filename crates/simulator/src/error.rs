//! Errors: a scenario that cannot be simulated (naming the document, the field and the
//! problem), and failures while running one.

use std::fmt;

/// Where in the scenario file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The document's position in the file, from 1; 0 for the file as a whole.
    pub document: usize,
    /// `Kind/name` of the document when known.
    pub object: Option<String>,
    /// The field's path inside the document (`spec.load[0].rate`); empty for the document.
    pub field: String,
}

/// A scenario that cannot be simulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// Where.
    pub at: Location,
    /// What is wrong.
    pub problem: String,
}

impl ScenarioError {
    /// A problem with a field of a document.
    pub fn new(
        document: usize,
        object: Option<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            at: Location {
                document,
                object,
                field: field.into(),
            },
            problem: problem.into(),
        }
    }

    /// A problem with the file as a whole.
    pub fn file(problem: impl Into<String>) -> Self {
        Self::new(0, None, "", problem)
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.document > 0 {
            write!(f, "document {}", self.at.document)?;
            if let Some(o) = &self.at.object {
                write!(f, " ({o})")?;
            }
            f.write_str(": ")?;
        }
        if !self.at.field.is_empty() {
            write!(f, "{}: ", self.at.field)?;
        }
        f.write_str(&self.problem)
    }
}

/// A failure while running a valid scenario.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The controller loop refused an HPA (changed into an invalid one by an action).
    #[error("{0}")]
    Sync(#[from] alpaca_loop::SyncError),
}
