//! The Danish period parser: a follow-up goal's verbatim "Hvornår" text → a schedule of quarters.
//!
//! # Why it is built this way
//!
//! * **The text is the record; the schedule is an interpretation.** Budget appendices say "Primo
//!   2025 (løbende)", "I afslutningsfasen af projektet" or "Ved udgangen af Q4 2025 og igen i Q3
//!   2026". Events keep that text verbatim. [`parse_when`] derives a [`Schedule`] from it and can
//!   be re-run whenever the rules here improve, so it never fails and never panics: what it does
//!   not understand becomes [`Schedule::Unresolved`] with a reason that a person can act on
//!   ("no year found in 'Primo'", "unknown period word 'efter' before 2025 …").
//! * **Quarters are the grain.** The documents plan in quarters, half-years and seasons, and the
//!   municipality follows up on budgets quarterly. A finer grain (days, months) would be false
//!   precision; a coarser one (years) would lose the documents' own milestones ("Q2 2025").
//! * **Parsing is context-free; resolving needs the proposal.** "I afslutningsfasen", "indtil fuld
//!   indfasning" and "Ved frigivelse af investeringsmidler" cannot become quarters from the text
//!   alone. [`parse_when`] records *what* the text anchors to ([`Anchor`], [`RecurrenceEnd`]);
//!   [`resolve`] turns that into checkpoints once the proposal's phases, full phase-in year, release
//!   date or reporting horizon are known ([`ResolveContext`]), and says precisely what is missing
//!   when they are not. Re-resolving when the context changes (funds released, phases re-planned)
//!   is cheap and leaves the parsed schedule untouched.
//! * **Types carry their invariants.** [`Year`] is 2000–2100 (the same range as price levels),
//!   [`QuarterWindow`] is never reversed, and serde goes through the same checks, so a stored
//!   schedule cannot smuggle in what the constructors refuse.
//!
//! # The mapping
//!
//! Matching is case-insensitive and tolerant of extra whitespace, trailing punctuation, en/em
//! dashes for hyphens, "kvt."/"kvartal" and "af"/"i" before the year. Words hyphenated at PDF
//! line breaks must be re-joined by the caller (as the tests do): this module cannot tell
//! "afslutnings- fasen" from a deliberate "for- og efterår". `YYYY` is a four-digit year 2000–2100.
//!
//! | text (examples) | schedule |
//! |---|---|
//! | `N. kvartal YYYY`, `N. kvartal af YYYY`, `N. kvt. YYYY` | that quarter |
//! | `Første`/`Andet`/`Tredje`/`Fjerde kvartal YYYY` | that quarter |
//! | `QN YYYY`, `YYYYQN`, `YYYY-QN`, `KN YYYY`, `udgangen af QN YYYY` | that quarter |
//! | `Primo YYYY`, `starten`/`begyndelsen af YYYY` | Q1 |
//! | `Medio YYYY`, `midten af YYYY` | Q2–Q3 (mid-year straddles the quarter boundary) |
//! | `Ultimo YYYY`, `udgangen`/`slutningen af YYYY` | Q4 |
//! | `Forår YYYY` | Q2 (March–May lies mostly in Q2) |
//! | `Sommer YYYY` | Q3 (June–August lies mostly in Q3) |
//! | `Efterår YYYY` | Q4 (the document itself glosses "Efterår 2024 (okt.-dec.)") |
//! | `Vinter YYYY` | Q1 of YYYY (the quarter the seasons above leave over; see below) |
//! | `Vinter YYYY/YYYY+1` | Q4 YYYY – Q1 YYYY+1 |
//! | `Første halvår YYYY` / `Andet halvår YYYY` (`1.`/`2. halvår`) | Q1–Q2 / Q3–Q4 |
//! | month names (`jan.`, `januar` … `dec.`), `15. maj YYYY`, `okt.-dec. YYYY` | the months' quarters |
//! | a month range in parentheses after a period: `Efterår 2024 (okt.-dec.)` | the months win: 2024Q4 |
//! | `dd.mm.yy-dd.mm.yy` (BC03's phase table) | quarter of the first date – quarter of the second |
//! | `YYYY` | Q1–Q4 of that year |
//! | `YYYY-YYYY`, `dvs. YYYY-YYYY`, `YYYY/YY` | Q1 of the first – Q4 of the last |
//! | `A/B`, `A-B`, `A til B` (`Ultimo 2026/Primo 2027`) | start of A – end of B |
//! | a missing year is taken from the next period that has one | `Forår/sommer 2025` → 2025Q2–2025Q3; `1. og 2. kvartal 2025` → 2025Q1; 2025Q2 |
//! | `A og B`, `A og igen i B`, `A, B`, `A. B` | several checkpoints, sorted by start |
//! | `… (løbende)`, `Løbende …`, `kontinuerligt` | [`Schedule::Recurring`] ongoing: one checkpoint over the period (see below) |
//! | `kvartalsvis`, `hvert kvartal`, `månedligt`, `ugentligt` | [`Schedule::Recurring`] quarterly (a finer stated cadence is checked each quarter) |
//! | `Årligt`, `hvert år` | [`Schedule::Recurring`] yearly |
//! | recurrence + one period (`Primo 2025 (løbende)`, `Ultimo 2026/Primo 2027`, `Årligt fra 2026`) | from its start, open-ended |
//! | recurrence + span (`Løbende … dvs. 2024-2026`, `Løbende 2025`, `fra 2025 til 2026`) | from the span's start until its end |
//! | `… indtil fuld indfasning` | until [`RecurrenceEnd::FullPhaseIn`] |
//! | `indtil YYYY` (leading) with a recurrence | until the end of YYYY, start from context |
//! | `I afslutningsfasen af projektet` | [`Anchor::InPhase`]`(Completion)` |
//! | `I den indledende fase af projektet` | [`Anchor::InPhase`]`(Analysis)` |
//! | `Ved start`/`afslutningen af <fase>` | [`Anchor::PhaseStart`] / [`Anchor::PhaseEnd`] |
//! | `Ved faseovergangen fra X til Y`, `Ved overgang til Y` | [`Anchor::PhaseTransition`] |
//! | `Ved projektafslutning`, `projektstart` | [`Anchor::ProjectEnd`] / [`Anchor::ProjectStart`] |
//! | `Løbende i projektet`, `i hele projektperioden` | [`Anchor::ThroughoutProject`]: one checkpoint over the project |
//! | `Ved frigivelse af investeringsmidler` | [`Anchor::FundsReleased`] |
//! | `Ved fuld indfasning` | [`Anchor::FullPhaseIn`] |
//!
//! # Decisions beyond the plain mapping
//!
//! * **Vinter → Q1.** Forår/sommer/efterår take Q2/Q3/Q4, so winter gets the quarter left over,
//!   the one holding January–February. "Vinter 2025" is read as the winter *in* 2025; a winter
//!   that spans a new year must say so ("Vinter 2025/2026" → 2025Q4–2026Q1).
//! * **Calendar beats relative.** BC05 writes "Ved overgang til afslutningsfasen i projektet. Ved
//!   udgangen af Q4 2025 og igen i Q3 2026." The quarters are the plan's own reading of when the
//!   transition happens, so explicit quarters win over a phase phrase in the same text.
//! * **"Løbende" states no cadence, so none is invented.** An ongoing goal ("Primo 2025
//!   (løbende)", "Løbende i implementeringsårene, dvs. 2024-2026", "Løbende i projektet") must
//!   hold throughout its period: it is one checkpoint spanning the period the text gives (the
//!   project's span; from its start to the plan's last quarter when open-ended), due at its
//!   end; reports during it show how it goes. Quarterly checkpoints appear only where the text
//!   says "kvartalsvis" or a finer cadence, yearly ones only where it says "årligt".
//! * **Hand-over sentences are not checkpoints.** A sentence starting "Efterfølgende …" (e.g.
//!   "Efterfølgende har centerledelserne ansvaret …") that holds no numbers is dropped; it says
//!   who owns the benefit after the project, so [`handover`] keeps it for reports. Parenthesised
//!   annotations without dates ("(baseline)") are ignored; "(løbende)" makes the goal recurring.
//! * **Prose is tolerated, except next to a year.** Unknown words are ignored, except right before
//!   a bare year, where they would change its meaning ("efter 2025", "før 2025"): there the
//!   schedule is unresolved and names the word, rather than silently guessing "in 2025".
//! * **"Løbende i projektet" is relative, not recurring**: its bounds are the project's, and the
//!   bounds of [`Schedule::Recurring`] are calendar quarters. It resolves to one checkpoint per
//!   quarter of the project. "I afslutningsfasen" resolves to *one* window spanning the phase.
//! * **Half-yearly recurrence ("halvårligt") is unresolved** — there is no honest [`Recurrence`]
//!   for it, and mapping it to quarterly or yearly would invent or drop checkpoints.
//! * **Windows are sorted by start and deduplicated, but overlaps are kept**: each window is a
//!   separate checkpoint the owner reports on, so merging them would lose a report.
//! * **Recurring expansion** gives one window per calendar year (clipped to the from/until bounds)
//!   for yearly goals, and one single-quarter window per quarter for quarterly and ongoing goals.
//!   A recurring goal without a start begins at [`ResolveContext::plan_start`]; an open-ended one
//!   stops at [`ResolveContext::horizon`] — both are the caller's, so expansion is always bounded.
//! * **No silent saturation.** [`Quarter::next`]/[`Quarter::prev`] return `None` at the ends of
//!   2000–2100 (a loop over quarters cannot run forever), and [`QuarterWindow`]'s fields are
//!   private so that its order invariant holds; read them with `start()`/`end()`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a year, quarter or quarter window was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    /// Years are budget years; anything outside 2000–2100 is a typo or a unit mistake.
    #[error("året {0} ligger uden for 2000–2100")]
    YearOutOfRange(i32),
    /// A quarter string that is not of the form `2025Q3` (or `2025-Q3`).
    #[error("«{input}» er ikke et kvartal: {reason} (skriv fx 2025Q3)")]
    InvalidQuarter {
        /// The text that was given.
        input: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A window whose end lies before its start.
    #[error("perioden {start}–{end} er vendt om: den slutter, før den begynder")]
    WindowOrder {
        /// The proposed first quarter.
        start: Quarter,
        /// The proposed last quarter, which lies before `start`.
        end: Quarter,
    },
}

/// A calendar year in 2000–2100 (the same range as price levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Year(i32);

impl Year {
    /// The first supported year, 2000.
    pub const MIN: Year = Year(2000);
    /// The last supported year, 2100.
    pub const MAX: Year = Year(2100);

    /// Accepts 2000–2100.
    pub fn new(year: i32) -> Result<Year, PeriodError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&year) {
            Ok(Year(year))
        } else {
            Err(PeriodError::YearOutOfRange(year))
        }
    }

    /// The year as a number.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for Year {
    type Error = PeriodError;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Year::new(value)
    }
}

impl From<Year> for i32 {
    fn from(value: Year) -> Self {
        value.0
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A quarter of a calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum QuarterOfYear {
    /// January–March.
    Q1,
    /// April–June.
    Q2,
    /// July–September.
    Q3,
    /// October–December.
    Q4,
}

impl QuarterOfYear {
    /// All four quarters in calendar order.
    pub const ALL: [QuarterOfYear; 4] = [
        QuarterOfYear::Q1,
        QuarterOfYear::Q2,
        QuarterOfYear::Q3,
        QuarterOfYear::Q4,
    ];

    /// 1–4.
    pub fn number(self) -> u32 {
        match self {
            QuarterOfYear::Q1 => 1,
            QuarterOfYear::Q2 => 2,
            QuarterOfYear::Q3 => 3,
            QuarterOfYear::Q4 => 4,
        }
    }

    /// The quarter numbered 1–4, or `None`.
    pub fn from_number(number: u32) -> Option<QuarterOfYear> {
        match number {
            1 => Some(QuarterOfYear::Q1),
            2 => Some(QuarterOfYear::Q2),
            3 => Some(QuarterOfYear::Q3),
            4 => Some(QuarterOfYear::Q4),
            _ => None,
        }
    }

    /// The quarter holding month 1–12, or `None`.
    pub fn from_month(month: u32) -> Option<QuarterOfYear> {
        if (1..=12).contains(&month) {
            Self::from_number((month - 1) / 3 + 1)
        } else {
            None
        }
    }

    /// The quarter's first month, 1–12.
    pub fn first_month(self) -> u32 {
        (self.number() - 1) * 3 + 1
    }

    /// The quarter's last month, 1–12.
    pub fn last_month(self) -> u32 {
        self.number() * 3
    }

    fn last_day_of_last_month(self) -> u32 {
        match self {
            QuarterOfYear::Q1 | QuarterOfYear::Q4 => 31,
            QuarterOfYear::Q2 | QuarterOfYear::Q3 => 30,
        }
    }
}

impl fmt::Display for QuarterOfYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{}", self.number())
    }
}

/// One quarter of one year, e.g. `2025Q3`. Orders chronologically; serialises as `"2025Q3"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    /// The year (field order matters: years order before quarters).
    pub year: Year,
    /// The quarter within the year.
    pub quarter: QuarterOfYear,
}

impl Quarter {
    /// The first supported quarter, 2000Q1.
    pub const MIN: Quarter = Quarter::new(Year::MIN, QuarterOfYear::Q1);
    /// The last supported quarter, 2100Q4.
    pub const MAX: Quarter = Quarter::new(Year::MAX, QuarterOfYear::Q4);

    /// The given quarter of the given year.
    pub const fn new(year: Year, quarter: QuarterOfYear) -> Quarter {
        Quarter { year, quarter }
    }

    /// The quarter's first day (1 January, 1 April, 1 July or 1 October).
    pub fn first_day(self) -> NaiveDate {
        // Always a valid date: the year is 2000–2100 and the day is the 1st.
        NaiveDate::from_ymd_opt(self.year.get(), self.quarter.first_month(), 1)
            .unwrap_or(NaiveDate::MIN)
    }

