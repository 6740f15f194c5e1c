//! Each argument read into its domain type, here at the edge, and refused with that type's own
//! message (`--amount: …`): the amounts the Danish or the plain way, dates ISO or Danish,
//! plan sections, plan files, and the money arguments completed from the proposal's plan.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use gevinst_domain::proposal::{
    BudgetAdjustment, Fact, Forecast, IncurredCost, Plan, PlanSection, Proposal, ProposalError,
    ProposalEvent, RealisedSaving,
};
use gevinst_domain::{Amount, ControlArea, MoneyError, PlanLineId, PriceLevel, ProposalId};
use gevinst_projections::ProposalService;

use super::{MoneyArgs, RecordError};

/// Why an amount as typed was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountInputError {
    /// `1.234` reads as 1234 (Danish thousands) and as 1.234 (decimal point).
    #[error("«{input}» er tvetydigt: skriv {whole} (eller {input},0) for heltallet eller {decimal} for decimaltallet")]
    Ambiguous {
        /// As typed.
        input: String,
        /// The Danish-thousands reading, written plainly.
        whole: String,
        /// The decimal-point reading, written the Danish way.
        decimal: String,
    },
    /// Thousands separators not in groups of three.
    #[error("«{0}» har tusindtalsseparatorer de forkerte steder: skriv fx -1.234.567,5 eller -1234567.5")]
    Grouping(String),
    /// Not a number, or too precise.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Reads an amount in 1.000 kr. written plainly (`-1234.5`) or the Danish way (`-1.234,5`,
/// `-1.234`), refusing input that reads both ways and anything finer than one krone.
pub fn parse_amount(input: &str) -> Result<Amount, AmountInputError> {
    let not_a_number = || AmountInputError::Money(MoneyError::NotANumber(input.to_string()));
    let trimmed = input.trim().replace('\u{2212}', "-");
    let (sign, body) = match trimmed.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", trimmed.strip_prefix('+').unwrap_or(trimmed.as_str())),
    };
    let grouped = |int: &str| -> Result<String, AmountInputError> {
        let groups: Vec<&str> = int.split('.').collect();
        let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
        let ok = groups.iter().all(|g| digits(g))
            && groups
                .first()
                .is_some_and(|g| g.len() <= 3 && !g.starts_with('0'))
            && groups.iter().skip(1).all(|g| g.len() == 3);
        if ok {
            Ok(groups.concat())
        } else {
            Err(AmountInputError::Grouping(input.to_string()))
        }
    };
    let plain = match body.split_once(',') {
        Some((int, frac)) => {
            if int.is_empty() || frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_a_number());
            }
            let int = if int.contains('.') {
                grouped(int)?
            } else {
                int.to_string()
            };
            format!("{sign}{int}.{frac}")
        }
        None if body.matches('.').count() > 1 => format!("{sign}{}", grouped(body)?),
        None => {
            if let Some((int, frac)) = body.split_once('.') {
                let looks_grouped = frac.len() == 3
                    && (1..=3).contains(&int.len())
                    && !int.starts_with('0')
                    && format!("{int}{frac}").bytes().all(|b| b.is_ascii_digit());
                if looks_grouped {
                    return Err(AmountInputError::Ambiguous {
                        input: input.trim().to_string(),
                        whole: format!("{sign}{int}{frac}"),
                        decimal: format!("{sign}{int},{frac}"),
                    });
                }
            }
            format!("{sign}{body}")
        }
    };
    match Amount::parse(&plain) {
        Err(MoneyError::NotANumber(_)) => Err(not_a_number()),
        other => Ok(other?),
    }
}

pub(super) fn invalid(argument: &'static str) -> impl Fn(String) -> RecordError {
    move |message| RecordError::InvalidArgument { argument, message }
}

pub(super) fn parse<T>(argument: &'static str, input: &str) -> Result<T, RecordError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    input
        .parse::<T>()
        .map_err(|e| invalid(argument)(e.to_string()))
}

pub(super) fn parse_opt<T>(
    argument: &'static str,
    input: Option<&String>,
) -> Result<Option<T>, RecordError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    input.map(|s| parse(argument, s)).transpose()
}

