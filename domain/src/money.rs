//! Money as the budget documents write it: thousands of Danish kroner (1.000 kr.) at a stated
//! price level (p/l), with savings negative. Amounts are `rust_decimal::Decimal` — never floats —
//! and at most three decimals, because 0,001 × 1.000 kr. is one krone: anything finer is a typo
//! or a unit mistake, and accepting it silently would make sums disagree later.
//!
//! Amounts are bounded by [`Amount::MAX_ABS`] (10^12 × 1.000 kr. = 1 billiard kr.): Københavns
//! Kommune's whole yearly budget is about 5 × 10^7 × 1.000 kr. and the Danish state's about
//! 1.3 × 10^9, so the limit refuses nothing real, while a sum of bounded amounts stays exact
//! and cannot overflow `Decimal` (about 7.9 × 10^28) before 10^16 entries. Without it one saving
//! of −79228162514264337593543950335 made every sum over its committee overflow.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why an amount or price level was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a decimal number at all.
    #[error("«{0}» er ikke et beløb: skriv et tal i 1.000 kr., fx -1500 eller 37,5")]
    NotANumber(String),
    /// More than three decimals in 1.000 kr. is finer than one krone.
    #[error(
        "beløbet {0} har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
    )]
    TooPrecise(String),
    /// Beyond the documented limit: a unit mistake or a typing error, never a real amount.
    #[error("beløbet {0} er uden for grænsen ±1.000.000.000.000 (1.000 kr.), dvs. 1 billiard kr., langt over ethvert kommunalt budget: skriv beløbet i 1.000 kr.")]
    TooLarge(String),
    /// Price levels are budget years.
    #[error("prisniveau {0} ligger uden for 2000–2100")]
    PriceLevel(i32),
}

/// An amount in thousands of Danish kroner (1.000 kr.), at most 3 decimals (whole kroner).
///
/// The sign follows the budget documents: savings and reductions are negative, costs positive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Amount(Decimal);

impl Amount {
    /// Zero kroner.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// The largest absolute amount accepted: 10^12 × 1.000 kr. (see the module doc).
    pub const MAX_ABS: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

    /// Accepts a decimal with at most 3 decimals and at most [`Amount::MAX_ABS`] in absolute
    /// value.
    pub fn new(value: Decimal) -> Result<Self, MoneyError> {
        let normalized = value.normalize();
        if normalized.abs() > Self::MAX_ABS {
            Err(MoneyError::TooLarge(value.to_string()))
        } else if normalized.scale() > 3 {
            Err(MoneyError::TooPrecise(value.to_string()))
        } else {
            Ok(Self(normalized))
        }
    }

    /// Parses a plain decimal ("-1500", "37.5"); Danish formatting is the edges' business.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let value = Decimal::from_str(input.trim())
            .or_else(|_| Decimal::from_scientific(input.trim()))
            .map_err(|_| MoneyError::NotANumber(input.to_string()))?;
        Self::new(value)
    }

    /// The value in 1.000 kr.
    #[must_use]
    pub fn value(self) -> Decimal {
        self.0
    }

    /// True for a saving or reduction (negative amount).
    #[must_use]
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// True for a cost (positive amount).
    #[must_use]
    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    /// Sum of amounts; the sum of amounts with ≤ 3 decimals has ≤ 3 decimals. `None` when the
    /// sum is beyond [`Amount::MAX_ABS`].
    #[must_use]
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0
            .checked_add(other.0)
            .and_then(|v| Amount::new(v).ok())
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = MoneyError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Amount> for Decimal {
    fn from(value: Amount) -> Self {
        value.0
    }
}

