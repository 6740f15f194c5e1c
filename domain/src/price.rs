//! Price levels (pris- og lønniveau, "p/l"). Plans are stated at one year's price level; an
//! owner may report a realised amount at another year's level (e.g. the year it was booked).
//! To compare, the amount is converted with a price index: `amount × level(to) / level(from)`,
//! rounded to whole kroner (3 decimals in 1.000 kr.). Service and anlæg follow different
//! indexes (KL's pris- og lønskøn covers the service expenditure; construction prices move
//! differently), so each control area maps to one index series. A conversion the table cannot
//! support is refused with the missing year named — never guessed.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::money::{Amount, MoneyError, PriceLevel};
use crate::vocabulary::ControlArea;

/// Which index a control area follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexSeries {
    /// Service expenditure (also used for transfers and other running items).
    Service,
    /// Anlæg (capital) expenditure.
    Capital,
}

impl IndexSeries {
    /// The series as people name it.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            IndexSeries::Service => "serviceindeks",
            IndexSeries::Capital => "anlægsindeks",
        }
    }

    /// The series a control area follows.
    #[must_use]
    pub fn for_area(area: ControlArea) -> Self {
        match area {
            ControlArea::Capital => IndexSeries::Capital,
            _ => IndexSeries::Service,
        }
    }
}

/// Why a conversion or an index file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// The file is not a valid index table.
    #[error("prisindeksfilen kan ikke læses: {0}")]
    Invalid(String),
    /// The table has no level for a year.
    #[error("prisindekset har intet {} for {year}; tilføj det i indekstabellen (kilde: {source_name})", series.danish())]
    Missing {
        /// The series.
        series: IndexSeries,
        /// The year.
        year: i32,
        /// The table's source.
        source_name: String,
    },
    /// The converted amount is not a valid amount.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    source: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    level: Vec<RawLevel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    series: IndexSeries,
    year: i32,
    level: String,
}

/// A price index table: a level per series and year, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceIndex {
    /// Where the figures come from.
    pub source: String,
    /// Remarks on the table.
    pub note: Option<String>,
    levels: BTreeMap<(IndexSeries, i32), Decimal>,
}

impl PriceIndex {
    /// Reads a table from TOML (`source = "…"`, `[[level]] series = "service", year = 2025,
    /// level = "100"`). Levels are decimal strings and must be positive.
    pub fn parse(text: &str) -> Result<Self, PriceError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| PriceError::Invalid(e.to_string()))?;
        let mut levels = BTreeMap::new();
        for l in raw.level {
            let value: Decimal = l.level.trim().parse().map_err(|_| {
                PriceError::Invalid(format!(
                    "level '{}' for {} is not a number",
                    l.level, l.year
                ))
            })?;
            if value <= Decimal::ZERO {
                return Err(PriceError::Invalid(format!(
                    "level {value} for {} must be positive",
                    l.year
                )));
            }
            if levels.insert((l.series, l.year), value).is_some() {
                return Err(PriceError::Invalid(format!(
                    "{:?} {} is listed twice",
                    l.series, l.year
                )));
            }
        }
        Ok(Self {
            source: raw.source,
            note: raw.note,
            levels,
        })
    }

    /// A table with the given levels (for tests and tools).
    #[must_use]
    pub fn from_levels(source: &str, levels: &[(IndexSeries, i32, Decimal)]) -> Self {
        Self {
            source: source.to_string(),
            note: None,
            levels: levels.iter().map(|(s, y, v)| ((*s, *y), *v)).collect(),
        }
    }

    fn level(&self, series: IndexSeries, year: i32) -> Result<Decimal, PriceError> {
        self.levels
            .get(&(series, year))
            .copied()
            .ok_or_else(|| PriceError::Missing {
                series,
                year,
                source_name: self.source.clone(),
            })
    }

    /// Converts `amount` stated at `from` to the price level `to`, on the index that `area`
    /// follows. The same level converts to itself without a table.
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
        let series = IndexSeries::for_area(area);
        let factor = self.level(series, to.year())? / self.level(series, from.year())?;
        let converted = (amount.value() * factor)
            .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
        Ok(Amount::new(converted)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl(y: i32) -> PriceLevel {
        PriceLevel::new(y).unwrap()
    }

    const TABLE: &str = r#"
source = "test table"
[[level]]
series = "service"
year = 2024
level = "100"
[[level]]
series = "service"
year = 2025
level = "103.2"
[[level]]
series = "capital"
year = 2024
level = "100"
[[level]]
series = "capital"
year = 2025
level = "101.5"
"#;

    #[test]
    fn converts_on_the_areas_own_series() {
        let index = PriceIndex::parse(TABLE).unwrap();
        let a = Amount::parse("-1000").unwrap();
        let service = index
            .convert(a, pl(2024), pl(2025), ControlArea::Service)
            .unwrap();
        assert_eq!(service.to_string(), "-1032");
        let capital = index
            .convert(a, pl(2024), pl(2025), ControlArea::Capital)
            .unwrap();
        assert_eq!(capital.to_string(), "-1015");
        let back = index
            .convert(
                Amount::parse("-1032").unwrap(),
                pl(2025),
                pl(2024),
                ControlArea::Service,
            )
            .unwrap();
        assert_eq!(back.to_string(), "-1000");
        // Rounded to whole kroner.
        let odd = index
            .convert(
                Amount::parse("1").unwrap(),
                pl(2025),
                pl(2024),
                ControlArea::Service,
            )
            .unwrap();
        assert_eq!(odd.to_string(), "0.969");
    }

    #[test]
    fn a_missing_year_is_refused_not_guessed() {
        let index = PriceIndex::parse(TABLE).unwrap();
        let err = index
            .convert(
                Amount::parse("1").unwrap(),
                pl(2023),
                pl(2025),
                ControlArea::Service,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "prisindekset har intet serviceindeks for 2023; tilføj det i indekstabellen (kilde: test table)"
        );
        assert_eq!(
            index
                .convert(
                    Amount::parse("5").unwrap(),
                    pl(2023),
                    pl(2023),
                    ControlArea::Service
                )
                .unwrap()
                .to_string(),
            "5"
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        assert!(PriceIndex::parse("source = 1").is_err());
        let dup =
            format!("{TABLE}\n[[level]]\nseries = \"service\"\nyear = 2024\nlevel = \"99\"\n");
        assert!(PriceIndex::parse(&dup)
            .unwrap_err()
            .to_string()
            .contains("listed twice"));
        let neg = "source = \"x\"\n[[level]]\nseries = \"service\"\nyear = 2024\nlevel = \"0\"\n";
        assert!(PriceIndex::parse(neg)
            .unwrap_err()
            .to_string()
            .contains("must be positive"));
    }

    #[test]
    fn the_bundled_table_parses() {
        let index = PriceIndex::parse(include_str!("../../baselines/price-index.toml")).unwrap();
        assert!(index.source.contains("KL"));
    }
}
