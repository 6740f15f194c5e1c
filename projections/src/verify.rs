//! The full tamper check: the store's own checks (chains, global order, denormalised columns,
//! command table; see `gevinst_store::verify`) plus what only the domain knows — every row must
//! be a `proposal`, `access` or `price_index` event and must still decode with the current
//! code. An event that
//! cannot be read would otherwise pass `verify` and then stop every replay of its proposal.
//!
//! The decode check sits here, not in the store, because the store knows events only as rows
//! (dependencies point inward: domain ← store ← projections).

use std::collections::HashMap;

use cqrs_es::DomainEvent;
use gevinst_domain::proposal::{read_stored, ProposalEvent};
use gevinst_domain::EventMetadata;
use gevinst_store::{verify_with, Checks, EventStore, StoreError, StoredEvent, VerifyReport};
use serde::Deserialize;

use crate::identity::ACCESS;
use crate::{PRICE_INDEX, PROPOSAL};
use gevinst_domain::access::{AccessEvent, ACCESS_STREAM};
use gevinst_domain::price::{PriceIndexEvent, PRICE_INDEX_STREAM};

/// Reads one stored event as the command path and the projector do: the payload as a
/// [`ProposalEvent`] that is what the row says ([`read_stored`]: its type, and a version
/// that reads through its upcaster), and the metadata as [`EventMetadata`].
pub fn decode_event(stored: &StoredEvent) -> Result<ProposalEvent, String> {
    decode(stored)
}

/// Reads one access event (accounts and grants) as the access stream would; it must be in the
/// one access stream.
pub fn decode_access_event(stored: &StoredEvent) -> Result<AccessEvent, String> {
    decode_in(stored, ACCESS_STREAM, "an access")
}

/// Reads one price-index event; it must be in the one price-index stream.
pub fn decode_price_index_event(stored: &StoredEvent) -> Result<PriceIndexEvent, String> {
    decode_in(stored, PRICE_INDEX_STREAM, "a price-index")
}

/// [`decode`], for an aggregate that has exactly one stream, `stream`.
fn decode_in<E: DomainEvent>(stored: &StoredEvent, stream: &str, what: &str) -> Result<E, String> {
    let event = decode::<E>(stored)?;
    if stored.stream_id != stream {
        return Err(format!(
            "{what} event in stream '{}' (expected '{stream}')",
            stored.stream_id
        ));
    }
    Ok(event)
}

/// The payload as `E`, refused unless it is what the row says it is (the rule the command
/// path and the projector apply too; the projector skips the metadata, which no read model
/// holds).
pub fn decode_payload<E: DomainEvent>(stored: &StoredEvent) -> Result<E, String> {
    read_stored(&stored.payload, &stored.event_type, &stored.event_version)
}

/// [`decode_payload`], and the metadata as [`EventMetadata`].
fn decode<E: DomainEvent>(stored: &StoredEvent) -> Result<E, String> {
    let event = decode_payload(stored)?;
    let map = HashMap::<String, String>::deserialize(&stored.metadata)
        .map_err(|e| format!("metadata: {e}"))?;
    EventMetadata::from_map(&map).map_err(|e| e.to_string())?;
    Ok(event)
}

/// Verifies the whole log: [`gevinst_store::verify_with`], where every row must be a
/// `proposal` event that [`decode_event`] reads, an `access` event that
/// [`decode_access_event`] reads, or a `price_index` event that [`decode_price_index_event`]
/// reads.
pub async fn verify_log(store: &EventStore) -> Result<VerifyReport, StoreError> {
    let decode = |e: &StoredEvent| match e.aggregate_type.as_str() {
        PROPOSAL => decode_event(e).map(|_| ()),
        ACCESS => decode_access_event(e).map(|_| ()),
        PRICE_INDEX => decode_price_index_event(e).map(|_| ()),
        // Any other type is reported as a column mismatch by the store's check.
        _ => Ok(()),
    };
    verify_with(
        store,
        &Checks {
            aggregate_types: &[PROPOSAL, ACCESS, PRICE_INDEX],
            decode: Some(&decode),
        },
    )
    .await
}
