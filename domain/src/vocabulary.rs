//! The glossary's closed word lists as types (see `shared/GLOSSARY.md`): committees,
//! administrations, control areas, proposal kinds, roles. Users write the Danish codes
//! (`ØU`, `Anlæg`); code uses English names; serde uses one stable spelling per value so stored
//! events never depend on how a user typed a word. Free text that must not be empty (reasons,
//! actors, evidence references) also lives here, so "empty reason" is unrepresentable.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a word was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// Not one of the known words.
    #[error("'{value}' is not a {what}; expected one of: {expected}")]
    Unknown {
        /// What kind of word was expected.
        what: &'static str,
        /// The refused input.
        value: String,
        /// The accepted spellings.
        expected: &'static str,
    },
    /// A required text was empty or only white space.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A text was longer than we store.
    #[error("{what} is longer than {max} characters")]
    TooLong {
        /// Which text.
        what: &'static str,
        /// The limit.
        max: usize,
    },
}

macro_rules! word_enum {
    (
        $(#[$doc:meta])* $name:ident, $what:literal, $expected:literal,
        { $( $(#[$vdoc:meta])* $variant:ident => $code:literal $(| $alias:literal)* ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code users see (Danish).
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
        }

        impl FromStr for $name {
            type Err = VocabularyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t.to_lowercase() == $code.to_lowercase()
                        $(|| t.eq_ignore_ascii_case($alias) || t.to_lowercase() == $alias.to_lowercase())*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err(VocabularyError::Unknown { what: $what, value: s.to_string(), expected: $expected })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

word_enum!(
    /// A political committee (udvalg) that owns a budget.
    Committee, "committee (udvalg)", "ØU, BIU, BUU, KFU, SUD, SOU, TMU",
    {
        /// Økonomiudvalget.
        Economy => "ØU" | "OU" | "OEU",
        /// Beskæftigelses- og Integrationsudvalget.
        EmploymentIntegration => "BIU",
        /// Børne- og Ungdomsudvalget.
        ChildrenYouth => "BUU",
        /// Kultur- og Fritidsudvalget.
        CultureLeisure => "KFU",
        /// Socialudvalget.
        Social => "SUD",
        /// Sundheds- og Omsorgsudvalget.
        HealthCare => "SOU",
        /// Teknik- og Miljøudvalget.
        TechnicalEnvironment => "TMU",
    }
);

word_enum!(
    /// An administration (forvaltning).
    Administration, "administration (forvaltning)", "ØKF, BIF, BUF, KFF, SOF, SUF, TMF",
    {
        /// Økonomiforvaltningen.
        Economy => "ØKF" | "OKF" | "OEKF",
        /// Beskæftigelses- og Integrationsforvaltningen.
        EmploymentIntegration => "BIF",
        /// Børne- og Ungdomsforvaltningen.
        ChildrenYouth => "BUF",
        /// Kultur- og Fritidsforvaltningen.
        CultureLeisure => "KFF",
        /// Socialforvaltningen.
        Social => "SOF",
        /// Sundheds- og Omsorgsforvaltningen.
        HealthCare => "SUF",
        /// Teknik- og Miljøforvaltningen.
        TechnicalEnvironment => "TMF",
    }
);

word_enum!(
    /// A control area (styringsområde): which budget rules an amount falls under.
    ControlArea, "control area (styringsområde)", "service, anlaeg, overfoersler, efterspoergselsstyret, finansposter",
    {
        /// Service.
        Service => "service",
        /// Anlæg (capital).
        Capital => "anlaeg" | "anlæg",
        /// Overførsler (transfers).
        Transfers => "overfoersler" | "overførsler",
        /// Efterspørgselsstyrede overførsler (demand-driven).
        DemandDriven => "efterspoergselsstyret" | "efterspørgselsstyret",
        /// Finansposter (financing items).
        Financing => "finansposter",
    }
);

word_enum!(
    /// What kind of proposal this is.
    ProposalKind, "proposal kind", "investering, tværgående, innovation, foranalyse",
    {
        /// An ordinary investment proposal (investeringsforslag).
        Investment => "investering",
        /// A cross-cutting investment proposal (tværgående investeringsforslag).
        CrossCutting => "tvaergaaende" | "tværgående",
        /// An innovation proposal funded from the innovation pool.
        Innovation => "innovation",
        /// A pre-study (foranalyse) funded from the innovation pool.
        PreStudy => "foranalyse",
    }
);

word_enum!(
    /// Who acts: Gevinst's three kinds of user, plus the system itself (baseline import).
    Role, "role", "projektejer, controller, revisor, system",
    {
        /// Projektejer: logs progress, realised savings and costs.
        ProjectOwner => "project_owner" | "projektejer" | "owner",
        /// Controller: verifies, cancels, revises plans.
        Controller => "controller",
        /// Revisor: reads and replays history.
        Auditor => "auditor" | "revisor",
        /// The system itself, e.g. importing the adopted baseline.
        System => "system",
    }
);

word_enum!(
    /// A risk level (risikovurdering).
    RiskLevel, "risk level", "lav, middel, høj",
    {
        /// Lav.
        Low => "lav" | "low",
        /// Middel / mellem.
        Medium => "middel" | "mellem" | "medium",
        /// Høj.
        High => "hoej" | "høj" | "high",
    }
);

impl ControlArea {
    /// The word users read in tables ("anlæg", not the stored "anlaeg").
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            ControlArea::Service => "service",
            ControlArea::Capital => "anlæg",
            ControlArea::Transfers => "overførsler",
            ControlArea::DemandDriven => "efterspørgselsstyret",
            ControlArea::Financing => "finansposter",
        }
    }
}

impl ProposalKind {
    /// The word users read in tables.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            ProposalKind::Investment => "investeringsforslag",
            ProposalKind::CrossCutting => "tværgående investeringsforslag",
            ProposalKind::Innovation => "innovationsforslag",
            ProposalKind::PreStudy => "foranalyse",
        }
    }
}

fn non_empty(what: &'static str, input: &str, max: usize) -> Result<String, VocabularyError> {
    let t = input.trim();
    if t.is_empty() {
        Err(VocabularyError::Empty(what))
    } else if t.chars().count() > max {
        Err(VocabularyError::TooLong { what, max })
    } else {
        Ok(t.to_string())
    }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Trims the text and refuses it when empty or too long.
            pub fn parse(input: &str) -> Result<Self, VocabularyError> {
                non_empty($what, input, $max).map(Self)
            }
            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = VocabularyError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
        impl FromStr for $name {
            type Err = VocabularyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// Why something was done: required for corrections, revisions and cancellations.
    Reason, "a reason", 2000
);
text_type!(
    /// Who did it: a person's login or the system (`system:baseline`).
    Actor, "an actor", 200
);
text_type!(
    /// Free text of a progress note.
    Note, "a note", 4000
);
text_type!(
    /// A reference to evidence: a document number, case id or link.
    EvidenceRef, "an evidence reference", 1000
);
text_type!(
    /// A client-chosen key that makes a command safe to retry.
    IdempotencyKey, "an idempotency key", 200
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_codes_parse_and_display() {
        assert_eq!("ØU".parse::<Committee>().unwrap(), Committee::Economy);
        assert_eq!("sud".parse::<Committee>().unwrap(), Committee::Social);
        assert_eq!(
            "Anlæg".parse::<ControlArea>().unwrap(),
            ControlArea::Capital
        );
        assert_eq!("mellem".parse::<RiskLevel>().unwrap(), RiskLevel::Medium);
        assert_eq!(
            "tværgående".parse::<ProposalKind>().unwrap(),
            ProposalKind::CrossCutting
        );
        assert_eq!(Committee::Economy.to_string(), "ØU");
        assert_eq!(
            "XYZ".parse::<Committee>().unwrap_err().to_string(),
            "'XYZ' is not a committee (udvalg); expected one of: ØU, BIU, BUU, KFU, SUD, SOU, TMU"
        );
    }

    #[test]
    fn serde_uses_one_stable_spelling() {
        assert_eq!(
            serde_json::to_string(&ControlArea::Capital).unwrap(),
            "\"anlaeg\""
        );
        assert_eq!(
            serde_json::to_string(&Committee::Economy).unwrap(),
            "\"ØU\""
        );
        assert_eq!(
            serde_json::to_string(&Role::ProjectOwner).unwrap(),
            "\"project_owner\""
        );
        for c in Committee::ALL {
            let s = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<Committee>(&s).unwrap(), *c);
        }
    }

    #[test]
    fn texts_must_not_be_empty() {
        assert_eq!(
            Reason::parse("   ").unwrap_err().to_string(),
            "a reason must not be empty"
        );
        assert_eq!(Reason::parse(" fejl ").unwrap().as_str(), "fejl");
        assert!(serde_json::from_str::<Reason>("\"\"").is_err());
        assert!(Actor::parse(&"x".repeat(201)).is_err());
    }
}
