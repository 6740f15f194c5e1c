//! Typed identifiers. cqrs-es passes aggregate ids as `&str`; we parse them into these types at
//! the boundary and convert back only at the framework call, so a `ProposalId` can never hold
//! "bc1" or "BC 01" and two spellings of one proposal cannot become two event streams.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// A proposal id must be `BC` followed by two digits.
    #[error("«{0}» er ikke et forslagsnummer: skriv BC efterfulgt af to cifre, fx BC01")]
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

/// A proposal's id as the budget appendix writes it: `BC01` … `BC99`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProposalId(String);

impl ProposalId {
    /// Parses `BC` + two digits; accepts lower case input and normalises it.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() == 4
            && bytes.starts_with(b"BC")
            && bytes[2].is_ascii_digit()
            && bytes[3].is_ascii_digit()
        {
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
        for bad in ["BC1", "BC001", "XX01", "", "BC0A", "BC 1"] {
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

    #[test]
    fn ids_refuse_bad_json() {
        assert!(serde_json::from_str::<ProposalId>("\"BC1\"").is_err());
        let id: ProposalId = serde_json::from_str("\"BC07\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"BC07\"");
    }
}
