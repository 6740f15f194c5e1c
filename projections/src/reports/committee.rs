//! The committee-status rule set (KK's categories for investment-pool proposals), as data.
//!
//! # Why it is data
//!
//! The status a committee reads decides whether a director is asked to explain a proposal. So the
//! rules must be written down where a controller can read and argue with them, not scattered
//! through `if`s: [`RULES`] is an ordered table, the first rule whose condition holds decides the
//! category, and every status names the rule that decided it (`rule`) next to the reasons. The
//! evaluation ([`judge`]) is pure: the portfolio gathers [`Findings`] from the read models, and
//! this module never touches the store, so each rule is unit-tested here.
//!
//! # The rules, in order (the first that holds decides)
//!
//! | code | category | condition |
//! |---|---|---|
//! | `not_adopted` | ikke vurderet | the budget agreement did not adopt it: it is not followed up |
//! | `awaiting_decision` | ikke vurderet | no budget decision is recorded yet (indstillet) |
//! | `confidential` | ikke vurderet | the proposal is confidential: only its public summary row is known |
//! | `material_problem` | rød | a material problem that no compensating action names |
//! | `problem_answered_or_immaterial` | forsinket med kompenserende handlinger | problems, each answered by a compensating action naming it or below the materiality threshold |
//! | `missing_reports` | ikke vurderet | an ended checkpoint or year with nothing reported |
//! | `innovation_outcome` | fuldt implementeret | an innovation proposal or pre-study with a recorded outcome |
//! | `fully_implemented` | fuldt implementeret | every goal achieved or cancelled, and savings realised at full phase-in |
//! | `undated` | ikke vurderet | a goal without a date (so it cannot be judged) |
//! | `on_plan` | følger plan | otherwise |
//!
//! A **problem** is an overdue goal (the owner reported, and it was not achieved: always
//! material) or an ended year whose savings fell short of the plan. A shortfall is judged on the
//! *verified* figure where the year has one, else on the reported figure (and says so); it is
//! **material** when it is at least [`Materiality::min_amount`] *and* at least
//! [`Materiality::min_share`] of the year's planned saving (default 100 t.kr. and 5 %, set per
//! report). A compensating action answers only the goal or year it names; one naming neither
//! moves nothing. Innovation proposals and pre-studies are judged on their learning goals and
//! outcome, never on savings.
//!
//! "ikke vurderet" always says why ([`NotAssessed`]). The decision comes first: a proposal the
//! budget agreement has not (yet) adopted is not judged at all, whatever its figures say (see
//! `super::decision`).

use rust_decimal::Decimal;
use serde::Serialize;

/// The status categories reported to committees. People read [`Category::danish`]; JSON
/// carries the stable English codes below, never a transliteration of the Danish word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Category {
    /// Fuldt implementeret.
    #[serde(rename = "fully_implemented")]
    FuldtImplementeret,
    /// Følger plan.
    #[serde(rename = "on_track")]
    FoelgerPlan,
    /// Forsinket med kompenserende handlinger.
    #[serde(rename = "delayed_with_compensating_actions")]
    ForsinketMedKompenserendeHandlinger,
    /// Rød.
    #[serde(rename = "red")]
    Roed,
    /// Ikke vurderet: the figures or dates needed to judge are missing (see [`NotAssessed`]).
    #[serde(rename = "not_assessed")]
    IkkeVurderet,
}

impl Category {
    /// Every category, in the order the overview lists them: what needs attention first.
    pub const ALL: [Category; 5] = [
        Category::Roed,
        Category::ForsinketMedKompenserendeHandlinger,
        Category::IkkeVurderet,
        Category::FoelgerPlan,
        Category::FuldtImplementeret,
    ];

    /// The Danish label.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Category::FuldtImplementeret => "fuldt implementeret",
            Category::FoelgerPlan => "følger plan",
            Category::ForsinketMedKompenserendeHandlinger => {
                "forsinket med kompenserende handlinger"
            }
            Category::Roed => "rød",
            Category::IkkeVurderet => "ikke vurderet",
        }
    }
}

/// Why a proposal is not assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAssessed {
    /// No budget decision is recorded yet.
    AwaitingDecision,
    /// The budget agreement did not adopt it.
    NotAdopted,
    /// Confidential: only the public summary row is known.
    Confidential,
    /// Ended checkpoints or years with nothing reported.
    MissingReports,
    /// Goals without a date.
    Undated,
}

impl NotAssessed {
    /// The Danish label.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            NotAssessed::AwaitingDecision => "afventer budgetbeslutning",
            NotAssessed::NotAdopted => "ikke vedtaget",
            NotAssessed::Confidential => "fortroligt forslag",
            NotAssessed::MissingReports => "mangler indberetning",
            NotAssessed::Undated => "mål uden dato",
        }
    }
}

