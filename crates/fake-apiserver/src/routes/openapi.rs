//! A minimal OpenAPI v3 surface: the `/openapi/v3` index and, per group-version, the
//! object paths with their PATCH operation declaring the `fieldValidation` parameter, so
//! that kubectl (apply, create -f) uses server-side field validation. No schemas.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::respond;
use crate::error::ApiError;
use crate::state::Shared;

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`.
pub(super) fn index(shared: &Arc<Shared>) -> Response {
    let mut paths = Map::new();
    for (group, versions) in shared.read().registry.groups() {
        for version in versions {
            let key = gv_path(&group, &version);
            paths.insert(
                key.clone(),
                json!({ "serverRelativeURL": format!("/openapi/v3/{key}") }),
            );
        }
    }
    respond::json(200, &json!({ "paths": paths }))
}

/// `/openapi/v3/api/v1` and `/openapi/v3/apis/GROUP/VERSION`.
pub(super) fn group_version(shared: &Arc<Shared>, group: &str, version: &str) -> Response {
    let endpoints = shared.read().registry.resources_in(group, version);
    if endpoints.is_empty() {
        return respond::error(&ApiError::no_route());
    }
    let mut paths = Map::new();
    for ep in endpoints {
        let base = format!("/{}", gv_path(group, version));
        let scope = if ep.kind.namespaced {
            "/namespaces/{namespace}"
        } else {
            ""
        };
        let gvk = json!({ "group": group, "version": version, "kind": ep.kind.kind });
        let params = json!([
            {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
        ]);
        let op = |verb: &str| {
            json!({ "operationId": format!("{verb}{}", ep.kind.kind), "x-kubernetes-action": verb,
            "x-kubernetes-group-version-kind": gvk, "parameters": params, "responses": {} })
        };
        paths.insert(
            format!("{base}{scope}/{}/{{name}}", ep.kind.plural),
            json!({ "get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete") }),
        );
        paths.insert(
            format!("{base}{scope}/{}", ep.kind.plural),
            json!({ "post": op("post"), "get": op("list") }),
        );
    }
    let doc = json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": "v1.32.0" },
        "paths": Value::Object(paths),
        "components": { "schemas": {} },
    });
    respond::json(200, &doc)
}
