//! Handlers of resource paths: list, watch, create, get, update, patch, delete and
//! delete-collection; subresources are handed to [`super::subresources`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use http::request::Parts;
use http::{Method, header};
use serde_json::{Value, json};

use super::path::ResourcePath;
use super::query::Params;
use super::{respond, subresources, table};
use crate::convert;
use crate::error::ApiError;
use crate::ops::{self, PatchKind, WriteMode};
use crate::registry::Endpoint;
use crate::state::Shared;
use crate::watch::{self, WatchSpec};

/// Parses a JSON request body.
/// Parses a request body: JSON, or YAML when the Content-Type says so. Protobuf and CBOR
/// bodies are answered 415 (the fake server only speaks JSON).
pub(super) fn json_body(parts: &Parts, body: &Bytes) -> Result<Value, ApiError> {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.contains("protobuf") || ct.contains("cbor") {
        return Err(ApiError::new(
            415,
            format!(
                "the body of the request was in an unknown format - accepted media types include: \
                 application/json, application/yaml (got {ct})"
            ),
        ));
    }
    if ct.contains("yaml") {
        return serde_yaml_ng::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding request body: {e}")));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding request body: {e}")))
}

/// The Content-Type of a PATCH.
pub(super) fn patch_kind(parts: &Parts) -> Result<PatchKind, ApiError> {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    PatchKind::from_content_type(ct)
}

/// One object in the client's view.
pub(super) fn object(code: u16, ep: &Endpoint, stored: &Value) -> Response {
    let view = convert::encode(stored, &ep.kind, &ep.view);
    respond::bytes(code, serde_json::to_vec(view.as_ref()).unwrap_or_default())
}

fn result(code: u16, ep: &Endpoint, r: Result<Arc<Value>, ApiError>) -> Response {
    match r {
        Ok(stored) => object(code, ep, &stored),
        Err(e) => respond::error(&e),
    }
}

/// Dispatches a resource request.
pub(super) fn handle(
    shared: &Arc<Shared>,
    parts: &Parts,
    r: ResourcePath,
    params: Params,
    body: &Bytes,
) -> Response {
    let Some(ep) = shared
        .read()
        .registry
        .endpoint(&r.group, &r.version, &r.plural)
    else {
        return respond::error(&ApiError::no_route());
    };
    let namespaced = ep.kind.namespaced;
    if (!namespaced && r.namespace.is_some())
        || (namespaced && r.name.is_some() && r.namespace.is_none())
    {
        return respond::error(&ApiError::no_route());
    }
    let ns = r.namespace.as_deref();
    let m = &parts.method;
    match (r.name.as_deref(), r.subresource.as_deref()) {
        (Some(name), Some(sub)) => subresources::handle(shared, parts, &ep, ns, name, sub, body),
        (None, Some(_)) => respond::error(&ApiError::no_route()),
        (None, None) if *m == Method::GET && params.watch => {
            let spec = WatchSpec {
                endpoint: ep,
                namespace: ns.map(str::to_string),
                labels: params.labels,
                fields: params.fields,
                resource_version: params.resource_version,
                bookmarks: params.bookmarks,
                send_initial_events: params.send_initial_events,
                timeout: params.timeout,
            };
            match watch::start(shared.clone(), spec) {
                Ok(body) => {
                    let mut resp = Response::new(body);
                    if let Ok(ct) = "application/json".parse() {
                        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
                    }
                    resp
                }
                Err(e) => respond::error(&e),
            }
        }
        (None, None) if *m == Method::GET => {
            list(shared, &ep, ns, &params, table::wanted(&parts.headers))
        }
        (None, None) if *m == Method::POST => match json_body(parts, body) {
            Ok(v) => result(
                201,
                &ep,
                ops::create(&mut shared.write(), &ep, ns, v, WriteMode::Api),
            ),
            Err(e) => respond::error(&e),
        },
        (None, None) if *m == Method::DELETE => {
            let deleted = ops::delete_collection(
                &mut shared.write(),
                &ep,
                ns,
                &params.labels,
                &params.fields,
            );
            let rv = shared.read().store.current_rv();
            respond::bytes(
                200,
                list_body(&ep, &deleted, json!({ "resourceVersion": rv.to_string() })),
            )
        }
        (Some(name), None) if *m == Method::GET => {
            let found = shared
                .read()
                .store
                .get(&ep.kind.storage_id(), ops::ns_key(&ep, ns), name)
                .cloned();
            match found {
                Some(obj) if table::wanted(&parts.headers) => respond::json(
                    200,
                    &table::table(&ep, &[obj], shared.read().store.current_rv()),
                ),
                Some(obj) => object(200, &ep, &obj),
                None => respond::error(&ApiError::not_found(&ep.kind.plural, &ep.view.group, name)),
            }
        }
        (Some(name), None) if *m == Method::PUT => match json_body(parts, body) {
            Ok(v) => result(
                200,
                &ep,
                ops::update(&mut shared.write(), &ep, ns, name, v, WriteMode::Api),
            ),
            Err(e) => respond::error(&e),
        },
        (Some(name), None) if *m == Method::PATCH => match patch_kind(parts) {
            Ok(kind) => {
                let existed = shared
                    .read()
                    .store
                    .get(&ep.kind.storage_id(), ops::ns_key(&ep, ns), name)
                    .is_some();
                let r = ops::patch_object(&mut shared.write(), &ep, ns, name, kind, body, false);
                result(if existed { 200 } else { 201 }, &ep, r)
            }
            Err(e) => respond::error(&e),
        },
        (Some(name), None) if *m == Method::DELETE => {
            let options = serde_json::from_slice::<Value>(body).ok();
            result(
                200,
                &ep,
                ops::delete(&mut shared.write(), &ep, ns, name, options.as_ref()),
            )
        }
        _ => respond::error(&ApiError::method_not_allowed()),
    }
}

