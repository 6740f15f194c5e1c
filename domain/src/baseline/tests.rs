//! Tests on the real transcription, `baselines/budget-2025-bilag-7.toml`, and on broken copies of
//! it.

use cqrs_es::test::TestFramework;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::*;
use crate::payback::{plan_payback, Basis};
use crate::period::{parse_when, resolve, ResolvedSchedule, Schedule};
use crate::proposal::events::ProposalEvent;
use crate::proposal::plan::{PlanLine, PlanSection, TotalKind};
use crate::proposal::{BaselineAdoption, Proposal, Registration};
use crate::vocabulary::{ControlArea, ProposalKind};

const BUDGET_2025: &str = include_str!("../../../baselines/budget-2025-bilag-7.toml");

fn file() -> BaselineFile {
    match parse(BUDGET_2025) {
        Ok(f) => f,
        Err(e) => panic!("the Budget 2025 baseline must load: {e}"),
    }
}

fn proposal<'a>(file: &'a BaselineFile, id: &str) -> &'a BaselineProposal {
    file.proposal(&ProposalId::parse(id).unwrap())
        .unwrap_or_else(|| panic!("{id} is in the file"))
}

// ---- loading ----

#[test]
fn the_file_parses_with_twelve_proposals() {
    let f = file();
    assert_eq!(f.schema_version, 1);
    assert_eq!(f.document.budget_round, "Budget 2025");
    assert_eq!(f.document.price_level.year(), 2025);
    let ids: Vec<&str> = f
        .proposals()
        .iter()
        .map(|p| p.identity.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "BC01", "BC02", "BC03", "BC04", "BC05", "BC07", "BC08", "BC09", "BC11", "BC12", "BC13",
            "BC14"
        ]
    );
    assert_eq!(f.committee_table.len(), 6);
    assert_eq!(f.investment_pool.len(), 11);
    assert_eq!(f.innovation_pool.len(), 3);
}

#[test]
fn counts_per_proposal() {
    // (id, plan lines, stated totals, goals, milestones, dated phases, undated phases,
    //  rated risks, unrated risks, committee rows, distribution totals, administration
    //  figures, administration effects)
    let expected: [(&str, [usize; 12]); 12] = [
        ("BC01", [5, 5, 6, 0, 0, 0, 4, 3, 16, 3, 8, 2]),
        ("BC02", [5, 6, 4, 0, 0, 0, 1, 2, 8, 2, 5, 3]),
        ("BC03", [4, 3, 6, 6, 3, 0, 3, 0, 0, 0, 0, 0]),
        ("BC04", [8, 3, 6, 0, 0, 0, 6, 0, 0, 0, 0, 0]),
        ("BC05", [7, 9, 6, 0, 0, 0, 2, 3, 0, 0, 0, 3]),
        ("BC07", [10, 3, 7, 0, 1, 3, 1, 0, 0, 0, 0, 3]),
        ("BC08", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("BC09", [5, 5, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0]),
        ("BC11", [12, 6, 6, 0, 0, 0, 1, 0, 0, 0, 0, 3]),
        ("BC12", [7, 5, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0]),
        ("BC13", [9, 5, 11, 0, 0, 0, 1, 0, 0, 0, 0, 3]),
        ("BC14", [6, 6, 4, 0, 0, 0, 1, 0, 0, 0, 0, 3]),
    ];
    let f = file();
    for (id, counts) in expected {
        let p = &proposal(&f, id).plan;
        let actual = [
            p.lines.len(),
            p.stated_totals.len(),
            p.goals.len(),
            p.milestones.len(),
            p.phases.len(),
            p.undated_phases.len(),
            p.risks.len(),
            p.unrated_risks.len(),
            p.committee_distributions.len(),
            p.distribution_totals.len(),
            p.administration_figures.len(),
            p.administration_effects.len(),
        ];
        assert_eq!(actual, counts, "{id}");
    }
}

#[test]
fn identities_and_special_facts() {
    let f = file();
    let bc01 = proposal(&f, "BC01");
    assert_eq!(bc01.identity.kind, ProposalKind::CrossCutting);
    assert_eq!(bc01.identity.committee, Committee::parse("ØU").unwrap());
    assert_eq!(bc01.identity.affected_administrations.len(), 7);
    // BC03's grid ticks only its own administration: it touches BIF, not none.
    assert_eq!(
        proposal(&f, "BC03").identity.affected_administrations,
        vec![crate::vocabulary::Administration::parse("BIF").unwrap()]
    );
    assert_eq!(bc01.plan.years, vec![2024, 2025, 2026, 2027, 2028, 2029]);
    assert_eq!(
        bc01.plan
            .stated_payback
            .as_ref()
            .and_then(|s| s.service_cell.as_deref()),
        Some("4 år (2028)")
    );

    // BC04: the loan repayment is a plan line, and repeated as entries that agree with it.
    let bc04 = proposal(&f, "BC04");
    assert_eq!(bc04.identity.kind, ProposalKind::PreStudy);
    let loan: Vec<&PlanLine> = bc04
        .plan
        .lines
        .iter()
        .filter(|l| l.section == PlanSection::LoanRepayment)
        .collect();
    assert_eq!(loan.len(), 1);
    assert!(loan[0].control_area_inferred);
    assert_eq!(bc04.loan_repayment.len(), 4);
    assert_eq!(bc04.identity.budget_round, "Budget 2025");

    // BC07: its page header's "OFS 2022-2023" is a stale template header; it belongs to
    // Budget 2025, with its price-level remark and undated phases.
    let bc07 = proposal(&f, "BC07");
    assert_eq!(bc07.identity.budget_round, "Budget 2025");
    assert!(bc07.plan.price_level_note.is_some());
    assert_eq!(bc07.plan.undated_phases[0].when, "Forår 2025");

    // BC08: confidential, for political priority, only its public summary; inherits round and p/l.
    let bc08 = proposal(&f, "BC08");
    assert!(bc08.identity.confidential);
    assert!(bc08.identity.political_priority);
    assert_eq!(bc08.identity.budget_round, "Budget 2025");
    assert_eq!(bc08.identity.price_level.year(), 2025);
    assert!(bc08.plan.years.is_empty());
    assert!(bc08.plan.lines.is_empty());
    let ps = bc08.plan.public_summary.as_ref().unwrap();
    assert_eq!(ps.investment_service, Decimal::new(89, 1));
    assert_eq!(ps.investment_capital, Decimal::new(27, 1));
    assert_eq!(ps.savings_service, Decimal::new(-18, 1));
    assert_eq!(ps.payback_years, Some(Decimal::from(11)));

    // BC02 Tabel 2 is written in kr. and is held in 1.000 kr.
    let bc02 = proposal(&f, "BC02");
    let kff = &bc02.plan.administration_figures[0];
    assert_eq!(kff.unit_as_written, "kr.");
    assert_eq!(kff.amount.value(), Decimal::new(-306_376, 3));

    // BC14's "mellem" is middel, and the text as written is kept.
    let bc14 = proposal(&f, "BC14");
    assert_eq!(
        bc14.plan.risks[0].level_as_written.as_deref(),
        Some("mellem")
    );
}

#[test]
fn every_proposal_registers_and_adopts() {
    let f = file();
    let src = source("baselines/budget-2025-bilag-7.toml", BUDGET_2025.as_bytes());
    assert_eq!(src.file, "budget-2025-bilag-7.toml");
    assert_eq!(src.sha256.len(), 64);
    let commands = f.import_commands(Some(&src));
    assert_eq!(commands.len(), 12);
    for p in f.proposals() {
        assert!(p.plan.problems().is_empty(), "{}", p.identity.id);
        TestFramework::<Proposal>::with(())
            .given_no_previous_events()
            .when(p.register_command())
            .then_expect_events(vec![ProposalEvent::ProposalRegistered(Registration {
                identity: p.identity.clone(),
            })]);
        TestFramework::<Proposal>::with(())
            .given(vec![ProposalEvent::ProposalRegistered(Registration {
                identity: p.identity.clone(),
            })])
            .when(p.adopt_command(Some(src.clone())))
            .then_expect_events(vec![ProposalEvent::BaselineAdopted(BaselineAdoption {
                plan: p.plan.clone(),
                source: Some(src.clone()),
            })]);
    }
}

#[test]
fn each_adoption_carries_what_the_front_matter_states_about_its_proposal() {
    let f = file();
    let src = source("budget-2025-bilag-7.toml", BUDGET_2025.as_bytes());
    let commands = f.import_commands(Some(&src));
    let front = |id: &str| {
        let (_, cmds) = commands.iter().find(|(p, _)| p.as_str() == id).unwrap();
        let ProposalCommand::AdoptBaseline {
            source: Some(s), ..
        } = &cmds[1]
        else {
            panic!("{id}: {cmds:?}")
        };
        assert_eq!(s.sha256, src.sha256);
        *s.front_matter.clone().expect("Bilag 7 has front matter")
    };
    let table1 = |label: &str| {
        f.committee_table
            .iter()
            .find(|r| r.label == label)
            .cloned()
            .unwrap()
    };
    // BC01 is counted on ØU in Tabel 1 and is an investment-pool row of Tabel 2.
    let bc01 = front("BC01");
    assert_eq!(bc01.unit, "mio. kr.");
    assert_eq!(bc01.price_level.year(), 2025);
    assert_eq!(bc01.committee_row, Some(table1("ØU")));
    assert_eq!(bc01.total_row, Some(table1("I alt")));
    let Some(PoolRow::Investment(row)) = &bc01.pool_row else {
        panic!("{bc01:?}")
    };
    assert_eq!(row.investment_capital.to_string(), "4.3");
    assert_eq!(row.payback_years.map(|y| y.to_string()), Some("4".into()));
    // BC03 is an innovation proposal: its row is Tabel 3's; BIU's Tabel 1 row.
    let bc03 = front("BC03");
    assert_eq!(bc03.committee_row, Some(table1("BIU")));
    assert!(
        matches!(&bc03.pool_row, Some(PoolRow::Innovation(r)) if r.label == "BC03"),
        "{bc03:?}"
    );
    // Every proposal has its own row and its committee's.
    for p in f.proposals() {
        let fm = front(p.identity.id.as_str());
        assert_eq!(
            fm.committee_row.and_then(|r| r.committee),
            Some(p.identity.committee),
            "{}",
            p.identity.id
        );
        assert!(fm.pool_row.is_some(), "{}", p.identity.id);
    }
    // A file without front-matter tables states nothing: no empty statement is recorded.
    let mut bare = f.clone();
    bare.committee_table.clear();
    bare.investment_pool.clear();
    bare.innovation_pool.clear();
    assert_eq!(bare.front_matter(&bare.proposals[0]), None);
    // Without Tabel 1 the pool row is still kept.
    let mut no_tabel_1 = f.clone();
    no_tabel_1.committee_table.clear();
    let fm = no_tabel_1.front_matter(&no_tabel_1.proposals[0]).unwrap();
    assert_eq!((fm.committee_row, fm.total_row), (None, None));
    assert!(fm.pool_row.is_some());
}

#[test]
fn plans_round_trip_through_json_and_old_json_still_reads() {
    let f = file();
    for p in f.proposals() {
        let json = serde_json::to_string(&p.plan).unwrap();
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p.plan, "{}", p.identity.id);
    }
    // A plan without the added fields serialises without them and reads back.
    let example = crate::proposal::examples::plan();
    let json = serde_json::to_value(&example).unwrap();
    for key in [
        "summary",
        "public_summary",
        "administration_effects",
        "unrated_risks",
    ] {
        assert!(json.get(key).is_none(), "{key}");
    }
    assert!(json["lines"][0].get("control_area_inferred").is_none());
    let back: Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back, example);
}

