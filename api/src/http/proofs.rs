//! Proofs over the log's Merkle tree (RFC 9162) and the latest signed checkpoint, for clients
//! that verify on their own: an inclusion proof shows one event is in the tree a checkpoint
//! signed; a consistency proof shows a later tree extends an earlier one. Hashes are lower-case
//! hex; the leaf data is the event's stored `hash` (see `gevinst_verify::merkle`).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use gevinst_verify::merkle;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::SignedIn;
use super::error::{ApiError, ApiQuery, ApiResult};
use super::AppState;
use gevinst_domain::access::Action;

/// `?position=N[&tree_size=M]`
#[derive(Debug, Deserialize)]
pub struct InclusionQuery {
    position: u64,
    tree_size: Option<u64>,
}

/// `?from=A[&to=B]`
#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

/// The tree size asked for, which must not exceed the log's.
fn size(asked: Option<u64>, log: usize) -> ApiResult<u64> {
    let log = log as u64;
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

/// `GET /api/proofs/inclusion?position=N[&tree_size=M]`
pub async fn inclusion(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<Json<Value>> {
    user.may(Action::ReadDetails, None)?;
    let leaves = s.service.store().leaves().await?;
    let tree_size = size(q.tree_size, leaves.len())?;
    if q.position == 0 || q.position > tree_size {
        return Err(ApiError::BadRequest(format!(
            "position must be between 1 and the tree size {tree_size}, not {}",
            q.position
        )));
    }
    let hashes: Vec<merkle::Hash> = leaves
        .iter()
        .take(usize::try_from(tree_size).unwrap_or(usize::MAX))
        .map(|l| l.leaf)
        .collect();
    let index = q.position - 1;
    let proof =
        merkle::inclusion_proof(&hashes, index).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let leaf = &leaves[usize::try_from(index).unwrap_or(usize::MAX)];
    Ok(Json(json!({
        "position": q.position,
        "leaf_index": index,
        "tree_size": tree_size,
        "proposal": leaf.stream_id,
        "event_hash": leaf.event_hash,
        "leaf_hash": hex::encode(leaf.leaf),
        "root_hash": hex::encode(merkle::root(&hashes)),
        "proof": hexes(&proof),
    })))
}

/// `GET /api/proofs/consistency?from=A[&to=B]`
pub async fn consistency(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<Value>> {
    user.may(Action::ReadDetails, None)?;
    let leaves = s.service.store().leaves().await?;
    let to = size(q.to, leaves.len())?;
    if q.from > to {
        return Err(ApiError::BadRequest(format!(
            "from ({}) must not be larger than to ({to})",
            q.from
        )));
    }
    let hashes: Vec<merkle::Hash> = leaves
        .iter()
        .take(usize::try_from(to).unwrap_or(usize::MAX))
        .map(|l| l.leaf)
        .collect();
    let proof = merkle::consistency_proof(&hashes, q.from)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let from_root = merkle::root(&hashes[..usize::try_from(q.from).unwrap_or(usize::MAX)]);
    Ok(Json(json!({
        "from": q.from,
        "to": to,
        "from_root": hex::encode(from_root),
        "to_root": hex::encode(merkle::root(&hashes)),
        "proof": hexes(&proof),
    })))
}

/// `GET /api/checkpoint`: the latest signed checkpoint as a `text/plain` signed note (of the
/// server's key when it has one).
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
