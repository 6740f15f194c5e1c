//! Price levels (pris- og lønniveau, "p/l") and the price index that converts between them.
//!
//! Plans are stated at one year's price level; an owner may report a realised amount at
//! another year's level (the year it was booked), and a controller may want a plan shown at
//! another year's level. To compare, an amount is converted with a price index.
//!
//! **Why the index is events, not a file.** The published figures are estimates: KL and
//! Økonomistyrelsen revise past years every June, so the same conversion gives another result
//! with next year's estimate. An auditor asking "why did BC01's 2024 report count as 1.032
//! t.kr. in March?" needs the estimate that was in use then. So the index is a stream of facts
//! (aggregate `price_index`, one stream, like `access`): a controller registers an estimate
//! (a *vintage*, "PL-skøn juni 2024") with its publisher, states its yearly rates one by one,
//! each with where it was read, corrects a mistyped rate with a reason, and takes a vintage
//! into use. A conversion always uses the vintage in use as the log stood at the report's
//! recorded cut-off, and names it; a report "as known on" a past time therefore converts with
//! the estimate that was in use then.
//!
//! **Rates, not levels.** Publishers state each year's change in per cent (løn, priser, the two
//! combined, anlæg), so that is what is stored. Converting from year `a` to year `b > a`
//! multiplies by `Π (1 + rate_y / 100)` for `y` in `a+1 ..= b` (and divides for the way
//! back), rounded to whole kroner (3 decimals in 1.000 kr.). A year the vintage does not state
//! is refused with the year named: never guessed.
//!
//! **Series.** Each control area follows one series ([`IndexSeries::for_area`]): anlæg the
//! capital index, everything else the combined wage-and-price index. The wage and the price
//! series are kept beside it, as published, so a reader sees what the combined rate is made of;
//! a conversion never combines them itself (the weights are the publisher's).

mod events;
mod seed;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub use events::{PriceIndexCommand, PriceIndexError, PriceIndexEvent};
pub use seed::{Seed, SeedError, SeedRate, SeedVintage};

use crate::money::{Amount, MoneyError, PriceLevel};
use crate::vocabulary::{text_type, ControlArea, VocabularyError};

/// The stream all price-index events live in.
pub const PRICE_INDEX_STREAM: &str = "price-index";

/// Which index a rate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexSeries {
    /// Wages and prices combined (generel pris- og lønudvikling): converts service, transfers
    /// and every other running item.
    Service,
    /// Wages alone (lønninger), as published beside the combined rate.
    Wages,
    /// Prices alone (priser), as published beside the combined rate.
    Prices,
    /// Anlæg (capital) expenditure.
    Capital,
}

impl IndexSeries {
    /// Every series, in the order pages show them.
    pub const ALL: [IndexSeries; 4] = [
        IndexSeries::Service,
        IndexSeries::Wages,
        IndexSeries::Prices,
        IndexSeries::Capital,
    ];

    /// The stable code (JSON, CLI).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            IndexSeries::Service => "service",
            IndexSeries::Wages => "wages",
            IndexSeries::Prices => "prices",
            IndexSeries::Capital => "capital",
        }
    }

    /// The series as people name it.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            IndexSeries::Service => "pris- og lønindeks (samlet)",
            IndexSeries::Wages => "lønindeks",
            IndexSeries::Prices => "prisindeks",
            IndexSeries::Capital => "anlægsindeks",
        }
    }

    /// The series a control area's amounts are converted with.
    #[must_use]
    pub fn for_area(area: ControlArea) -> Self {
        match area {
            ControlArea::Capital => IndexSeries::Capital,
            _ => IndexSeries::Service,
        }
    }
}

impl FromStr for IndexSeries {
    type Err = VocabularyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "service" | "pl" | "samlet" => Ok(IndexSeries::Service),
            "wages" | "løn" => Ok(IndexSeries::Wages),
            "prices" | "priser" => Ok(IndexSeries::Prices),
            "capital" | "anlæg" => Ok(IndexSeries::Capital),
            _ => Err(VocabularyError::Unknown {
                what: "en indeksserie",
                value: s.to_string(),
                expected: "service (samlet), løn, priser, anlæg",
            }),
        }
    }
}