// ---- Tabel 1: yearly totals computed from the rows, against the stated subtotal rows ----

/// How a computed total relates to the document's subtotal row.
enum Stated {
    /// The document states this row and it equals the rows' sum.
    Same,
    /// The document has no such row.
    Absent,
    /// The document states this row with these (different) figures.
    Differs(&'static [i64]),
}

fn rows_total(plan: &Plan, kind: TotalKind, area: Option<ControlArea>) -> Vec<i64> {
    plan.years
        .iter()
        .map(|y| {
            let sum: Decimal = plan
                .lines
                .iter()
                .filter(|l| match kind {
                    TotalKind::PermanentChange => l.section == PlanSection::PermanentChange,
                    TotalKind::ImplementationCost => l.section == PlanSection::ImplementationCost,
                    TotalKind::TotalImpact => l.section != PlanSection::LoanRepayment,
                })
                .filter(|l| area.is_none_or(|a| l.control_area == a))
                .map(|l| l.amounts.get_or_zero(*y).value())
                .sum();
            sum.to_i64().unwrap()
        })
        .collect()
}

fn stated_row(plan: &Plan, label: &str) -> Option<Vec<i64>> {
    plan.stated_totals
        .iter()
        .find(|t| t.label == label)
        .map(|t| {
            plan.years
                .iter()
                .map(|y| t.amounts.get_or_zero(*y).value().to_i64().unwrap())
                .collect()
        })
}

type Expectation = (
    &'static str,
    TotalKind,
    Option<ControlArea>,
    &'static [i64],
    Stated,
);

fn assert_tabel_1(id: &str, expected: &[Expectation]) {
    let f = file();
    let plan = &proposal(&f, id).plan;
    for (label, kind, area, rows, stated) in expected {
        assert_eq!(
            rows_total(plan, *kind, *area),
            rows.to_vec(),
            "{id} '{label}': the rows' yearly totals"
        );
        match stated {
            Stated::Same => assert_eq!(
                stated_row(plan, label),
                Some(rows.to_vec()),
                "{id} '{label}': the stated subtotal row"
            ),
            Stated::Absent => assert_eq!(stated_row(plan, label), None, "{id} '{label}'"),
            Stated::Differs(s) => {
                assert_eq!(stated_row(plan, label), Some(s.to_vec()), "{id} '{label}'")
            }
        }
    }
}

use ControlArea::{Capital, DemandDriven, Financing, Service, Transfers};
use TotalKind::{ImplementationCost as Impl, PermanentChange as Perm, TotalImpact as Impact};

#[test]
fn tabel_1_bc01() {
    assert_tabel_1(
        "BC01",
        &[
            (
                "Samlet varig ændring, service",
                Perm,
                Some(Service),
                &[0, -297, -1144, -1474, -1474, -1474],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -297, -1144, -1474, -1474, -1474],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 2000, 2250, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[0, 2000, 2250, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[0, 1703, 1106, -1474, -1474, -1474],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc02() {
    assert_tabel_1(
        "BC02",
        &[
            (
                "Samlet varig ændring, service",
                Perm,
                Some(Service),
                &[0, -562, -562, -562, -562, -562],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -562, -562, -562, -562, -562],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[422, 1400, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[422, 1400, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[422, 838, -562, -562, -562, -562],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc03() {
    assert_tabel_1(
        "BC03",
        &[
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[0, 1545, 1345, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[0, 1545, 1345, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, 0, 0, 0, 0, 0],
                Stated::Absent,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[0, 1545, 1345, 0, 0, 0],
                Stated::Absent,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc04() {
    // The document leaves "Samlede implementeringsomkostninger" blank although its rows and the
    // service subtotal give 1.000 in 2025 (baselines/README.md, disagreement 1).
    assert_tabel_1(
        "BC04",
        &[
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[1000, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[1000, 0, 0, 0, 0, 0],
                Stated::Differs(&[0, 0, 0, 0, 0, 0]),
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, 0, 0, 0, 0, 0],
                Stated::Absent,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[1000, 0, 0, 0, 0, 0],
                Stated::Absent,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc05() {
    assert_tabel_1(
        "BC05",
        &[
            (
                "Samlet varig ændring, service",
                Perm,
                Some(Service),
                &[0, -1695, -3070, -4445, -6110, -6110],
                Stated::Same,
            ),
            (
                "Samlet varig ændring, efterspørgselsstyret indsats",
                Perm,
                Some(DemandDriven),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet varig ændring, efterspørgselsstyrede overførsler",
                Perm,
                Some(Transfers),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet varig ændring, finansposter",
                Perm,
                Some(Financing),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -1695, -3070, -4445, -6110, -6110],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[5690, 1590, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[5690, 1590, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[5690, -105, -3070, -4445, -6110, -6110],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc07() {
    assert_tabel_1(
        "BC07",
        &[
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, 0, -410, -410, -410, -410],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[0, 1455, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[0, 1455, -410, -410, -410, -410],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc09() {
    assert_tabel_1(
        "BC09",
        &[
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -2890, -5780, -5780, -5780, -5780],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[0, 3300, 1450, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 0, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[0, 3300, 1450, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[0, 410, -4330, -5780, -5780, -5780],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc11() {
    assert_tabel_1(
        "BC11",
        &[
            (
                "Samlet varig ændring, service",
                Perm,
                Some(Service),
                &[0, -26500, -47200, -53000, -53000, -53000],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -26500, -47200, -53000, -53000, -53000],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[2550, 13700, 6000, 3000, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 7200, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[2550, 20900, 6000, 3000, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[2550, -5600, -41200, -50000, -53000, -53000],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc12() {
    assert_tabel_1(
        "BC12",
        &[
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -4500, -12600, -12600, -12600, -12600],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[50, 4300, 3000, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[0, 500, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[50, 4800, 3000, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[50, 300, -9600, -12600, -12600, -12600],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc13() {
    assert_tabel_1(
        "BC13",
        &[
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -6732, -10772, -10772, -10772, -10772],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[6854, 5659, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[14746, 17878, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[21600, 23537, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[21600, 16805, -10772, -10772, -10772, -10772],
                Stated::Same,
            ),
        ],
    );
}

#[test]
fn tabel_1_bc14() {
    assert_tabel_1(
        "BC14",
        &[
            (
                "Samlet varig ændring, service",
                Perm,
                Some(Service),
                &[0, -585, -1170, -1170, -1170, -1170],
                Stated::Same,
            ),
            (
                "Samlet varig ændring",
                Perm,
                None,
                &[0, -585, -1170, -1170, -1170, -1170],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, service",
                Impl,
                Some(Service),
                &[1251, 526, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger, anlæg",
                Impl,
                Some(Capital),
                &[39, 167, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlede implementeringsomkostninger",
                Impl,
                None,
                &[1290, 693, 0, 0, 0, 0],
                Stated::Same,
            ),
            (
                "Samlet økonomisk påvirkning",
                Impact,
                None,
                &[1290, 108, -1170, -1170, -1170, -1170],
                Stated::Same,
            ),
        ],
    );
}

// ---- payback on the real file ----

#[test]
fn the_payback_rule_reproduces_15_of_18_stated_figures() {
    let f = file();
    let mut reproduced = Vec::new();
    let mut differs = Vec::new();
    let mut stated_count = 0;
    for p in f.proposals() {
        let Some(sp) = &p.plan.stated_payback else {
            continue;
        };
        for (basis, stated) in [
            (Basis::Service, sp.service_years),
            (Basis::TotalEconomy, sp.total_economy_years),
        ] {
            let Some(stated) = stated else { continue };
            stated_count += 1;
            let computed = plan_payback(&p.plan, basis).map(|c| Decimal::from(c.years));
            let entry = format!("{} {basis:?}", p.identity.id);
            if computed == Some(stated) {
                reproduced.push(entry);
            } else {
                differs.push(entry);
            }
        }
    }
    assert_eq!(stated_count, 18);
    assert_eq!(reproduced.len(), 15);
    assert_eq!(
        differs,
        ["BC09 Service", "BC09 TotalEconomy", "BC11 Service"]
    );
    // BC04 states none, and has none: its loan repayment (2027–2030) is financing, outside
    // payback on both bases (it used to "turn" the total economy in 2030).
    let bc04 = &proposal(&f, "BC04").plan;
    assert_eq!(plan_payback(bc04, Basis::Service), None);
    assert_eq!(plan_payback(bc04, Basis::TotalEconomy), None);
}

// ---- goals' and milestones' "when" ----

#[test]
fn every_when_resolves_or_says_why_not() {
    let f = file();
    let mut lines = Vec::new();
    for p in f.proposals() {
        let ctx = p.plan.resolve_context();
        let whens = p
            .plan
            .goals
            .iter()
            .map(|g| (g.id.as_str().to_string(), g.when.as_str()))
            .chain(
                p.plan
                    .milestones
                    .iter()
                    .map(|m| (m.id.as_str().to_string(), m.when.as_str())),
            );
        for (id, when) in whens {
            let schedule = parse_when(when);
            if let Schedule::Unresolved { reason } = &schedule {
                assert!(!reason.is_empty());
            }
            let resolved = resolve(&schedule, &ctx);
            match &resolved {
                ResolvedSchedule::Checkpoints(w) => {
                    assert!(!w.is_empty(), "{} {id}", p.identity.id)
                }
                ResolvedSchedule::Unresolved { reason } => {
                    assert!(!reason.is_empty(), "{} {id}", p.identity.id)
                }
            }
            lines.push(format!("{} {id}: {resolved}", p.identity.id));
        }
    }
    let expected = [
        "BC01 g1: 2025Q3".to_string(),
        "BC01 g2: 2025Q4".into(),
        "BC01 g3: 2026Q4".into(),
        "BC01 g4: 2026Q2".into(),
        "BC01 g5: 2026Q2".into(),
        "BC01 g6: 2027Q1".into(),
        "BC02 g1: 2024Q4".into(),
        "BC02 g2: 2024Q4".into(),
        "BC02 g3: 2025Q4".into(),
        // "Løbende": one checkpoint over the period, no invented cadence.
        "BC02 g4: 2025Q1–2029Q4".into(),
        // BC03's phases resolve its phase-relative goals.
        "BC03 g1: 2026Q2–2026Q4".into(),
        "BC03 g2: 2026Q2–2026Q4".into(),
        "BC03 g3: 2026Q2–2026Q4".into(),
        "BC03 g4: 2026Q2–2026Q4".into(),
        "BC03 g5: 2025Q1–2026Q4".into(),
        "BC03 g6: 2025Q2; 2025Q3; 2026Q1; 2026Q2; 2026Q3; 2026Q4".into(),
        "BC03 m1: 2025Q2".into(),
        "BC03 m2: 2025Q3".into(),
        "BC03 m3: 2026Q1".into(),
        "BC03 m4: 2026Q2".into(),
        "BC03 m5: 2026Q3".into(),
        "BC03 m6: 2026Q4".into(),
        // BC04 and BC05 have no phase table: their phases are read from the funding years
        // (BC04 spends its loan in 2025; BC05 spends in 2025–2026).
        "BC04 g1: 2025Q1–2025Q4".into(),
        "BC04 g2: 2025Q1–2025Q4".into(),
        "BC04 g3: 2025Q1–2025Q4".into(),
        "BC04 g4: 2025Q1–2025Q4".into(),
        "BC04 g5: 2025Q1–2025Q4".into(),
        "BC04 g6: 2025Q1–2025Q4".into(),
        "BC05 g1: 2026Q1–2026Q4".into(),
        "BC05 g2: 2026Q4".into(),
        "BC05 g3: 2026Q1–2026Q4".into(),
        "BC05 g4: 2025Q4; 2026Q3".into(),
        "BC05 g5: 2025Q4; 2026Q3".into(),
        "BC05 g6: 2026Q2".into(),
        "BC07 g1: 2024Q4".into(),
        "BC07 g2: 2025Q1".into(),
        "BC07 g3: 2025Q2".into(),
        "BC07 g4: 2025Q2".into(),
        "BC07 g5: 2025Q2–2025Q3".into(),
        "BC07 g6: 2025Q4".into(),
        "BC07 g7: 2026Q1".into(),
        "BC09 g1: 2025Q1".into(),
        "BC09 g2: 2025Q1".into(),
        "BC09 g3: 2025Q3".into(),
        "BC09 g4: 2024Q4; 2026Q2".into(),
        "BC11 g1: 2024Q1–2026Q4".into(),
        "BC11 g2: 2025Q1–2026Q4".into(),
        "BC11 g3: 2024Q1–2025Q4".into(),
        "BC11 g4: 2025Q1–2025Q4".into(),
        // Full phase-in is 2027, the first year at -53.000.
        "BC11 g5: 2024Q1–2024Q4; 2025Q1–2025Q4; 2026Q1–2026Q4; 2027Q1–2027Q4".into(),
        "BC11 g6: 2024Q1–2024Q4; 2025Q1–2025Q4; 2026Q1–2026Q4; 2027Q1–2027Q4".into(),
        "BC12 g1: 2024Q1".into(),
        "BC12 g2: 2024Q1".into(),
        "BC12 g3: 2025Q1".into(),
        "BC12 g4: 2025Q2–2025Q3".into(),
        "BC12 g5: 2025Q2–2025Q3".into(),
        "BC12 g6: 2025Q2".into(),
        "BC13 g1: ikke fastlagt: afhænger af frigivelsen af investeringsmidler, og ingen frigivelsesdato kendes".into(),
        "BC13 g2: 2025Q1".into(),
        "BC13 g3: 2025Q1".into(),
        "BC13 g4: 2025Q1".into(),
        "BC13 g5: 2025Q2".into(),
        "BC13 g6: 2026Q2".into(),
        "BC13 g7: 2026Q2".into(),
        "BC13 g8: 2026Q4".into(),
        "BC13 g9: 2026Q2".into(),
        "BC13 g10: 2026Q2".into(),
        "BC13 g11: 2026Q2".into(),
        "BC14 g1: 2025Q4".into(),
        "BC14 g2: 2025Q2–2025Q3".into(),
        "BC14 g3: 2026Q4–2027Q1".into(),
        "BC14 g4: 2026Q4–2027Q1".into(),
    ];
    assert_eq!(lines, expected);
}

#[test]
fn full_phase_in_is_the_first_year_at_the_final_level() {
    let f = file();
    let years: Vec<(&str, Option<i32>)> = f
        .proposals()
        .iter()
        .map(|p| (p.identity.id.as_str(), p.plan.full_phase_in_year()))
        .collect();
    assert_eq!(
        years,
        [
            ("BC01", Some(2027)),
            ("BC02", Some(2025)),
            ("BC03", None),
            ("BC04", None),
            ("BC05", Some(2029)),
            ("BC07", Some(2026)),
            ("BC08", None),
            ("BC09", Some(2026)),
            ("BC11", Some(2027)),
            ("BC12", Some(2026)),
            ("BC13", Some(2027)),
            ("BC14", Some(2027)),
        ]
    );
}

// ---- the integrity check on the real file ----

fn compact(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        f.proposal.as_ref().map_or("-", |p| p.as_str()),
        f.table,
        f.row,
        f.column.as_deref().unwrap_or("-"),
        f.year.map_or("-".to_string(), |y| y.to_string()),
        f.stated,
        f.computed,
        f.kind
    )
}

#[test]
fn the_findings_on_budget_2025_are_pinned() {
    let findings = check(&file());
    let actual: Vec<String> = findings.iter().map(compact).collect();
    let expected = [
        "BC01|Tabel A|Total|-|2027|-1474|-1475|sum",
        "BC01|Tabel A|Total|-|2028|-1474|-1475|sum",
        "BC01|Tabel A|Total|-|2029|-1474|-1475|sum",
        "BC01|Tabel 2.1.1 vs Tabel A + Tabel D|Økonomiudvalget (ØU)|-|2026|1539|1538|mellem tabeller",
        "BC01|Tabel 2.1.1 vs Tabel A + Tabel D|Økonomiudvalget (ØU)|-|2027|-782|-783|mellem tabeller",
        "BC01|Tabel 2.1.1 vs Tabel A + Tabel D|Økonomiudvalget (ØU)|-|2028|-782|-783|mellem tabeller",
        "BC01|Tabel 2.1.1 vs Tabel A + Tabel D|Økonomiudvalget (ØU)|-|2029|-782|-783|mellem tabeller",
        "BC01|Tabel 2.1.1 vs Tabel A + Tabel D|Socialudvalget (SUD)|-|2026|-108|-107|mellem tabeller",
        "BC01|Tabel ii|Total|Økonomisk effekt (t. kr.)|-|880|881|sum",
        "BC01|Tabel 1 vs opfølgningsmål|Samlet varig ændring|-|2025|-297|0|effekt før målet",
        "BC01|Tabel 1 vs opfølgningsmål|Samlet varig ændring|-|2026|-1144|-1105.5|effekt før målet",
        "BC01|Teksten, 3. Implementering og opfølgning|effektiviseringer i forvaltningerne hentes med 2/3 fra 2026 og fuldt fra 2027 og frem|-|2026|586.7|550|tekst mod tabel",
        "BC02|Tabel A|Total|-|2025|-562|-561|sum",
        "BC02|Tabel A|Total|-|2026|-562|-561|sum",
        "BC02|Tabel A|Total|-|2027|-562|-561|sum",
        "BC02|Tabel A|Total|-|2028|-562|-561|sum",
        "BC02|Tabel A|Total|-|2029|-562|-561|sum",
        "BC02|Tabel 2|Forvaltninger i alt|Nettoeffektivisering nærværende forslag|-|-562.124|-562.125|sum",
        "BC04|Tabel 1|Samlede implementeringsomkostninger|-|2025|0|1000|sum",
        "BC04|Tabel 1|Tilbagebetalingsplan på internt lån|-|-|-1032|-1000|tilbagebetaling af lån",
        "BC05|Teksten, 2. Økonomi|Der forventes en samlet besparelse på 21,4 mio. kr. over fem år efter udgifter fra investeringer er fratrukket.|-|-|-21.4|-14.15|tekst mod tabel",
        "BC07|Teksten, 1. Økonomi|Der søges i alt om 1,3 mio. kr. fra investeringspuljen|-|-|1.3|1.455|tekst mod tabel",
        "BC09|Tabel 1|Tilbagebetalingstid baseret på serviceeffektivisering|-|-|1|2|tilbagebetalingstid",
        "BC09|Tabel 1|Tilbagebetalingstid baseret på totaløkonomi|-|-|1|2|tilbagebetalingstid",
        "BC09|Teksten, 2. Økonomi|Af den samlede varige besparelse på 8,6 mio. kr. tilbageføres en tredjedel, 2,8 mio. kr., til botilbuddene|-|2026|2866.7|2820|tekst mod tabel",
        "BC11|Tabel 1|Tilbagebetalingstid baseret på serviceeffektivisering|-|-|1|2|tilbagebetalingstid",
        "BC11|Tabel 2. Varige ændringer, administration vs Tabel 1|Varige ændringer totalt, administration|-|2026|-43700|-45200|mellem tabeller",
        "BC12|Opfølgningsmål|g1|Hvornår: 1. kvartal 2024|-|1|0|dato før forslaget",
        "BC12|Opfølgningsmål|g2|Hvornår: 1. kvartal 2024|-|1|0|dato før forslaget",
        "BC13|Teksten, 1. Beskrivelse af forslag (fremgangsmåde og effekt)|Med denne case realiseres 10,5 mio. kr.|-|2027|-10.5|-10.772|tekst mod tabel",
        "BC14|Tabel 1 vs opfølgningsmål|Samlet varig ændring|-|2026|-585|-292.5|effekt før målet",
        "-|Tabel 1 (forside) vs Tabel 2 + Tabel 3 (forside)|SUD|Investering i alt|-|56.6|56.8|afrunding",
        "-|Tabel 1 (forside) vs Tabel 2 (forside)|TMU|Effektiviseringer ved fuld indfasning, service|-|-11.9|-12.0|afrunding",
        "-|Tabel 1 (forside) vs Tabel 2 (forside)|ØU|Effektiviseringer ved fuld indfasning, service|-|-2.0|-2.1|afrunding",
        "-|Tabel 1 (forside)|I alt|Investering i alt|-|122.4|122.5|afrunding",
        "-|Tabel 1 (forside) vs Tabel 2 + Tabel 3 (forside)|I alt|Investering i alt|-|122.4|122.3|afrunding",
        "-|Tabel 1 (forside)|I alt|Effektiviseringer ved fuld indfasning, service|-|-93.7|-93.6|afrunding",
        "-|Tabel 2 (forside)|I alt|Investeringer, Service|-|61.7|62.0|afrunding",
        "-|Tabel 2 (forside)|I alt|Investeringer, Anlæg|-|56.7|56.8|afrunding",
        "-|Tabel 2 (forside)|I alt|Varige effektiviseringer, Service|-|93.7|-93.678|fortegn",
    ];
    assert_eq!(actual, expected);
    for f in &findings {
        assert_eq!(f.difference, {
            let mut d = f.stated - f.computed;
            if f.unit == "mio. kr." {
                d = d.normalize();
                if d.scale() < 1 {
                    d.rescale(1);
                }
                d
            } else {
                d.normalize()
            }
        });
        assert!(!f.explanation.is_empty());
    }
}

#[test]
fn the_findings_come_from_eighteen_root_causes_each_with_where_to_look() {
    let findings = check(&file());
    let causes = root_causes(&findings);
    let summary: Vec<(String, FindingKind, usize)> = causes
        .iter()
        .map(|c| {
            (
                c.proposal.map_or("forsiden".into(), ToString::to_string),
                c.kind,
                c.findings.len(),
            )
        })
        .collect();
    let expected = |rows: &[(&str, FindingKind, usize)]| -> Vec<(String, FindingKind, usize)> {
        rows.iter()
            .map(|(p, k, n)| ((*p).to_string(), *k, *n))
            .collect()
    };
    assert_eq!(
        summary,
        expected(&[
            ("BC01", FindingKind::Sum, 4),
            ("BC01", FindingKind::BetweenTables, 5),
            ("BC01", FindingKind::EffectBeforeGoal, 2),
            ("BC01", FindingKind::Prose, 1),
            ("BC02", FindingKind::Sum, 6),
            ("BC04", FindingKind::Sum, 1),
            ("BC04", FindingKind::LoanRepayment, 1),
            ("BC05", FindingKind::Prose, 1),
            ("BC07", FindingKind::Prose, 1),
            ("BC09", FindingKind::Payback, 2),
            ("BC09", FindingKind::Prose, 1),
            ("BC11", FindingKind::Payback, 1),
            ("BC11", FindingKind::BetweenTables, 1),
            ("BC12", FindingKind::DateBeforeProposal, 2),
            ("BC13", FindingKind::Prose, 1),
            ("BC14", FindingKind::EffectBeforeGoal, 1),
            ("forsiden", FindingKind::Rounding, 8),
            ("forsiden", FindingKind::Sign, 1),
        ])
    );
    assert_eq!(
        causes.iter().map(|c| c.findings.len()).sum::<usize>(),
        findings.len(),
        "every finding in exactly one cause"
    );
    assert_eq!(causes[0].tables(), ["Tabel A", "Tabel ii"]);
    assert_eq!(
        causes[3].heading(),
        "BC01 · tekst mod tabel: teksten nævner et andet tal end tabellerne (tabellen er autoriteten; teksten er måske ikke rettet med) (1 sted; se Teksten, 3. Implementering og opfølgning)"
    );
    assert_eq!(
        causes[6].heading(),
        "BC04 · tilbagebetaling af lån: tilbagebetalingsplanen for det interne lån tilbagebetaler ikke det lånte (1 sted; se Tabel 1)"
    );
    for f in &findings {
        assert!(
            !f.to_string().contains("row is") && !f.to_string().contains("[between"),
            "Danish for people: {f}"
        );
    }
}

#[test]
fn the_known_disagreements_are_among_the_findings() {
    let findings = check(&file());
    let has = |pred: &dyn Fn(&Finding) -> bool| findings.iter().any(pred);
    let is = |f: &Finding, p: &str| f.proposal.as_ref().is_some_and(|x| x.as_str() == p);
    // README 1: BC04's blank implementation-cost subtotal.
    assert!(has(&|f| is(f, "BC04")
        && f.row == "Samlede implementeringsomkostninger"
        && f.year == Some(2025)
        && f.stated.is_zero()
        && f.computed == Decimal::from(1000)
        && f.explanation.contains("rækken er tom i dokumentet")));
    // README 2: BC04 repays 1.032 against 1.000.
    assert!(has(
        &|f| is(f, "BC04") && f.kind == FindingKind::LoanRepayment
    ));
    // People read the explanations: Danish words, Danish digits (1.032, not 1032).
    assert!(has(&|f| is(f, "BC04")
        && f.kind == FindingKind::LoanRepayment
        && f.explanation.contains("tilbagebetaler i alt 1.032")));
    for f in &findings {
        // A transcription note from the baseline file is quoted as it was written.
        let own = f
            .explanation
            .split("; bemærkning:")
            .next()
            .unwrap_or_default();
        let e = format!(" {own} ");
        for english in [" the ", " rows ", " states ", " add up ", " give "] {
            assert!(!e.contains(english), "English in {f}");
        }
    }
    // README 3–5: BC01 Tabel A vs 2.1.1 differ by one; Tabel A and ii do not add up by one.
    assert!(has(&|f| is(f, "BC01")
        && f.kind == FindingKind::BetweenTables
        && f.row.contains("SUD")
        && f.year == Some(2026)
        && f.difference == Decimal::from(-1)));
    assert!(has(&|f| is(f, "BC01")
        && f.table == "Tabel A"
        && f.difference == Decimal::ONE));
    assert!(has(&|f| is(f, "BC01") && f.table == "Tabel ii"));
    // README 6–7: BC02 Tabel A and Tabel 2.
    assert!(has(&|f| is(f, "BC02") && f.table == "Tabel A"));
    assert!(has(&|f| is(f, "BC02") && f.table == "Tabel 2"));
    // README 8: payback counted differently for BC09 and BC11 (service), not for BC11 total.
    assert!(has(&|f| is(f, "BC09") && f.kind == FindingKind::Payback));
    assert!(has(&|f| is(f, "BC11")
        && f.kind == FindingKind::Payback
        && f.row.contains("service")));
    assert!(!has(&|f| is(f, "BC11") && f.row.contains("totaløkonomi")));
    // README 9–12: front Tabel 1 rounding/sum differences, and the sign slip in Tabel 2.
    assert!(has(&|f| f.proposal.is_none()
        && f.row == "SUD"
        && f.kind == FindingKind::Rounding));
    assert!(has(&|f| f.proposal.is_none()
        && f.row == "TMU"
        && f.kind == FindingKind::Rounding));
    assert!(has(&|f| f.table == "Tabel 1 (forside)" && f.row == "I alt"));
    assert!(has(
        &|f| f.table == "Tabel 2 (forside)" && f.kind == FindingKind::Sign
    ));
    // README 13: front Tabel 2's per-proposal figures agree with Tabel 1 up to rounding.
    assert!(!has(
        &|f| f.table == "Tabel 2 (forside)" && f.row.starts_with("BC")
    ));
    // Nothing is adjusted: checking twice gives the same, and the file is unchanged.
    assert_eq!(check(&file()), findings);
}

#[test]
fn findings_serialise_for_the_cli() {
    let findings = check(&file());
    let json = serde_json::to_value(&findings[0]).unwrap();
    assert_eq!(json["proposal"], "BC01");
    assert_eq!(json["kind"], "sum");
    assert_eq!(json["stated"], "-1474");
    assert_eq!(json["difference"], "1");
    let line = findings[0].to_string();
    assert!(line.starts_with("BC01 · Tabel A · Total · 2027: angivet -1474, beregnet -1475"));
    let front = findings.last().unwrap().to_string();
    assert!(
        front.starts_with("forsiden · Tabel 2 (forside) · I alt"),
        "{front}"
    );
}

#[test]
fn a_consistent_document_has_no_findings_and_a_slip_is_found() {
    // BC07 alone with its own front rows agrees with itself, but for its prose's "i alt 1,3
    // mio. kr." against Tabel 1's 1.455.
    let f = file();
    let mut only_bc07 = f.clone();
    only_bc07
        .proposals
        .retain(|p| p.identity.id.as_str() == "BC07");
    only_bc07.committee_table.clear();
    only_bc07.innovation_pool.clear();
    only_bc07
        .investment_pool
        .retain(|r| r.proposal.as_ref().is_some_and(|p| p.as_str() == "BC07"));
    assert_eq!(
        check(&only_bc07).iter().map(compact).collect::<Vec<_>>(),
        ["BC07|Teksten, 1. Økonomi|Der søges i alt om 1,3 mio. kr. fra investeringspuljen|-|-|1.3|1.455|tekst mod tabel"]
    );
    only_bc07.proposals[0].statements.clear();
    assert_eq!(check(&only_bc07), vec![]);

    // A mistyped row shows up in every subtotal it feeds, and nowhere is it corrected.
    let slipped = BUDGET_2025.replacen(
        "amounts = { \"2024\" = \"0\", \"2025\" = \"200\", \"2026\" = \"0\"",
        "amounts = { \"2024\" = \"0\", \"2025\" = \"210\", \"2026\" = \"0\"",
        1,
    );
    let slipped = parse(&slipped).unwrap();
    let bc07: Vec<String> = check(&slipped)
        .iter()
        .filter(|f| f.proposal.as_ref().is_some_and(|p| p.as_str() == "BC07"))
        .map(compact)
        .collect();
    assert_eq!(
        bc07,
        [
            "BC07|Tabel 1|Samlede implementeringsomkostninger|-|2025|1455|1465|sum",
            "BC07|Tabel 1|Samlet økonomisk påvirkning|-|2025|1455|1465|sum",
            "BC07|Teksten, 1. Økonomi|Der søges i alt om 1,3 mio. kr. fra investeringspuljen|-|-|1.3|1.465|tekst mod tabel",
        ]
    );
}

// ---- refused input ----

fn error_of(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("the broken file must be refused"),
        Err(e) => e.to_string(),
    }
}

const BC01_L1: &str = "amounts = { \"2024\" = \"0\", \"2025\" = \"-149\",";

#[test]
fn a_danish_decimal_comma_is_refused() {
    let text = BUDGET_2025.replacen(
        BC01_L1,
        "amounts = { \"2024\" = \"0\", \"2025\" = \"1,5\",",
        1,
    );
    assert_eq!(
        error_of(&text),
        "BC01 plan_line l1, amounts, 2025: «1,5» er ikke et beløb: skriv et tal i 1.000 kr., fx -1500 eller 37,5"
    );
}

#[test]
fn four_decimals_are_refused() {
    let text = BUDGET_2025.replacen(
        BC01_L1,
        "amounts = { \"2024\" = \"0\", \"2025\" = \"-149.0001\",",
        1,
    );
    assert_eq!(
        error_of(&text),
        "BC01 plan_line l1, amounts, 2025: beløbet -149.0001 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
    );
}

#[test]
fn an_unknown_committee_is_refused() {
    let text = BUDGET_2025.replacen(
        "committee = \"ØU\"\npresenting_administration = \"ØKF\"",
        "committee = \"XU\"\npresenting_administration = \"ØKF\"",
        1,
    );
    assert_eq!(
        error_of(&text),
        "BC01 committee: udvalget «XU» er ikke erklæret i filen: tilføj [[committee]] code = \"XU\", name = \"…\" (erklærede: BIU, BUU, KFU, SOU, SUD, TMU, ØU)"
    );
    let text = BUDGET_2025.replacen(
        "committee = \"TMU\"\nproposals = 2",
        "committee = \"TMX\"\nproposals = 2",
        1,
    );
    assert_eq!(
        error_of(&text),
        "summary.committee_table: udvalget «TMX» er ikke erklæret i filen: tilføj [[committee]] code = \"TMX\", name = \"…\" (erklærede: BIU, BUU, KFU, SOU, SUD, TMU, ØU)"
    );
}

#[test]
fn an_unknown_control_area_is_refused() {
    let text = BUDGET_2025.replacen("control_area = \"service\"", "control_area = \"drift\"", 1);
    assert_eq!(
        error_of(&text),
        "BC01 plan_line l1, control_area: «drift» er ikke et styringsområde; brug en af: service, anlæg, overførsler, efterspørgselsstyret, finansposter"
    );
}

#[test]
fn a_missing_required_field_is_refused() {
    let text = BUDGET_2025.replacen(
        "[[proposal.plan_line]]\nid = \"l1\"\n",
        "[[proposal.plan_line]]\n",
        1,
    );
    let message = error_of(&text);
    assert!(
        message.starts_with("baselinefilen følger ikke skemaet: "),
        "{message}"
    );
    assert!(message.contains("missing field `id`"), "{message}");
    assert!(message.contains("line "), "{message}");
}

#[test]
fn other_slips_are_refused_with_their_place() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "investment_total = \"11.2\"",
            "investment_total = \"11.25\"",
            "summary.committee_table BIU, investment_total: «11.25» er ikke et tal i mio. kr.: skriv et decimaltal med højst én decimal, fx -1.5",
        ),
        (
            BC01_L1,
            "amounts = { \"2024\" = \"0\", \"2023\" = \"-149\",",
            "BC01 plan_line l1, amounts: 2023 er ikke et af forslagets år (2024, 2025, 2026, 2027, 2028, 2029)",
        ),
        (
            "schema_version = 1",
            "schema_version = 2",
            "schema_version 2 kan ikke læses: denne version af Gevinst læser schema_version 1",
        ),
        (
            "proposal = \"BC14\"",
            "proposal = \"BC15\"",
            "summary.investment_pool_row BC15: BC15 er ikke et forslag i denne fil",
        ),
        (
            "start = \"2025-01-01\"",
            "start = \"01.01.25\"",
            "BC03 phase 'Analyse og planlægningsfasen', start: «01.01.25» er ikke en dato (skriv ÅÅÅÅ-MM-DD)",
        ),
        (
            "id = \"l2\"",
            "id = \"l1\"",
            "BC01: planen hænger ikke sammen: planlinjen l1 findes to gange",
        ),
        (
            "amount = \"-258\"",
            "amount = \"-250\"",
            "BC04 loan_repayment: 2027 is -250 in the loan_repayment entries but -258 in the plan's loan_repayment lines",
        ),
    ];
    for (from, to, message) in cases {
        let text = BUDGET_2025.replacen(from, to, 1);
        assert_ne!(text, BUDGET_2025, "{from}");
        assert_eq!(error_of(&text), message);
    }
    // An unknown field (a typo) is not dropped silently.
    let text = BUDGET_2025.replacen(
        "label = \"Projektledelse\"",
        "lable = \"Projektledelse\"",
        1,
    );
    assert!(error_of(&text).contains("unknown field `lable`"));
    // Not TOML at all.
    assert!(error_of("this is = = not toml").starts_with("baselinefilen følger ikke skemaet"));
}

proptest::proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC*") {
        let _ = parse(&s);
    }
}

// ---- committee attribution (the per-committee tables, read) ----

fn owned(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(c, v)| ((*c).to_string(), *v))
        .collect()
}

fn shares(plan: &Plan, lead: Committee, year: i32) -> Vec<(String, i64)> {
    let a = plan.attribution(lead);
    a.committees()
        .into_iter()
        .map(|c| (c.code().to_string(), a.planned(c, year).to_i64().unwrap()))
        .collect()
}

#[test]
fn bc01_is_attributed_to_seven_committees_by_its_tabel_a_and_the_shares_add_up_to_tabel_1() {
    let f = file();
    let p = proposal(&f, "BC01");
    let a = p.plan.attribution(p.identity.committee);
    assert_eq!(a.source.danish(), "Tabel A");
    // ØU has two rows (Økonomiudvalget −189 and Koncernservice −594 at full phase-in).
    assert_eq!(
        shares(&p.plan, p.identity.committee, 2027),
        owned(&[
            ("ØU", -783),
            ("BIU", -154),
            ("BUU", -102),
            ("KFU", -93),
            ("SOU", -48),
            ("SUD", -172),
            ("TMU", -123)
        ])
    );
    let sum = |year| -> Decimal { a.committees().iter().map(|c| a.planned(*c, year)).sum() };
    for year in [2025, 2026] {
        assert_eq!(
            sum(year),
            p.plan
                .computed_total(TotalKind::PermanentChange, None, year),
            "{year}"
        );
    }
    // From 2027 the rows give −1.475 against Tabel 1's −1.474: the document's own rounding (a
    // finding), kept as written rather than corrected.
    assert_eq!(sum(2027), Decimal::from(-1475));
    assert!(check(&f).iter().any(
        |x| x.proposal.as_ref().is_some_and(|id| id.as_str() == "BC01")
            && x.table.starts_with("Tabel A")
            && x.year == Some(2027)
    ));
    // Tabel 2 (administration) belongs to the whole proposal.
    assert_eq!(a.administrative_effect[&2027], Decimal::from(-1474));
}

#[test]
fn bc02_has_a_target_effect_in_four_committees_and_an_appropriation_effect_that_nets_to_zero() {
    let f = file();
    let p = proposal(&f, "BC02");
    let a = p.plan.attribution(p.identity.committee);
    assert_eq!(a.source.danish(), "Tabel A");
    assert_eq!(a.appropriation_source.danish(), "Tabel B");
    assert_eq!(
        shares(&p.plan, p.identity.committee, 2026),
        owned(&[("ØU", -78), ("BUU", -101), ("KFU", -306), ("SUD", -76)])
    );
    let appropriation: Decimal = a.appropriation_effect.values().map(|y| y[&2026]).sum();
    assert_eq!(appropriation, Decimal::ZERO);
    assert_eq!(
        a.appropriation_effect[&Committee::parse("ØU").unwrap()][&2026],
        Decimal::from(-483)
    );
}

#[test]
fn a_proposal_without_a_committee_table_stays_whole_on_its_lead_committee() {
    let f = file();
    for id in ["BC05", "BC11", "BC13"] {
        let p = proposal(&f, id);
        let a = p.plan.attribution(p.identity.committee);
        assert_eq!(a.source.danish(), "planens linjer", "{id}");
        assert_eq!(a.committees(), vec![p.identity.committee], "{id}");
        let year = p.plan.full_phase_in_year().unwrap();
        assert_eq!(
            a.planned(p.identity.committee, year),
            p.plan
                .computed_total(TotalKind::PermanentChange, None, year),
            "{id}"
        );
    }
}

// ---- prose statements ----

#[test]
fn prose_that_agrees_with_the_tables_is_no_finding_and_is_checked_as_the_prose_rounds() {
    let f = file();
    let findings = check(&f);
    let prose = |id: &str| {
        findings
            .iter()
            .filter(|x| {
                x.kind == FindingKind::Prose
                    && x.proposal.as_ref().is_some_and(|p| p.as_str() == id)
            })
            .count()
    };
    // BC07's 0,4 (−410), BC09's 5,8 (−5.780) and BC11's 25,3 (25.250, half away from zero)
    // and 7,2 on anlæg agree; each proposal has its statements.
    assert_eq!(proposal(&f, "BC07").statements.len(), 2);
    assert_eq!(prose("BC07"), 1, "only the 1,3");
    assert_eq!(proposal(&f, "BC09").statements.len(), 2);
    assert_eq!(prose("BC09"), 1, "only the third");
    assert_eq!(proposal(&f, "BC11").statements.len(), 2);
    assert_eq!(prose("BC11"), 0);
    // Had BC13 said 10,8 (or 11 in whole millions), it would agree: the table's −10.772 is
    // rounded as the prose writes its figure.
    for (said, finding) in [
        ("-10.8", false),
        ("-11", false),
        ("-10.5", true),
        ("-10.7", true),
    ] {
        let text = BUDGET_2025.replacen("mio = \"-10.5\"", &format!("mio = \"{said}\""), 1);
        let bc13 = check(&parse(&text).unwrap())
            .into_iter()
            .any(|x| x.kind == FindingKind::Prose && x.row.starts_with("Med denne case"));
        assert_eq!(bc13, finding, "{said}");
    }
}

#[test]
fn tabel_2_is_held_against_the_tabel_1_lines_it_restates() {
    let f = file();
    let lines = |id: &str| -> Vec<String> {
        proposal(&f, id)
            .administration_lines
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        lines("BC11"),
        ["l1", "l2", "l3", "l4", "l5", "l7"],
        "all but the rent (l6)"
    );
    assert_eq!(lines("BC01"), ["l1", "l2", "l3"]);
    assert!(lines("BC02").is_empty(), "a blank Tabel 2 restates nothing");
    // Only BC11's 2026 disagrees; with the rent counted in, every year would.
    let between = |file: &BaselineFile| -> Vec<Option<i32>> {
        check(file)
            .iter()
            .filter(|x| {
                x.table
                    .starts_with("Tabel 2. Varige ændringer, administration vs")
            })
            .map(|x| x.year)
            .collect()
    };
    assert_eq!(between(&f), [Some(2026)]);
    let with_rent = BUDGET_2025.replacen(
        "restates_lines = [\"l1\", \"l2\", \"l3\", \"l4\", \"l5\", \"l7\"]",
        "restates_lines = [\"l1\", \"l2\", \"l3\", \"l4\", \"l5\", \"l6\", \"l7\"]",
        1,
    );
    assert_eq!(
        between(&parse(&with_rent).unwrap()),
        [Some(2025), Some(2026), Some(2027), Some(2028), Some(2029)]
    );
    let unknown = BUDGET_2025.replacen(
        "restates_lines = [\"l1\", \"l2\", \"l3\"]",
        "restates_lines = [\"l1\", \"l2\", \"l9\"]",
        1,
    );
    assert!(error_of(&unknown).ends_with("l9 er ikke en linje i planen"));
}

#[test]
fn a_statement_that_cannot_be_checked_is_refused_with_its_place() {
    let cases = [
        (
            "claim = \"share\"\nline = \"l3\"",
            "claim = \"share\"\nline = \"l9\"",
            "BC01 statement 1: line l9 er ikke en linje i planen",
        ),
        (
            "fraction = \"2/3\"",
            "fraction = \"3/2\"",
            "BC01 statement 1: «3/2» er ikke en brøk mellem 0 og 1 (skriv fx 2/3)",
        ),
        (
            "from = 2025\nto = 2030",
            "from = 2030\nto = 2025",
            "BC05 statement 1: to 2025 ligger før from 2030",
        ),
        (
            "claim = \"permanent_change_full_phase_in\"\nmio = \"-10.5\"",
            "claim = \"savings\"\nmio = \"-10.5\"",
            "BC13 statement 1: «savings» er ikke en slags udsagn",
        ),
        (
            "claim = \"permanent_change_full_phase_in\"\nmio = \"-10.5\"",
            "claim = \"permanent_change_full_phase_in\"",
            "BC13 statement 1: permanent_change_full_phase_in kræver mio",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(BUDGET_2025.contains(from), "{from}");
        let error = error_of(&BUDGET_2025.replacen(from, to, 1));
        assert!(error.starts_with(expected), "{error}");
    }
}

#[test]
fn effect_is_judged_against_the_first_realisation_goal_counted_from_its_quarter() {
    let before_goal = |text: &str| -> Vec<(String, Option<i32>)> {
        check(&parse(text).unwrap())
            .iter()
            .filter(|f| f.kind == FindingKind::EffectBeforeGoal)
            .map(|f| (f.proposal.as_ref().unwrap().to_string(), f.year))
            .collect()
    };
    assert_eq!(
        before_goal(BUDGET_2025),
        [
            ("BC01".to_string(), Some(2025)),
            ("BC01".to_string(), Some(2026)),
            ("BC14".to_string(), Some(2026)),
        ]
    );
    // Had BC14's income goal been due "Primo 2026", half a year's income in 2026 would fit; had
    // BC01's first efficiency been due in the first quarter of 2025, so would its 2025 and 2026.
    let earlier = BUDGET_2025
        .replacen(
            "when = \"Ultimo 2026/primo 2027\"",
            "when = \"Primo 2026\"",
            2,
        )
        .replacen(
            "when = \"Andet kvartal 2026\"",
            "when = \"Første kvartal 2025\"",
            1,
        );
    assert_eq!(before_goal(&earlier), []);
}

#[test]
fn a_deadline_before_the_proposal_was_approved_is_a_suspect_date() {
    let f = file();
    assert_eq!(
        proposal(&f, "BC12").approved_on,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 27)
    );
    assert_eq!(
        proposal(&f, "BC02").approved_on,
        None,
        "the document gives no date"
    );
    let suspects = |text: &str| -> Vec<String> {
        check(&parse(text).unwrap())
            .iter()
            .filter(|x| x.kind == FindingKind::DateBeforeProposal)
            .map(|x| format!("{} {}", x.proposal.as_ref().unwrap(), x.explanation))
            .collect()
    };
    assert_eq!(
        suspects(BUDGET_2025),
        [
            "BC12 «Der er indkøbt ekstern rådgivning»: 1 af 1 kontrolpunkter (2024Q1) slutter før forslaget blev godkendt af Center for Økonomi den 2024-06-27",
            "BC12 «Der er frikøbt medarbejdere til projektledelse, understøttelse af eksterne rådgivere samt til implementering af nye arbejdsgange»: 1 af 1 kontrolpunkter (2024Q1) slutter før forslaget blev godkendt af Center for Økonomi den 2024-06-27",
        ]
    );
    // Approved a quarter earlier, BC12's first-quarter deadlines would be plausible.
    let earlier = BUDGET_2025.replacen(
        "approved_on = \"2024-06-27\"",
        "approved_on = \"2024-03-31\"",
        1,
    );
    assert_eq!(suspects(&earlier), Vec::<String>::new());
    let bad = BUDGET_2025.replacen(
        "approved_on = \"2024-06-27\"",
        "approved_on = \"27. juni 2024\"",
        1,
    );
    assert!(error_of(&bad).starts_with("BC12 approved_on: «27. juni 2024» er ikke en dato"));
}

// ---- committees and administrations as data (issue 10 item 8) ----

#[test]
fn the_file_declares_its_committees_and_administrations_with_their_names() {
    let f = file();
    let names = &f.names;
    assert_eq!(names.committees.len(), 7);
    assert_eq!(names.administrations.len(), 7);
    assert_eq!(names.committee("SOU"), "Sundheds- og Omsorgsudvalget");
    assert_eq!(
        names.committee("XYZ"),
        "XYZ",
        "an undeclared code is shown as it is"
    );
    // Every adoption carries them, so the pages read them from the log.
    let src = source("budget-2025-bilag-7.toml", BUDGET_2025.as_bytes());
    for (_, commands) in f.import_commands(Some(&src)) {
        let adopt = commands
            .iter()
            .find_map(|c| match c {
                ProposalCommand::AdoptBaseline { source, .. } => source.clone(),
                _ => None,
            })
            .unwrap();
        assert_eq!(adopt.names.as_ref(), Some(names));
    }
}

#[test]
fn a_use_of_an_undeclared_or_twice_declared_code_is_refused() {
    let text = BUDGET_2025.replacen(
        "presenting_administration = \"ØKF\"",
        "presenting_administration = \"ØKX\"",
        1,
    );
    assert!(
        error_of(&text).ends_with(
            "forvaltningen «ØKX» er ikke erklæret i filen: tilføj [[administration]] code = \"ØKX\", name = \"…\""
        ),
        "{}",
        error_of(&text)
    );
    let text = BUDGET_2025.replacen(
        "[[committee]]\ncode = \"BIU\"",
        "[[committee]]\ncode = \"ØU\"\nname = \"Økonomiudvalget\"\n\n[[committee]]\ncode = \"BIU\"",
        1,
    );
    assert_eq!(
        error_of(&text),
        "committee 2 (ØU): udvalget er erklæret to gange"
    );
    let text = BUDGET_2025.replacen("name = \"Socialudvalget\"", "name = \" \"", 1);
    assert_eq!(
        error_of(&text),
        "committee 5 (SUD), name: navnet må ikke være tomt"
    );
}