/// Reads `2025-09-30` (or the Danish `30.09.2025`).
pub(super) fn parse_date(argument: &'static str, input: &str) -> Result<NaiveDate, RecordError> {
    let t = input.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .map_err(|_| {
            invalid(argument)(format!(
                "«{input}» er ikke en dato: skriv den som 2025-09-30 (eller 30.09.2025)"
            ))
        })
}

pub(super) fn amount(argument: &'static str, input: &str) -> Result<Amount, RecordError> {
    parse_amount(input).map_err(|e| invalid(argument)(e.to_string()))
}

/// The proposal's current state, for defaults and corrections; an unknown proposal is refused
/// as the aggregate would refuse it.
pub(super) async fn load(
    service: &ProposalService,
    id: &ProposalId,
) -> Result<std::sync::Arc<Proposal>, RecordError> {
    let state = service.load(id).await?;
    if state.identity().is_none() {
        return Err(RecordError::Refused {
            proposal: id.to_string(),
            error: ProposalError::UnknownProposal,
        });
    }
    Ok(state)
}

/// `--price-level`, or the proposal's own.
pub(super) fn price_level(
    given: Option<i32>,
    proposal: &Proposal,
) -> Result<PriceLevel, RecordError> {
    match given {
        Some(year) => PriceLevel::new(year).map_err(|e| invalid("--price-level")(e.to_string())),
        None => proposal
            .identity()
            .map(|i| i.price_level)
            .ok_or(RecordError::MissingArgument("--price-level skal angives")),
    }
}

/// A parsed `MoneyArgs` with its plan line, and the proposal's state for what depends on it.
pub(super) struct Money {
    pub(super) amount: Amount,
    pub(super) plan_line: Option<PlanLineId>,
    pub(super) effective_on: NaiveDate,
    pub(super) price_level: PriceLevel,
    pub(super) control_area: ControlArea,
    pub(super) state: std::sync::Arc<Proposal>,
}

impl MoneyArgs {
    /// Parses the amount, plan line and date, then fills the price level and control area
    /// from the proposal where they were not given.
    pub(super) async fn parse(
        &self,
        service: &ProposalService,
        id: &ProposalId,
        plan_line: Option<&String>,
    ) -> Result<Money, RecordError> {
        let amount = amount("--amount", &self.amount)?;
        let plan_line = parse_opt::<PlanLineId>("--plan-line", plan_line)?;
        let effective_on = parse_date("--date", &self.date)?;
        let state = load(service, id).await?;
        Ok(Money {
            price_level: price_level(self.price_level, &state)?,
            control_area: control_area(self.control_area.as_ref(), plan_line.as_ref(), &state)?,
            amount,
            plan_line,
            effective_on,
            state,
        })
    }
}

/// `--control-area`, or the plan line's.
pub(super) fn control_area(
    given: Option<&String>,
    line: Option<&PlanLineId>,
    proposal: &Proposal,
) -> Result<ControlArea, RecordError> {
    if let Some(area) = parse_opt("--control-area", given)? {
        return Ok(area);
    }
    line.and_then(|l| proposal.current_plan()?.line(l))
        .map(|l| l.control_area)
        .ok_or(RecordError::MissingArgument(
            "--control-area skal angives, medmindre --plan-line peger på en linje i den gældende plan",
        ))
}

pub(super) fn parse_section(input: &str) -> Result<PlanSection, RecordError> {
    let t = input.trim().to_lowercase().replace('-', "_");
    match t.as_str() {
        "varig" | "varig_ændring" | "effektivisering" | "permanent_change" | "saving" => {
            Ok(PlanSection::PermanentChange)
        }
        "implementering" | "implementeringsomkostninger" | "implementation_cost" | "cost" => {
            Ok(PlanSection::ImplementationCost)
        }
        "tilbagebetaling" | "loan_repayment" => Ok(PlanSection::LoanRepayment),
        _ => Err(invalid("--section")(format!(
            "«{input}» er ikke en del af planen; brug en af: varig, implementering, tilbagebetaling"
        ))),
    }
}

