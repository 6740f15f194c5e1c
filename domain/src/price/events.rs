//! The price index's commands, events and rules (aggregate `price_index`, one stream).
//!
//! A rate is stated once per vintage, series and year; a wrong one is corrected by an event
//! that names the rate it replaces and why, never overwritten. A publisher's revision of past
//! years is a new vintage, not a correction: both stay readable, and a report names the one it
//! used.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::{
    IndexSeries, PriceIndex, Rate, SourceText, StatedRate, Vintage, VintageId, VintageName,
};
use crate::money::PriceLevel;
use crate::vocabulary::Reason;

/// A command on the price-index stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceIndexCommand {
    /// Register a published estimate.
    RegisterVintage {
        /// Its code.
        vintage: VintageId,
        /// Its name.
        name: VintageName,
        /// When it was published.
        published: NaiveDate,
        /// Who published it.
        publisher: SourceText,
    },
    /// State one of its yearly rates.
    StateRate {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year the change leads to.
        year: PriceLevel,
        /// The change.
        rate: Rate,
        /// Where it was read.
        source: SourceText,
    },
    /// Correct a mistyped rate.
    CorrectRate {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year.
        year: PriceLevel,
        /// The right rate.
        rate: Rate,
        /// Where it was read.
        source: SourceText,
        /// Why.
        reason: Reason,
    },
    /// Use this vintage for every conversion from now on.
    UseVintage {
        /// The vintage.
        vintage: VintageId,
    },
}

/// An event on the price-index stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriceIndexEvent {
    /// A published estimate was registered.
    VintageRegistered {
        /// Its code.
        vintage: VintageId,
        /// Its name.
        name: VintageName,
        /// When it was published.
        published: NaiveDate,
        /// Who published it.
        publisher: SourceText,
    },
    /// A yearly rate of a vintage was stated.
    RateStated {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year the change leads to.
        year: PriceLevel,
        /// The change.
        rate: Rate,
        /// Where it was read.
        source: SourceText,
    },
    /// A stated rate was corrected.
    RateCorrected {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year.
        year: PriceLevel,
        /// The right rate.
        rate: Rate,
        /// Where it was read.
        source: SourceText,
        /// The rate it replaces.
        replaces: Rate,
        /// Why.
        reason: Reason,
    },
    /// A vintage was taken into use for conversions.
    VintageTakenIntoUse {
        /// The vintage.
        vintage: VintageId,
        /// The vintage in use before, if any.
        replaces: Option<VintageId>,
    },
}

impl PriceIndexEvent {
    /// Each kind's stored type name and Danish name, for people reading the history.
    pub const LABELS: &'static [(&'static str, &'static str)] = &[
        ("PriceVintageRegistered", "Prisskøn registreret"),
        ("PriceRateStated", "Sats registreret"),
        ("PriceRateCorrected", "Sats rettet"),
        ("PriceVintageTakenIntoUse", "Prisskøn taget i brug"),
    ];

    /// The Danish name of a stored type, if it is a price-index event's.
    #[must_use]
    pub fn label_of(event_type: &str) -> Option<&'static str> {
        crate::vocabulary::label_in(Self::LABELS, event_type)
    }
}

