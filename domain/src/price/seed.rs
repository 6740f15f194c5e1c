//! The shipped price-index figures (`baselines/price-index.toml`) as commands.
//!
//! The file is a seed, not the index: importing it registers what the log lacks, as the
//! import (role `system`), and the log is the truth from then on. A figure the log already
//! holds with another value is refused, never overwritten: a controller corrects it with a
//! reason. The file takes its vintage into use only where no vintage is in use yet, so a
//! controller's choice is never undone by a restart.

use std::str::FromStr;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    IndexSeries, PriceError, PriceIndex, PriceIndexCommand, Rate, SourceText, VintageId,
    VintageName,
};
use crate::money::PriceLevel;

/// Why the seed file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    /// Not a valid file.
    #[error("prisindeksfilen kan ikke læses: {0}")]
    Invalid(String),
    /// A value in it is refused.
    #[error("prisindeksfilen, skøn «{vintage}»: {error}")]
    Value {
        /// Which vintage.
        vintage: String,
        /// What.
        error: PriceError,
    },
    /// The log holds another value than the file.
    #[error("prisindeksfilen siger {what} = {file}, men loggen har {log}; ret det i loggen med en begrundelse (gevinst price-index correct) eller ret filen")]
    Differs {
        /// Which figure.
        what: String,
        /// The file's value.
        file: String,
        /// The log's value.
        log: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    vintage: Vec<RawVintage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVintage {
    id: String,
    name: String,
    published: String,
    publisher: String,
    #[serde(default)]
    in_use: bool,
    #[serde(default)]
    rate: Vec<RawRate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    series: String,
    year: i32,
    rate: String,
    source: String,
}

/// One rate of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRate {
    /// The series.
    pub series: IndexSeries,
    /// The year.
    pub year: PriceLevel,
    /// The change.
    pub rate: Rate,
    /// Where it was read.
    pub source: SourceText,
}

/// One vintage of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedVintage {
    /// Its code.
    pub id: VintageId,
    /// Its name.
    pub name: VintageName,
    /// When it was published.
    pub published: NaiveDate,
    /// Who published it.
    pub publisher: SourceText,
    /// Whether the file takes it into use (where none is).
    pub in_use: bool,
    /// Its rates.
    pub rates: Vec<SeedRate>,
}

/// The parsed seed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// Its vintages.
    pub vintages: Vec<SeedVintage>,
}

impl Seed {
    /// Reads the file.
    pub fn parse(text: &str) -> Result<Self, SeedError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| SeedError::Invalid(e.to_string()))?;
        let vintages = raw
            .vintage
            .into_iter()
            .map(|v| {
                let at = |error: PriceError| SeedError::Value {
                    vintage: v.id.clone(),
                    error,
                };
                let rates = v
                    .rate
                    .iter()
                    .map(|r| {
                        Ok(SeedRate {
                            series: IndexSeries::from_str(&r.series).map_err(|e| at(e.into()))?,
                            year: PriceLevel::new(r.year).map_err(|e| at(e.into()))?,
                            rate: Rate::parse(&r.rate).map_err(at)?,
                            source: SourceText::parse(&r.source).map_err(|e| at(e.into()))?,
                        })
                    })
                    .collect::<Result<Vec<_>, SeedError>>()?;
                Ok(SeedVintage {
                    id: VintageId::parse(&v.id).map_err(at)?,
                    name: VintageName::parse(&v.name).map_err(|e| at(e.into()))?,
                    published: NaiveDate::parse_from_str(&v.published, "%Y-%m-%d").map_err(
                        |_| {
                            SeedError::Invalid(format!(
                                "published = {:?} is not a date (YYYY-MM-DD)",
                                v.published
                            ))
                        },
                    )?,
                    publisher: SourceText::parse(&v.publisher).map_err(|e| at(e.into()))?,
                    in_use: v.in_use,
                    rates,
                })
            })
            .collect::<Result<Vec<_>, SeedError>>()?;
        if vintages.iter().filter(|v| v.in_use).count() > 1 {
            return Err(SeedError::Invalid(
                "more than one vintage has in_use = true".to_string(),
            ));
        }
        Ok(Self { vintages })
    }

    /// The index the file alone gives (for tools and tests that run without a log).
    pub fn index(&self) -> Result<PriceIndex, SeedError> {
        let mut state = PriceIndex::default();
        for command in self.commands(&PriceIndex::default())? {
            for event in state
                .decide_command(command)
                .map_err(|e| SeedError::Invalid(e.to_string()))?
            {
                state.fold(event);
            }
        }
        Ok(state)
    }

    /// The commands that bring `state` up to the file: what the log lacks, nothing it has.
    pub fn commands(&self, state: &PriceIndex) -> Result<Vec<PriceIndexCommand>, SeedError> {
        let mut out = Vec::new();
        for v in &self.vintages {
            match state.vintage(&v.id) {
                None => out.push(PriceIndexCommand::RegisterVintage {
                    vintage: v.id.clone(),
                    name: v.name.clone(),
                    published: v.published,
                    publisher: v.publisher.clone(),
                }),
                Some(have) => {
                    let differs = |what: &str, file: String, log: String| {
                        (file != log).then(|| SeedError::Differs {
                            what: format!("{} {what}", v.id),
                            file,
                            log,
                        })
                    };
                    if let Some(e) = differs("name", v.name.to_string(), have.name.to_string())
                        .or_else(|| {
                            differs(
                                "published",
                                v.published.to_string(),
                                have.published.to_string(),
                            )
                        })
                        .or_else(|| {
                            differs(
                                "publisher",
                                v.publisher.to_string(),
                                have.publisher.to_string(),
                            )
                        })
                    {
                        return Err(e);
                    }
                }
            }
            for r in &v.rates {
                let have = state
                    .vintage(&v.id)
                    .and_then(|have| have.rate(r.series, r.year.year()));
                match have {
                    None => out.push(PriceIndexCommand::StateRate {
                        vintage: v.id.clone(),
                        series: r.series,
                        year: r.year,
                        rate: r.rate,
                        source: r.source.clone(),
                    }),
                    Some(h) if h.rate == r.rate => {}
                    Some(h) => {
                        return Err(SeedError::Differs {
                            what: format!("{} {} {}", v.id, r.series, r.year.year()),
                            file: r.rate.to_string(),
                            log: h.rate.to_string(),
                        })
                    }
                }
            }
            if v.in_use && state.in_use().is_none() {
                out.push(PriceIndexCommand::UseVintage {
                    vintage: v.id.clone(),
                });
            }
        }
        Ok(out)
    }
}