/// When a shortfall is material (decides red against yellow). Amounts in 1.000 kr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Materiality {
    /// The smallest material shortfall, 1.000 kr.
    pub min_amount: Decimal,
    /// The smallest material shortfall as a share of the year's planned saving (0,05 = 5 %).
    pub min_share: Decimal,
}

impl Default for Materiality {
    /// 100 t.kr. and 5 % of the year's plan: a rounding difference or a one-off invoice is not
    /// a committee matter; a tenth of a small proposal's saving is.
    fn default() -> Self {
        Materiality {
            min_amount: Decimal::ONE_HUNDRED,
            min_share: Decimal::new(5, 2),
        }
    }
}

impl Materiality {
    /// Whether a `shortfall` (positive: less saved than planned) against a year's `plan`
    /// (negative: a saving) is material: at least both thresholds.
    #[must_use]
    pub fn is_material(&self, plan: Decimal, shortfall: Decimal) -> bool {
        shortfall >= self.min_amount
            && plan
                .abs()
                .checked_mul(self.min_share)
                .is_none_or(|share| shortfall >= share)
    }
}

/// The configurable part of the rules (`report committee-status --materiality-amount …
/// --materiality-share …`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusRules {
    /// When a shortfall is material.
    pub materiality: Materiality,
}

/// What a problem concerns, so that a compensating action can name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A goal or milestone id.
    Goal(String),
    /// A budget year's savings.
    Year(i32),
}

/// A deviation the committee must hear about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What it concerns.
    pub subject: Subject,
    /// The reason as the committee reads it.
    pub text: String,
    /// Material (red unless answered) or not (yellow at most).
    pub material: bool,
    /// Sequences of the compensating actions that name it.
    pub answered_by: Vec<i64>,
}

/// Everything the rules look at for one proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// No budget decision recorded (as of the date judged).
    pub awaiting_decision: bool,
    /// The budget agreement did not adopt it.
    pub not_adopted: bool,
    /// Confidential proposal.
    pub confidential: bool,
    /// Innovation proposal or pre-study.
    pub innovation: bool,
    /// Overdue goals and shortfalls.
    pub problems: Vec<Problem>,
    /// Ended checkpoints and years with nothing reported.
    pub missing: Vec<String>,
    /// Goals without a date.
    pub undated: Vec<String>,
    /// Other things the committee should see but that decide nothing (at risk, partly
    /// achieved, compensating actions that name nothing).
    pub notes: Vec<String>,
    /// For innovation proposals: a recorded outcome (led to an investment case or not).
    pub outcome: Option<bool>,
    /// Every goal achieved or cancelled.
    pub all_done: bool,
    /// The full phase-in year has ended with its savings realised.
    pub phase_in_met: bool,
}

/// A rule's condition over [`Findings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Not adopted.
    NotAdopted,
    /// No budget decision yet.
    AwaitingDecision,
    /// The proposal is confidential.
    Confidential,
    /// A material problem no compensating action names.
    UnansweredMaterialProblem,
    /// Any problem.
    AnyProblem,
    /// Anything ended without a report.
    MissingReports,
    /// An innovation proposal's outcome is recorded.
    InnovationOutcome,
    /// All goals done and (unless innovation) savings realised at full phase-in.
    FullyImplemented,
    /// A goal without a date.
    Undated,
    /// Always.
    Otherwise,
}

impl Condition {
    /// Whether the condition holds.
    #[must_use]
    pub fn holds(self, f: &Findings) -> bool {
        match self {
            Condition::NotAdopted => f.not_adopted,
            Condition::AwaitingDecision => f.awaiting_decision,
            Condition::Confidential => f.confidential,
            Condition::UnansweredMaterialProblem => f
                .problems
                .iter()
                .any(|p| p.material && p.answered_by.is_empty()),
            Condition::AnyProblem => !f.problems.is_empty(),
            Condition::MissingReports => !f.missing.is_empty(),
            Condition::InnovationOutcome => f.innovation && f.outcome.is_some(),
            Condition::FullyImplemented => f.all_done && (f.innovation || f.phase_in_met),
            Condition::Undated => !f.undated.is_empty(),
            Condition::Otherwise => true,
        }
    }
}

/// One row of the rule table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable code, named in every status it decides.
    pub code: &'static str,
    /// The category it gives.
    pub category: Category,
    /// When it applies.
    pub condition: Condition,
    /// For "ikke vurderet": why.
    pub not_assessed: Option<NotAssessed>,
    /// What it means, in Danish, first among the reasons.
    pub description: &'static str,
}

