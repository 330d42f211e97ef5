//! CRD mode's resource: `horizontalpodautoscalers.alpaca.dev/v1`, the `autoscaling/v2`
//! HorizontalPodAutoscaler schema under Alpaca's own group, so the built-in HPA
//! controller of a managed cluster never sees these objects. The definition is
//! `deploy/crd.yaml`, embedded here.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// The API group.
pub const GROUP: &str = "alpaca.dev";
/// The served version.
pub const VERSION: &str = "v1";
/// `deploy/crd.yaml`.
pub const MANIFEST: &str = include_str!("../../../deploy/crd.yaml");

/// The CustomResourceDefinition (from `deploy/crd.yaml`).
pub fn definition() -> Result<CustomResourceDefinition, serde_yaml_ng::Error> {
    serde_yaml_ng::from_str(MANIFEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_is_the_v2_schema_under_alpaca_dev() {
        let crd = definition().unwrap();
        assert_eq!(crd.spec.group, GROUP);
        assert_eq!(crd.spec.names.kind, "HorizontalPodAutoscaler");
        let v = &crd.spec.versions[0];
        assert_eq!(v.name, VERSION);
        assert!(v.subresources.as_ref().unwrap().status.is_some());
        let schema = serde_json::to_value(v.schema.as_ref().unwrap()).unwrap();
        let spec = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"];
        // YAML anchors are expanded: behavior.scaleDown has the policies schema too
        assert_eq!(
            spec["behavior"]["properties"]["scaleDown"]["properties"]["policies"]["items"]["required"],
            serde_json::json!(["type", "value", "periodSeconds"])
        );
        assert_eq!(
            spec["metrics"]["items"]["properties"]["pods"]["properties"]["target"]["properties"]["averageValue"]
                ["x-kubernetes-int-or-string"],
            true
        );
    }
}
