//! Kubernetes label selectors: the string syntax of `labels.Parse` (what a Scale's
//! `status.selector` holds), the `metav1.LabelSelector` object form, matching against
//! labels, and the canonical string form used to compare metric selectors.

mod lexer;
mod object;
mod parse;
mod requirement;
mod validate;

pub use object::{gogo_string, selector_from_object};
pub use parse::parse;
pub use requirement::{Operator, Requirement, Selector};