/// The committee-status rules, in order: the first whose condition holds decides.
pub const RULES: [Rule; 10] = [
    Rule {
        code: "not_adopted",
        category: Category::IkkeVurderet,
        condition: Condition::NotAdopted,
        not_assessed: Some(NotAssessed::NotAdopted),
        description: "ikke vedtaget i budgetaftalen: følges ikke op",
    },
    Rule {
        code: "awaiting_decision",
        category: Category::IkkeVurderet,
        condition: Condition::AwaitingDecision,
        not_assessed: Some(NotAssessed::AwaitingDecision),
        description: "afventer budgetbeslutning: indstillet, endnu ikke vedtaget",
    },
    Rule {
        code: "confidential",
        category: Category::IkkeVurderet,
        condition: Condition::Confidential,
        not_assessed: Some(NotAssessed::Confidential),
        description: "fortroligt forslag: kun det offentlige resumé kendes",
    },
    Rule {
        code: "material_problem",
        category: Category::Roed,
        condition: Condition::UnansweredMaterialProblem,
        not_assessed: None,
        description: "væsentlig afvigelse uden kompenserende handling",
    },
    Rule {
        code: "problem_answered_or_immaterial",
        category: Category::ForsinketMedKompenserendeHandlinger,
        condition: Condition::AnyProblem,
        not_assessed: None,
        description: "afvigelser med kompenserende handling eller under væsentlighedsgrænsen",
    },
    Rule {
        code: "missing_reports",
        category: Category::IkkeVurderet,
        condition: Condition::MissingReports,
        not_assessed: Some(NotAssessed::MissingReports),
        description: "mangler indberetning",
    },
    Rule {
        code: "innovation_outcome",
        category: Category::FuldtImplementeret,
        condition: Condition::InnovationOutcome,
        not_assessed: None,
        description: "læring dokumenteret",
    },
    Rule {
        code: "fully_implemented",
        category: Category::FuldtImplementeret,
        condition: Condition::FullyImplemented,
        not_assessed: None,
        description: "alle mål opnået, og effektiviseringen er realiseret ved fuld indfasning",
    },
    Rule {
        code: "undated",
        category: Category::IkkeVurderet,
        condition: Condition::Undated,
        not_assessed: Some(NotAssessed::Undated),
        description: "mål uden dato kan ikke vurderes",
    },
    Rule {
        code: "on_plan",
        category: Category::FoelgerPlan,
        condition: Condition::Otherwise,
        not_assessed: None,
        description: "ingen afvigelser, manglende indberetninger eller udaterede mål",
    },
];