impl DomainEvent for PriceIndexEvent {
    fn event_type(&self) -> String {
        match self {
            PriceIndexEvent::VintageRegistered { .. } => "PriceVintageRegistered",
            PriceIndexEvent::RateStated { .. } => "PriceRateStated",
            PriceIndexEvent::RateCorrected { .. } => "PriceRateCorrected",
            PriceIndexEvent::VintageTakenIntoUse { .. } => "PriceVintageTakenIntoUse",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a price-index command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceIndexError {
    /// The code is taken.
    #[error("skønnet «{0}» er allerede registreret")]
    VintageExists(VintageId),
    /// No such vintage.
    #[error("der findes intet skøn «{0}»; registrér det først")]
    UnknownVintage(VintageId),
    /// A publication date we do not believe.
    #[error("udgivelsesdatoen {0} ligger uden for 2000–2100")]
    Published(NaiveDate),
    /// The rate is stated already.
    #[error("«{vintage}» har allerede et {} for {year} ({rate} %); ret det med en begrundelse i stedet", series.danish())]
    AlreadyStated {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year.
        year: i32,
        /// The rate it has.
        rate: Rate,
    },
    /// Nothing to correct.
    #[error("«{vintage}» har intet {} for {year} at rette; registrér satsen i stedet", series.danish())]
    NotStated {
        /// The vintage.
        vintage: VintageId,
        /// The series.
        series: IndexSeries,
        /// The year.
        year: i32,
    },
    /// A correction that changes nothing.
    #[error("satsen er allerede {0} %; en rettelse skal ændre noget")]
    Unchanged(Rate),
    /// The vintage is in use already.
    #[error("skønnet «{0}» er allerede i brug")]
    AlreadyInUse(VintageId),
}

impl PriceIndex {
    /// The events `command` produces, or why not.
    pub fn decide_command(
        &self,
        command: PriceIndexCommand,
    ) -> Result<Vec<PriceIndexEvent>, PriceIndexError> {
        let known = |id: &VintageId| {
            self.vintages
                .get(id)
                .ok_or_else(|| PriceIndexError::UnknownVintage(id.clone()))
        };
        Ok(vec![match command {
            PriceIndexCommand::RegisterVintage {
                vintage,
                name,
                published,
                publisher,
            } => {
                if self.vintages.contains_key(&vintage) {
                    return Err(PriceIndexError::VintageExists(vintage));
                }
                if !(2000..=2100).contains(&published.year()) {
                    return Err(PriceIndexError::Published(published));
                }
                PriceIndexEvent::VintageRegistered {
                    vintage,
                    name,
                    published,
                    publisher,
                }
            }
            PriceIndexCommand::StateRate {
                vintage,
                series,
                year,
                rate,
                source,
            } => {
                if let Some(stated) = known(&vintage)?.rate(series, year.year()) {
                    return Err(PriceIndexError::AlreadyStated {
                        vintage,
                        series,
                        year: year.year(),
                        rate: stated.rate,
                    });
                }
                PriceIndexEvent::RateStated {
                    vintage,
                    series,
                    year,
                    rate,
                    source,
                }
            }
            PriceIndexCommand::CorrectRate {
                vintage,
                series,
                year,
                rate,
                source,
                reason,
            } => {
                let Some(stated) = known(&vintage)?.rate(series, year.year()) else {
                    return Err(PriceIndexError::NotStated {
                        vintage,
                        series,
                        year: year.year(),
                    });
                };
                if stated.rate == rate {
                    return Err(PriceIndexError::Unchanged(rate));
                }
                PriceIndexEvent::RateCorrected {
                    vintage,
                    series,
                    year,
                    rate,
                    source,
                    replaces: stated.rate,
                    reason,
                }
            }
            PriceIndexCommand::UseVintage { vintage } => {
                known(&vintage)?;
                if self.in_use.as_ref() == Some(&vintage) {
                    return Err(PriceIndexError::AlreadyInUse(vintage));
                }
                PriceIndexEvent::VintageTakenIntoUse {
                    replaces: self.in_use.clone(),
                    vintage,
                }
            }
        }])
    }

    /// Folds one event in.
    pub fn fold(&mut self, event: PriceIndexEvent) {
        match event {
            PriceIndexEvent::VintageRegistered {
                vintage,
                name,
                published,
                publisher,
            } => {
                Arc::make_mut(&mut self.vintages).insert(
                    vintage.clone(),
                    Vintage {
                        id: vintage,
                        name,
                        published,
                        publisher,
                        rates: Default::default(),
                    },
                );
            }
            PriceIndexEvent::RateStated {
                vintage,
                series,
                year,
                rate,
                source,
            } => self.set_rate(&vintage, series, year, rate, source, None),
            PriceIndexEvent::RateCorrected {
                vintage,
                series,
                year,
                rate,
                source,
                replaces,
                ..
            } => self.set_rate(&vintage, series, year, rate, source, Some(replaces)),
            PriceIndexEvent::VintageTakenIntoUse { vintage, .. } => self.in_use = Some(vintage),
        }
    }

    fn set_rate(
        &mut self,
        vintage: &VintageId,
        series: IndexSeries,
        year: PriceLevel,
        rate: Rate,
        source: SourceText,
        corrects: Option<Rate>,
    ) {
        if let Some(v) = Arc::make_mut(&mut self.vintages).get_mut(vintage) {
            v.rates.entry(series).or_default().insert(
                year.year(),
                StatedRate {
                    rate,
                    source,
                    corrects,
                },
            );
        }
    }
}

impl Aggregate for PriceIndex {
    const TYPE: &'static str = "price_index";
    type Command = PriceIndexCommand;
    type Event = PriceIndexEvent;
    type Error = PriceIndexError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide_command(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.fold(event);
    }
}