    /// The quarter's last day (31 March, 30 June, 30 September or 31 December).
    pub fn last_day(self) -> NaiveDate {
        // Always a valid date: quarter ends do not depend on leap years.
        NaiveDate::from_ymd_opt(
            self.year.get(),
            self.quarter.last_month(),
            self.quarter.last_day_of_last_month(),
        )
        .unwrap_or(NaiveDate::MAX)
    }

    /// The quarter holding `date`. Dates outside 2000–2100 saturate to 2000Q1 / 2100Q4; use
    /// [`Quarter::try_containing`] to be told instead.
    pub fn containing(date: NaiveDate) -> Quarter {
        match Self::try_containing(date) {
            Ok(quarter) => quarter,
            Err(_) if date.year() < Year::MIN.get() => Quarter::MIN,
            Err(_) => Quarter::MAX,
        }
    }

    /// The quarter holding `date`, or an error if its year is outside 2000–2100.
    pub fn try_containing(date: NaiveDate) -> Result<Quarter, PeriodError> {
        let year = Year::new(date.year())?;
        let quarter = QuarterOfYear::from_month(date.month()).unwrap_or(QuarterOfYear::Q1);
        Ok(Quarter::new(year, quarter))
    }

    /// The following quarter, or `None` after 2100Q4.
    pub fn next(self) -> Option<Quarter> {
        Self::from_index(self.index() + 1)
    }

    /// The preceding quarter, or `None` before 2000Q1.
    pub fn prev(self) -> Option<Quarter> {
        Self::from_index(self.index() - 1)
    }

    /// Contains `date`?
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    fn index(self) -> i64 {
        i64::from(self.year.get()) * 4 + i64::from(self.quarter.number()) - 1
    }

    fn from_index(index: i64) -> Option<Quarter> {
        let year = i32::try_from(index.div_euclid(4)).ok()?;
        let quarter = u32::try_from(index.rem_euclid(4)).ok()? + 1;
        Some(Quarter::new(
            Year::new(year).ok()?,
            QuarterOfYear::from_number(quarter)?,
        ))
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.year, self.quarter)
    }
}

impl FromStr for Quarter {
    type Err = PeriodError;

    /// Accepts `2025Q3`, `2025-Q3` and `2025 Q3` (any case, surrounding whitespace allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| PeriodError::InvalidQuarter {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = s.trim();
        let Some(q_at) = trimmed.find(['Q', 'q']) else {
            return Err(invalid("intet «Q» mellem år og kvartal"));
        };
        let year_part = trimmed[..q_at].trim_end_matches(['-', '–', ' ']);
        let quarter_part = &trimmed[q_at + 1..];
        if year_part.len() != 4 || !year_part.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("året skal have fire cifre"));
        }
        let year: i32 = year_part
            .parse()
            .map_err(|_| invalid("året skal have fire cifre"))?;
        let year = Year::new(year)?;
        let quarter = match quarter_part {
            "1" => QuarterOfYear::Q1,
            "2" => QuarterOfYear::Q2,
            "3" => QuarterOfYear::Q3,
            "4" => QuarterOfYear::Q4,
            _ => return Err(invalid("kvartalet skal være 1, 2, 3 eller 4")),
        };
        Ok(Quarter::new(year, quarter))
    }
}

impl TryFrom<String> for Quarter {
    type Error = PeriodError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Quarter> for String {
    fn from(value: Quarter) -> Self {
        value.to_string()
    }
}

/// A run of whole quarters, `start` to `end` inclusive, never reversed.
///
/// Serialises as `{"start":"2025Q2","end":"2025Q3"}`; deserialising re-checks the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawWindow")]
pub struct QuarterWindow {
    start: Quarter,
    end: Quarter,
}

#[derive(Deserialize)]
struct RawWindow {
    start: Quarter,
    end: Quarter,
}

impl TryFrom<RawWindow> for QuarterWindow {
    type Error = PeriodError;
    fn try_from(raw: RawWindow) -> Result<Self, Self::Error> {
        QuarterWindow::new(raw.start, raw.end)
    }
}

impl QuarterWindow {
    /// `start` to `end` inclusive; refused if `end` is before `start`.
    pub fn new(start: Quarter, end: Quarter) -> Result<QuarterWindow, PeriodError> {
        if start <= end {
            Ok(QuarterWindow { start, end })
        } else {
            Err(PeriodError::WindowOrder { start, end })
        }
    }

    /// A window of one quarter.
    pub fn single(quarter: Quarter) -> QuarterWindow {
        QuarterWindow {
            start: quarter,
            end: quarter,
        }
    }

    /// Q1–Q4 of `year`.
    pub fn year(year: Year) -> QuarterWindow {
        QuarterWindow {
            start: Quarter::new(year, QuarterOfYear::Q1),
            end: Quarter::new(year, QuarterOfYear::Q4),
        }
    }

    /// The first quarter.
    pub fn start(&self) -> Quarter {
        self.start
    }

    /// The last quarter (never before [`QuarterWindow::start`]).
    pub fn end(&self) -> Quarter {
        self.end
    }

    /// Is `quarter` one of the window's quarters?
    pub fn contains(&self, quarter: Quarter) -> bool {
        self.start <= quarter && quarter <= self.end
    }

    /// The first day of the first quarter.
    pub fn first_day(&self) -> NaiveDate {
        self.start.first_day()
    }

    /// The last day of the last quarter.
    pub fn last_day(&self) -> NaiveDate {
        self.end.last_day()
    }

    /// Every quarter in the window, in order.
    pub fn quarters(&self) -> Vec<Quarter> {
        let mut out = vec![self.start];
        let mut current = self.start;
        while current < self.end {
            match current.next() {
                Some(next) => {
                    out.push(next);
                    current = next;
                }
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for QuarterWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}–{}", self.start, self.end)
        }
    }
}

/// How often a recurring follow-up happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// Every quarter ("kvartalsvis", "hvert kvartal").
    Quarterly,
    /// Every year ("årligt", "hvert år").
    Yearly,
    /// Continuously ("løbende", "kontinuerligt"): the text states no cadence, so the goal is one
    /// checkpoint spanning its period, due at the period's end (see the module doc).
    Ongoing,
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Recurrence::Quarterly => "kvartalsvis",
            Recurrence::Yearly => "årligt",
            Recurrence::Ongoing => "løbende",
        })
    }
}

/// When a recurring follow-up stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurrenceEnd {
    /// After this quarter.
    Quarter(Quarter),
    /// In the first year the plan's permanent change reaches its final level ("indtil fuld
    /// indfasning"); resolved with [`ResolveContext::full_phase_in_year`].
    FullPhaseIn,
    /// No end given; resolved up to [`ResolveContext::horizon`].
    Open,
}

/// A project phase as the proposals name them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Analysis (and planning) phase, "analysefasen"; also "den indledende fase".
    Analysis,
    /// Execution phase, "gennemførselsfasen" / "implementeringsfasen".
    Execution,
    /// Completion phase, "afslutningsfasen".
    Completion,
    /// Any other phase, by its normalised Danish stem (e.g. "pilot" for "Pilotfasen").
    Named(String),
}

impl PhaseKind {
    /// Classifies a Danish phase name ("Analyse og planlægningsfasen", "Gennemførselsfasen",
    /// "Afslutningsfasen", "Pilotfasen" …), the same way [`parse_when`] does.
    pub fn from_danish(name: &str) -> PhaseKind {
        let lower = name.to_lowercase();
        if let Some(kind) = known_phase_stem(&lower) {
            return kind;
        }
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        let last = words.last().copied().unwrap_or("");
        let stem = phase_stem(last).unwrap_or(last);
        PhaseKind::Named(named_stem(stem))
    }
}

impl fmt::Display for PhaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhaseKind::Analysis => f.write_str("analysefasen"),
            PhaseKind::Execution => f.write_str("gennemførselsfasen"),
            PhaseKind::Completion => f.write_str("afslutningsfasen"),
            PhaseKind::Named(name) => write!(f, "fasen «{name}»"),
        }
    }
}

/// What a relative "Hvornår" is relative to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The quarter a phase starts in ("ved start af gennemførselsfasen").
    PhaseStart(PhaseKind),
    /// The quarter a phase ends in ("ved afslutningen af analysefasen").
    PhaseEnd(PhaseKind),
    /// During a phase: one window from its first to its last quarter ("I afslutningsfasen").
    InPhase(PhaseKind),
    /// The change-over between two phases ("Ved faseovergangen fra gennemførselsfasen til
    /// projektets afslutningsfase"); `from` is absent when the text names only the new phase.
    PhaseTransition {
        /// The phase being left, if named.
        from: Option<PhaseKind>,
        /// The phase being entered.
        to: PhaseKind,
    },
    /// The quarter the project starts in (its first phase's start).
    ProjectStart,
    /// The quarter the project ends in (its last phase's end), "Ved projektafslutning".
    ProjectEnd,
    /// Every quarter of the project, "Løbende i projektet".
    ThroughoutProject,
    /// The quarter the investment funds are released, "Ved frigivelse af investeringsmidler".
    FundsReleased,
    /// The year the permanent change is fully phased in, "Ved fuld indfasning".
    FullPhaseIn,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anchor::PhaseStart(kind) => write!(f, "start af {kind}"),
            Anchor::PhaseEnd(kind) => write!(f, "slutningen af {kind}"),
            Anchor::InPhase(kind) => write!(f, "under {kind}"),
            Anchor::PhaseTransition {
                from: Some(from),
                to,
            } => write!(f, "overgang {from} → {to}"),
            Anchor::PhaseTransition { from: None, to } => write!(f, "overgang til {to}"),
            Anchor::ProjectStart => f.write_str("projektets start"),
            Anchor::ProjectEnd => f.write_str("projektets afslutning"),
            Anchor::ThroughoutProject => f.write_str("hele projektet"),
            Anchor::FundsReleased => f.write_str("frigivelse af investeringsmidler"),
            Anchor::FullPhaseIn => f.write_str("fuld indfasning"),
        }
    }
}

/// What a "Hvornår" text means, before the proposal's context is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// One or more checkpoints, sorted by start, without duplicates.
    Windows {
        /// The checkpoints.
        windows: Vec<QuarterWindow>,
    },
    /// A follow-up repeated until an end.
    Recurring {
        /// How often.
        every: Recurrence,
        /// From which quarter; `None` means from the plan's start
        /// ([`ResolveContext::plan_start`]).
        from: Option<Quarter>,
        /// Until when.
        until: RecurrenceEnd,
    },
    /// Relative to something only the proposal knows (its phases, the release of funds).
    Relative {
        /// What it is relative to.
        anchor: Anchor,
    },
    /// Not understood; the reason says what was missing or unknown.
    Unresolved {
        /// Why, quoting the text.
        reason: String,
    },
}

impl fmt::Display for Schedule {
    /// A compact form: `2024Q4; 2026Q2`, `recurring yearly until full phase-in`,
    /// `relative: during completion phase`, `unresolved: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Windows { windows } => write_windows(f, windows),
            Schedule::Recurring { every, from, until } => {
                write!(f, "{every}")?;
                if let Some(from) = from {
                    write!(f, " fra {from}")?;
                }
                match until {
                    RecurrenceEnd::Quarter(q) => write!(f, " til {q}"),
                    RecurrenceEnd::FullPhaseIn => f.write_str(" til fuld indfasning"),
                    RecurrenceEnd::Open => f.write_str(", uden slutdato"),
                }
            }
            Schedule::Relative { anchor } => write!(f, "relativt: {anchor}"),
            Schedule::Unresolved { reason } => write!(f, "ikke fastlagt: {reason}"),
        }
    }
}

fn write_windows(f: &mut fmt::Formatter<'_>, windows: &[QuarterWindow]) -> fmt::Result {
    for (i, window) in windows.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{window}")?;
    }
    Ok(())
}

/// A project phase with its dates, as a proposal gives them (BC03's phase table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// Which phase (see [`PhaseKind::from_danish`] for the Danish names).
    pub kind_or_name: PhaseKind,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

/// What [`resolve`] may need from the proposal and the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveContext {
    /// The proposal's phases, if it lists any.
    pub phases: Vec<Phase>,
    /// The first year the plan's permanent change reaches its final level.
    pub full_phase_in_year: Option<Year>,
    /// When the investment funds were released.
    pub funds_released: Option<NaiveDate>,
    /// The plan's first quarter: where recurring goals without a start begin.
    pub plan_start: Option<Quarter>,
    /// The last quarter to expand open-ended recurring goals to.
    pub horizon: Option<Quarter>,
    /// The first and last year the plan spends implementation money in. A proposal without a
    /// phase table is dated from them (see [`funding_phase`]).
    #[serde(default)]
    pub funding_years: Option<(Year, Year)>,
}

impl ResolveContext {
    /// Whether `schedule` is dated from the funding years: it names a phase or the project,
    /// the proposal has no phase table, and the plan spends implementation money.
    #[must_use]
    pub fn dates_from_funding_years(&self, schedule: &Schedule) -> bool {
        let readable = |kind: &PhaseKind| !matches!(kind, PhaseKind::Named(_));
        self.phases.is_empty()
            && self.funding_years.is_some()
            && match schedule {
                Schedule::Relative { anchor } => match anchor {
                    Anchor::PhaseStart(k) | Anchor::PhaseEnd(k) | Anchor::InPhase(k) => readable(k),
                    Anchor::PhaseTransition { from, to } => {
                        readable(to) && from.as_ref().is_none_or(readable)
                    }
                    Anchor::ProjectStart | Anchor::ProjectEnd | Anchor::ThroughoutProject => true,
                    Anchor::FundsReleased | Anchor::FullPhaseIn => false,
                },
                _ => false,
            }
    }
}

