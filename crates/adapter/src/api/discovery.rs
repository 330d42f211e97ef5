//! Discovery: `/apis` (APIGroupList), `/apis/GROUP` (APIGroup) and `/apis/GROUP/VERSION`
//! (APIResourceList naming every metric the backend has, as `RESOURCE/METRIC` for custom
//! metrics and `METRIC` for external ones; `nodes` and `pods` for `metrics.k8s.io`).

use axum::extract::{Path, State};
use axum::response::Response;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    APIGroup, APIGroupList, APIResource, APIResourceList, GroupVersionForDiscovery,
};

use super::status::{ApiError, json_response};
use super::{CUSTOM_GROUP, EXTERNAL_GROUP, SharedState};

/// The versions served for a group, preferred first.
pub fn versions(group: &str) -> Option<&'static [&'static str]> {
    match group {
        CUSTOM_GROUP => Some(&["v1beta2", "v1beta1"]),
        EXTERNAL_GROUP => Some(&["v1beta1"]),
        super::resource::GROUP => Some(&super::resource::VERSIONS),
        _ => None,
    }
}

fn api_group(name: &str, versions: &[&str]) -> APIGroup {
    let gv = |v: &&str| GroupVersionForDiscovery {
        group_version: format!("{name}/{v}"),
        version: v.to_string(),
    };
    APIGroup {
        name: name.to_string(),
        preferred_version: versions.first().map(gv),
        versions: versions.iter().map(gv).collect(),
        server_address_by_client_cidrs: None,
    }
}

/// `GET /apis`.
pub async fn group_list() -> Response {
    let groups = [CUSTOM_GROUP, EXTERNAL_GROUP, super::resource::GROUP]
        .iter()
        .filter_map(|g| versions(g).map(|v| api_group(g, v)))
        .collect();
    json_response(&APIGroupList { groups })
}

/// `GET /apis/GROUP`.
pub async fn group(Path(group): Path<String>) -> Result<Response, ApiError> {
    let v = versions(&group).ok_or_else(|| unknown(&group))?;
    Ok(json_response(&api_group(&group, v)))
}

/// `GET /apis/GROUP/VERSION`.
pub async fn resource_list(
    State(st): State<SharedState>,
    Path((group, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let v = versions(&group).ok_or_else(|| unknown(&group))?;
    if !v.contains(&version.as_str()) {
        return Err(unknown(&format!("{group}/{version}")));
    }
    let resource = |name: String, namespaced: bool, kind: &str| APIResource {
        name,
        singular_name: String::new(),
        namespaced,
        kind: kind.to_string(),
        verbs: vec!["get".to_string()],
        ..Default::default()
    };
    let resources = if group == super::resource::GROUP {
        // As metrics-server lists them.
        let mut r = vec![
            resource("nodes".into(), false, "NodeMetrics"),
            resource("pods".into(), true, "PodMetrics"),
        ];
        for x in &mut r {
            x.verbs = vec!["get".into(), "list".into()];
        }
        r
    } else if group == CUSTOM_GROUP {
        st.backend
            .list_custom()
            .into_iter()
            .map(|i| {
                resource(
                    format!("{}/{}", i.resource, i.metric),
                    i.namespaced,
                    "MetricValueList",
                )
            })
            .collect()
    } else {
        st.backend
            .list_external()
            .into_iter()
            .map(|m| resource(m, true, "ExternalMetricValueList"))
            .collect()
    };
    Ok(json_response(&APIResourceList {
        group_version: format!("{group}/{version}"),
        resources,
    }))
}

fn unknown(what: &str) -> ApiError {
    ApiError::NotFound(format!(
        "the server could not find the requested resource ({what} is not served)"
    ))
}
