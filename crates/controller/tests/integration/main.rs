//! Tests of the installation manifests that need no cluster: they parse as the Kubernetes
//! types they claim to be and the RBAC rules cover what the controller calls. (Everything
//! that needs an API server runs on the real control plane: tests/cluster.)

mod manifests;
