//! API semantics of writes and reads on stored objects: create, update, status and scale
//! subresources, patches, deletes, defaulting and metadata stamping.

mod commit;
mod create;
mod defaults;
mod delete;
mod meta;
mod patch;
mod scale;
mod update;

pub(crate) use create::create;
pub(crate) use delete::{delete, delete_collection};
pub(crate) use patch::PatchKind;
pub(crate) use scale::{get_scale, patch_scale, update_scale};
pub(crate) use update::{patch_object, update, update_status};

/// Who is writing: a client over HTTP, or a test seeding state through the handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// As the API server: status is ignored on create and main-resource updates,
    /// resourceVersion preconditions apply.
    Api,
    /// Test seeding: the whole object is taken, status included, without preconditions.
    Seed,
}

/// Namespace key of an object of this endpoint: `""` for cluster-scoped kinds.
pub(crate) fn ns_key<'a>(ep: &crate::registry::Endpoint, ns: Option<&'a str>) -> &'a str {
    if ep.kind.namespaced {
        ns.unwrap_or("")
    } else {
        ""
    }
}
