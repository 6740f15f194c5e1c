//! The glossary's closed word lists as types (see `shared/GLOSSARY.md`): control areas,
//! proposal kinds, roles, risk levels, recommendations and budget outcomes; and the two open
//! ones, committees and administrations, whose codes are data: each municipality and budget
//! round has its own, declared with their names by its baseline file. Users write the Danish
//! words (`ØU`, `Anlæg`, `tværgående`); code uses English names; serde uses one stable machine
//! code per value (= [`ControlArea::code`] etc.) so stored events never depend on how a user
//! typed a word. Free text that must not be empty (reasons, actors, evidence references) also
//! lives here, so "empty reason" is unrepresentable.
//!
//! # Machine codes
//! JSON keeps stable machine codes in English, never transliterations: control areas are
//! `service`, `capital`, `transfers`, `demand_driven`, `financing`; proposal kinds
//! `investment`, `cross_cutting`, `innovation`, `pre_study`; risk levels `low`, `medium`,
//! `high`; roles `project_owner`, `controller`, `auditor`, `administrator`, `system`.
//! Committees (`ØU`, `BIU` …) and administrations (`ØKF` …) are official abbreviations and are
//! their own codes; their names come from the baseline file ([`OrgNames`]), recorded with each
//! proposal's adoption. People read the Danish words (`danish()`, `api::labels`), never the codes.
//!
//! Every other spelling listed for a value is an alias, accepted on input both by [`FromStr`]
//! (the CLI, the baseline TOML, forms) and by serde deserialisation. That includes the codes
//! written before the English ones (`anlaeg`, `overfoersler`, `efterspoergselsstyret`,
//! `finansposter`, `investering`, `tvaergaaende`, `foranalyse`, `lav`, `middel`, `hoej`): the
//! events stored with them are the v1 payloads of the event types that carry these words (see
//! `proposal::events`), and the aliases are their v1→v2 upcaster. Stored rows are never
//! rewritten; their hashes cover the payload as stored, so they keep verifying.
//!
//! Free texts end up in tables, CSV files, terminals and an auditor's printout, so they refuse
//! what would make them read differently from what was stored: control characters (line
//! breaks and tabs too: they break table rows and CSV lines), Unicode bidi overrides and
//! isolates and the directional marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C),
//! which can reorder what a reader sees, and texts that look empty (only white space and
//! zero-width or filler characters).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a word was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// Not one of the known words.
    #[error("«{value}» er ikke {what}; brug en af: {expected}")]
    Unknown {
        /// What kind of word was expected, in Danish with its indefinite article ("et udvalg").
        what: &'static str,
        /// The refused input.
        value: String,
        /// The spellings people type (Danish).
        expected: &'static str,
    },
    /// Not an abbreviation (a committee's or an administration's).
    #[error("«{value}» er ikke {what}: skriv forkortelsen med 1–8 bogstaver eller cifre, fx ØU eller SOF")]
    Code {
        /// What kind of code was expected, in Danish with its indefinite article.
        what: &'static str,
        /// The refused input.
        value: String,
    },
    /// A required text was empty or only white space.
    #[error("{what} må ikke være {empty}", what = .0, empty = empty_word(.0))]
    Empty(&'static str),
    /// A text held a control character.
    #[error("{what} indeholder kontroltegnet U+{code:04X} ved tegn {position}: skriv teksten på én linje uden kontroltegn")]
    ControlCharacter {
        /// Which text.
        what: &'static str,
        /// The character's code point.
        code: u32,
        /// Its 1-based position in the trimmed text.
        position: usize,
    },
    /// A text held a bidi override, isolate or directional mark.
    #[error("{what} indeholder retningstegnet U+{code:04X} ved tegn {position}, som kan vende rækkefølgen af det viste: fjern det")]
    Bidi {
        /// Which text.
        what: &'static str,
        /// The character's code point.
        code: u32,
        /// Its 1-based position in the trimmed text.
        position: usize,
    },
    /// A text was longer than we store.
    #[error("{what} er længere end {max} tegn")]
    TooLong {
        /// Which text.
        what: &'static str,
        /// The limit.
        max: usize,
    },
}

/// "tom" or "tomt", agreeing with the text's Danish name ("begrundelsen", "navnet").
fn empty_word(what: &str) -> &'static str {
    if what.ends_with("et") {
        "tomt"
    } else {
        "tom"
    }
}