/// Hex of `ns\0name`: an opaque continue token.
fn continue_token(ns: &str, name: &str) -> String {
    format!("{ns}\0{name}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_token(token: &str) -> Option<(String, String)> {
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (ns, name) = text.split_once('\0')?;
    Some((ns.to_string(), name.to_string()))
}

fn list(
    shared: &Arc<Shared>,
    ep: &Endpoint,
    ns: Option<&str>,
    params: &Params,
    as_table: bool,
) -> Response {
    let after = match params.continue_token.as_deref().map(parse_token) {
        Some(None) => return respond::error(&ApiError::bad_request("continue key is not valid")),
        Some(Some(key)) => Some(key),
        None => None,
    };
    // resourceVersion=0 is served "from the cache", where limit is ignored
    let limit = params
        .limit
        .filter(|_| params.resource_version.as_deref() != Some("0"));
    let mut keys = Vec::new();
    let (items, rv) = {
        let st = shared.read();
        let mut items = Vec::new();
        if let Some(res) = st.store.resource(&ep.kind.storage_id()) {
            let ns = if ep.kind.namespaced { ns } else { None };
            let matching = res.objects.iter(ns).filter(|(n, name, _)| {
                after
                    .as_ref()
                    .is_none_or(|(an, aname)| (*n, *name) > (an.as_str(), aname.as_str()))
            });
            for (n, name, obj) in matching {
                if params.fields.matches(obj) && params.labels.matches_object(obj) {
                    items.push(obj.clone());
                    if limit.is_some() {
                        keys.push((n.to_string(), name.to_string()));
                    }
                }
            }
        }
        (items, st.store.current_rv())
    };
    let mut metadata = json!({ "resourceVersion": rv.to_string() });
    let mut items = items;
    if let Some(limit) = limit.filter(|l| items.len() > *l) {
        let remaining = items.len() - limit;
        items.truncate(limit);
        let (n, name) = &keys[limit - 1];
        metadata["continue"] = json!(continue_token(n, name));
        metadata["remainingItemCount"] = json!(remaining);
    }
    if as_table {
        let mut t = table::table(ep, &items, rv);
        t["metadata"] = metadata;
        return respond::json(200, &t);
    }
    respond::bytes(200, list_body(ep, &items, metadata))
}

/// Serializes a list without cloning its items.
pub(super) fn list_body(ep: &Endpoint, items: &[Arc<Value>], metadata: Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + items.len() * 1024);
    let head = json!({ "apiVersion": ep.view.api_version(), "kind": format!("{}List", ep.kind.kind), "metadata": metadata });
    let head = serde_json::to_vec(&head).unwrap_or_default();
    out.extend_from_slice(&head[..head.len() - 1]);
    out.extend_from_slice(br#","items":["#);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let view = convert::encode(item, &ep.kind, &ep.view);
        let _ = serde_json::to_writer(&mut out, view.as_ref());
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let t = continue_token("default", "web-1");
        assert_eq!(parse_token(&t), Some(("default".into(), "web-1".into())));
        assert_eq!(parse_token("zz"), None);
    }
}