/// A phase of a proposal without a phase table, read from the years its implementation money
/// is spent in (the funding years): the initial (analysis) phase is the first funding year,
/// the completion phase the last, the execution phase all of them, and the project runs from
/// the first quarter of the first to the last quarter of the last. So "I afslutningsfasen" of a
/// proposal funded 2025–2026 is 2026, not undated. A phase by another name is not guessed.
fn funding_phase(kind: &PhaseKind, (first, last): (Year, Year)) -> Option<Phase> {
    let (from, to) = match kind {
        PhaseKind::Analysis => (first, first),
        PhaseKind::Execution => (first, last),
        PhaseKind::Completion => (last, last),
        PhaseKind::Named(_) => return None,
    };
    Some(Phase {
        kind_or_name: kind.clone(),
        start: QuarterWindow::year(from).first_day(),
        end: QuarterWindow::year(to).last_day(),
    })
}

/// A schedule with its context applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolvedSchedule {
    /// The checkpoints, sorted by start.
    Checkpoints(Vec<QuarterWindow>),
    /// The context lacks something; the reason says what.
    Unresolved {
        /// What is missing.
        reason: String,
    },
}

impl fmt::Display for ResolvedSchedule {
    /// `2025Q1; 2025Q2` or `unresolved: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolvedSchedule::Checkpoints(windows) => write_windows(f, windows),
            ResolvedSchedule::Unresolved { reason } => write!(f, "ikke fastlagt: {reason}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// The hand-over sentence of a "Hvornår" text, verbatim without its final full stop: a
/// sentence that starts "Efterfølgende" and holds no digit (e.g. "Efterfølgende har
/// centerledelserne ansvaret for opfølgning på brugen"). It says who owns the benefit after the
/// project, so reports show it; it is no checkpoint, and [`parse_when`] drops exactly these
/// sentences (the test `a_hand_over_sentence_is_kept_for_people_and_is_no_checkpoint`).
#[must_use]
pub fn handover(when: &str) -> Option<&str> {
    let mut rest = when;
    loop {
        let sentence_start = rest.trim_start();
        let end = sentence_start
            .find(". ")
            .map_or(sentence_start.len(), |e| e + 1);
        let sentence = sentence_start[..end].trim_end_matches('.').trim();
        let first = sentence.split_whitespace().next().unwrap_or_default();
        if first.eq_ignore_ascii_case("efterfølgende")
            && !sentence.chars().any(|c| c.is_ascii_digit())
        {
            return Some(sentence);
        }
        if end >= sentence_start.len() {
            return None;
        }
        rest = &sentence_start[end..];
    }
}

/// Parses a "Hvornår" text. Never fails: what it does not understand is
/// [`Schedule::Unresolved`] with a reason quoting the text. See the module docs for the mapping.
pub fn parse_when(text: &str) -> Schedule {
    let display = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if display.is_empty() {
        return unresolved("teksten under «Hvornår» er tom".to_string());
    }
    let tokens = tokenize(&display);
    let scan = Parser::new(&tokens, false).run();
    build_schedule(&display, scan)
}

fn unresolved(reason: String) -> Schedule {
    Schedule::Unresolved { reason }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num {
        value: u32,
        digits: usize,
    },
    Date {
        day: u32,
        month: u32,
        year: i32,
        text: String,
    },
    BadNum(String),
    Dot,
    Dash,
    Slash,
    Comma,
    Semi,
    Colon,
    Plus,
    LParen,
    RParen,
}

fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while let Some(&d) = chars.get(i) {
                let dot_then_digit =
                    d == '.' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if d.is_ascii_digit() || dot_then_digit {
                    i += 1;
                } else {
                    break;
                }
            }
            let s: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
            toks.push(number_token(&s));
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|d| d.is_alphabetic()) {
                i += 1;
            }
            let mut word: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
            // "Q3"/"K3": a one-letter quarter prefix glued to its digits ("Q9" is kept whole
            // so that it is refused, not read as "Q" and a stray 9).
            if word == "q" || word == "k" {
                while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                    word.push(d);
                    i += 1;
                }
            }
            toks.push(Tok::Word(word));
        } else {
            i += 1;
            match c {
                '.' => toks.push(Tok::Dot),
                '-' | '–' | '—' | '‐' | '‑' | '‒' | '−' => toks.push(Tok::Dash),
                '/' => toks.push(Tok::Slash),
                ',' => toks.push(Tok::Comma),
                ';' => toks.push(Tok::Semi),
                ':' => toks.push(Tok::Colon),
                '&' | '+' => toks.push(Tok::Plus),
                '(' | '[' => toks.push(Tok::LParen),
                ')' | ']' => toks.push(Tok::RParen),
                _ => {}
            }
        }
    }
    toks
}

fn number_token(s: &str) -> Tok {
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [n] if n.len() <= 9 => match n.parse::<u32>() {
            Ok(value) => Tok::Num {
                value,
                digits: n.len(),
            },
            Err(_) => Tok::BadNum(s.to_string()),
        },
        [d, m, y]
            if (1..=2).contains(&d.len())
                && (1..=2).contains(&m.len())
                && (y.len() == 2 || y.len() == 4) =>
        {
            match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
                (Ok(day), Ok(month), Ok(year)) => Tok::Date {
                    day,
                    month,
                    year: if y.len() == 2 { 2000 + year } else { year },
                    text: s.to_string(),
                },
                _ => Tok::BadNum(s.to_string()),
            }
        }
        _ => Tok::BadNum(s.to_string()),
    }
}

/// A period found in the text; a missing year is filled in from a neighbour later.
#[derive(Debug, Clone)]
struct Atom {
    start_year: Option<i32>,
    start_q: QuarterOfYear,
    end_year: Option<i32>,
    end_q: QuarterOfYear,
    /// A whole year ("2025"): a span, so "Løbende 2025" is bounded.
    bare_year: bool,
    /// Preceded by "fra": a starting point, so "Årligt fra 2026" is open-ended.
    after_fra: bool,
}

impl Atom {
    fn span(start_q: QuarterOfYear, end_q: QuarterOfYear, year: Option<i32>) -> Atom {
        Atom {
            start_year: year,
            start_q,
            end_year: year,
            end_q,
            bare_year: false,
            after_fra: false,
        }
    }

    fn quarter(q: QuarterOfYear, year: Option<i32>) -> Atom {
        Atom::span(q, q, year)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// "-", "til", "indtil": from the start of the left to the end of the right.
    Range,
    /// "/": same as a range ("Ultimo 2026/Primo 2027").
    Slash,
    /// "og", ",", ".", ";": separate checkpoints.
    List,
}

#[derive(Debug, Clone)]
enum Item {
    Atom(Atom),
    Join(Join),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecurrenceWord {
    Every(Recurrence),
    HalfYearly,
}

#[derive(Debug, Default)]
struct Scan {
    items: Vec<Item>,
    recurrence: Option<RecurrenceWord>,
    full_phase_in: bool,
    unknown_before_year: Option<(String, i32)>,
    unknown_words: Vec<String>,
    errors: Vec<String>,
    words: Vec<String>,
}

impl Scan {
    fn set_recurrence(&mut self, word: RecurrenceWord) {
        // A specific frequency ("årligt") beats the generic "løbende".
        match self.recurrence {
            None | Some(RecurrenceWord::Every(Recurrence::Ongoing)) => {
                self.recurrence = Some(word);
            }
            Some(_) => {}
        }
    }

    fn merge_flags(&mut self, other: Scan) -> Vec<Item> {
        if let Some(word) = other.recurrence {
            self.set_recurrence(word);
        }
        self.full_phase_in |= other.full_phase_in;
        if self.unknown_before_year.is_none() {
            self.unknown_before_year = other.unknown_before_year;
        }
        self.unknown_words.extend(other.unknown_words);
        self.errors.extend(other.errors);
        self.words.extend(other.words);
        other.items
    }
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    in_paren: bool,
    /// "fra" was seen and no period has followed it yet.
    after_fra: bool,
    scan: Scan,
}

/// Words that may stand before a bare year without changing its meaning.
const FILLERS: &[&str] = &[
    "i",
    "ved",
    "af",
    "fra",
    "til",
    "indtil",
    "og",
    "igen",
    "samt",
    "dvs",
    "senest",
    "inden",
    "løbet",
    "hele",
    "år",
    "året",
    "årene",
    "kalenderår",
    "kalenderåret",
    "budgetår",
    "budgetåret",
    "regnskabsår",
    "regnskabsåret",
    "en",
    "et",
    "den",
    "det",
    "de",
    "omkring",
    "ca",
    "cirka",
    "primært",
    "forventet",
    "forventeligt",
    "forventes",
    "baseline",
    "milepæl",
    "pr",
    "per",
    "på",
    "med",
    "for",
    "gennem",
    "igennem",
    "under",
    "kvartal",
    "kvt",
];

fn is_filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

fn is_kvartal(word: &str) -> bool {
    matches!(
        word,
        "kvartal" | "kvartalet" | "kvartaler" | "kvartalerne" | "kvt" | "kv"
    )
}

fn is_halvaar(word: &str) -> bool {
    matches!(word, "halvår" | "halvåret" | "halvaar" | "halvaaret")
}

fn ordinal_word(word: &str) -> Option<u32> {
    match word {
        "første" | "foerste" => Some(1),
        "andet" | "anden" => Some(2),
        "tredje" => Some(3),
        "fjerde" => Some(4),
        _ => None,
    }
}

fn q_word(word: &str) -> Option<QuarterOfYear> {
    let mut chars = word.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('q' | 'k'), Some(d), None) => QuarterOfYear::from_number(d.to_digit(10)?),
        _ => None,
    }
}

fn month_word(word: &str) -> Option<u32> {
    Some(match word {
        "jan" | "januar" => 1,
        "feb" | "febr" | "februar" => 2,
        "mar" | "mart" | "marts" => 3,
        "apr" | "april" => 4,
        "maj" => 5,
        "jun" | "juni" => 6,
        "jul" | "juli" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "okt" | "oktober" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    })
}

fn is_abbreviation(word: &str) -> bool {
    matches!(
        word,
        "dvs" | "ca" | "kvt" | "kv" | "pr" | "jf" | "bl" | "mv" | "mhp" | "evt" | "inkl"
    ) || (month_word(word).is_some() && word.len() <= 4)
}

/// A period word: its quarters, and whether it needs a following year/quarter/month to be a
/// period at all ("udgangen af projektet" is not a date; "Primo" alone is a date lacking a year).
#[derive(Debug, Clone, Copy)]
struct PeriodWord {
    start: QuarterOfYear,
    end: QuarterOfYear,
    needs_target: bool,
    winter: bool,
}

fn period_word(word: &str) -> Option<PeriodWord> {
    use QuarterOfYear::{Q1, Q2, Q3, Q4};
    let (start, end, needs_target, winter) = match word {
        "primo" => (Q1, Q1, false, false),
        "medio" => (Q2, Q3, false, false),
        "ultimo" => (Q4, Q4, false, false),
        "forår" | "foråret" => (Q2, Q2, false, false),
        "sommer" | "sommeren" => (Q3, Q3, false, false),
        "efterår" | "efteråret" => (Q4, Q4, false, false),
        "vinter" | "vinteren" => (Q1, Q1, false, true),
        "start" | "starten" | "begyndelsen" | "begyndelse" => (Q1, Q1, true, false),
        "midten" | "midt" => (Q2, Q3, true, false),
        "slut" | "slutningen" | "udgangen" | "afslutningen" => (Q4, Q4, true, false),
        _ => return None,
    };
    Some(PeriodWord {
        start,
        end,
        needs_target,
        winter,
    })
}

fn recurrence_word(word: &str) -> Option<RecurrenceWord> {
    Some(match word {
        "løbende" | "loebende" | "kontinuerligt" | "kontinuerlig" => {
            RecurrenceWord::Every(Recurrence::Ongoing)
        }
        // A stated cadence finer than the quarter is checked every quarter, the finest grain a
        // schedule has.
        "månedligt" | "månedlig" | "månedlige" | "ugentligt" | "ugentlig" => {
            RecurrenceWord::Every(Recurrence::Quarterly)
        }
        "årligt" | "årlig" | "årlige" => RecurrenceWord::Every(Recurrence::Yearly),
        "kvartalsvis" | "kvartalsvist" | "kvartalsvise" => {
            RecurrenceWord::Every(Recurrence::Quarterly)
        }
        "halvårligt" | "halvårlig" | "halvårlige" => RecurrenceWord::HalfYearly,
        _ => return None,
    })
}

/// A word the parser knows (so it is not "unknown" before a year).
fn is_known_word(word: &str) -> bool {
    is_filler(word)
        || is_kvartal(word)
        || is_halvaar(word)
        || ordinal_word(word).is_some()
        || q_word(word).is_some()
        || month_word(word).is_some()
        || period_word(word).is_some()
        || recurrence_word(word).is_some()
        || matches!(word, "hvert" | "hver" | "fuld" | "fuldt" | "efterfølgende")
}

fn is_year_digits(value: u32, digits: usize) -> bool {
    digits == 4 && (1900..=2199).contains(&value)
}

