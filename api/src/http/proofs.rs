//! Proofs over the log's Merkle tree (RFC 9162) and the latest signed checkpoint, for clients
//! that verify on their own: an inclusion proof shows one event is in the tree a checkpoint
//! signed; a consistency proof shows a later tree extends an earlier one. Hashes are lower-case
//! hex; the leaf data is the event's stored `hash` (see `gevinst_verify::merkle`).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use gevinst_verify::merkle;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::SignedIn;
use super::error::{ApiError, ApiQuery, ApiResult};
use super::AppState;
use gevinst_domain::access::Action;

/// `?position=N[&tree_size=M]`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The event's global position, from 1.
    position: u64,
    /// The tree the proof is for (default: the whole log).
    tree_size: Option<u64>,
}

/// `?from=A[&to=B]`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier tree's size.
    from: u64,
    /// The later tree's size (default: the whole log).
    to: Option<u64>,
}

/// An inclusion proof (RFC 9162 §2.1.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct Inclusion {
    /// The event's global position, from 1.
    position: u64,
    /// Its leaf index, from 0.
    leaf_index: u64,
    /// The tree the proof is for.
    tree_size: u64,
    /// The stream the event belongs to (a proposal, or the access stream).
    proposal: String,
    /// The event's stored hash (the leaf data).
    event_hash: String,
    /// The leaf's hash.
    leaf_hash: String,
    /// The tree's root hash.
    root_hash: String,
    /// The audit path, leaf to root.
    proof: Vec<String>,
}

/// A consistency proof (RFC 9162 §2.1.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct Consistency {
    /// The earlier tree's size.
    from: u64,
    /// The later tree's size.
    to: u64,
    /// The earlier tree's root hash.
    from_root: String,
    /// The later tree's root hash.
    to_root: String,
    /// The proof's hashes.
    proof: Vec<String>,
}

/// The tree size asked for, which must not exceed the log's.
fn size(asked: Option<u64>, log: u64) -> ApiResult<u64> {
    match asked {
        None => Ok(log),
        Some(s) if s <= log => Ok(s),
        Some(s) => Err(ApiError::NotFound(format!(
            "the log holds {log} events; there is no tree of size {s} yet"
        ))),
    }
}

fn hexes(hashes: &[merkle::Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

fn bad(e: merkle::ProofError) -> ApiError {
    ApiError::BadRequest(e.to_string())
}

/// `GET /api/proofs/inclusion?position=N[&tree_size=M]`
#[utoipa::path(get, path = "/api/proofs/inclusion", params(InclusionQuery), security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The event's inclusion proof", body = Inclusion)))]
pub async fn inclusion(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<Json<Inclusion>> {
    user.may(Action::ReadDetails, None)?;
    let store = s.service.store();
    let (log, _) = store.tree_head().await?;
    let tree_size = size(q.tree_size, log)?;
    if q.position == 0 || q.position > tree_size {
        return Err(ApiError::BadRequest(format!(
            "position must be between 1 and the tree size {tree_size}, not {}",
            q.position
        )));
    }
    let index = q.position - 1;
    let proof = store
        .prove(merkle::ProofBuilder::inclusion(index, tree_size).map_err(bad)?)
        .await?;
    let position = i64::try_from(q.position).map_err(|e| ApiError::Internal(e.to_string()))?;
    let leaf = store.leaf(position).await?.ok_or_else(|| {
        ApiError::Internal(format!("the log has no event at position {position}"))
    })?;
    Ok(Json(Inclusion {
        position: q.position,
        leaf_index: index,
        tree_size,
        proposal: leaf.stream_id,
        event_hash: leaf.event_hash,
        leaf_hash: hex::encode(leaf.leaf),
        root_hash: hex::encode(proof.root),
        proof: hexes(&proof.hashes),
    }))
}

/// `GET /api/proofs/consistency?from=A[&to=B]`
#[utoipa::path(get, path = "/api/proofs/consistency", params(ConsistencyQuery), security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The consistency proof between the two trees", body = Consistency)))]
pub async fn consistency(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<Consistency>> {
    user.may(Action::ReadDetails, None)?;
    let store = s.service.store();
    let (log, _) = store.tree_head().await?;
    let to = size(q.to, log)?;
    if q.from > to {
        return Err(ApiError::BadRequest(format!(
            "from ({}) must not be larger than to ({to})",
            q.from
        )));
    }
    let proof = store
        .prove(merkle::ProofBuilder::consistency(q.from, to).map_err(bad)?)
        .await?;
    Ok(Json(Consistency {
        from: q.from,
        to,
        from_root: hex::encode(proof.prefix_root),
        to_root: hex::encode(proof.root),
        proof: hexes(&proof.hashes),
    }))
}

/// `GET /api/checkpoint`: the latest signed checkpoint as a `text/plain` signed note (of the
/// server's key when it has one).
#[utoipa::path(get, path = "/api/checkpoint", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The latest signed checkpoint (C2SP signed note)", content_type = "text/plain", body = String)))]
pub async fn checkpoint(State(s): State<AppState>, user: SignedIn) -> ApiResult<impl IntoResponse> {
    user.may(Action::ReadDetails, None)?;
    let key_id = s.service.signer().map(|k| k.verifier().key_id());
    let latest = s
        .service
        .store()
        .latest_checkpoint(key_id.as_deref())
        .await?
        .ok_or_else(|| ApiError::NotFound("no checkpoint has been signed yet".to_string()))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        latest.note,
    ))
}