impl fmt::Display for IndexSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a rate, a vintage's name or a conversion was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// A rate that is not a percentage we accept.
    #[error("«{0}» er ikke en årlig stigning i procent (fx 4,3 eller -0,5; højst to decimaler, mellem -50 og 100)")]
    Rate(String),
    /// A vintage id that is not a short code.
    #[error("«{0}» er ikke en kode for et skøn: brug små bogstaver, tal og bindestreger, højst 48 tegn (fx oes-2024-06)")]
    VintageId(String),
    /// A text was refused.
    #[error(transparent)]
    Text(#[from] VocabularyError),
    /// No vintage is in use, so nothing can be converted.
    #[error("intet prisindeks er taget i brug; en controller registrerer et skøn og tager det i brug (gevinst price-index use)")]
    NoneInUse,
    /// The vintage has no rate for a year the conversion passes.
    #[error("prisindekset «{vintage}» har intet {} for {year}; registrér satsen fra kilden — den gættes ikke", series.danish())]
    Missing {
        /// The series.
        series: IndexSeries,
        /// The year whose rate is missing.
        year: i32,
        /// The vintage's name.
        vintage: String,
    },
    /// The converted amount is not a valid amount.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A year's change in per cent, as published ("4,3"). At most two decimals, in −50 … 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Rate(Decimal);

impl Rate {
    /// Accepts a decimal with at most two decimals in −50 … 100.
    pub fn new(value: Decimal) -> Result<Self, PriceError> {
        let v = value.normalize();
        if v.scale() > 2 || v < Decimal::from(-50) || v > Decimal::ONE_HUNDRED {
            return Err(PriceError::Rate(value.to_string()));
        }
        Ok(Self(v))
    }

    /// Parses a rate as people write it: `4,3`, `4.3`, `-0,5`, `2,8 %`.
    pub fn parse(input: &str) -> Result<Self, PriceError> {
        let t = input.trim();
        let t = t.strip_suffix('%').unwrap_or(t).trim();
        if t.contains(',') && t.contains('.') {
            return Err(PriceError::Rate(input.to_string()));
        }
        let value = Decimal::from_str(&t.replace(',', "."))
            .map_err(|_| PriceError::Rate(input.to_string()))?;
        Self::new(value).map_err(|_| PriceError::Rate(input.to_string()))
    }

    /// The percentage.
    #[must_use]
    pub fn percent(self) -> Decimal {
        self.0
    }

    /// `1 + rate / 100`.
    #[must_use]
    pub fn factor(self) -> Decimal {
        Decimal::ONE + self.0 / Decimal::ONE_HUNDRED
    }
}

impl TryFrom<Decimal> for Rate {
    type Error = PriceError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Rate> for Decimal {
    fn from(value: Rate) -> Self {
        value.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A vintage's short code (`oes-2024-06`): lower-case letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VintageId(String);

impl VintageId {
    /// Accepts 1–48 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    pub fn parse(input: &str) -> Result<Self, PriceError> {
        let t = input.trim();
        let ok = !t.is_empty()
            && t.len() <= 48
            && !t.starts_with('-')
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(t.to_string()))
        } else {
            Err(PriceError::VintageId(input.to_string()))
        }
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for VintageId {
    type Error = PriceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<VintageId> for String {
    fn from(value: VintageId) -> Self {
        value.0
    }
}

impl FromStr for VintageId {
    type Err = PriceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for VintageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

text_type!(
    /// A vintage's name as the publisher calls it ("PL-skøn juni 2024").
    VintageName, "skønnets navn", 160
);
text_type!(
    /// Where a figure was read: publisher, title, table, address.
    SourceText, "kilden", 600
);

/// One stated rate, with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedRate {
    /// The change in per cent.
    pub rate: Rate,
    /// Where it was read.
    pub source: SourceText,
    /// The rate it replaced when it was corrected, if it was.
    pub corrects: Option<Rate>,
}

/// One published estimate: its name, publisher, date and rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vintage {
    /// The code.
    pub id: VintageId,
    /// The name.
    pub name: VintageName,
    /// When the publisher published it.
    pub published: NaiveDate,
    /// Who published it.
    pub publisher: SourceText,
    /// Per series, per year: the rate.
    pub rates: BTreeMap<IndexSeries, BTreeMap<i32, StatedRate>>,
}

impl Vintage {
    /// The rate of `series` for `year`, if stated.
    #[must_use]
    pub fn rate(&self, series: IndexSeries, year: i32) -> Option<&StatedRate> {
        self.rates.get(&series).and_then(|r| r.get(&year))
    }

    /// The factor that takes an amount at `from`'s level to `to`'s, on `series`.
    pub fn factor(&self, series: IndexSeries, from: i32, to: i32) -> Result<Decimal, PriceError> {
        let (low, high) = (from.min(to), from.max(to));
        let mut product = Decimal::ONE;
        for year in (low + 1)..=high {
            let rate = self.rate(series, year).ok_or_else(|| PriceError::Missing {
                series,
                year,
                vintage: self.name.to_string(),
            })?;
            product = product
                .checked_mul(rate.rate.factor())
                .ok_or(PriceError::Money(MoneyError::TooLarge(product.to_string())))?;
        }
        if from <= to {
            Ok(product)
        } else {
            Decimal::ONE
                .checked_div(product)
                .ok_or(PriceError::Money(MoneyError::TooLarge(product.to_string())))
        }
    }

    /// Converts `amount` at `from` to `to` on the series `area` follows, rounded to whole
    /// kroner. The same level converts to itself.
    pub fn convert(
        &self,
        amount: Amount,
        from: PriceLevel,
        to: PriceLevel,
        area: ControlArea,
    ) -> Result<Amount, PriceError> {
        if from == to {
            return Ok(amount);
        }
        let factor = self.factor(IndexSeries::for_area(area), from.year(), to.year())?;
        let converted = amount
            .value()
            .checked_mul(factor)
            .ok_or_else(|| PriceError::Money(MoneyError::TooLarge(amount.to_string())))?
            .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
        Ok(Amount::new(converted)?)
    }
}

/// The price index as the log says: every vintage, and the one in use.
///
/// The vintages are shared (`Arc`): a report keeps what it computed per proposal together
/// with the index it converted with, and asks on every read whether the index is still the
/// same. Shared, a copy is a pointer and the question is answered by the pointer when it is
/// the same index (`Arc`'s equality looks there first). Copied deep, a copy per kept
/// proposal part and tally took a server's peak at 1,000,000 events in about 1,000 proposals
/// about 15 MB higher (`gevinst serve` on SQLite, three runs each, 2026-12-06).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceIndex {
    vintages: Arc<BTreeMap<VintageId, Vintage>>,
    in_use: Option<VintageId>,
}

impl PriceIndex {
    /// The vintage conversions use, if one was taken into use.
    #[must_use]
    pub fn in_use(&self) -> Option<&Vintage> {
        self.in_use.as_ref().and_then(|id| self.vintages.get(id))
    }

    /// A vintage by code.
    #[must_use]
    pub fn vintage(&self, id: &VintageId) -> Option<&Vintage> {
        self.vintages.get(id)
    }

    /// Every vintage, newest publication first.
    #[must_use]
    pub fn vintages(&self) -> Vec<&Vintage> {
        let mut all: Vec<&Vintage> = self.vintages.values().collect();
        all.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
        all
    }

    /// Converts `amount` stated at `from` to the price level `to`, with the vintage in use, on
    /// the series `area` follows. The same level converts to itself without a vintage.
    pub fn convert(
        &self,
        amount: Amount,
        from: PriceLevel,
        to: PriceLevel,
        area: ControlArea,
    ) -> Result<Amount, PriceError> {
        if from == to {
            return Ok(amount);
        }
        self.in_use()
            .ok_or(PriceError::NoneInUse)?
            .convert(amount, from, to, area)
    }
}

#[cfg(test)]
mod tests;
