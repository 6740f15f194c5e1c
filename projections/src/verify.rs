//! The full tamper check: the store's own checks (chains, global order, denormalised columns,
//! command table; see `gevinst_store::verify`) plus what only the domain knows — every row must
//! be a `proposal` and every event must still decode with the current code. An event that
//! cannot be read would otherwise pass `verify` and then stop every replay of its proposal.
//!
//! The decode check sits here, not in the store, because the store knows events only as rows
//! (dependencies point inward: domain ← store ← projections).

use std::collections::HashMap;

use cqrs_es::DomainEvent;
use gevinst_domain::proposal::ProposalEvent;
use gevinst_domain::EventMetadata;
use gevinst_store::{verify_with, Checks, EventStore, StoreError, StoredEvent, VerifyReport};

use crate::PROPOSAL;

/// Reads one stored event as the command path and the projector would: the payload as a
/// [`ProposalEvent`] whose type and version are the row's, the metadata as [`EventMetadata`].
pub fn decode_event(stored: &StoredEvent) -> Result<ProposalEvent, String> {
    let event: ProposalEvent =
        serde_json::from_value(stored.payload.clone()).map_err(|e| format!("payload: {e}"))?;
    let (ty, version) = (event.event_type(), event.event_version());
    if ty != stored.event_type || version != stored.event_version {
        return Err(format!(
            "the payload is a {ty} v{version} event, the row says {} v{}",
            stored.event_type, stored.event_version
        ));
    }
    let map: HashMap<String, String> =
        serde_json::from_value(stored.metadata.clone()).map_err(|e| format!("metadata: {e}"))?;
    EventMetadata::from_map(&map).map_err(|e| e.to_string())?;
    Ok(event)
}

/// Verifies the whole log: [`gevinst_store::verify_with`] with the aggregate type `proposal`
/// and [`decode_event`].
pub async fn verify_log(store: &EventStore) -> Result<VerifyReport, StoreError> {
    let decode = |e: &StoredEvent| decode_event(e).map(|_| ());
    verify_with(
        store,
        &Checks {
            aggregate_type: Some(PROPOSAL),
            decode: Some(&decode),
        },
    )
    .await
}
