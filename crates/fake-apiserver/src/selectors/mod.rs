//! Label and field selectors: parsing the query-string syntax, matching objects, and
//! rendering a `LabelSelector` as the string the API server puts in `Scale.status.selector`.

mod fields;
mod labels;

pub use fields::FieldSelector;
pub use labels::LabelSelector;

/// A selector string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);