impl FromStr for Amount {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The price and wage level (pris- og lønniveau, "p/l") an amount is stated at, as a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct PriceLevel(i32);

impl PriceLevel {
    /// A price level year in 2000–2100.
    pub fn new(year: i32) -> Result<Self, MoneyError> {
        if (2000..=2100).contains(&year) {
            Ok(Self(year))
        } else {
            Err(MoneyError::PriceLevel(year))
        }
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for PriceLevel {
    type Error = MoneyError;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<PriceLevel> for i32 {
    fn from(value: PriceLevel) -> Self {
        value.0
    }
}

impl fmt::Display for PriceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} p/l", self.0)
    }
}

/// `value` written the Danish way with exactly its own decimals: `.` between thousands and a
/// decimal comma (`-1.234,50` for a value of scale 2). The one place of Danish digits: the
/// presentation's formatting (`gevinst_api::format`) and the findings' explanations, which are
/// sentences people read, both write numbers with it.
#[must_use]
pub fn danish_digits(value: Decimal) -> String {
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_keep_at_most_three_decimals() {
        assert_eq!(Amount::parse("-1500").unwrap().value(), dec!(-1500));
        assert_eq!(Amount::parse("37.125").unwrap().value(), dec!(37.125));
        assert_eq!(Amount::parse("2.5000").unwrap().value(), dec!(2.5));
        assert_eq!(
            Amount::parse("1.0001").unwrap_err().to_string(),
            "beløbet 1.0001 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
        );
        assert!(matches!(
            Amount::parse("1,5"),
            Err(MoneyError::NotANumber(_))
        ));
    }

    #[test]
    fn amounts_serialise_as_exact_strings() {
        let a = Amount::parse("-0.1").unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"-0.1\"");
        assert!(serde_json::from_str::<Amount>("\"0.0001\"").is_err());
        let b: Amount = serde_json::from_str("\"-1500.25\"").unwrap();
        assert_eq!(b.value(), dec!(-1500.25));
    }

    #[test]
    fn amounts_are_bounded_far_above_any_municipal_budget() {
        assert_eq!(Amount::MAX_ABS, dec!(1_000_000_000_000));
        assert_eq!(
            Amount::parse("-1000000000000").unwrap().value(),
            dec!(-1e12)
        );
        assert_eq!(Amount::parse("1000000000000").unwrap().value(), dec!(1e12));
        for refused in [
            "-79228162514264337593543950335",
            "79228162514264337593543950335",
            "-1000000000000.001",
            "1e13",
        ] {
            assert!(
                matches!(Amount::parse(refused), Err(MoneyError::TooLarge(_))),
                "{refused}"
            );
        }
        assert_eq!(
            Amount::parse("-79228162514264337593543950335").unwrap_err().to_string(),
            "beløbet -79228162514264337593543950335 er uden for grænsen ±1.000.000.000.000 (1.000 kr.), dvs. 1 billiard kr., langt over ethvert kommunalt budget: skriv beløbet i 1.000 kr."
        );
        assert!(serde_json::from_str::<Amount>("\"-79228162514264337593543950335\"").is_err());
        let max = Amount::new(Amount::MAX_ABS).unwrap();
        assert_eq!(max.checked_add(Amount::parse("0.001").unwrap()), None);
    }

    #[test]
    fn sums_parsed_amounts_and_price_levels_keep_their_value() {
        // Killed mutants: checked_add -> None / Some(0), from_str -> Ok(0), Display -> "".
        let a: Amount = "-149.5".parse().unwrap();
        assert_eq!(a.value(), dec!(-149.5));
        let sum = a.checked_add(Amount::parse("50.25").unwrap()).unwrap();
        assert_eq!(sum.value(), dec!(-99.25));
        assert_eq!(PriceLevel::new(2024).unwrap().to_string(), "2024 p/l");
    }

    #[test]
    fn price_levels_are_plausible_years() {
        assert!(PriceLevel::new(2025).is_ok());
        assert_eq!(
            PriceLevel::new(25).unwrap_err().to_string(),
            "prisniveau 25 ligger uden for 2000–2100"
        );
    }

    proptest! {
        #[test]
        fn amount_parse_never_panics(s in "\\PC*") {
            let _ = Amount::parse(&s);
        }

        #[test]
        fn amounts_beyond_the_limit_are_refused(units in any::<i64>(), scale in 0u32..=3) {
            let d = Decimal::new(units, scale);
            prop_assert_eq!(Amount::new(d).is_ok(), d.abs() <= Amount::MAX_ABS);
        }

        #[test]
        fn amount_roundtrips(units in -10_000_000_000i64..10_000_000_000i64, scale in 0u32..=3) {
            let d = Decimal::new(units, scale);
            let a = Amount::new(d).unwrap();
            let json = serde_json::to_string(&a).unwrap();
            let back: Amount = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, a);
            prop_assert_eq!(back.value(), d);
        }
    }
}
