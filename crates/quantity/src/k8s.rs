//! Conversions to and from k8s-openapi's `Quantity`, a newtype over the
//! quantity's string.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

use crate::{Quantity, QuantityError};

impl TryFrom<&K8sQuantity> for Quantity {
    type Error = QuantityError;

    /// Parses the string. Surrounding whitespace is ignored: the string came
    /// from JSON, where apimachinery trims it before parsing.
    fn try_from(q: &K8sQuantity) -> Result<Self, Self::Error> {
        Quantity::parse(q.0.trim())
    }
}

impl TryFrom<K8sQuantity> for Quantity {
    type Error = QuantityError;

    /// As for a reference.
    fn try_from(q: K8sQuantity) -> Result<Self, Self::Error> {
        Quantity::try_from(&q)
    }
}

impl From<Quantity> for K8sQuantity {
    /// The canonical string.
    fn from(q: Quantity) -> Self {
        K8sQuantity(q.to_string())
    }
}

impl From<&Quantity> for K8sQuantity {
    /// The canonical string.
    fn from(q: &Quantity) -> Self {
        K8sQuantity(q.to_string())
    }
}
