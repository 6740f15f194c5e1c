//! Danish number formatting for tables people read: thousands separator `.`, decimal comma
//! (`-1.234,5`), and for the CSV exports the decimal comma alone (`-1234,5`, which Excel with
//! Danish regional settings reads as a number). JSON keeps plain decimals (`-1234.5`) for
//! machines, so this is only ever applied at rendering time.

use rust_decimal::Decimal;

/// Formats `value` the Danish way, keeping its decimals (trailing zeros dropped).
#[must_use]
pub fn danish(value: Decimal) -> String {
    gevinst_domain::money::danish_digits(value.normalize())
}

/// Formats `value` the Danish way with exactly `decimals` decimals (rounded half away from zero).
#[must_use]
pub fn danish_fixed(value: Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(
        decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    let plain = danish(rounded);
    if decimals == 0 {
        return plain;
    }
    let (int, frac) = plain.split_once(',').unwrap_or((plain.as_str(), ""));
    let width = usize::try_from(decimals).unwrap_or(0);
    format!("{int},{frac:0<width$}")
}

/// Formats `value` with a decimal comma and no thousands separator (`-1234,5`), keeping its
/// decimals (trailing zeros dropped): a cell a Danish spreadsheet reads as a number.
#[must_use]
pub fn decimal_comma(value: Decimal) -> String {
    let normalized = value.normalize();
    let text = if normalized.is_zero() {
        "0".to_string()
    } else {
        normalized.to_string()
    };
    text.replace('.', ",")
}

/// A percentage as publishers write it: one decimal at least (`4,0`), two where stated (`3,25`).
#[must_use]
pub fn percent(value: Decimal) -> String {
    let decimals = value.normalize().scale().max(1);
    danish_fixed(value, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn thousands_get_dots_and_decimals_a_comma() {
        assert_eq!(danish(dec!(-1234.5)), "-1.234,5");
        assert_eq!(danish(dec!(1234567)), "1.234.567");
        assert_eq!(danish(dec!(999)), "999");
        assert_eq!(danish(dec!(-0.250)), "-0,25");
        assert_eq!(danish(dec!(0)), "0");
        assert_eq!(danish(dec!(-1000)), "-1.000");
    }

    #[test]
    fn a_decimal_comma_without_grouping() {
        assert_eq!(decimal_comma(dec!(-1234.50)), "-1234,5");
        assert_eq!(decimal_comma(dec!(1234567)), "1234567");
        assert_eq!(decimal_comma(dec!(-0.000)), "0");
        assert_eq!(decimal_comma(dec!(0.25)), "0,25");
    }

    #[test]
    fn fixed_decimals_round_half_away_from_zero() {
        assert_eq!(danish_fixed(dec!(-93.75), 1), "-93,8");
        assert_eq!(danish_fixed(dec!(11.2), 2), "11,20");
        assert_eq!(danish_fixed(dec!(1499.5), 0), "1.500");
    }

    #[test]
    fn percentages_keep_one_decimal_at_least() {
        assert_eq!(percent(dec!(4)), "4,0");
        assert_eq!(percent(dec!(2.8)), "2,8");
        assert_eq!(percent(dec!(3.25)), "3,25");
        assert_eq!(percent(dec!(-0.5)), "-0,5");
    }
}
