//! The two times every report is computed at, so an auditor can tell a correction from a
//! change of mind:
//!
//! - **`as_of`** (forretningsdato, the business date): an entry counts only if its effective
//!   date is on or before it — an achievement dated 2026 is not shown as of 2025-06-30;
//! - **`known_on`** (registreringstid, the recorded time): only events recorded at or before it
//!   exist — a proposal registered later, a plan revision or a correction recorded later have
//!   not happened yet. Absent, everything recorded so far counts.
//!
//! `known_on` is written as an RFC 3339 instant (`2026-03-01T12:00:00Z`, any offset) or as a
//! date `YYYY-MM-DD`, which means *the end of that day in Copenhagen* (Europe/Copenhagen,
//! with summer time): the municipality's working day, not UTC's.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Serialize, Serializer};

/// A recorded time to read the log at: everything recorded at or before [`KnownOn::instant`].
/// Keeps the text it was written as, so pages and links show what the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownOn {
    instant: DateTime<Utc>,
    text: String,
}

/// Why a `known_on` value could not be read (the message is Danish: it is shown to people).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "«{0}» er ikke en gyldig registreringstid. Skriv en dato som ÅÅÅÅ-MM-DD (slutningen af dagen, \
     dansk tid), fx 2026-03-01, eller et tidspunkt efter RFC 3339, fx 2026-03-01T12:00:00Z."
)]
pub struct KnownOnError(pub String);

impl KnownOn {
    /// Reads `YYYY-MM-DD` (the end of that day in Copenhagen) or an RFC 3339 instant.
    pub fn parse(raw: &str) -> Result<Self, KnownOnError> {
        let text = raw.trim();
        let bad = || KnownOnError(raw.to_string());
        let instant = if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            at.with_timezone(&Utc)
        } else {
            let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
            end_of_day_in_copenhagen(day).ok_or_else(bad)?
        };
        Ok(Self {
            instant,
            text: text.to_string(),
        })
    }

    /// Exactly `instant` (written as RFC 3339 UTC).
    #[must_use]
    pub fn at(instant: DateTime<Utc>) -> Self {
        Self {
            instant,
            text: instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        }
    }

    /// The last instant that counts.
    #[must_use]
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// The text it was written as (`2026-03-01` or an instant).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The last nanosecond of `day` in Copenhagen: midnight starting the next day there, less 1 ns.
fn end_of_day_in_copenhagen(day: NaiveDate) -> Option<DateTime<Utc>> {
    let next = day.checked_add_days(Days::new(1))?.and_hms_opt(0, 0, 0)?;
    // Midnight is never skipped or repeated in Copenhagen (changes happen at 02:00/03:00).
    let start = Copenhagen.from_local_datetime(&next).earliest()?;
    Some(start.with_timezone(&Utc) - TimeDelta::nanoseconds(1))
}

impl fmt::Display for KnownOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for KnownOn {
    /// As the instant, RFC 3339 UTC: what a machine compares.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.instant.serialize(s)
    }
}

/// The two times a report is computed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// The business date: no entry effective after it counts.
    pub as_of: NaiveDate,
    /// The recorded time: no event recorded after it exists. `None`: everything recorded.
    pub known_on: Option<KnownOn>,
}

impl View {
    /// The business date a report is as of when none is asked for: today (UTC). The one
    /// definition, so that what `serve` computes as it starts is what the reads ask for.
    #[must_use]
    pub fn today() -> NaiveDate {
        Utc::now().date_naive()
    }

    /// As of `as_of`, with everything recorded so far.
    #[must_use]
    pub fn as_of(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            known_on: None,
        }
    }

    /// The instant `known_on` stands for, if any.
    #[must_use]
    pub fn known_instant(&self) -> Option<DateTime<Utc>> {
        self.known_on.as_ref().map(KnownOn::instant)
    }

    /// Danish, for pages and tables: "pr. 2025-06-30 (forretningsdato), som kendt 2026-03-01
    /// (registreringstid)", or "…, som kendt nu (registreringstid)".
    #[must_use]
    pub fn danish(&self) -> String {
        let known = self
            .known_on
            .as_ref()
            .map_or_else(|| "nu".to_string(), ToString::to_string);
        format!(
            "pr. {} (forretningsdato), som kendt {known} (registreringstid)",
            self.as_of
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_date_means_the_end_of_that_day_in_copenhagen() {
        // Winter (CET, UTC+1) and summer (CEST, UTC+2).
        let winter = KnownOn::parse("2026-03-01").unwrap();
        assert_eq!(winter.instant(), utc("2026-03-01T22:59:59.999999999Z"));
        assert_eq!(winter.to_string(), "2026-03-01");
        let summer = KnownOn::parse("2025-06-30").unwrap();
        assert_eq!(summer.instant(), utc("2025-06-30T21:59:59.999999999Z"));
        // The day summer time starts (23 hours) and ends (25 hours).
        assert_eq!(
            KnownOn::parse("2026-03-29").unwrap().instant(),
            utc("2026-03-29T21:59:59.999999999Z")
        );
        assert_eq!(
            KnownOn::parse("2026-10-25").unwrap().instant(),
            utc("2026-10-25T22:59:59.999999999Z")
        );
    }

    #[test]
    fn an_instant_is_taken_exactly_in_any_offset() {
        let k = KnownOn::parse("2026-03-01T12:00:00+01:00").unwrap();
        assert_eq!(k.instant(), utc("2026-03-01T11:00:00Z"));
        assert_eq!(k.as_str(), "2026-03-01T12:00:00+01:00");
        assert_eq!(
            KnownOn::parse(" 2026-03-01T11:00:00.5Z ")
                .unwrap()
                .instant(),
            utc("2026-03-01T11:00:00.5Z")
        );
    }

    #[test]
    fn bad_input_is_a_danish_error_naming_the_input() {
        for raw in [
            "",
            "i går",
            "2026-13-01",
            "2026-02-30",
            "2026-03-01T25:00:00Z",
            "1/3-2026",
        ] {
            let e = KnownOn::parse(raw).unwrap_err();
            assert_eq!(e, KnownOnError(raw.to_string()));
            assert!(e.to_string().contains("ikke en gyldig registreringstid"));
            assert!(e.to_string().contains(&format!("«{raw}»")));
        }
    }

    #[test]
    fn the_view_says_which_times_it_shows() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        assert_eq!(
            View::as_of(d).danish(),
            "pr. 2025-06-30 (forretningsdato), som kendt nu (registreringstid)"
        );
        let v = View {
            as_of: d,
            known_on: Some(KnownOn::parse("2026-03-01").unwrap()),
        };
        assert_eq!(
            v.danish(),
            "pr. 2025-06-30 (forretningsdato), som kendt 2026-03-01 (registreringstid)"
        );
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            serde_json::json!({"as_of": "2025-06-30", "known_on": "2026-03-01T22:59:59.999999999Z"})
        );
    }
}
