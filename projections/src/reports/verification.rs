//! The controllers' queue: realised savings in force that no controller has verified yet.
//!
//! Why a report of its own: a saving counts as realised in the status only once verified (four
//! eyes), so the savings waiting for a controller are what stands between a project owner's
//! report and the committee's figures. A saving that was reversed is not waiting; one that was
//! superseded waits as its replacement (the verification names the replacement's sequence).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::readmodel::{ReadModelError, ReadModels};
use gevinst_domain::proposal::Fact;

/// A saving waiting for verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// The proposal.
    pub proposal: String,
    /// The entry's sequence in the proposal's history (what a verification names).
    pub sequence: i64,
    /// Budget year.
    pub year: i32,
    /// Amount in 1.000 kr. (negative: a saving).
    pub amount: Decimal,
    /// The business date it is effective from.
    pub effective_on: NaiveDate,
    /// Who recorded it (a verifier must be someone else).
    pub reported_by: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Its evidence, if any.
    pub evidence: Option<String>,
}

/// The savings effective on or before `as_of` that are in force and unverified, oldest first,
/// of `proposal` or of every proposal.
pub async fn pending_verifications(
    read: &ReadModels,
    proposal: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Pending>, ReadModelError> {
    let mut out = Vec::new();
    let rows = match proposal {
        Some(p) => read.proposal(p).await?.into_iter().collect(),
        None => read.proposals().await?,
    };
    for row in rows {
        let entries = read.decoded_entries(&row).await?;
        let (facts, verified) = super::effective_facts(entries.entries(), as_of);
        for (sequence, fact) in facts {
            let Fact::SavingRealised(s) = fact else {
                continue;
            };
            if verified.contains(&sequence) {
                continue;
            }
            let entry = entries
                .entries()
                .iter()
                .find(|e| e.row.sequence == sequence);
            out.push(Pending {
                proposal: row.proposal_id.clone(),
                sequence,
                year: s.year,
                amount: s.amount.value(),
                effective_on: s.effective_on,
                reported_by: entry.map(|e| e.row.actor.clone()).unwrap_or_default(),
                recorded_at: entry.map(|e| e.row.recorded_at.clone()).unwrap_or_default(),
                evidence: s.evidence.as_ref().map(ToString::to_string),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.effective_on, &a.proposal, a.sequence).cmp(&(b.effective_on, &b.proposal, b.sequence))
    });
    Ok(out)
}
