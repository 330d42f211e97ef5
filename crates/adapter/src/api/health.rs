//! `/healthz`, `/livez` and `/readyz` (ready once the backend can answer).

use axum::extract::State;
use axum::http::StatusCode;

use super::SharedState;

/// Always `ok` while the process serves.
pub async fn ok() -> &'static str {
    "ok"
}

/// `ok` once the backend is ready, 503 before.
pub async fn ready(State(st): State<SharedState>) -> (StatusCode, &'static str) {
    if st.backend.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "backend not ready: first metric discovery pending",
        )
    }
}