macro_rules! word_enum {
    (
        $(#[$doc:meta])* $name:ident, $what:literal, $expected:literal,
        { $( $(#[$vdoc:meta])* $variant:ident => $code:literal $(| $alias:literal)* ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $code $(, alias = $alias)*)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable machine code: the serde name, stored in events and written in API
            /// JSON. Not for people: they read the Danish word.
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

/// The most characters an abbreviation may have. Kept short: it is a code people type and
/// read in table columns, and it is stored inline (no allocation, `Copy`).
pub const CODE_MAX_CHARS: usize = 8;

macro_rules! org_code {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Parsing trims and upper-cases (`sud` → `SUD`, `øu` → `ØU`) and accepts 1 to
        /// [`CODE_MAX_CHARS`] letters or digits. No municipality's spellings are built in: the
        /// ASCII stand-ins once accepted for Københavns Kommune's `ØU` and `ØKF` (`OU`, `OKF`)
        /// were input conveniences only (events always stored `ØU`), and are now simply codes
        /// no document declares.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(arrayvec::ArrayString<{ 4 * CODE_MAX_CHARS }>);

        impl $name {
            /// Parses an abbreviation; see the type's documentation.
            pub fn parse(input: &str) -> Result<Self, VocabularyError> {
                let upper = input.trim().to_uppercase();
                let chars = upper.chars().count();
                if chars == 0
                    || chars > CODE_MAX_CHARS
                    || !upper.chars().all(|c| c.is_alphabetic() || c.is_ascii_digit())
                {
                    return Err(VocabularyError::Code {
                        what: $what,
                        value: input.to_string(),
                    });
                }
                arrayvec::ArrayString::from(&upper)
                    .map(Self)
                    .map_err(|_| VocabularyError::Code {
                        what: $what,
                        value: input.to_string(),
                    })
            }

            /// The abbreviation, as stored and shown in table columns.
            #[must_use]
            pub fn code(&self) -> &str {
                self.0.as_str()
            }
        }

        impl FromStr for $name {
            type Err = VocabularyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
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
                value.0.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

org_code!(
    /// A political committee (udvalg) that owns a budget, by the abbreviation its budget
    /// document uses (`ØU`, `SUD`). Which committees exist is data: a baseline file declares
    /// its committees with their names, and the file's proposals may only name those.
    Committee, "et udvalg"
);

org_code!(
    /// An administration (forvaltning), by its abbreviation (`ØKF`, `SOF`). Declared with its
    /// name by the baseline file, like [`Committee`].
    Administration, "en forvaltning"
);

word_enum!(
    /// A control area (styringsområde): which budget rules an amount falls under.
    ControlArea, "et styringsområde", "service, anlæg, overførsler, efterspørgselsstyret, finansposter",
    {
        /// Service.
        Service => "service",
        /// Anlæg (capital). v1 code `anlaeg`.
        Capital => "capital" | "anlaeg" | "anlæg",
        /// Overførsler (transfers). v1 code `overfoersler`.
        Transfers => "transfers" | "overfoersler" | "overførsler",
        /// Efterspørgselsstyrede overførsler (demand-driven). v1 code `efterspoergselsstyret`.
        DemandDriven => "demand_driven" | "efterspoergselsstyret" | "efterspørgselsstyret",
        /// Finansposter (financing items). v1 code `finansposter`.
        Financing => "financing" | "finansposter",
    }
);

word_enum!(
    /// What kind of proposal this is.
    ProposalKind, "en forslagstype", "investering, tværgående, innovation, foranalyse",
    {
        /// An ordinary investment proposal (investeringsforslag). v1 code `investering`.
        Investment => "investment" | "investering",
        /// A cross-cutting investment proposal (tværgående investeringsforslag). v1 code
        /// `tvaergaaende`.
        CrossCutting => "cross_cutting" | "tvaergaaende" | "tværgående",
        /// An innovation proposal funded from the innovation pool.
        Innovation => "innovation",
        /// A pre-study (foranalyse) funded from the innovation pool. v1 code `foranalyse`.
        PreStudy => "pre_study" | "foranalyse",
    }
);

word_enum!(
    /// Who acts: Gevinst's three kinds of user, plus the system itself (baseline import).
    Role, "en rolle", "projektejer, controller, revisor, administrator, system",
    {
        /// Projektejer: logs progress, realised savings and costs.
        ProjectOwner => "project_owner" | "projektejer" | "owner",
        /// Controller: verifies, cancels, revises plans.
        Controller => "controller",
        /// Revisor: reads and replays history.
        Auditor => "auditor" | "revisor",
        /// Administrator: manages accounts and grants, records no facts.
        Administrator => "administrator" | "admin",
        /// The system itself, e.g. importing the adopted baseline.
        System => "system",
    }
);

word_enum!(
    /// A risk level (risikovurdering).
    RiskLevel, "et risikoniveau", "lav, middel, høj",
    {
        /// Lav. v1 code `lav`.
        Low => "low" | "lav",
        /// Middel / mellem. v1 code `middel`.
        Medium => "medium" | "middel" | "mellem",
        /// Høj. v1 code `hoej`.
        High => "high" | "hoej" | "høj",
    }
);

word_enum!(
    /// What the budget document asks the city council to do with a proposal (its
    /// indstilling): the state a proposal is in until a [`BudgetOutcome`] is recorded.
    Recommendation, "en indstilling", "til efterretning, til godkendelse, særskilt politisk prioritering",
    {
        /// "Til efterretning": put forward to the budget negotiations for information.
        ForInformation => "for_information" | "til efterretning" | "efterretning",
        /// "Til godkendelse": for approval (Bilag 7's cross-cutting proposals, "jf. bilag 8").
        ForApproval => "for_approval" | "til godkendelse" | "godkendelse",
        /// "Til (evt.) særskilt politisk prioritering".
        PoliticalPriority => "political_priority" | "særskilt politisk prioritering" | "til særskilt politisk prioritering",
    }
);

word_enum!(
    /// What the budget agreement decided about a proposal.
    BudgetOutcome, "et budgetudfald", "vedtaget, vedtaget med ændringer, ikke vedtaget",
    {
        /// Vedtaget: adopted as proposed.
        Adopted => "adopted" | "vedtaget",
        /// Vedtaget med ændringer: adopted, changed (the change is a plan revision).
        AdoptedChanged => "adopted_changed" | "vedtaget med ændringer" | "vedtaget med aendringer",
        /// Ikke vedtaget: not adopted; the proposal stays visible but is not followed up.
        NotAdopted => "not_adopted" | "ikke vedtaget",
    }
);

impl Recommendation {
    /// The words the document uses ("til efterretning" …).
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Recommendation::ForInformation => "til efterretning",
            Recommendation::ForApproval => "til godkendelse",
            Recommendation::PoliticalPriority => "til særskilt politisk prioritering",
        }
    }
}

impl BudgetOutcome {
    /// The word users read.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            BudgetOutcome::Adopted => "vedtaget",
            BudgetOutcome::AdoptedChanged => "vedtaget med ændringer",
            BudgetOutcome::NotAdopted => "ikke vedtaget",
        }
    }

    /// Whether the proposal is to be followed up (adopted, changed or not).
    #[must_use]
    pub fn adopted(self) -> bool {
        !matches!(self, BudgetOutcome::NotAdopted)
    }
}

impl ControlArea {
    /// The word users read in tables ("anlæg", not the stored "capital").
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

impl Role {
    /// The word users read ("projektejer", not the stored "project_owner").
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Role::ProjectOwner => "projektejer",
            Role::Controller => "controller",
            Role::Auditor => "revisor",
            Role::Administrator => "administrator",
            Role::System => "system",
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

/// Bidi overrides (U+202A–U+202E), isolates (U+2066–U+2069) and directional marks.
#[must_use]
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that show nothing: white space, zero-width characters, word joiners, the byte
/// order mark, the soft hyphen and the Hangul fillers.
#[must_use]
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

pub(crate) fn non_empty(
    what: &'static str,
    input: &str,
    max: usize,
) -> Result<String, VocabularyError> {
    let t = input.trim();
    for (i, c) in t.chars().enumerate() {
        let (code, position) = (u32::from(c), i + 1);
        if c.is_control() {
            return Err(VocabularyError::ControlCharacter {
                what,
                code,
                position,
            });
        }
        if is_bidi_control(c) {
            return Err(VocabularyError::Bidi {
                what,
                code,
                position,
            });
        }
    }
    if t.chars().all(is_invisible) {
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
            /// Trims the text and refuses it when empty (or empty-looking), too long, or holding
            /// a control character or a bidi control.
            pub fn parse(input: &str) -> Result<Self, VocabularyError> {
                $crate::vocabulary::non_empty($what, input, $max).map(Self)
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

/// The one way to make a free-text type (the price index's names and sources use it too).
pub(crate) use text_type;

text_type!(
    /// Why something was done: required for corrections, revisions and cancellations.
    Reason, "begrundelsen", 2000
);
text_type!(
    /// Who did it: a person's login or the system (`system:baseline`).
    Actor, "navnet", 200
);
text_type!(
    /// Free text of a progress note.
    Note, "bemærkningen", 4000
);
text_type!(
    /// A reference to evidence: a document number, case id or link.
    EvidenceRef, "dokumentationen", 1000
);
text_type!(
    /// A client-chosen key that makes a command safe to retry.
    IdempotencyKey, "idempotensnøglen", 200
);

text_type!(
    /// A committee's or an administration's name as its budget document writes it
    /// ("Sundheds- og Omsorgsudvalget").
    OrgName, "navnet", 200
);

/// The committees and administrations a budget document declares, code → name: the one place a
/// municipality's organisation is named. A baseline file declares it; each proposal's adoption
/// records it (`BaselineSource::names`), so pages read names from the log, and a second
/// municipality or budget round brings its own without a code change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNames {
    /// The municipality whose document it is ("Københavns Kommune"), where the document says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<OrgName>,
    /// Committees (udvalg), code → name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub committees: std::collections::BTreeMap<Committee, OrgName>,
    /// Administrations (forvaltninger), code → name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub administrations: std::collections::BTreeMap<Administration, OrgName>,
    /// Control areas as the document writes them ("Anlæg"), where it declares them. The
    /// control areas themselves are the national budget classification and carry rules, so
    /// they stay a closed list; only the words are the document's.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub control_areas: std::collections::BTreeMap<ControlArea, OrgName>,
}

impl OrgNames {
    /// Adds another document's names; the first name recorded for a code wins (a later round
    /// renaming a committee is a new code or a new document, not a silent change).
    pub fn merge(&mut self, other: &OrgNames) {
        if self.municipality.is_none() {
            self.municipality.clone_from(&other.municipality);
        }
        for (c, n) in &other.committees {
            self.committees.entry(*c).or_insert_with(|| n.clone());
        }
        for (a, n) in &other.administrations {
            self.administrations.entry(*a).or_insert_with(|| n.clone());
        }
        for (a, n) in &other.control_areas {
            self.control_areas.entry(*a).or_insert_with(|| n.clone());
        }
    }

    /// A control area's name as the document writes it, if it declares one.
    #[must_use]
    pub fn control_area(&self, area: ControlArea) -> Option<&str> {
        self.control_areas.get(&area).map(OrgName::as_str)
    }

    /// A committee's name; an undeclared code as it is.
    #[must_use]
    pub fn committee(&self, code: &str) -> String {
        Committee::parse(code)
            .ok()
            .and_then(|c| self.committees.get(&c))
            .map_or_else(|| code.to_string(), |n| n.as_str().to_string())
    }

    /// A committee as a fact line shows it: "Ældreudvalget (ÆU)", or the code where the
    /// document declares no name for it.
    #[must_use]
    pub fn committee_named(&self, c: Committee) -> String {
        match self.committees.get(&c) {
            Some(name) => format!("{name} ({c})"),
            None => c.to_string(),
        }
    }

    /// An administration as a fact line shows it: "Socialforvaltningen (SOF)", or the code.
    #[must_use]
    pub fn administration_named(&self, a: Administration) -> String {
        match self.administrations.get(&a) {
            Some(name) => format!("{name} ({a})"),
            None => a.to_string(),
        }
    }

    /// The declared committees' codes, in code order, for messages ("BIU, BUU … ØU").
    #[must_use]
    pub fn committee_codes(&self) -> String {
        self.committees
            .keys()
            .map(Committee::code)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The Danish name a table of (stored type, Danish name) gives `event_type`, if any: how the
/// price-index and access events name their kinds for people.
pub(crate) fn label_in(labels: &[(&str, &'static str)], event_type: &str) -> Option<&'static str> {
    labels
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, label)| *label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_people_read_and_the_length_limit() {
        // Killed mutants: the Danish labels -> "" / "xyzzy", and `>` -> `>=` in the length check.
        assert_eq!(ControlArea::Capital.danish(), "anlæg");
        assert_eq!(ControlArea::Transfers.danish(), "overførsler");
        assert_eq!(ProposalKind::PreStudy.danish(), "foranalyse");
        assert_eq!(
            ProposalKind::CrossCutting.danish(),
            "tværgående investeringsforslag"
        );
        let longest = "a".repeat(200);
        assert_eq!(Actor::parse(&longest).unwrap().as_str(), longest);
        assert!(Actor::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn danish_codes_parse_and_display() {
        assert_eq!(
            "ØU".parse::<Committee>().unwrap(),
            Committee::parse("ØU").unwrap()
        );
        assert_eq!(
            "sud".parse::<Committee>().unwrap(),
            Committee::parse("SUD").unwrap()
        );
        assert_eq!(
            "Anlæg".parse::<ControlArea>().unwrap(),
            ControlArea::Capital
        );
        assert_eq!("mellem".parse::<RiskLevel>().unwrap(), RiskLevel::Medium);
        assert_eq!(
            "tværgående".parse::<ProposalKind>().unwrap(),
            ProposalKind::CrossCutting
        );
        assert_eq!(Committee::parse("ØU").unwrap().to_string(), "ØU");
        // Committees are data: any abbreviation parses, normalised; a baseline file decides
        // which exist. No municipality's spellings are built in.
        assert_eq!(Committee::parse(" keu ").unwrap().code(), "KEU");
        assert_eq!(Committee::parse("æu").unwrap().code(), "ÆU");
        assert_eq!(Committee::parse("OEU").unwrap().code(), "OEU");
        assert_eq!(Administration::parse("økf").unwrap().code(), "ØKF");
        for bad in ["", "S U D", "SUD!", "ABCDEFGHI", "SU-D"] {
            assert_eq!(
                bad.parse::<Committee>().unwrap_err().to_string(),
                format!("«{bad}» er ikke et udvalg: skriv forkortelsen med 1–8 bogstaver eller cifre, fx ØU eller SOF")
            );
        }
        assert_eq!(
            Committee::parse("ÆØÅÆØÅÆØ").unwrap().code().chars().count(),
            8
        );
    }

    #[test]
    fn serde_uses_one_stable_spelling() {
        assert_eq!(
            serde_json::to_string(&ControlArea::Capital).unwrap(),
            "\"capital\""
        );
        assert_eq!(
            serde_json::to_string(&Committee::parse("ØU").unwrap()).unwrap(),
            "\"ØU\""
        );
        assert_eq!(
            serde_json::to_string(&Role::ProjectOwner).unwrap(),
            "\"project_owner\""
        );
        for code in ["ØU", "SUD", "ÆU", "KEU2"] {
            let c = Committee::parse(code).unwrap();
            let s = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Committee>(&s).unwrap(), c);
        }
    }

    #[test]
    fn json_codes_are_english_and_every_old_spelling_still_reads() {
        let codes = |all: Vec<String>| all.join(" ");
        assert_eq!(
            codes(
                ControlArea::ALL
                    .iter()
                    .map(|a| a.code().to_string())
                    .collect()
            ),
            "service capital transfers demand_driven financing"
        );
        assert_eq!(
            codes(
                ProposalKind::ALL
                    .iter()
                    .map(|k| k.code().to_string())
                    .collect()
            ),
            "investment cross_cutting innovation pre_study"
        );
        assert_eq!(
            codes(
                RiskLevel::ALL
                    .iter()
                    .map(|r| r.code().to_string())
                    .collect()
            ),
            "low medium high"
        );
        // The serde name is the code, and it round-trips.
        for a in ControlArea::ALL {
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.code()));
            assert_eq!(serde_json::from_str::<ControlArea>(&json).unwrap(), *a);
            assert_eq!(a.code().parse::<ControlArea>().unwrap(), *a);
        }
        for k in ProposalKind::ALL {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.code()));
            assert_eq!(serde_json::from_str::<ProposalKind>(&json).unwrap(), *k);
        }
        for r in RiskLevel::ALL {
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.code()));
            assert_eq!(serde_json::from_str::<RiskLevel>(&json).unwrap(), *r);
        }
        // The v1 codes and the Danish words people type, by serde and by FromStr.
        let areas = [
            ("anlaeg", ControlArea::Capital),
            ("anlæg", ControlArea::Capital),
            ("overfoersler", ControlArea::Transfers),
            ("overførsler", ControlArea::Transfers),
            ("efterspoergselsstyret", ControlArea::DemandDriven),
            ("efterspørgselsstyret", ControlArea::DemandDriven),
            ("finansposter", ControlArea::Financing),
        ];
        for (old, area) in areas {
            let json = format!("\"{old}\"");
            assert_eq!(serde_json::from_str::<ControlArea>(&json).unwrap(), area);
            assert_eq!(old.parse::<ControlArea>().unwrap(), area, "{old}");
        }
        let kinds = [
            ("investering", ProposalKind::Investment),
            ("tvaergaaende", ProposalKind::CrossCutting),
            ("tværgående", ProposalKind::CrossCutting),
            ("foranalyse", ProposalKind::PreStudy),
        ];
        for (old, kind) in kinds {
            let json = format!("\"{old}\"");
            assert_eq!(serde_json::from_str::<ProposalKind>(&json).unwrap(), kind);
            assert_eq!(old.parse::<ProposalKind>().unwrap(), kind, "{old}");
        }
        let levels = [
            ("lav", RiskLevel::Low),
            ("middel", RiskLevel::Medium),
            ("mellem", RiskLevel::Medium),
            ("hoej", RiskLevel::High),
            ("høj", RiskLevel::High),
            ("Høj", RiskLevel::High),
        ];
        for (old, level) in levels {
            let json = format!("\"{old}\"");
            if old != "Høj" {
                assert_eq!(serde_json::from_str::<RiskLevel>(&json).unwrap(), level);
            }
            assert_eq!(old.parse::<RiskLevel>().unwrap(), level, "{old}");
        }
        // An old spelling read is written back as the English code.
        let capital: ControlArea = serde_json::from_str("\"anlaeg\"").unwrap();
        assert_eq!(serde_json::to_string(&capital).unwrap(), "\"capital\"");
        assert_eq!(
            "drift".parse::<ControlArea>().unwrap_err().to_string(),
            "«drift» er ikke et styringsområde; brug en af: service, anlæg, overførsler, efterspørgselsstyret, finansposter"
        );
        assert_eq!(
            "x".parse::<ProposalKind>().unwrap_err().to_string(),
            "«x» er ikke en forslagstype; brug en af: investering, tværgående, innovation, foranalyse"
        );
        assert_eq!(
            "x".parse::<RiskLevel>().unwrap_err().to_string(),
            "«x» er ikke et risikoniveau; brug en af: lav, middel, høj"
        );
        assert_eq!(
            "x".parse::<Role>().unwrap_err().to_string(),
            "«x» er ikke en rolle; brug en af: projektejer, controller, revisor, administrator, system"
        );
        assert_eq!(
            "x!".parse::<Administration>().unwrap_err().to_string(),
            "«x!» er ikke en forvaltning: skriv forkortelsen med 1–8 bogstaver eller cifre, fx ØU eller SOF"
        );
    }

    #[test]
    fn texts_must_not_be_empty() {
        assert_eq!(
            Reason::parse("   ").unwrap_err().to_string(),
            "begrundelsen må ikke være tom"
        );
        assert_eq!(
            Actor::parse("").unwrap_err().to_string(),
            "navnet må ikke være tomt"
        );
        assert_eq!(
            EvidenceRef::parse(" ").unwrap_err().to_string(),
            "dokumentationen må ikke være tom"
        );
        assert_eq!(
            IdempotencyKey::parse(" ").unwrap_err().to_string(),
            "idempotensnøglen må ikke være tom"
        );
        assert_eq!(Reason::parse(" fejl ").unwrap().as_str(), "fejl");
        assert!(serde_json::from_str::<Reason>("\"\"").is_err());
        assert!(Actor::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn texts_refuse_control_characters_bidi_controls_and_empty_looking_input() {
        assert_eq!(
            Note::parse("ok\nmere").unwrap_err().to_string(),
            "bemærkningen indeholder kontroltegnet U+000A ved tegn 3: skriv teksten på én linje uden kontroltegn"
        );
        assert_eq!(
            Reason::parse("fejl \u{202E}tfel").unwrap_err().to_string(),
            "begrundelsen indeholder retningstegnet U+202E ved tegn 6, som kan vende rækkefølgen af det viste: fjern det"
        );
        for bad in ["a\u{0}b", "a\tb", "a\u{7F}b", "a\u{85}b", "a\u{1B}[31mb"] {
            assert!(
                matches!(
                    EvidenceRef::parse(bad),
                    Err(VocabularyError::ControlCharacter { .. })
                ),
                "{bad:?}"
            );
        }
        for bad in [
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{2066}", "\u{2067}", "\u{2068}",
            "\u{2069}", "\u{200E}", "\u{200F}",
        ] {
            assert!(
                matches!(
                    Note::parse(&format!("x{bad}y")),
                    Err(VocabularyError::Bidi { .. })
                ),
                "{bad:?}"
            );
        }
        for empty in [
            "\u{200B}",
            " \u{200B}\u{FEFF} ",
            "\u{2060}\u{00A0}",
            "\u{3164}",
            "\u{00AD}",
        ] {
            assert_eq!(
                Reason::parse(empty),
                Err(VocabularyError::Empty("begrundelsen")),
                "{empty:?}"
            );
        }
        assert_eq!(
            Note::parse("Æble – ø å «citat» ✓ 😀").unwrap().as_str(),
            "Æble – ø å «citat» ✓ 😀"
        );
        assert_eq!(
            Reason::parse("zero\u{200B}width inside").unwrap().as_str(),
            "zero\u{200B}width inside"
        );
        assert!(serde_json::from_str::<Note>("\"a\\u202eb\"").is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn forbidden() -> impl Strategy<Value = char> {
            prop_oneof![
                (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
                (0x7Fu32..0xA0).prop_map(|c| char::from_u32(c).unwrap()),
                (0x202Au32..=0x202E).prop_map(|c| char::from_u32(c).unwrap()),
                (0x2066u32..=0x2069).prop_map(|c| char::from_u32(c).unwrap()),
                Just('\u{200E}'),
                Just('\u{200F}'),
            ]
        }

        proptest! {
            /// Committee codes are data: whatever is typed either parses to an upper-case code
            /// of 1–8 letters or digits that reads back (text and JSON) as itself, or is refused
            /// with the Danish message; never a panic.
            #[test]
            fn a_committee_code_is_normalised_and_round_trips_or_is_refused(s in "\\PC{0,12}|[a-zæøåA-ZÆØÅ0-9]{1,9}") {
                match Committee::parse(&s) {
                    Ok(c) => {
                        let code = c.code();
                        prop_assert!((1..=CODE_MAX_CHARS).contains(&code.chars().count()));
                        prop_assert!(code.chars().all(|ch| ch.is_alphabetic() || ch.is_ascii_digit()));
                        prop_assert_eq!(Committee::parse(code).unwrap(), c);
                        let json = serde_json::to_string(&c).unwrap();
                        prop_assert_eq!(serde_json::from_str::<Committee>(&json).unwrap(), c);
                    }
                    Err(e) => prop_assert!(e.to_string().contains("er ikke et udvalg"), "{}", e),
                }
            }

            #[test]
            fn an_accepted_text_is_trimmed_visible_and_clean(s in "\\PC{0,60}|.{0,60}") {
                if let Ok(note) = Note::parse(&s) {
                    let t = note.as_str();
                    prop_assert_eq!(t, s.trim());
                    prop_assert!(t.chars().any(|c| !is_invisible(c)));
                    prop_assert!(!t.chars().any(|c| c.is_control() || is_bidi_control(c)));
                }
            }

            #[test]
            fn a_forbidden_character_anywhere_inside_is_refused(
                before in "[a-zæøå ]{0,20}", c in forbidden(), after in "[a-zæøå ]{0,20}",
            ) {
                let text = format!("x{before}{c}{after}x");
                prop_assert!(Reason::parse(&text).is_err(), "{:?}", text);
                prop_assert!(Note::parse(&text).is_err());
                prop_assert!(EvidenceRef::parse(&text).is_err());
            }

            #[test]
            fn invisible_only_texts_are_empty(
                s in proptest::collection::vec(prop_oneof![
                    Just(' '), Just('\u{00A0}'), Just('\u{200B}'), Just('\u{200C}'),
                    Just('\u{200D}'), Just('\u{2060}'), Just('\u{FEFF}'), Just('\u{3000}'),
                ], 0..12)
            ) {
                let text: String = s.into_iter().collect();
                prop_assert_eq!(Note::parse(&text), Err(VocabularyError::Empty("bemærkningen")));
            }
        }
    }
}
