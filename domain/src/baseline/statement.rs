//! Figures the proposals' prose states, transcribed as document statements so that the check
//! can hold them against the tables ("tekst mod tabel").
//!
//! # Why
//!
//! A committee member reads the prose first: "Med denne case realiseres 10,5 mio. kr." When
//! Tabel 1 says −10.772, one of the two is wrong, and the controller must know before anyone
//! quotes either. The prose is free text, so the figures are transcribed by hand, each with its
//! quote, where it stands and how it is read ([`Statement::reading`]) where the wording allows
//! more than one reading; the check then recomputes the same figure from the tables. The table
//! is the authority: a statement is never used as a figure, only checked.
//!
//! A statement in mio. kr. agrees when the table's figure, rounded as the prose writes it (to
//! its decimals, half away from zero), equals it. A share ("en tredjedel") agrees when the
//! share of the table's figure, rounded to whole 1.000 kr., equals the table's other figure.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ids::PlanLineId;
use crate::vocabulary::ControlArea;

/// One figure the prose states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Where it stands ("Kort resumé", "2. Økonomi").
    pub section: String,
    /// The sentence, verbatim (line-break hyphens joined).
    pub quote: String,
    /// What it claims.
    pub claim: Claim,
    /// How the figure is read, where the wording allows more than one reading.
    pub reading: Option<String>,
}

/// What a statement claims, in the tables' terms. Amounts in mio. kr. keep the sign convention
/// of the tables (savings negative) and the decimals the prose writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "claim", rename_all = "snake_case")]
pub enum Claim {
    /// "Samlet varig ændring" in the full phase-in year.
    PermanentChangeAtFullPhaseIn {
        /// As written, mio. kr.
        mio: Decimal,
    },
    /// The implementation cost over all years, on one control area or on all.
    ImplementationCost {
        /// The control area, where the sentence names one.
        area: Option<ControlArea>,
        /// As written, mio. kr.
        mio: Decimal,
    },
    /// "Samlet økonomisk påvirkning" summed over `from..=to`.
    TotalImpact {
        /// First year.
        from: i32,
        /// Last year.
        to: i32,
        /// As written, mio. kr.
        mio: Decimal,
    },
    /// One plan line's amount in a year is `numerator/denominator` of another's ("hentes med
    /// 2/3 fra 2026", "tilbageføres en tredjedel"), compared in absolute value.
    Share {
        /// The line the share is of the other.
        line: PlanLineId,
        /// Its year.
        year: i32,
        /// The line it is a share of.
        of_line: PlanLineId,
        /// That line's year.
        of_year: i32,
        /// The fraction's numerator.
        numerator: u32,
        /// The fraction's denominator (not zero).
        denominator: u32,
    },
}

impl Claim {
    /// Reads a fraction as the prose writes it: "2/3", "1/3".
    pub fn fraction(input: &str) -> Option<(u32, u32)> {
        let (n, d) = input.trim().split_once('/')?;
        let n: u32 = n.trim().parse().ok()?;
        let d: u32 = d.trim().parse().ok()?;
        (d != 0 && n != 0 && n <= d).then_some((n, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_fraction_is_a_proper_one_as_written() {
        assert_eq!(Claim::fraction("2/3"), Some((2, 3)));
        assert_eq!(Claim::fraction(" 1 / 3 "), Some((1, 3)));
        for bad in ["", "2", "3/2", "1/0", "0/3", "a/b", "1/3/4", "-1/3"] {
            assert_eq!(Claim::fraction(bad), None, "{bad:?}");
        }
    }

    proptest! {
        /// Whatever the text, reading a fraction never panics, and what it accepts is a proper
        /// fraction that prints back to an equal one.
        #[test]
        fn fractions_parse_or_refuse(s in ".{0,12}") {
            if let Some((n, d)) = Claim::fraction(&s) {
                prop_assert!(n >= 1 && n <= d);
                prop_assert_eq!(Claim::fraction(&format!("{n}/{d}")), Some((n, d)));
            }
        }
    }
}
