//! Handlers of the `/status` and `/scale` subresources.

use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use http::Method;
use http::request::Parts;

use super::objects::{json_body, object, patch_kind};
use super::respond;
use crate::error::ApiError;
use crate::ops;
use crate::registry::Endpoint;
use crate::state::Shared;

/// Dispatches `GET/PUT/PATCH .../NAME/SUB`.
pub(super) fn handle(
    shared: &Arc<Shared>,
    parts: &Parts,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    sub: &str,
    body: &Bytes,
) -> Response {
    let m = &parts.method;
    match sub {
        "status" if ep.kind.status => {
            let r = if *m == Method::GET {
                shared
                    .read()
                    .store
                    .get(&ep.kind.storage_id(), ops::ns_key(ep, ns), name)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))
            } else if *m == Method::PUT {
                json_body(parts, body)
                    .and_then(|v| ops::update_status(&mut shared.write(), ep, ns, name, v))
            } else if *m == Method::PATCH {
                patch_kind(parts).and_then(|k| {
                    ops::patch_object(&mut shared.write(), ep, ns, name, k, body, true)
                })
            } else {
                Err(ApiError::method_not_allowed())
            };
            match r {
                Ok(stored) => object(200, ep, &stored),
                Err(e) => respond::error(&e),
            }
        }
        "scale" if ep.kind.scale.is_some() => {
            let r = if *m == Method::GET {
                ops::get_scale(&shared.read(), ep, ns, name)
            } else if *m == Method::PUT {
                json_body(parts, body)
                    .and_then(|v| ops::update_scale(&mut shared.write(), ep, ns, name, v))
            } else if *m == Method::PATCH {
                patch_kind(parts)
                    .and_then(|k| ops::patch_scale(&mut shared.write(), ep, ns, name, k, body))
            } else {
                Err(ApiError::method_not_allowed())
            };
            match r {
                Ok(scale) => respond::json(200, &scale),
                Err(e) => respond::error(&e),
            }
        }
        _ => respond::error(&ApiError::no_route()),
    }
}