fn year_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl<'a> Parser<'a> {
    fn new(toks: &'a [Tok], in_paren: bool) -> Parser<'a> {
        Parser {
            toks,
            pos: 0,
            in_paren,
            after_fra: false,
            scan: Scan::default(),
        }
    }

    fn tok(&self, k: usize) -> Option<&'a Tok> {
        self.toks.get(self.pos + k)
    }

    fn word(&self, k: usize) -> Option<&'a str> {
        match self.tok(k) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn year_at(&self, k: usize) -> Option<i32> {
        match self.tok(k) {
            Some(Tok::Num { value, digits }) if is_year_digits(*value, *digits) => {
                Some(year_i32(*value))
            }
            _ => None,
        }
    }

    fn push_atom(&mut self, atom: Atom) {
        let after_fra = std::mem::take(&mut self.after_fra);
        self.scan.items.push(Item::Atom(Atom { after_fra, ..atom }));
    }

    fn push_join(&mut self, join: Join) {
        self.scan.items.push(Item::Join(join));
    }

    fn run(mut self) -> Scan {
        while let Some(tok) = self.tok(0) {
            let before = self.pos;
            match tok {
                Tok::Word(w) => self.on_word(w),
                Tok::Num { value, digits } => self.on_num(*value, *digits),
                Tok::Date { .. } => self.on_date(),
                Tok::BadNum(s) => {
                    self.scan.unknown_words.push(s.clone());
                    self.pos += 1;
                }
                Tok::Dot | Tok::Comma | Tok::Semi | Tok::Colon | Tok::Plus => {
                    self.push_join(Join::List);
                    self.pos += 1;
                }
                Tok::Dash => {
                    self.push_join(Join::Range);
                    self.pos += 1;
                }
                Tok::Slash => {
                    self.push_join(Join::Slash);
                    self.pos += 1;
                }
                Tok::LParen if !self.in_paren => self.on_paren(),
                Tok::LParen | Tok::RParen => self.pos += 1,
            }
            if self.pos == before {
                // Defensive: every branch advances, but never loop forever on a surprise.
                self.pos += 1;
            }
        }
        self.scan
    }

    /// Skips "af"/"i" and returns a following four-digit year, consuming it.
    fn take_year(&mut self) -> Option<i32> {
        if let Some(year) = self.year_at(0) {
            self.pos += 1;
            return Some(year);
        }
        if matches!(self.word(0), Some("af" | "i")) {
            if let Some(year) = self.year_at(1) {
                self.pos += 2;
                return Some(year);
            }
        }
        None
    }

    fn skip_dot(&mut self) {
        if self.tok(0) == Some(&Tok::Dot) {
            self.pos += 1;
        }
    }

    fn on_word(&mut self, w: &str) {
        self.scan.words.push(w.to_string());
        let at_sentence_start = self.pos == 0 || self.toks.get(self.pos - 1) == Some(&Tok::Dot);
        if w == "efterfølgende" && at_sentence_start {
            let rest = self.toks.get(self.pos..).unwrap_or(&[]);
            if !rest
                .iter()
                .any(|t| matches!(t, Tok::Num { .. } | Tok::Date { .. }))
            {
                // A hand-over sentence ("Efterfølgende har centerledelserne ansvaret …").
                self.pos = self.toks.len();
                return;
            }
        }
        if w == "milepæl" || w == "milepæle" {
            self.pos += 1;
            if matches!(self.tok(0), Some(Tok::Num { digits, .. }) if *digits <= 2) {
                self.pos += 1;
            }
            if matches!(self.tok(0), Some(Tok::Dash | Tok::Colon)) {
                self.pos += 1;
            }
            return;
        }
        if w == "hvert" || w == "hver" {
            let word = match self.word(1) {
                Some("år") => Some(RecurrenceWord::Every(Recurrence::Yearly)),
                Some("kvartal") => Some(RecurrenceWord::Every(Recurrence::Quarterly)),
                Some("måned" | "uge") => Some(RecurrenceWord::Every(Recurrence::Quarterly)),
                Some("halvår") => Some(RecurrenceWord::HalfYearly),
                _ => None,
            };
            if let Some(word) = word {
                self.scan.set_recurrence(word);
                self.pos += 2;
            } else {
                self.pos += 1;
            }
            return;
        }
        if let Some(word) = recurrence_word(w) {
            self.scan.set_recurrence(word);
            self.pos += 1;
            return;
        }
        if (w == "fuld" || w == "fuldt") && self.word(1).is_some_and(|n| n.starts_with("indfas")) {
            self.scan.full_phase_in = true;
            self.scan.words.push("indfasning".to_string());
            self.pos += 2;
            return;
        }
        if let Some(q) = q_word(w) {
            self.pos += 1;
            let year = self.take_year();
            self.push_atom(Atom::quarter(q, year));
            return;
        }
        if w.len() > 1 && w.starts_with(['q', 'k']) && w[1..].chars().all(|c| c.is_ascii_digit()) {
            self.scan.errors.push(format!("«{w}» er ikke et kvartal"));
            self.pos += 1;
            return;
        }
        if let Some(n) = ordinal_word(w) {
            if self.try_ordinal(n, 1) {
                return;
            }
            self.pos += 1;
            return;
        }
        if month_word(w).is_some() {
            self.month_atom(None);
            return;
        }
        if let Some(pw) = period_word(w) {
            self.period_atom(pw);
            return;
        }
        match w {
            "til" | "indtil" => self.push_join(Join::Range),
            "og" | "samt" => self.push_join(Join::List),
            "fra" => self.after_fra = true,
            _ if is_known_word(w) => {}
            _ => self.scan.unknown_words.push(w.to_string()),
        }
        self.pos += 1;
        if is_abbreviation(w) {
            self.skip_dot();
        }
    }

    /// An ordinal (`n`, spanning `width` tokens) followed by kvartal/halvår — or, for "1. og 2.
    /// kvartal", by a connector and another ordinal that is. Consumes and returns true if so.
    fn try_ordinal(&mut self, n: u32, width: usize) -> bool {
        let noun = self.word(width);
        if noun.is_some_and(is_kvartal) {
            self.pos += width + 1;
            self.skip_dot();
            let year = self.take_year();
            match QuarterOfYear::from_number(n) {
                Some(q) => self.push_atom(Atom::quarter(q, year)),
                None => self.scan.errors.push(format!("der er intet {n}. kvartal")),
            }
            return true;
        }
        if noun.is_some_and(is_halvaar) {
            self.pos += width + 1;
            let year = self.take_year();
            match n {
                1 => self.push_atom(Atom::span(QuarterOfYear::Q1, QuarterOfYear::Q2, year)),
                2 => self.push_atom(Atom::span(QuarterOfYear::Q3, QuarterOfYear::Q4, year)),
                _ => self.scan.errors.push(format!("der er intet {n}. halvår")),
            }
            return true;
        }
        // "1. og 2. kvartal 2025", "første-tredje kvartal": borrow the noun from the next ordinal.
        let connector = matches!(self.tok(width), Some(Tok::Dash | Tok::Slash | Tok::Comma))
            || matches!(self.word(width), Some("og" | "til"));
        if connector {
            let k = width + 1;
            let next_width = match (self.tok(k), self.tok(k + 1)) {
                (Some(Tok::Num { digits, .. }), Some(Tok::Dot)) if *digits <= 2 => Some(2),
                (Some(Tok::Word(w)), _) if ordinal_word(w).is_some() => Some(1),
                _ => None,
            };
            if let Some(next_width) = next_width {
                let noun = self.word(k + next_width);
                if noun.is_some_and(is_kvartal) {
                    self.pos += width;
                    match QuarterOfYear::from_number(n) {
                        Some(q) => self.push_atom(Atom::quarter(q, None)),
                        None => self.scan.errors.push(format!("der er intet {n}. kvartal")),
                    }
                    return true;
                }
                if noun.is_some_and(is_halvaar) && (n == 1 || n == 2) {
                    self.pos += width;
                    let (s, e) = if n == 1 {
                        (QuarterOfYear::Q1, QuarterOfYear::Q2)
                    } else {
                        (QuarterOfYear::Q3, QuarterOfYear::Q4)
                    };
                    self.push_atom(Atom::span(s, e, None));
                    return true;
                }
            }
        }
        false
    }

    /// A month (at `pos`), optionally a range of months, optionally a year. `day` is a day
    /// number already consumed ("15. maj 2026").
    fn month_atom(&mut self, day: Option<u32>) {
        let Some(first) = self.word(0).and_then(month_word) else {
            self.pos += 1;
            return;
        };
        self.pos += 1;
        self.skip_dot();
        let mut last = first;
        let range_ahead =
            matches!(self.tok(0), Some(Tok::Dash)) || matches!(self.word(0), Some("til" | "og"));
        if range_ahead {
            if let Some(m) = self.word(1).and_then(month_word) {
                last = m;
                self.pos += 2;
                self.skip_dot();
            }
        }
        let year = self.take_year();
        if let (Some(day), Some(year)) = (day, year) {
            if NaiveDate::from_ymd_opt(year, first, day).is_none() {
                self.scan
                    .errors
                    .push(format!("{day}/{first} {year} er ikke en dato"));
                return;
            }
        }
        let start = QuarterOfYear::from_month(first).unwrap_or(QuarterOfYear::Q1);
        let end = QuarterOfYear::from_month(last).unwrap_or(QuarterOfYear::Q4);
        self.push_atom(Atom::span(start, end, year));
    }

    fn period_atom(&mut self, pw: PeriodWord) {
        self.pos += 1;
        // Optional "af"/"i"/"på" before the target.
        let skip = usize::from(matches!(self.word(0), Some("af" | "i" | "på")));
        let target_is_month = self.word(skip).and_then(month_word).is_some();
        let target_is_q = self.word(skip).and_then(q_word).is_some();
        let target_is_ordinal = match (self.tok(skip), self.tok(skip + 1)) {
            (Some(Tok::Num { digits, .. }), Some(Tok::Dot)) => {
                *digits <= 2
                    && self
                        .word(skip + 2)
                        .is_some_and(|w| is_kvartal(w) || is_halvaar(w))
            }
            (Some(Tok::Word(w)), _) => {
                ordinal_word(w).is_some()
                    && self
                        .word(skip + 1)
                        .is_some_and(|w| is_kvartal(w) || is_halvaar(w))
            }
            _ => false,
        };
        if target_is_month || target_is_q || target_is_ordinal {
            // "udgangen af Q4 2025", "ultimo juni 2025": the more precise period wins.
            self.pos += skip;
            return;
        }
        let year = if let Some(year) = self.year_at(skip) {
            self.pos += skip + 1;
            Some(year)
        } else {
            None
        };
        match year {
            Some(year) if pw.winter => {
                // "Vinter 2025/2026", "vinteren 2025/26": the winter across the new year.
                let next_year = match (self.tok(0), self.tok(1)) {
                    (Some(Tok::Slash | Tok::Dash), Some(Tok::Num { value, digits })) => {
                        if is_year_digits(*value, *digits) {
                            Some(year_i32(*value))
                        } else if *digits == 2 {
                            Some(year - year.rem_euclid(100) + year_i32(*value))
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                match next_year {
                    Some(next) if next == year + 1 => {
                        self.pos += 2;
                        self.push_atom(Atom {
                            start_year: Some(year),
                            start_q: QuarterOfYear::Q4,
                            end_year: Some(next),
                            end_q: QuarterOfYear::Q1,
                            bare_year: false,
                            after_fra: false,
                        });
                    }
                    _ => self.push_atom(Atom::span(pw.start, pw.end, Some(year))),
                }
            }
            Some(year) => self.push_atom(Atom::span(pw.start, pw.end, Some(year))),
            None if pw.needs_target => {}
            None => self.push_atom(Atom::span(pw.start, pw.end, None)),
        }
    }

    fn on_num(&mut self, value: u32, digits: usize) {
        if is_year_digits(value, digits) {
            let year = year_i32(value);
            // "2025Q3", "2025-Q3" (but not "2025 - Q3 2026", a range).
            let q_at = |k: usize| self.word(k).and_then(q_word);
            if let Some(q) = q_at(1).filter(|_| self.year_at(2).is_none()) {
                self.pos += 2;
                self.push_atom(Atom::quarter(q, Some(year)));
                return;
            }
            if self.tok(1) == Some(&Tok::Dash) && self.year_at(3).is_none() {
                if let Some(q) = q_at(2) {
                    self.pos += 3;
                    self.push_atom(Atom::quarter(q, Some(year)));
                    return;
                }
            }
            if self.scan.unknown_before_year.is_none() && self.pos > 0 {
                if let Some(Tok::Word(prev)) = self.toks.get(self.pos - 1) {
                    if !is_known_word(prev) {
                        self.scan.unknown_before_year = Some((prev.clone(), year));
                    }
                }
            }
            self.pos += 1;
            self.push_atom(Atom {
                bare_year: true,
                ..Atom::span(QuarterOfYear::Q1, QuarterOfYear::Q4, Some(year))
            });
            return;
        }
        if digits <= 2 && self.tok(1) == Some(&Tok::Dot) {
            if self.try_ordinal(value, 2) {
                return;
            }
            if self.word(2).and_then(month_word).is_some() {
                if (1..=31).contains(&value) {
                    self.pos += 2;
                    self.month_atom(Some(value));
                } else {
                    self.scan
                        .errors
                        .push(format!("{value} er ikke en dag i måneden"));
                    self.pos += 2;
                }
                return;
            }
        }
        if digits == 2 {
            // "2025/26", "2025-26": a two-digit year continuing a range.
            let n = self.scan.items.len();
            let joined = matches!(
                self.scan.items.get(n.wrapping_sub(1)),
                Some(Item::Join(Join::Slash | Join::Range))
            );
            let prev_year = match self.scan.items.get(n.wrapping_sub(2)) {
                Some(Item::Atom(a)) => a.end_year,
                _ => None,
            };
            if let (true, Some(prev)) = (joined, prev_year) {
                let year = prev - prev.rem_euclid(100) + year_i32(value);
                self.pos += 1;
                self.push_atom(Atom {
                    bare_year: true,
                    ..Atom::span(QuarterOfYear::Q1, QuarterOfYear::Q4, Some(year))
                });
                return;
            }
        }
        self.scan.unknown_words.push(value.to_string());
        self.pos += 1;
    }

    fn on_date(&mut self) {
        let Some(Tok::Date {
            day,
            month,
            year,
            text,
        }) = self.tok(0)
        else {
            self.pos += 1;
            return;
        };
        self.pos += 1;
        let Some(start) = NaiveDate::from_ymd_opt(*year, *month, *day) else {
            self.scan.errors.push(format!("«{text}» er ikke en dato"));
            return;
        };
        let mut end = start;
        if let (
            Some(Tok::Dash),
            Some(Tok::Date {
                day,
                month,
                year,
                text,
            }),
        ) = (self.tok(0), self.tok(1))
        {
            self.pos += 2;
            match NaiveDate::from_ymd_opt(*year, *month, *day) {
                Some(date) => end = date,
                None => {
                    self.scan.errors.push(format!("«{text}» er ikke en dato"));
                    return;
                }
            }
        }
        let q = |d: NaiveDate| QuarterOfYear::from_month(d.month()).unwrap_or(QuarterOfYear::Q1);
        self.push_atom(Atom {
            start_year: Some(start.year()),
            start_q: q(start),
            end_year: Some(end.year()),
            end_q: q(end),
            bare_year: false,
            after_fra: false,
        });
    }

    fn on_paren(&mut self) {
        let open = self.pos;
        let mut close = open + 1;
        while self
            .toks
            .get(close)
            .is_some_and(|t| !matches!(t, Tok::RParen))
        {
            close += 1;
        }
        let inner = self.toks.get(open + 1..close).unwrap_or(&[]);
        self.pos = (close + 1).min(self.toks.len());
        let sub = Parser::new(inner, true).run();
        let items = self.scan.merge_flags(sub);
        let atoms: Vec<Atom> = items
            .iter()
            .filter_map(|item| match item {
                Item::Atom(a) => Some(a.clone()),
                Item::Join(_) => None,
            })
            .collect();
        let (Some(first), Some(last)) = (atoms.first(), atoms.last()) else {
            return; // An annotation such as "(baseline)" or "(løbende)".
        };
        if let Some(Item::Atom(outer)) = self.scan.items.last_mut() {
            // "Efterår 2024 (okt.-dec.)": the months in parentheses refine the period.
            outer.start_q = first.start_q;
            outer.end_q = last.end_q;
            outer.start_year = first.start_year.or(outer.start_year);
            outer.end_year = last.end_year.or(outer.end_year);
            outer.bare_year = false;
        } else {
            self.push_join(Join::List);
            self.scan.items.extend(items);
            self.push_join(Join::List);
        }
    }
}

struct Group {
    atoms: Vec<Atom>,
    /// Joined by "-"/"til" (a span), not only by "/" (one fuzzy point, "Ultimo 2026/Primo 2027").
    ranged: bool,
    until_only: bool,
}

fn group_items(items: Vec<Item>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut open = false;
    let mut pending: Option<Join> = None;
    let mut leading_until = false;
    for item in items {
        match item {
            Item::Atom(atom) => {
                let continues = open && matches!(pending, Some(Join::Range | Join::Slash));
                match groups.last_mut() {
                    Some(group) if continues => {
                        group.atoms.push(atom);
                        group.ranged |= pending == Some(Join::Range);
                    }
                    _ => groups.push(Group {
                        atoms: vec![atom],
                        ranged: false,
                        until_only: std::mem::take(&mut leading_until),
                    }),
                }
                open = true;
                pending = None;
            }
            Item::Join(Join::List) => {
                open = false;
                pending = None;
                leading_until = false;
            }
            Item::Join(join) => {
                if open {
                    pending = Some(join);
                } else {
                    leading_until = true;
                }
            }
        }
    }
    groups
}

fn quarter_of(year: i32, q: QuarterOfYear) -> Result<Quarter, PeriodError> {
    Ok(Quarter::new(Year::new(year)?, q))
}

fn build_schedule(text: &str, scan: Scan) -> Schedule {
    if let Some(error) = scan.errors.first() {
        return unresolved(format!("{error} i «{text}»"));
    }
    if let Some((word, year)) = &scan.unknown_before_year {
        return unresolved(format!("ukendt periodeord «{word}» før {year} i «{text}»"));
    }
    let mut groups = group_items(scan.items);

    // Share years: "Forår/sommer 2025", "1. og 2. kvartal 2025", "Primo … Ultimo 2025".
    let years: Vec<(Option<i32>, Option<i32>)> = groups
        .iter()
        .flat_map(|g| g.atoms.iter().map(|a| (a.start_year, a.end_year)))
        .collect();
    let mut index = 0;
    for group in &mut groups {
        for atom in &mut group.atoms {
            if atom.start_year.is_none() || atom.end_year.is_none() {
                let next = years
                    .get(index + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .find_map(|(s, _)| *s);
                let prev = years
                    .get(..index)
                    .unwrap_or(&[])
                    .iter()
                    .rev()
                    .find_map(|(_, e)| *e);
                match next.or(prev) {
                    Some(year) => {
                        atom.start_year = atom.start_year.or(Some(year));
                        atom.end_year = atom.end_year.or(Some(year));
                    }
                    None => return unresolved(format!("intet år i «{text}»")),
                }
            }
            index += 1;
        }
    }

    let mut windows = Vec::new();
    for group in &groups {
        let (Some(first), Some(last)) = (group.atoms.first(), group.atoms.last()) else {
            continue;
        };
        let (Some(start_year), Some(end_year)) = (first.start_year, last.end_year) else {
            return unresolved(format!("intet år i «{text}»"));
        };
        let window = quarter_of(start_year, first.start_q).and_then(|start| {
            quarter_of(end_year, last.end_q).and_then(|end| QuarterWindow::new(start, end))
        });
        match window {
            Ok(window) => windows.push(window),
            Err(error) => return unresolved(format!("{error} i «{text}»")),
        }
    }

    if let Some(word) = scan.recurrence {
        let every = match word {
            RecurrenceWord::Every(every) => every,
            RecurrenceWord::HalfYearly => {
                return unresolved(format!(
                    "halvårlig opfølgning («halvårligt») er hverken kvartalsvis, årlig eller \
                     løbende, i «{text}»"
                ))
            }
        };
        if windows.is_empty() {
            if let Some(anchor) = relative_anchor(&scan.words, true) {
                return Schedule::Relative { anchor };
            }
            let until = if scan.full_phase_in {
                RecurrenceEnd::FullPhaseIn
            } else {
                RecurrenceEnd::Open
            };
            return Schedule::Recurring {
                every,
                from: None,
                until,
            };
        }
        let from = groups
            .iter()
            .zip(&windows)
            .filter(|(g, _)| !g.until_only)
            .map(|(_, w)| w.start())
            .min();
        let bounded = windows.len() > 1
            || groups.iter().any(|g| {
                g.ranged || g.until_only || g.atoms.iter().any(|a| a.bare_year && !a.after_fra)
            });
        let until = if scan.full_phase_in {
            RecurrenceEnd::FullPhaseIn
        } else if bounded {
            windows
                .iter()
                .map(QuarterWindow::end)
                .max()
                .map_or(RecurrenceEnd::Open, RecurrenceEnd::Quarter)
        } else {
            RecurrenceEnd::Open
        };
        return Schedule::Recurring { every, from, until };
    }

    if !windows.is_empty() {
        windows.sort();
        windows.dedup();
        return Schedule::Windows { windows };
    }
    if let Some(anchor) = relative_anchor(&scan.words, false) {
        return Schedule::Relative { anchor };
    }
    if scan.full_phase_in {
        return Schedule::Relative {
            anchor: Anchor::FullPhaseIn,
        };
    }
    if scan
        .words
        .iter()
        .any(|w| w.starts_with("faseovergang") || w.starts_with("overgang"))
    {
        return unresolved(format!(
            "en faseovergang, men ingen fase er nævnt i «{text}»"
        ));
    }
    match scan.unknown_words.first() {
        Some(word) => unresolved(format!("ukendt periodeord «{word}» i «{text}»")),
        None => unresolved(format!(
            "intet kvartal, år, periodeord eller projektfase i «{text}»"
        )),
    }
}

/// The phase kind named by a stem like "afslutnings", "gennemførsels", "analyse og planlægnings".
fn known_phase_stem(stem: &str) -> Option<PhaseKind> {
    const ANALYSIS: &[&str] = &[
        "analyse",
        "planlægning",
        "indledende",
        "forberedende",
        "forberedelse",
        "opstart",
    ];
    const EXECUTION: &[&str] = &[
        "gennemførsel",
        "gennemførelse",
        "implementering",
        "udførelse",
        "udvikling",
        "eksekvering",
    ];
    const COMPLETION: &[&str] = &["afslutning", "afsluttende", "evaluering"];
    if ANALYSIS.iter().any(|k| stem.contains(k)) {
        Some(PhaseKind::Analysis)
    } else if EXECUTION.iter().any(|k| stem.contains(k)) {
        Some(PhaseKind::Execution)
    } else if COMPLETION.iter().any(|k| stem.contains(k)) {
        Some(PhaseKind::Completion)
    } else {
        None
    }
}

/// "afslutningsfasen" → Some("afslutnings"); "fasen" → Some(""); "projektet" → None.
fn phase_stem(word: &str) -> Option<&str> {
    ["faserne", "fasens", "fasen", "faser", "fase"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
}

fn named_stem(stem: &str) -> String {
    let trimmed = stem.trim();
    let without_link = trimmed
        .strip_suffix('s')
        .filter(|s| s.chars().count() >= 3)
        .unwrap_or(trimmed);
    without_link.to_string()
}

/// The phase named by `words[i]` (a "…fase(n)" word, or "fase(n)" after an adjective).
fn phase_at(words: &[String], i: usize) -> Option<PhaseKind> {
    let word = words.get(i)?;
    let stem = phase_stem(word)?;
    if stem.is_empty() {
        let adjective = words.get(i.checked_sub(1)?)?;
        return known_phase_stem(adjective);
    }
    Some(known_phase_stem(stem).unwrap_or_else(|| PhaseKind::Named(named_stem(stem))))
}

fn relative_anchor(words: &[String], ongoing: bool) -> Option<Anchor> {
    let any = |pred: &dyn Fn(&str) -> bool| words.iter().any(|w| pred(w));
    if any(&|w| w.starts_with("frigivelse") || w == "frigives" || w == "frigivet") {
        return Some(Anchor::FundsReleased);
    }
    let phases: Vec<(usize, PhaseKind)> = (0..words.len())
        .filter_map(|i| phase_at(words, i).map(|kind| (i, kind)))
        .collect();
    let preceded_by = |i: usize, preposition: &str| {
        // The preposition may be a few words back: "til projektets afslutningsfase".
        (i.saturating_sub(3)..i).any(|j| words.get(j).is_some_and(|w| w == preposition))
    };
    if any(&|w| w.starts_with("faseovergang") || w.starts_with("overgang")) {
        let to = phases
            .iter()
            .find(|(i, _)| preceded_by(*i, "til"))
            .or(phases.last())
            .map(|(_, kind)| kind.clone());
        let from = phases
            .iter()
            .find(|(i, _)| preceded_by(*i, "fra"))
            .map(|(_, kind)| kind.clone())
            .filter(|kind| Some(kind) != to.as_ref());
        if let Some(to) = to {
            return Some(Anchor::PhaseTransition { from, to });
        }
    }
    let mentions_project = any(&|w| w.starts_with("projekt"));
    let is_end_word = |w: &str| {
        matches!(
            w,
            "afslutning"
                | "afslutningen"
                | "slutningen"
                | "slut"
                | "udgangen"
                | "afslutningstidspunkt"
        )
    };
    let is_start_word = |w: &str| {
        matches!(
            w,
            "start" | "starten" | "opstart" | "opstarten" | "begyndelsen" | "igangsætning"
        )
    };
    if let Some((i, kind)) = phases.first() {
        let before = words.get(i.saturating_sub(3)..*i).unwrap_or(&[]);
        if before.iter().any(|w| is_start_word(w)) {
            return Some(Anchor::PhaseStart(kind.clone()));
        }
        if before.iter().any(|w| is_end_word(w) || w == "efter") {
            return Some(Anchor::PhaseEnd(kind.clone()));
        }
        return Some(Anchor::InPhase(kind.clone()));
    }
    if any(&|w| w.starts_with("projektafslutning") || w.starts_with("projektslut"))
        || (mentions_project && any(&is_end_word))
    {
        return Some(Anchor::ProjectEnd);
    }
    if any(&|w| w.starts_with("projektstart") || w.starts_with("projektopstart"))
        || (mentions_project && any(&is_start_word))
    {
        return Some(Anchor::ProjectStart);
    }
    let in_project = words.windows(2).any(|pair| {
        matches!(pair[0].as_str(), "i" | "under" | "gennem" | "igennem")
            && pair[1].starts_with("projekt")
    });
    if any(&|w| w.starts_with("projektperiode")) || (mentions_project && (ongoing || in_project)) {
        return Some(Anchor::ThroughoutProject);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Resolving
// ---------------------------------------------------------------------------------------------

/// Applies the proposal's context to a schedule: phases for relative schedules, the full
/// phase-in year, the release date of funds, and the plan start / horizon that bound recurring
/// goals. Never fails: what the context lacks is [`ResolvedSchedule::Unresolved`].
pub fn resolve(schedule: &Schedule, ctx: &ResolveContext) -> ResolvedSchedule {
    let result = match schedule {
        Schedule::Windows { windows } if windows.is_empty() => {
            Err("tidsplanen har ingen perioder".to_string())
        }
        Schedule::Windows { windows } => {
            let mut windows = windows.clone();
            windows.sort();
            windows.dedup();
            Ok(windows)
        }
        Schedule::Recurring { every, from, until } => resolve_recurring(*every, *from, *until, ctx),
        Schedule::Relative { anchor } => resolve_anchor(anchor, ctx),
        Schedule::Unresolved { reason } => Err(reason.clone()),
    };
    match result {
        Ok(windows) => ResolvedSchedule::Checkpoints(windows),
        Err(reason) => ResolvedSchedule::Unresolved { reason },
    }
}

fn resolve_recurring(
    every: Recurrence,
    from: Option<Quarter>,
    until: RecurrenceEnd,
    ctx: &ResolveContext,
) -> Result<Vec<QuarterWindow>, String> {
    let from = from.or(ctx.plan_start).ok_or_else(|| {
        "gentaget opfølgning uden start, og planens start kendes ikke".to_string()
    })?;
    let until = match until {
        RecurrenceEnd::Quarter(q) => q,
        RecurrenceEnd::FullPhaseIn => ctx
            .full_phase_in_year
            .map(|y| Quarter::new(y, QuarterOfYear::Q4))
            .ok_or_else(|| {
                "gentages til fuld indfasning, men året for fuld indfasning kendes ikke".to_string()
            })?,
        RecurrenceEnd::Open => ctx.horizon.ok_or_else(|| {
            "løbende opfølgning uden slutdato, og ingen horisont at stoppe ved".to_string()
        })?,
    };
    if until < from {
        return Err(format!(
            "gentaget opfølgning begynder i {from}, men slutter før, i {until}"
        ));
    }
    let span = QuarterWindow::new(from, until).map_err(|e| e.to_string())?;
    Ok(match every {
        Recurrence::Yearly => (from.year.get()..=until.year.get())
            .filter_map(|y| Year::new(y).ok())
            .filter_map(|y| {
                let year = QuarterWindow::year(y);
                QuarterWindow::new(year.start().max(from), year.end().min(until)).ok()
            })
            .collect(),
        Recurrence::Quarterly => span
            .quarters()
            .into_iter()
            .map(QuarterWindow::single)
            .collect(),
        // No cadence stated: one checkpoint over the whole period, none invented inside it.
        Recurrence::Ongoing => vec![span],
    })
}

fn resolve_anchor(anchor: &Anchor, ctx: &ResolveContext) -> Result<Vec<QuarterWindow>, String> {
    let single = |q: Quarter| vec![QuarterWindow::single(q)];
    match anchor {
        Anchor::PhaseStart(kind) => {
            let phase = find_phase(ctx, kind)?;
            Ok(single(date_quarter(phase.start)?))
        }
        Anchor::PhaseEnd(kind) => {
            let phase = find_phase(ctx, kind)?;
            Ok(single(date_quarter(phase.end)?))
        }
        Anchor::InPhase(kind) => Ok(vec![phase_window(&find_phase(ctx, kind)?)?]),
        Anchor::PhaseTransition { from, to } => {
            let entered = date_quarter(find_phase(ctx, to)?.start)?;
            let left = match from {
                Some(from) => date_quarter(find_phase(ctx, from)?.end)?,
                None => entered,
            };
            let window = QuarterWindow::new(left.min(entered), left.max(entered))
                .map_err(|e| e.to_string())?;
            Ok(vec![window])
        }
        Anchor::ProjectStart => Ok(single(project_span(ctx)?.start())),
        Anchor::ProjectEnd => Ok(single(project_span(ctx)?.end())),
        // "Løbende i projektet": the ongoing rule, over the project.
        Anchor::ThroughoutProject => Ok(vec![project_span(ctx)?]),
        Anchor::FundsReleased => {
            let date = ctx.funds_released.ok_or_else(|| {
                "afhænger af frigivelsen af investeringsmidler, og ingen frigivelsesdato kendes"
                    .to_string()
            })?;
            Ok(single(date_quarter(date)?))
        }
        Anchor::FullPhaseIn => ctx
            .full_phase_in_year
            .map(|y| vec![QuarterWindow::year(y)])
            .ok_or_else(|| {
                "ved fuld indfasning, men året for fuld indfasning kendes ikke".to_string()
            }),
    }
}

fn date_quarter(date: NaiveDate) -> Result<Quarter, String> {
    Quarter::try_containing(date).map_err(|e| format!("date {date}: {e}"))
}

fn find_phase(ctx: &ResolveContext, kind: &PhaseKind) -> Result<Phase, String> {
    if ctx.phases.is_empty() {
        return match ctx.funding_years {
            Some(years) => funding_phase(kind, years).ok_or_else(|| {
                format!(
                    "knyttet til {kind}, men forslaget har ingen faser, og kun den indledende \
                     fase, gennemførselsfasen og afslutningsfasen kan læses af finansieringsårene"
                )
            }),
            None => Err("knyttet til en fase, men forslaget har ingen faser".to_string()),
        };
    }
    ctx.phases
        .iter()
        .find(|p| &p.kind_or_name == kind)
        .cloned()
        .ok_or_else(|| {
            let known: Vec<String> = ctx
                .phases
                .iter()
                .map(|p| p.kind_or_name.to_string())
                .collect();
            format!(
                "knyttet til {kind}, men forslaget har ingen sådan fase (det har: {})",
                known.join(", ")
            )
        })
}

fn phase_window(phase: &Phase) -> Result<QuarterWindow, String> {
    let start = date_quarter(phase.start)?;
    let end = date_quarter(phase.end)?;
    QuarterWindow::new(start, end).map_err(|_| {
        format!(
            "{} slutter ({}), før den begynder ({})",
            phase.kind_or_name, phase.end, phase.start
        )
    })
}

fn project_span(ctx: &ResolveContext) -> Result<QuarterWindow, String> {
    if ctx.phases.is_empty() {
        if let Some((first, last)) = ctx.funding_years {
            return QuarterWindow::new(
                QuarterWindow::year(first).start(),
                QuarterWindow::year(last).end(),
            )
            .map_err(|e| e.to_string());
        }
    }
    let start = ctx.phases.iter().map(|p| p.start).min();
    let end = ctx.phases.iter().map(|p| p.end).max();
    let (Some(start), Some(end)) = (start, end) else {
        return Err(
            "knyttet til projektet, men forslaget har ingen faser, så dets start og slutning kendes ikke"
                .to_string(),
        );
    };
    QuarterWindow::new(date_quarter(start)?, date_quarter(end)?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(s: &str) -> Quarter {
        s.parse().unwrap_or_else(|e| panic!("bad quarter {s}: {e}"))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
    }

    #[test]
    fn a_hand_over_sentence_is_kept_for_people_and_is_no_checkpoint() {
        for (text, without) in [
            (
                "Ved udgangen af Q4 2025 og udgangen af Q3 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
                "Ved udgangen af Q4 2025 og udgangen af Q3 2026.",
            ),
            (
                "I Q2 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen.",
                "I Q2 2026.",
            ),
        ] {
            assert_eq!(
                handover(text),
                Some("Efterfølgende har centerledelserne ansvaret for opfølgning på brugen")
            );
            assert_eq!(parse_when(text), parse_when(without), "{text}");
        }
        assert_eq!(handover("I Q2 2026"), None);
        assert_eq!(
            handover("Efterfølgende i Q3 2026"),
            None,
            "with a date it is a checkpoint"
        );
        assert_eq!(handover(""), None);
    }

    fn compact(text: &str) -> String {
        parse_when(text).to_string()
    }

    /// Every distinct "Hvornår" text of Bilag 7 (Budget 2025), verbatim after re-joining
    /// hyphenated line breaks and collapsing whitespace, with the proposal it comes from.
    const DOCUMENT: &[(&str, &str, &str)] = &[
        // BC01 Samlet ferieløsning i Serviceportalen
        ("BC01", "Tredje kvartal 2025", "2025Q3"),
        ("BC01", "Fjerde kvartal 2025", "2025Q4"),
        ("BC01", "Fjerde kvartal 2026", "2026Q4"),
        ("BC01", "Andet kvartal 2026", "2026Q2"),
        ("BC01", "Første kvartal 2027", "2027Q1"),
        // BC02 Effektivisering ved opsætning af ladestandere
        ("BC02", "Ultimo 2024", "2024Q4"),
        ("BC02", "Ultimo 2025", "2025Q4"),
        (
            "BC02",
            "Primo 2025 (løbende)",
            "løbende fra 2025Q1, uden slutdato",
        ),
        // BC03 AI-baseret sagsstøtte
        (
            "BC03",
            "I afslutningsfasen af projektet.",
            "relativt: under afslutningsfasen",
        ),
        ("BC03", "Løbende i projektet.", "relativt: hele projektet"),
        // BC04 Analyse af mulighederne i AI-baseret tolkning
        (
            "BC04",
            "I afslutningsfasen af projektet",
            "relativt: under afslutningsfasen",
        ),
        (
            "BC04",
            "I den indledende fase af projektet",
            "relativt: under analysefasen",
        ),
        // BC05 Bedre brug af Fasit
        (
            "BC05",
            "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
            "relativt: overgang gennemførselsfasen → afslutningsfasen",
        ),
        (
            "BC05",
            "Ved projektafslutning",
            "relativt: projektets afslutning",
        ),
        (
            "BC05",
            "Ved udgangen af Q4 2025 og udgangen af Q3 2026. Efterfølgende har \
             centerledelserne ansvaret for opfølgning på brugen",
            "2025Q4; 2026Q3",
        ),
        (
            "BC05",
            "Ved overgang til afslutningsfasen i projektet. Ved udgangen af Q4 2025 og igen i \
             Q3 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
            "2025Q4; 2026Q3",
        ),
        (
            "BC05",
            "I Q2 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
            "2026Q2",
        ),
        // BC07 Fælles indgang til eksterne læringstilbud ("Ultimo 2024" as in BC02)
        ("BC07", "Primo 2025", "2025Q1"),
        ("BC07", "Forår 2025", "2025Q2"),
        ("BC07", "Forår/sommer 2025", "2025Q2–2025Q3"),
        ("BC07", "Efterår 2025", "2025Q4"),
        ("BC07", "Primo 2026", "2026Q1"),
        // BC09 Reduktion af udgifter til madservice
        ("BC09", "I 1. kvartal 2025.", "2025Q1"),
        ("BC09", "I 3. kvartal 2025.", "2025Q3"),
        (
            "BC09",
            "I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.",
            "2024Q4; 2026Q2",
        ),
        // BC11 Administrative effektiviseringer og organisering
        (
            "BC11",
            "Løbende i implementeringsårene, dvs. 2024-2026",
            "løbende fra 2024Q1 til 2026Q4",
        ),
        ("BC11", "2025-2026", "2025Q1–2026Q4"),
        ("BC11", "2024-2025", "2024Q1–2025Q4"),
        ("BC11", "2025", "2025Q1–2025Q4"),
        (
            "BC11",
            "Årligt, indtil fuld indfasning",
            "årligt til fuld indfasning",
        ),
        // BC12 Markedsafdækning ved køb af botilbudspladser ("Medio 2025" also in BC14)
        ("BC12", "1. kvartal 2024", "2024Q1"),
        ("BC12", "1. kvartal af 2025", "2025Q1"),
        ("BC12", "Medio 2025", "2025Q2–2025Q3"),
        ("BC12", "2. kvartal af 2025", "2025Q2"),
        // BC13 Arealoptimering af forvaltningens lokaler ("Primo 2025" as in BC07)
        (
            "BC13",
            "Ved frigivelse af investeringsmidler",
            "relativt: frigivelse af investeringsmidler",
        ),
        ("BC13", "1. kvartal 2025", "2025Q1"),
        ("BC13", "2. kvartal 2025", "2025Q2"),
        ("BC13", "2. kvartal 2026", "2026Q2"),
        ("BC13", "4. kvartal 2026", "2026Q4"),
        // BC14 Lyn- og hurtigladeinfrastruktur ("Ultimo 2025", "Medio 2025" as above)
        ("BC14", "Ultimo 2026/Primo 2027", "2026Q4–2027Q1"),
        ("BC14", "Ultimo 2026/primo 2027", "2026Q4–2027Q1"),
    ];

    /// BC03's milestones ("Milepæl 1–6") and the "Hvornår" column of its phase table.
    const BC03_MILESTONES_AND_PHASES: &[(&str, &str)] = &[
        ("Milepæl 1 – Q2 2025", "2025Q2"),
        ("Milepæl 2 – Q3 2025", "2025Q3"),
        ("Milepæl 3 – Q1 2026", "2026Q1"),
        ("Milepæl 4 – Q2 2026", "2026Q2"),
        ("Milepæl 5- Q3 2026", "2026Q3"),
        ("Milepæl 6 – Q4 2026", "2026Q4"),
        ("Q2 2025", "2025Q2"),
        ("Q3 2025", "2025Q3"),
        ("Q1 2026", "2026Q1"),
        ("Q2 2026", "2026Q2"),
        ("Q3 2026", "2026Q3"),
        ("Q4 2026", "2026Q4"),
        ("01.01.25-31.03.25", "2025Q1"),
        ("01.04.25-30.05.26", "2025Q2–2026Q2"),
        ("01.06.26-31.12.26", "2026Q2–2026Q4"),
    ];

    #[test]
    fn every_hvornaar_text_of_the_document() {
        let mut seen = std::collections::BTreeSet::new();
        let mut failures = Vec::new();
        for (proposal, text, expected) in DOCUMENT {
            assert!(seen.insert(*text), "duplicate table row {text}");
            let got = compact(text);
            if got != *expected {
                failures.push(format!(
                    "{proposal} {text:?}: expected {expected:?}, got {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(DOCUMENT.len(), 41);
    }

    #[test]
    fn bc03_milestones_and_phase_dates() {
        let failures: Vec<String> = BC03_MILESTONES_AND_PHASES
            .iter()
            .filter_map(|(text, expected)| {
                let got = compact(text);
                (got != *expected).then(|| format!("{text:?}: expected {expected:?}, got {got:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn document_values_in_full() {
        assert_eq!(
            parse_when("I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026."),
            Schedule::Windows {
                windows: vec![
                    QuarterWindow::single(q("2024Q4")),
                    QuarterWindow::single(q("2026Q2")),
                ]
            }
        );
        assert_eq!(
            parse_when("Årligt, indtil fuld indfasning"),
            Schedule::Recurring {
                every: Recurrence::Yearly,
                from: None,
                until: RecurrenceEnd::FullPhaseIn,
            }
        );
        assert_eq!(
            parse_when("Primo 2025 (løbende)"),
            Schedule::Recurring {
                every: Recurrence::Ongoing,
                from: Some(q("2025Q1")),
                until: RecurrenceEnd::Open,
            }
        );
        assert_eq!(
            parse_when("Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase"),
            Schedule::Relative {
                anchor: Anchor::PhaseTransition {
                    from: Some(PhaseKind::Execution),
                    to: PhaseKind::Completion,
                }
            }
        );
        assert_eq!(
            parse_when("Ved overgang til afslutningsfasen i projektet"),
            Schedule::Relative {
                anchor: Anchor::PhaseTransition {
                    from: None,
                    to: PhaseKind::Completion,
                }
            }
        );
        assert_eq!(
            parse_when("Medio 2025"),
            Schedule::Windows {
                windows: vec![QuarterWindow::new(q("2025Q2"), q("2025Q3")).unwrap()]
            }
        );
    }

    #[test]
    fn mapping_beyond_the_document() {
        let cases = [
            // Seasons, including BC07's own time plan.
            ("Efterår 2024 (okt.-dec.)", "2024Q4"),
            ("Efterår 2024 (sep.-nov.)", "2024Q3–2024Q4"),
            ("Forår 2026", "2026Q2"),
            ("Sommer 2025", "2025Q3"),
            ("Vinter 2025", "2025Q1"),
            ("Vinteren 2025/2026", "2025Q4–2026Q1"),
            ("vinter 2025/26", "2025Q4–2026Q1"),
            ("Foråret 2025", "2025Q2"),
            // Quarters, spelled every way.
            ("4. kvt. 2025", "2025Q4"),
            ("2. KVARTAL 2026", "2026Q2"),
            ("fjerde kvartal af 2024", "2024Q4"),
            ("q3 2025", "2025Q3"),
            ("2025Q3", "2025Q3"),
            ("2025-Q3", "2025Q3"),
            ("K2 2026", "2026Q2"),
            ("udgangen af Q4 2025", "2025Q4"),
            ("Q1-Q2 2025", "2025Q1–2025Q2"),
            ("Q4 2025 – Q1 2026", "2025Q4–2026Q1"),
            ("1. og 2. kvartal 2025", "2025Q1; 2025Q2"),
            ("første-tredje kvartal 2025", "2025Q1–2025Q3"),
            // Boundaries, halves, months, dates.
            ("Inden udgangen af 2025", "2025Q4"),
            ("Slutningen af 2026", "2026Q4"),
            ("Starten af 2026", "2026Q1"),
            ("midten af 2025", "2025Q2–2025Q3"),
            ("1. halvår 2026", "2026Q1–2026Q2"),
            ("Andet halvår 2025", "2025Q3–2025Q4"),
            ("januar 2025", "2025Q1"),
            ("okt.-dec. 2024", "2024Q4"),
            ("15. maj 2026", "2026Q2"),
            ("Ultimo juni 2025", "2025Q2"),
            ("01.06.2026-31.12.2026", "2026Q2–2026Q4"),
            // Years and ranges.
            ("dvs. 2024-2026", "2024Q1–2026Q4"),
            ("2024–2026", "2024Q1–2026Q4"),
            ("2025/26", "2025Q1–2026Q4"),
            ("Fra 2025 til 2027", "2025Q1–2027Q4"),
            ("Primo 2025 - ultimo 2025", "2025Q1–2025Q4"),
            ("Medio 2025 og ultimo 2025", "2025Q2–2025Q3; 2025Q4"),
            ("Ultimo 2025, primo 2025", "2025Q1; 2025Q4"),
            ("  ULTIMO   2024 .  ", "2024Q4"),
            // Recurring.
            ("Løbende", "løbende, uden slutdato"),
            (
                "Løbende fra medio 2025",
                "løbende fra 2025Q2, uden slutdato",
            ),
            ("Løbende 2025", "løbende fra 2025Q1 til 2025Q4"),
            (
                "Kvartalsvis fra Q1 2025 til Q4 2026",
                "kvartalsvis fra 2025Q1 til 2026Q4",
            ),
            ("Hvert år indtil 2028", "årligt til 2028Q4"),
            ("Årligt fra 2026", "årligt fra 2026Q1, uden slutdato"),
            ("Løbende fra 2025 til 2026", "løbende fra 2025Q1 til 2026Q4"),
            (
                "Ultimo 2026/primo 2027 (løbende)",
                "løbende fra 2026Q4, uden slutdato",
            ),
            (
                "Årligt fra 2025, indtil fuld indfasning",
                "årligt fra 2025Q1 til fuld indfasning",
            ),
            // Relative.
            (
                "Ved start af gennemførselsfasen",
                "relativt: start af gennemførselsfasen",
            ),
            (
                "Ved afslutningen af analysefasen",
                "relativt: slutningen af analysefasen",
            ),
            ("I pilotfasen", "relativt: under fasen «pilot»"),
            ("Ved projektstart", "relativt: projektets start"),
            ("I hele projektperioden", "relativt: hele projektet"),
            ("Ved fuld indfasning", "relativt: fuld indfasning"),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(text, expected)| {
                let got = compact(text);
                (got != *expected).then(|| format!("{text:?}: expected {expected:?}, got {got:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn unresolved_reasons_are_specific() {
        let cases = [
            ("", "ikke fastlagt: teksten under «Hvornår» er tom"),
            ("   ", "ikke fastlagt: teksten under «Hvornår» er tom"),
            ("Primo", "ikke fastlagt: intet år i «Primo»"),
            (
                "Tredje kvartal",
                "ikke fastlagt: intet år i «Tredje kvartal»",
            ),
            (
                "Snart",
                "ikke fastlagt: ukendt periodeord «snart» i «Snart»",
            ),
            (
                "Efter 2025",
                "ikke fastlagt: ukendt periodeord «efter» før 2025 i «Efter 2025»",
            ),
            (
                "Ultimo 1999",
                "ikke fastlagt: året 1999 ligger uden for 2000–2100 i «Ultimo 1999»",
            ),
            (
                "2026-2024",
                "ikke fastlagt: perioden 2026Q1–2024Q4 er vendt om: den slutter, før den begynder \
                 i «2026-2024»",
            ),
            (
                "Ved faseovergangen",
                "ikke fastlagt: en faseovergang, men ingen fase er nævnt i «Ved faseovergangen»",
            ),
            (
                "Q9 2025",
                "ikke fastlagt: «q9» er ikke et kvartal i «Q9 2025»",
            ),
            (
                "2025q5",
                "ikke fastlagt: «q5» er ikke et kvartal i «2025q5»",
            ),
            (
                "5. kvartal 2025",
                "ikke fastlagt: der er intet 5. kvartal i «5. kvartal 2025»",
            ),
            (
                "31.02.25",
                "ikke fastlagt: «31.02.25» er ikke en dato i «31.02.25»",
            ),
            (
                "Halvårligt",
                "ikke fastlagt: halvårlig opfølgning («halvårligt») er hverken kvartalsvis, årlig \
                 eller løbende, i «Halvårligt»",
            ),
            (
                "-- / ()",
                "ikke fastlagt: intet kvartal, år, periodeord eller projektfase i «-- / ()»",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(compact(text), expected, "for {text:?}");
        }
    }

    fn bc03_context() -> ResolveContext {
        ResolveContext {
            phases: vec![
                Phase {
                    kind_or_name: PhaseKind::from_danish("Analyse og planlægningsfasen"),
                    start: date(2025, 1, 1),
                    end: date(2025, 3, 31),
                },
                Phase {
                    kind_or_name: PhaseKind::from_danish("Gennemførselsfasen"),
                    start: date(2025, 4, 1),
                    end: date(2026, 5, 30),
                },
                Phase {
                    kind_or_name: PhaseKind::from_danish("Afslutningsfasen"),
                    start: date(2026, 6, 1),
                    end: date(2026, 12, 31),
                },
            ],
            ..ResolveContext::default()
        }
    }

    fn resolved(text: &str, ctx: &ResolveContext) -> String {
        resolve(&parse_when(text), ctx).to_string()
    }

    #[test]
    fn phase_names_classify() {
        assert_eq!(
            PhaseKind::from_danish("Analyse og planlægningsfasen"),
            PhaseKind::Analysis
        );
        assert_eq!(
            PhaseKind::from_danish("Gennemførselsfasen"),
            PhaseKind::Execution
        );
        assert_eq!(
            PhaseKind::from_danish("Afslutningsfasen"),
            PhaseKind::Completion
        );
        assert_eq!(
            PhaseKind::from_danish("Pilotfasen"),
            PhaseKind::Named("pilot".into())
        );
        assert_eq!(
            PhaseKind::from_danish("Driftsfase"),
            PhaseKind::Named("drift".into())
        );
    }

    #[test]
    fn resolve_phase_relative_with_bc03_phases() {
        let ctx = bc03_context();
        assert_eq!(
            resolved("I afslutningsfasen af projektet.", &ctx),
            "2026Q2–2026Q4"
        );
        assert_eq!(
            resolved("I den indledende fase af projektet", &ctx),
            "2025Q1"
        );
        assert_eq!(
            resolved(
                "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
                &ctx
            ),
            "2026Q2"
        );
        assert_eq!(resolved("Ved projektafslutning", &ctx), "2026Q4");
        assert_eq!(resolved("Ved projektstart", &ctx), "2025Q1");
        assert_eq!(resolved("Ved start af gennemførselsfasen", &ctx), "2025Q2");
        // "Løbende" states no cadence: one checkpoint over the project, none invented in it.
        assert_eq!(resolved("Løbende i projektet.", &ctx), "2025Q1–2026Q4");
        // Calendar quarters need no context at all.
        assert_eq!(resolved("Milepæl 4 – Q2 2026", &ctx), "2026Q2");
        assert_eq!(
            resolved("I pilotfasen", &ctx),
            "ikke fastlagt: knyttet til fasen «pilot», men forslaget har ingen sådan fase \
             (det har: analysefasen, gennemførselsfasen, afslutningsfasen)"
        );
    }

    #[test]
    fn resolve_phase_relative_without_phases() {
        let ctx = ResolveContext::default();
        assert_eq!(
            resolved("I afslutningsfasen af projektet", &ctx),
            "ikke fastlagt: knyttet til en fase, men forslaget har ingen faser"
        );
        assert_eq!(
            resolved("Ved projektafslutning", &ctx),
            "ikke fastlagt: knyttet til projektet, men forslaget har ingen faser, så dets start og \
             slutning kendes ikke"
        );
    }

    #[test]
    fn resolve_recurring_until_full_phase_in() {
        let schedule = parse_when("Årligt, indtil fuld indfasning");
        let mut ctx = ResolveContext {
            plan_start: Some(q("2024Q1")),
            ..ResolveContext::default()
        };
        assert_eq!(
            resolve(&schedule, &ctx).to_string(),
            "ikke fastlagt: gentages til fuld indfasning, men året for fuld indfasning kendes ikke"
        );
        ctx.full_phase_in_year = Some(Year::new(2027).unwrap());
        assert_eq!(
            resolve(&schedule, &ctx),
            ResolvedSchedule::Checkpoints(
                (2024..=2027)
                    .map(|y| QuarterWindow::year(Year::new(y).unwrap()))
                    .collect()
            )
        );
        ctx.plan_start = None;
        assert_eq!(
            resolve(&schedule, &ctx).to_string(),
            "ikke fastlagt: gentaget opfølgning uden start, og planens start kendes ikke"
        );
        // An explicit start clips the first year.
        assert_eq!(
            resolved("Årligt fra medio 2025, indtil fuld indfasning", &ctx),
            "2025Q2–2025Q4; 2026Q1–2026Q4; 2027Q1–2027Q4"
        );
    }

    #[test]
    fn resolve_recurring_bounded_and_open() {
        let ctx = ResolveContext::default();
        assert_eq!(
            resolved("Løbende i implementeringsårene, dvs. 2024-2026", &ctx),
            "2024Q1–2026Q4",
            "one checkpoint over the years the text names"
        );
        // A stated cadence is kept: quarterly (also for a finer one), yearly.
        assert_eq!(
            resolved("Kvartalsvis 2025", &ctx),
            "2025Q1; 2025Q2; 2025Q3; 2025Q4"
        );
        assert_eq!(
            resolved("Månedligt i 2025", &ctx),
            "2025Q1; 2025Q2; 2025Q3; 2025Q4"
        );
        assert_eq!(
            resolved("Årligt 2025-2026", &ctx),
            "2025Q1–2025Q4; 2026Q1–2026Q4"
        );
        assert_eq!(
            resolved("Primo 2025 (løbende)", &ctx),
            "ikke fastlagt: løbende opfølgning uden slutdato, og ingen horisont at stoppe ved"
        );
        let ctx = ResolveContext {
            horizon: Some(q("2025Q3")),
            ..ResolveContext::default()
        };
        assert_eq!(resolved("Primo 2025 (løbende)", &ctx), "2025Q1–2025Q3");
        let ctx = ResolveContext {
            horizon: Some(q("2024Q3")),
            ..ResolveContext::default()
        };
        assert_eq!(
            resolved("Primo 2025 (løbende)", &ctx),
            "ikke fastlagt: gentaget opfølgning begynder i 2025Q1, men slutter før, i 2024Q3"
        );
    }

    #[test]
    fn without_a_phase_table_the_phases_are_read_from_the_funding_years() {
        let y = |n: i32| Year::new(n).unwrap();
        let funded = ResolveContext {
            funding_years: Some((y(2025), y(2026))),
            ..ResolveContext::default()
        };
        for (text, expected) in [
            ("I afslutningsfasen af projektet", "2026Q1–2026Q4"),
            ("I den indledende fase af projektet", "2025Q1–2025Q4"),
            ("Ved projektafslutning", "2026Q4"),
            (
                "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
                "2026Q1–2026Q4",
            ),
        ] {
            assert_eq!(resolved(text, &funded), expected, "{text}");
            assert!(funded.dates_from_funding_years(&parse_when(text)), "{text}");
        }
        assert_eq!(resolved("Løbende i projektet.", &funded), "2025Q1–2026Q4");
        // A phase by another name is not guessed; a calendar date needs no funding years.
        assert!(resolved("I pilotfasen", &funded).starts_with("ikke fastlagt: knyttet til"));
        assert!(
            !funded.dates_from_funding_years(&parse_when("I pilotfasen")),
            "an undated goal is not said to be dated from the funding years"
        );
        assert!(!funded.dates_from_funding_years(&parse_when("Ultimo 2025")));
        // One funding year: the initial and the completion phase are both that year.
        let one = ResolveContext {
            funding_years: Some((y(2025), y(2025))),
            ..ResolveContext::default()
        };
        assert_eq!(
            resolved("I afslutningsfasen af projektet", &one),
            "2025Q1–2025Q4"
        );
        // A phase table wins over the funding years.
        let mut phased = bc03_context();
        phased.funding_years = Some((y(2024), y(2030)));
        assert_eq!(
            resolved("I afslutningsfasen af projektet", &phased),
            "2026Q2–2026Q4"
        );
        assert!(!phased.dates_from_funding_years(&parse_when("I afslutningsfasen af projektet")));
        // Without either, still undated.
        assert_eq!(
            resolved(
                "I afslutningsfasen af projektet",
                &ResolveContext::default()
            ),
            "ikke fastlagt: knyttet til en fase, men forslaget har ingen faser"
        );
    }

    #[test]
    fn resolve_funds_released() {
        let schedule = parse_when("Ved frigivelse af investeringsmidler");
        let mut ctx = ResolveContext::default();
        assert_eq!(
            resolve(&schedule, &ctx).to_string(),
            "ikke fastlagt: afhænger af frigivelsen af investeringsmidler, og ingen frigivelsesdato kendes"
        );
        ctx.funds_released = Some(date(2025, 2, 14));
        assert_eq!(
            resolve(&schedule, &ctx),
            ResolvedSchedule::Checkpoints(vec![QuarterWindow::single(q("2025Q1"))])
        );
    }

    #[test]
    fn resolve_passes_windows_and_reasons_through() {
        let ctx = ResolveContext::default();
        assert_eq!(resolved("Forår/sommer 2025", &ctx), "2025Q2–2025Q3");
        assert_eq!(resolved("Primo", &ctx), "ikke fastlagt: intet år i «Primo»");
        assert_eq!(
            resolve(&Schedule::Windows { windows: vec![] }, &ctx).to_string(),
            "ikke fastlagt: tidsplanen har ingen perioder"
        );
    }

    #[test]
    fn year_bounds_and_display() {
        assert_eq!(Year::new(2025).unwrap().to_string(), "2025");
        assert_eq!(Year::new(2000).unwrap(), Year::MIN);
        assert_eq!(Year::new(2100).unwrap(), Year::MAX);
        assert_eq!(Year::new(1999), Err(PeriodError::YearOutOfRange(1999)));
        assert_eq!(
            Year::new(2101).unwrap_err().to_string(),
            "året 2101 ligger uden for 2000–2100"
        );
        assert_eq!(
            serde_json::to_string(&Year::new(2025).unwrap()).unwrap(),
            "2025"
        );
        assert!(serde_json::from_str::<Year>("1800").is_err());
    }

    #[test]
    fn quarter_parse_display_and_errors() {
        assert_eq!(q("2025Q3").to_string(), "2025Q3");
        assert_eq!(q("2025-Q3"), q("2025Q3"));
        assert_eq!(q(" 2025q3 "), q("2025Q3"));
        assert_eq!(q("2025 Q3"), q("2025Q3"));
        assert_eq!(
            "2025Q5".parse::<Quarter>().unwrap_err().to_string(),
            "«2025Q5» er ikke et kvartal: kvartalet skal være 1, 2, 3 eller 4 (skriv fx 2025Q3)"
        );
        assert_eq!(
            "25Q1".parse::<Quarter>().unwrap_err().to_string(),
            "«25Q1» er ikke et kvartal: året skal have fire cifre (skriv fx 2025Q3)"
        );
        assert_eq!(
            "2025".parse::<Quarter>().unwrap_err().to_string(),
            "«2025» er ikke et kvartal: intet «Q» mellem år og kvartal (skriv fx 2025Q3)"
        );
        assert_eq!(
            "1999Q1".parse::<Quarter>(),
            Err(PeriodError::YearOutOfRange(1999))
        );
        assert!("2025Q".parse::<Quarter>().is_err());
        assert!("2025Q12".parse::<Quarter>().is_err());
        assert!("ÆØÅQ1".parse::<Quarter>().is_err());
    }

    #[test]
    fn quarter_calendar() {
        let q3 = q("2025Q3");
        assert_eq!(q3.first_day(), date(2025, 7, 1));
        assert_eq!(q3.last_day(), date(2025, 9, 30));
        assert_eq!(q("2024Q1").last_day(), date(2024, 3, 31));
        assert_eq!(q("2025Q4").last_day(), date(2025, 12, 31));
        assert_eq!(q3.next(), Some(q("2025Q4")));
        assert_eq!(q("2025Q4").next(), Some(q("2026Q1")));
        assert_eq!(q("2026Q1").prev(), Some(q("2025Q4")));
        assert_eq!(Quarter::MAX.next(), None);
        assert_eq!(Quarter::MIN.prev(), None);
        assert_eq!(Quarter::containing(date(2026, 5, 30)), q("2026Q2"));
        assert_eq!(Quarter::containing(date(1990, 5, 30)), Quarter::MIN);
        assert_eq!(Quarter::containing(date(2200, 5, 30)), Quarter::MAX);
        assert!(Quarter::try_containing(date(1990, 5, 30)).is_err());
        assert!(q3.contains(date(2025, 8, 15)));
        assert!(!q3.contains(date(2025, 10, 1)));
    }

    #[test]
    fn quarter_ordering_is_chronological() {
        let mut quarters = vec![q("2026Q1"), q("2025Q4"), q("2025Q1"), q("2025Q2")];
        quarters.sort();
        assert_eq!(
            quarters,
            vec![q("2025Q1"), q("2025Q2"), q("2025Q4"), q("2026Q1")]
        );
        assert!(q("2024Q4") < q("2025Q1"));
    }

    #[test]
    fn quarter_serde_is_a_string() {
        assert_eq!(serde_json::to_string(&q("2025Q3")).unwrap(), "\"2025Q3\"");
        assert_eq!(
            serde_json::from_str::<Quarter>("\"2025-Q3\"").unwrap(),
            q("2025Q3")
        );
        assert!(serde_json::from_str::<Quarter>("\"2025Q9\"").is_err());
    }

    #[test]
    fn window_invariant_display_and_serde() {
        let window = QuarterWindow::new(q("2025Q2"), q("2025Q3")).unwrap();
        assert_eq!(window.to_string(), "2025Q2–2025Q3");
        assert_eq!(QuarterWindow::single(q("2025Q3")).to_string(), "2025Q3");
        assert_eq!(
            QuarterWindow::new(q("2025Q3"), q("2025Q2")),
            Err(PeriodError::WindowOrder {
                start: q("2025Q3"),
                end: q("2025Q2")
            })
        );
        assert!(window.contains(q("2025Q2")));
        assert!(window.contains(q("2025Q3")));
        assert!(!window.contains(q("2025Q4")));
        assert_eq!(window.first_day(), date(2025, 4, 1));
        assert_eq!(window.last_day(), date(2025, 9, 30));
        assert_eq!(window.quarters(), vec![q("2025Q2"), q("2025Q3")]);
        let json = serde_json::to_string(&window).unwrap();
        assert_eq!(json, r#"{"start":"2025Q2","end":"2025Q3"}"#);
        assert_eq!(
            serde_json::from_str::<QuarterWindow>(&json).unwrap(),
            window
        );
        assert!(
            serde_json::from_str::<QuarterWindow>(r#"{"start":"2025Q3","end":"2025Q2"}"#).is_err()
        );
    }

    #[test]
    fn schedule_serde_shape() {
        let schedule = parse_when("I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.");
        let json = serde_json::to_value(&schedule).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "windows",
                "windows": [
                    {"start": "2024Q4", "end": "2024Q4"},
                    {"start": "2026Q2", "end": "2026Q2"}
                ]
            })
        );
        let recurring = parse_when("Årligt, indtil fuld indfasning");
        assert_eq!(
            serde_json::to_value(&recurring).unwrap(),
            serde_json::json!({
                "kind": "recurring", "every": "yearly", "from": null, "until": "full_phase_in"
            })
        );
        for text in [
            "Primo 2025 (løbende)",
            "Løbende i implementeringsårene, dvs. 2024-2026",
            "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
            "I pilotfasen",
            "Primo",
        ] {
            let schedule = parse_when(text);
            let json = serde_json::to_string(&schedule).unwrap();
            assert_eq!(
                serde_json::from_str::<Schedule>(&json).unwrap(),
                schedule,
                "{json}"
            );
        }
        let resolved = resolve(&parse_when("Medio 2025"), &ResolveContext::default());
        let json = serde_json::to_string(&resolved).unwrap();
        assert_eq!(
            serde_json::from_str::<ResolvedSchedule>(&json).unwrap(),
            resolved
        );
    }

    const VOCABULARY: &[&str] = &[
        "primo",
        "Medio",
        "ULTIMO",
        "forår",
        "sommer",
        "efterår",
        "vinter",
        "vinteren",
        "Q1",
        "q4",
        "K2",
        "1.",
        "4.",
        "7.",
        "kvartal",
        "kvt.",
        "halvår",
        "første",
        "Fjerde",
        "af",
        "i",
        "og",
        "igen",
        "løbende",
        "årligt",
        "halvårligt",
        "hvert",
        "år",
        "indtil",
        "til",
        "fra",
        "fuld",
        "indfasning",
        "dvs.",
        "2024",
        "2025",
        "2026",
        "2100",
        "2101",
        "1999",
        "26",
        "0",
        "(okt.-dec.)",
        "okt.",
        "dec.",
        "januar",
        "15.",
        "maj",
        "udgangen",
        "afslutningsfasen",
        "projektet",
        "faseovergangen",
        "gennemførselsfasen",
        "frigivelse",
        "investeringsmidler",
        "projektafslutning",
        "01.04.25",
        "31.02.25",
        "01.01.2025",
        "milepæl",
        "efterfølgende",
        "baseline",
        "efter",
        "æøå",
        "2025Q3",
        "2025-Q3",
    ];
    const SEPARATORS: &[&str] = &[" ", " ", "/", "-", "–", ", ", ". ", " og ", "(", ")", ""];

    fn vocabulary_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (
                proptest::sample::select(VOCABULARY),
                proptest::sample::select(SEPARATORS),
            ),
            0..10,
        )
        .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
    }

    fn check_invariants(text: &str) -> Result<(), TestCaseError> {
        let schedule = parse_when(text);
        if let Schedule::Windows { windows } = &schedule {
            prop_assert!(!windows.is_empty(), "empty windows for {text:?}");
            for window in windows {
                prop_assert!(window.start() <= window.end(), "{text:?}");
            }
            for pair in windows.windows(2) {
                prop_assert!(pair[0].start() <= pair[1].start(), "unsorted for {text:?}");
            }
        }
        let json = serde_json::to_string(&schedule)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        let back: Schedule = serde_json::from_str(&json)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(&back, &schedule);
        let ctx = ResolveContext {
            plan_start: Some(Quarter::MIN),
            horizon: Some(Quarter::MAX),
            full_phase_in_year: Year::new(2030).ok(),
            funds_released: NaiveDate::from_ymd_opt(2025, 3, 1),
            ..bc03_context()
        };
        if let ResolvedSchedule::Checkpoints(windows) = resolve(&schedule, &ctx) {
            prop_assert!(!windows.is_empty(), "no checkpoints for {text:?}");
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
            check_invariants(&text)?;
        }

        #[test]
        fn parse_never_panics_on_arbitrary_unicode(text in "\\PC{0,60}") {
            check_invariants(&text)?;
        }

        #[test]
        fn parse_never_panics_on_vocabulary(text in vocabulary_text()) {
            check_invariants(&text)?;
        }

        #[test]
        fn quarter_display_from_str_round_trip(year in 2000i32..=2100, n in 1u32..=4) {
            let quarter = Quarter::new(
                Year::new(year).unwrap(),
                QuarterOfYear::from_number(n).unwrap(),
            );
            prop_assert_eq!(quarter.to_string().parse::<Quarter>(), Ok(quarter));
            prop_assert_eq!(format!("{year}-Q{n}").parse::<Quarter>(), Ok(quarter));
            prop_assert!(quarter.first_day() <= quarter.last_day());
            prop_assert_eq!(Quarter::containing(quarter.first_day()), quarter);
            prop_assert_eq!(Quarter::containing(quarter.last_day()), quarter);
        }

        #[test]
        fn containing_contains_the_date(days in 0i64..36_890) {
            let day = date(2000, 1, 1) + chrono::Duration::days(days);
            let quarter = Quarter::containing(day);
            prop_assert!(quarter.contains(day));
            prop_assert!(QuarterWindow::single(quarter).first_day() <= day);
            prop_assert!(day <= QuarterWindow::single(quarter).last_day());
            if let Some(next) = quarter.next() {
                prop_assert_eq!(next.prev(), Some(quarter));
                prop_assert_eq!(next.first_day(), quarter.last_day() + chrono::Duration::days(1));
            }
        }
    }
}