pub(super) fn with_amount(fact: &Fact, amount: Amount, sequence: u64) -> Result<Fact, RecordError> {
    Ok(match fact {
        Fact::SavingRealised(f) => Fact::SavingRealised(RealisedSaving {
            amount,
            ..f.clone()
        }),
        Fact::ImplementationCostIncurred(f) => Fact::ImplementationCostIncurred(IncurredCost {
            amount,
            ..f.clone()
        }),
        Fact::ForecastUpdated(f) => Fact::ForecastUpdated(Forecast {
            amount,
            ..f.clone()
        }),
        Fact::BudgetAdjusted(f) => Fact::BudgetAdjusted(BudgetAdjustment {
            amount,
            ..f.clone()
        }),
        other => {
            return Err(RecordError::NoAmountToReplace {
                sequence,
                kind: ProposalEvent::label_of(other.kind()).unwrap_or(other.kind()),
            })
        }
    })
}

pub(super) fn proposal_id(input: &str) -> Result<ProposalId, RecordError> {
    parse("PROPOSAL", input)
}

pub(super) fn plan_file(path: &PathBuf) -> Result<Plan, RecordError> {
    let problem = |problem: String| RecordError::PlanFile {
        path: path.clone(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| problem(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| problem(format!("ikke en plan i JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ok(s: &str) -> rust_decimal::Decimal {
        parse_amount(s).unwrap().value()
    }

    #[test]
    fn plain_and_danish_amounts_are_read_alike() {
        assert_eq!(ok("-1234.5"), dec!(-1234.5));
        assert_eq!(ok("-1.234,5"), dec!(-1234.5));
        assert_eq!(ok("-1234,5"), dec!(-1234.5));
        assert_eq!(ok("-400"), dec!(-400));
        assert_eq!(ok("1.234.567"), dec!(1234567));
        assert_eq!(ok("-1.234.567,125"), dec!(-1234567.125));
        assert_eq!(ok("0.125"), dec!(0.125));
        assert_eq!(ok("37.5"), dec!(37.5));
        assert_eq!(ok("1234.567"), dec!(1234.567));
        assert_eq!(ok(" −350 "), dec!(-350));
        assert_eq!(ok("+12,25"), dec!(12.25));
    }

    #[test]
    fn ambiguous_and_malformed_amounts_are_refused_with_reasons() {
        assert_eq!(
            parse_amount("1.234").unwrap_err().to_string(),
            "«1.234» er tvetydigt: skriv 1234 (eller 1.234,0) for heltallet eller 1,234 for decimaltallet"
        );
        assert_eq!(
            parse_amount("-12.34.5").unwrap_err(),
            AmountInputError::Grouping("-12.34.5".into())
        );
        assert_eq!(
            parse_amount("1.23,5").unwrap_err(),
            AmountInputError::Grouping("1.23,5".into())
        );
        assert_eq!(
            parse_amount("-400,1234").unwrap_err().to_string(),
            "beløbet -400.1234 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
        );
        assert_eq!(
            parse_amount("-400.1234").unwrap_err().to_string(),
            "beløbet -400.1234 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
        );
        for bad in [
            "", "-", "abc", "1,2,3", "1,", ",5", "--1", "1.2.3,x", "1 000",
        ] {
            assert!(
                matches!(
                    parse_amount(bad),
                    Err(AmountInputError::Money(MoneyError::NotANumber(_))
                        | AmountInputError::Grouping(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn dates_read_iso_and_danish() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
        assert_eq!(parse_date("--date", "2025-09-30").unwrap(), d);
        assert_eq!(parse_date("--date", "30.09.2025").unwrap(), d);
        assert_eq!(
            parse_date("--date", "30/9").unwrap_err().to_string(),
            "--date: «30/9» er ikke en dato: skriv den som 2025-09-30 (eller 30.09.2025)"
        );
    }

    #[test]
    fn sections_read_danish_and_english() {
        assert_eq!(
            parse_section("varig").unwrap(),
            PlanSection::PermanentChange
        );
        assert_eq!(
            parse_section("implementation-cost").unwrap(),
            PlanSection::ImplementationCost
        );
        assert!(parse_section("x").is_err());
    }
}
