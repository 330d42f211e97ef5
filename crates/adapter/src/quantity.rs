//! Metric values as Kubernetes quantities: validating a written value into its canonical
//! form, and turning a Prometheus sample into a milli-precision quantity, both through
//! `alpaca-quantity` so they print exactly as apimachinery would.

use alpaca_quantity::{Format, Quantity as Exact};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Parses a written value (a JSON string `"300m"`, or the bare quantity `300m`) as
/// `resource.Quantity.UnmarshalJSON` does, and returns its canonical form.
pub fn parse_written(body: &str) -> Result<Quantity, String> {
    let trimmed = body.trim();
    let inner = if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        &trimmed[1..trimmed.len() - 1]
    } else {
        trimmed
    };
    let inner = inner.trim();
    if inner.is_empty() {
        return Err("the body must be a quantity, e.g. \"300m\"".into());
    }
    let q = Exact::parse(inner).map_err(|e| e.to_string())?;
    Ok(Quantity(q.to_string()))
}

/// A float sample as a quantity, like prometheus-adapter's
/// `resource.NewMilliQuantity(int64(v*1000), DecimalSI)`; `None` for NaN and infinities.
pub fn from_f64(v: f64) -> Option<Quantity> {
    if !v.is_finite() {
        return None;
    }
    let milli = (v * 1000.0).clamp(i64::MIN as f64, i64::MAX as f64) as i64;
    Some(Quantity(
        Exact::from_milli(milli, Format::DecimalSI).to_string(),
    ))
}
