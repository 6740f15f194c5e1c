//! Text → [`Schedule`]: the hand-over sentence, the tokens, the parser and the rules that turn
//! what it scanned into windows, recurrences or anchors. Context-free: nothing here knows the
//! proposal (that is [`resolve`](super::resolve())). The mapping it implements is the table in the
//! module docs of [`super`].

use chrono::{Datelike, NaiveDate};

use super::{
    Anchor, PeriodError, PhaseKind, Quarter, QuarterOfYear, QuarterWindow, Recurrence,
    RecurrenceEnd, Schedule, Year,
};

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
pub(super) fn known_phase_stem(stem: &str) -> Option<PhaseKind> {
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
pub(super) fn phase_stem(word: &str) -> Option<&str> {
    ["faserne", "fasens", "fasen", "faser", "fase"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
}

pub(super) fn named_stem(stem: &str) -> String {
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
