//! Typed identifiers. cqrs-es passes aggregate ids as `&str`; we parse them into these types at
//! the boundary and convert back only at the framework call, so a `ProposalId` can never hold
//! "bc1" or "BC 01" and two spellings of one proposal cannot become two event streams.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// A proposal id must be 2–20 letters, digits and hyphens (see [`ProposalId`]).
    #[error("«{0}» er ikke et forslagsnummer: skriv 2–20 tegn A–Z, 0–9 eller '-', begyndende med et bogstav og sluttende med et bogstav eller et ciffer, fx BC01")]
    Proposal(String),
    /// A local id (plan line, goal, milestone) must be a short slug.
    #[error("«{value}» er ikke et gyldigt {what}-id: brug 1–40 tegn a–z, 0–9, '-' eller '_', begyndende med et bogstav eller et ciffer")]
    Local {
        /// What kind of id was expected.
        what: &'static str,
        /// The refused input.
        value: String,
    },
}

/// A proposal's id as its budget document writes it: Bilag 7's `BC01` … `BC14`, another
/// document's `FK-03`. The ids are the document's data, not a pattern of one municipality:
/// 2–20 characters A–Z, 0–9 and `-`, starting with a letter and ending with a letter or a
/// digit, upper case (input is normalised). ASCII only, because the id is the event stream's
/// id and a path segment of every URL about the proposal. Two documents that use the same id
/// are refused on import, never merged (`ImportError::Changed`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProposalId(String);

impl ProposalId {
    /// Parses an id; accepts lower case input and normalises it.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let ok = (2..=20).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-');
        if ok {
            Ok(Self(upper))
        } else {
            Err(IdError::Proposal(input.to_string()))
        }
    }

    /// The id as the event store's stream id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProposalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ProposalId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ProposalId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProposalId> for String {
    fn from(value: ProposalId) -> Self {
        value.0
    }
}

fn parse_slug(what: &'static str, input: &str) -> Result<String, IdError> {
    let ok = !input.is_empty()
        && input.len() <= 40
        && input
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && input
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(input.to_string())
    } else {
        Err(IdError::Local {
            what,
            value: input.to_string(),
        })
    }
}

macro_rules! local_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a slug such as `g1` or `l12`.
            pub fn parse(input: &str) -> Result<Self, IdError> {
                parse_slug($what, input).map(Self)
            }
            /// The id as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

local_id!(
    /// A plan line within one proposal's plan (`l1`, `l2`, … in document order).
    PlanLineId,
    "plan line"
);
local_id!(
    /// A follow-up goal (opfølgningsmål) within one proposal (`g1`, …).
    GoalId,
    "goal"
);
local_id!(
    /// A milestone (milepæl) within one proposal (`m1`, …).
    MilestoneId,
    "milestone"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_ids_are_normalised_and_checked() {
        assert_eq!(ProposalId::parse("bc01").unwrap().as_str(), "BC01");
        assert_eq!(ProposalId::parse(" BC14 ").unwrap().as_str(), "BC14");
        // Other documents' ids: a made-up municipality's, a budget round's prefix.
        for good in ["FK-03", "b26-bc01", "IN7", "XX", "A1234567890123456789"] {
            let id = ProposalId::parse(good).unwrap();
            assert_eq!(id.as_str(), good.to_ascii_uppercase());
        }
        for bad in [
            "B",
            "",
            "1BC",
            "-BC01",
            "BC01-",
            "BC 1",
            "BC_01",
            "ÆB01",
            "A12345678901234567890",
        ] {
            let err = ProposalId::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("er ikke et forslagsnummer"),
                "{bad}"
            );
        }
    }

    #[test]
    fn local_ids_are_slugs() {
        assert!(GoalId::parse("g1").is_ok());
        assert!(PlanLineId::parse("l-12_b").is_ok());
        assert_eq!(
            GoalId::parse("G1").unwrap_err().to_string(),
            "«G1» er ikke et gyldigt goal-id: brug 1–40 tegn a–z, 0–9, '-' eller '_', begyndende med et bogstav eller et ciffer"
        );
        assert!(MilestoneId::parse("").is_err());
        assert!(MilestoneId::parse("-m").is_err());
    }

    proptest::proptest! {
        /// A document's id in any case is accepted, upper-cased, and reads back (text and
        /// JSON) as itself.
        #[test]
        fn a_document_id_is_normalised_and_round_trips(s in "[A-Za-z][A-Za-z0-9-]{0,18}[A-Za-z0-9]") {
            let id = ProposalId::parse(&s).unwrap();
            proptest::prop_assert_eq!(id.as_str(), s.to_ascii_uppercase());
            proptest::prop_assert_eq!(ProposalId::parse(id.as_str()).unwrap(), id.clone());
            let json = serde_json::to_string(&id).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<ProposalId>(&json).unwrap(), id);
        }

        /// Anything else typed is either such an id or refused with the Danish message.
        #[test]
        fn any_text_is_an_id_of_the_form_or_refused(s in "\\PC{0,24}") {
            match ProposalId::parse(&s) {
                Ok(id) => {
                    let b = id.as_str().as_bytes();
                    proptest::prop_assert!((2..=20).contains(&b.len()));
                    proptest::prop_assert!(b[0].is_ascii_uppercase() && b[b.len() - 1] != b'-');
                    proptest::prop_assert!(b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'-'));
                }
                Err(e) => proptest::prop_assert!(e.to_string().contains("er ikke et forslagsnummer")),
            }
        }
    }

    #[test]
    fn ids_refuse_bad_json() {
        assert!(serde_json::from_str::<ProposalId>("\"BC 1\"").is_err());
        let id: ProposalId = serde_json::from_str("\"BC07\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"BC07\"");
    }
}