/// The rule that decides `findings`, and the reasons written out: the rule's description,
/// then every problem (material or not, answered or not), every missing report, every undated
/// goal and every note — all of them, whichever rule decided.
#[must_use]
pub fn judge(findings: &Findings) -> (&'static Rule, Vec<String>) {
    let rule = RULES
        .iter()
        .find(|r| r.condition.holds(findings))
        .unwrap_or(&RULES[RULES.len() - 1]);
    let mut reasons = vec![rule.description.to_string()];
    if rule.code == "innovation_outcome" {
        reasons[0] = format!(
            "læring dokumenteret; {}",
            if findings.outcome == Some(true) {
                "førte til en investeringscase"
            } else {
                "førte ikke til en investeringscase"
            }
        );
    }
    for p in &findings.problems {
        let weight = if p.material {
            "væsentlig"
        } else {
            "under væsentlighedsgrænsen"
        };
        let answer = if p.answered_by.is_empty() {
            String::new()
        } else {
            let seqs: Vec<String> = p.answered_by.iter().map(ToString::to_string).collect();
            format!("; kompenserende handling (hændelse {})", seqs.join(", "))
        };
        reasons.push(format!("{} [{weight}{answer}]", p.text));
    }
    reasons.extend(findings.missing.iter().cloned());
    reasons.extend(findings.undated.iter().cloned());
    reasons.extend(findings.notes.iter().cloned());
    if findings.innovation && rule.category != Category::FuldtImplementeret {
        reasons.push(
            "innovationsforslag/foranalyse: vurderes på læringsmål, ikke effektiviseringer".into(),
        );
    }
    (rule, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn problem(subject: Subject, material: bool, answered_by: Vec<i64>) -> Problem {
        Problem {
            subject,
            text: "x".into(),
            material,
            answered_by,
        }
    }

    fn code(f: &Findings) -> &'static str {
        judge(f).0.code
    }

    #[test]
    fn materiality_needs_both_the_amount_and_the_share() {
        let m = Materiality::default();
        assert!(!m.is_material(dec!(-5780), dec!(1)), "1 t.kr. is not red");
        assert!(
            !m.is_material(dec!(-5780), dec!(200)),
            "200 of 5.780 is 3,5 %"
        );
        assert!(m.is_material(dec!(-5780), dec!(1600)));
        assert!(!m.is_material(dec!(-410), dec!(99)), "under 100 t.kr.");
        assert!(m.is_material(dec!(-410), dec!(100)));
        let strict = Materiality {
            min_amount: Decimal::ONE,
            min_share: Decimal::ZERO,
        };
        assert!(strict.is_material(dec!(-5780), dec!(1)), "configurable");
    }

    #[test]
    fn the_first_rule_that_holds_decides() {
        let material = Findings {
            problems: vec![problem(Subject::Year(2026), true, vec![])],
            missing: vec!["2025: mangler indberetning".into()],
            ..Findings::default()
        };
        assert_eq!(code(&material), "material_problem");
        assert_eq!(judge(&material).0.category, Category::Roed);
        assert!(judge(&material).1.iter().any(|r| r.contains("væsentlig]")));
        assert!(
            judge(&material)
                .1
                .contains(&"2025: mangler indberetning".into()),
            "every finding is listed, whichever rule decided"
        );

        let answered = Findings {
            problems: vec![problem(Subject::Year(2026), true, vec![42])],
            ..Findings::default()
        };
        assert_eq!(code(&answered), "problem_answered_or_immaterial");
        assert!(judge(&answered).1[1].contains("hændelse 42"));

        let immaterial = Findings {
            problems: vec![problem(Subject::Year(2026), false, vec![])],
            ..Findings::default()
        };
        assert_eq!(code(&immaterial), "problem_answered_or_immaterial");

        // One answered problem does not move another.
        let one_of_two = Findings {
            problems: vec![
                problem(Subject::Goal("g1".into()), true, vec![7]),
                problem(Subject::Year(2026), true, vec![]),
            ],
            ..Findings::default()
        };
        assert_eq!(code(&one_of_two), "material_problem");
    }

    #[test]
    fn not_assessed_is_never_green() {
        let confidential = Findings {
            confidential: true,
            ..Findings::default()
        };
        assert_eq!(judge(&confidential).0.category, Category::IkkeVurderet);
        assert_eq!(
            judge(&confidential).0.not_assessed,
            Some(NotAssessed::Confidential)
        );
        let missing = Findings {
            missing: vec!["mål g1 ikke rapporteret".into()],
            ..Findings::default()
        };
        assert_eq!(code(&missing), "missing_reports");
        let undated = Findings {
            undated: vec!["mål g1 uden dato".into()],
            ..Findings::default()
        };
        assert_eq!(code(&undated), "undated");
        assert_eq!(judge(&undated).0.category, Category::IkkeVurderet);
        assert_eq!(code(&Findings::default()), "on_plan");
    }

    #[test]
    fn a_proposal_without_an_adopting_decision_is_never_judged_however_bad_its_figures() {
        let red = Findings {
            problems: vec![problem(Subject::Year(2026), true, vec![])],
            ..Findings::default()
        };
        assert_eq!(code(&red), "material_problem");
        let pending = Findings {
            awaiting_decision: true,
            ..red.clone()
        };
        assert_eq!(code(&pending), "awaiting_decision");
        assert_eq!(judge(&pending).0.category, Category::IkkeVurderet);
        assert_eq!(
            judge(&pending).0.not_assessed,
            Some(NotAssessed::AwaitingDecision)
        );
        assert_eq!(
            judge(&pending).1[0],
            "afventer budgetbeslutning: indstillet, endnu ikke vedtaget"
        );
        let green_but_pending = Findings {
            awaiting_decision: true,
            ..Findings::default()
        };
        assert_eq!(code(&green_but_pending), "awaiting_decision");
        let not_adopted = Findings {
            not_adopted: true,
            confidential: true,
            ..red
        };
        assert_eq!(code(&not_adopted), "not_adopted");
        assert_eq!(NotAssessed::NotAdopted.danish(), "ikke vedtaget");
    }

    #[test]
    fn fully_implemented_needs_the_money_unless_innovation() {
        let goals_only = Findings {
            all_done: true,
            ..Findings::default()
        };
        assert_eq!(code(&goals_only), "on_plan");
        let realised = Findings {
            all_done: true,
            phase_in_met: true,
            ..Findings::default()
        };
        assert_eq!(code(&realised), "fully_implemented");
        let innovation = Findings {
            innovation: true,
            outcome: Some(false),
            ..Findings::default()
        };
        assert_eq!(code(&innovation), "innovation_outcome");
        assert_eq!(
            judge(&innovation).1[0],
            "læring dokumenteret; førte ikke til en investeringscase"
        );
    }

    #[test]
    fn the_table_ends_with_a_rule_that_always_holds_and_codes_are_unique() {
        assert_eq!(RULES[RULES.len() - 1].condition, Condition::Otherwise);
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        for r in &RULES {
            assert_eq!(
                r.category == Category::IkkeVurderet,
                r.not_assessed.is_some(),
                "{}: ikke vurderet always says why, and only it",
                r.code
            );
        }
    }
}
