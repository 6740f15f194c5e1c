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

mod parse;
mod resolution;
#[cfg(test)]
mod tests;

pub use parse::{handover, parse_when};
use parse::{known_phase_stem, named_stem, phase_stem};
pub use resolution::resolve;
