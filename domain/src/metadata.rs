//! Who, why and under which key a command was sent. cqrs-es carries metadata as a string map;
//! this type is the one place that map's keys are spelled, so the store, the projections and
//! the audit trail read the same names. `recorded_at`, the event id and the positions are not
//! here: the store sets them when it commits, from its own clock.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::vocabulary::{Actor, IdempotencyKey, Reason, Role, VocabularyError};

/// Metadata keys as stored.
pub mod keys {
    /// Who sent the command.
    pub const ACTOR: &str = "actor";
    /// In which role.
    pub const ROLE: &str = "role";
    /// Why, where a reason is required.
    pub const REASON: &str = "reason";
    /// The client's retry key.
    pub const IDEMPOTENCY_KEY: &str = "idempotency_key";
    /// The business date the event is effective from.
    pub const EFFECTIVE_DATE: &str = "effective_date";
    /// SHA-256 of the imported source file.
    pub const SOURCE_SHA256: &str = "source_sha256";
    /// Fingerprint of the command, to refuse a reused key with another command.
    pub const COMMAND_FINGERPRINT: &str = "command_fingerprint";
    /// The plausibility warnings the sender confirmed (a JSON array of Danish texts; see
    /// `crate::plausibility`).
    pub const CONFIRMED_WARNINGS: &str = "confirmed_warnings";
}

/// The metadata of one command's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMetadata {
    /// Who.
    pub actor: Actor,
    /// In which role.
    pub role: Role,
    /// Why.
    pub reason: Option<Reason>,
    /// Retry key.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Business date.
    pub effective_date: Option<NaiveDate>,
    /// Imported file's SHA-256.
    pub source_sha256: Option<String>,
    /// SHA-256 of the command's canonical JSON.
    pub command_fingerprint: Option<String>,
    /// Plausibility warnings the sender saw and confirmed ("code: text"), empty if none.
    pub confirmed_warnings: Vec<String>,
}

/// Why stored metadata could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// A required key is missing.
    #[error("event metadata lacks '{0}'")]
    Missing(&'static str),
    /// A value is not valid.
    #[error("event metadata '{key}' is invalid: {problem}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// What is wrong.
        problem: String,
    },
}

impl EventMetadata {
    /// Metadata for an actor in a role, nothing else.
    #[must_use]
    pub fn new(actor: Actor, role: Role) -> Self {
        Self {
            actor,
            role,
            reason: None,
            idempotency_key: None,
            effective_date: None,
            source_sha256: None,
            command_fingerprint: None,
            confirmed_warnings: Vec::new(),
        }
    }

    /// The string map cqrs-es carries.
    #[must_use]
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        map.insert(keys::ACTOR.into(), self.actor.to_string());
        map.insert(keys::ROLE.into(), self.role.code().to_string());
        if let Some(r) = &self.reason {
            map.insert(keys::REASON.into(), r.to_string());
        }
        if let Some(k) = &self.idempotency_key {
            map.insert(keys::IDEMPOTENCY_KEY.into(), k.to_string());
        }
        if let Some(d) = self.effective_date {
            map.insert(keys::EFFECTIVE_DATE.into(), d.to_string());
        }
        if let Some(s) = &self.source_sha256 {
            map.insert(keys::SOURCE_SHA256.into(), s.clone());
        }
        if let Some(s) = &self.command_fingerprint {
            map.insert(keys::COMMAND_FINGERPRINT.into(), s.clone());
        }
        if !self.confirmed_warnings.is_empty() {
            map.insert(
                keys::CONFIRMED_WARNINGS.into(),
                serde_json::Value::from(self.confirmed_warnings.clone()).to_string(),
            );
        }
        map
    }

    /// Reads the map back.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetadataError> {
        let get = |k: &'static str| map.get(k).map(String::as_str);
        let invalid = |key: &'static str| {
            move |e: VocabularyError| MetadataError::Invalid {
                key,
                problem: e.to_string(),
            }
        };
        let actor = Actor::parse(get(keys::ACTOR).ok_or(MetadataError::Missing(keys::ACTOR))?)
            .map_err(invalid(keys::ACTOR))?;
        let role = get(keys::ROLE)
            .ok_or(MetadataError::Missing(keys::ROLE))?
            .parse::<Role>()
            .map_err(invalid(keys::ROLE))?;
        let reason = get(keys::REASON)
            .map(Reason::parse)
            .transpose()
            .map_err(invalid(keys::REASON))?;
        let idempotency_key = get(keys::IDEMPOTENCY_KEY)
            .map(IdempotencyKey::parse)
            .transpose()
            .map_err(invalid(keys::IDEMPOTENCY_KEY))?;
        let effective_date = get(keys::EFFECTIVE_DATE)
            .map(|d| {
                d.parse::<NaiveDate>().map_err(|e| MetadataError::Invalid {
                    key: keys::EFFECTIVE_DATE,
                    problem: e.to_string(),
                })
            })
            .transpose()?;
        let confirmed_warnings = get(keys::CONFIRMED_WARNINGS)
            .map(|w| {
                serde_json::from_str::<Vec<String>>(w).map_err(|e| MetadataError::Invalid {
                    key: keys::CONFIRMED_WARNINGS,
                    problem: e.to_string(),
                })
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            actor,
            role,
            reason,
            idempotency_key,
            effective_date,
            source_sha256: get(keys::SOURCE_SHA256).map(str::to_string),
            command_fingerprint: get(keys::COMMAND_FINGERPRINT).map(str::to_string),
            confirmed_warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_roundtrips_through_the_string_map() {
        let mut m = EventMetadata::new(Actor::parse("anna").unwrap(), Role::Controller);
        m.reason = Some(Reason::parse("tastefejl").unwrap());
        m.idempotency_key = Some(IdempotencyKey::parse("k-1").unwrap());
        m.effective_date = NaiveDate::from_ymd_opt(2025, 9, 30);
        m.confirmed_warnings = vec!["future-date: dateret i fremtiden".into()];
        let back = EventMetadata::from_map(&m.to_map()).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            EventMetadata::from_map(&HashMap::new())
                .unwrap_err()
                .to_string(),
            "event metadata lacks 'actor'"
        );
    }
}
