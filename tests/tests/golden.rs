//! The stored form of every event type is pinned by a golden file under `tests/golden/events/`
//! (`{Type}.v{version}.json`, holding the payload exactly as the store writes it).
//!
//! - Every golden file must keep deserialising, forever: old history must stay readable. Never
//!   edit or delete one; a new shape gets a new version (and an upcaster) and a new file.
//! - The current version of every type must serialise exactly as its golden file, so a change
//!   to the stored shape cannot slip in unnoticed.
//!
//! - Every golden file of a current version reads back as exactly the current sample, value for
//!   value, not only as the right type.
//! - Every golden file of an older version reads back, through its upcaster, as the current
//!   sample too, and serialises as the current version: so far every new version only renamed
//!   words (v2: the English machine codes `capital`, `investment`, `high` … for the
//!   transliterations `anlaeg`, `investering`, `hoej` … of v1, read through serde aliases). A
//!   later version that changes a value on upcasting must say which files are exempt and what
//!   they read as instead: `read_back_as` does (`BaselineAdopted` v3 added the front matter's
//!   statements, which v1 and v2 read without).
//! - Every sample, stored as a fixed event, hashes to the value pinned in
//!   `tests/golden/hashes.txt`: the hash chain's encoding (`gevinst_domain::chain`) cannot drift
//!   without this test failing, and a deliberate change must re-pin every hash (and say why).
//!   The file holds one block per version generation, one chain continuing through all of
//!   them: block 1 is every type at v1 (payloads as the v1 golden files store them), block N
//!   every type at `min(N, its current version)`. A new version adds a block and never
//!   changes the lines before it: a stored v1 row is hashed over its stored payload, which is
//!   never rewritten, so its hash stays what block 1 pins.
//!
//! `GEVINST_BLESS=1 scripts/test.sh golden::` writes files that are missing (never overwrites
//! one).

use std::path::PathBuf;

use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use gevinst_domain::baseline::{CommitteeSummaryRow, InvestmentPoolRow};
use gevinst_domain::proposal::{
    examples, BaselineAdoption, BaselineSource, BudgetAdjustment, BudgetDecision,
    CompensatingAction, Fact, Forecast, FrontMatter, GoalCancellation, GoalProgress, GoalSchedule,
    IncurredCost, InnovationOutcome, MilestoneCompletion, PlanRevision, PlanSection, PoolRow,
    ProposalEvent, Registration, Reversal, SavingVerification, Supersession,
};
use gevinst_domain::{
    Actor, Amount, BudgetOutcome, Committee, ControlArea, EvidenceRef, GoalId, MilestoneId, Note,
    PlanLineId, ProposalId, Reason, Role,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/events")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// One sample of every event type, with every optional field filled.
fn samples() -> Vec<ProposalEvent> {
    let reason = |s: &str| Reason::parse(s).unwrap();
    let cost = IncurredCost {
        year: 2025,
        amount: Amount::parse("1250.5").unwrap(),
        price_level: examples::price_level(),
        plan_line: Some(PlanLineId::parse("l3").unwrap()),
        control_area: ControlArea::Capital,
        effective_on: date(2025, 6, 30),
        evidence: Some(EvidenceRef::parse("Kvantum 2025-06").unwrap()),
    };
    vec![
        ProposalEvent::ProposalRegistered(Registration {
            identity: examples::identity("BC01"),
        }),
        ProposalEvent::BaselineAdopted(BaselineAdoption {
            plan: examples::plan(),
            source: Some(BaselineSource {
                file: "budget-2025-bilag-7.toml".into(),
                sha256: "ab".repeat(32),
                findings: vec![],
                front_matter: Some(Box::new(front_matter())),
                // Names are recorded since the files declare them; the v3 sample keeps
                // none, so its stored form (and hash) stays exactly as pinned.
                names: None,
            }),
        }),
        ProposalEvent::PlanRevised(PlanRevision {
            revision: 1,
            plan: examples::plan(),
            reason: reason("Udbud forsinket et år"),
            approved_by: Actor::parse("økonomiudvalget").unwrap(),
        }),
        ProposalEvent::MilestoneCompleted(MilestoneCompletion {
            milestone: MilestoneId::parse("m1").unwrap(),
            completed_on: date(2025, 6, 1),
            evidence: Some(EvidenceRef::parse("Referat styregruppe 2025-06-01").unwrap()),
        }),
        ProposalEvent::GoalProgressReported(GoalProgress {
            goal: GoalId::parse("g1").unwrap(),
            reported_on: date(2025, 5, 1),
            note: Note::parse("Udbud afsluttet; leverandør valgt").unwrap(),
            evidence: Some(EvidenceRef::parse("sag 2025-123").unwrap()),
            at_risk: true,
        }),
        ProposalEvent::GoalAchieved(examples::achievement("g1", date(2025, 9, 15))),
        ProposalEvent::GoalScheduled(GoalSchedule {
            goal: GoalId::parse("g2").unwrap(),
            due_on: date(2026, 3, 31),
            note: Some(Note::parse("Investeringsmidler frigivet 2026-01-10").unwrap()),
        }),
        ProposalEvent::GoalCancelled(GoalCancellation {
            goal: GoalId::parse("g2").unwrap(),
            cancelled_on: date(2026, 4, 1),
            reason: reason("Målet er erstattet af et nyt"),
            role: Role::Controller,
        }),
        ProposalEvent::SavingRealised(examples::saving(2025, -400)),
        ProposalEvent::ImplementationCostIncurred(cost.clone()),
        ProposalEvent::ForecastUpdated(Forecast {
            year: 2026,
            section: PlanSection::PermanentChange,
            amount: Amount::parse("-1200").unwrap(),
            price_level: examples::price_level(),
            plan_line: Some(PlanLineId::parse("l1").unwrap()),
            control_area: ControlArea::Service,
            effective_on: date(2025, 9, 1),
            note: Some(Note::parse("Indfasning et halvt år senere").unwrap()),
        }),
        ProposalEvent::CompensatingActionRecorded(CompensatingAction {
            goal: Some(GoalId::parse("g1").unwrap()),
            year: None,
            recorded_on: date(2025, 10, 15),
            action: Note::parse("Ekstra ressourcer til udrulning i 4. kvartal").unwrap(),
            expected_effect: Some(Note::parse("Målet nås i 1. kvartal 2026").unwrap()),
            evidence: Some(EvidenceRef::parse("Referat styregruppe 2025-10-14").unwrap()),
        }),
        ProposalEvent::SavingVerified(SavingVerification {
            saving: 9,
            verified_on: date(2026, 1, 20),
            verified_by: Actor::parse("carl@kk.dk").unwrap(),
            reported_by: Actor::parse("anna@kk.dk").unwrap(),
            role: Role::Controller,
            note: Some(Note::parse("Afstemt mod Kvantum-udtræk 2025-12").unwrap()),
        }),
        ProposalEvent::BudgetAdjusted(BudgetAdjustment {
            committee: Committee::parse("SUD").unwrap(),
            year: 2026,
            control_area: ControlArea::Service,
            amount: Amount::parse("-1500").unwrap(),
            price_level: examples::price_level(),
            effective_on: date(2026, 1, 1),
            reference: Some(EvidenceRef::parse("Budget 2026, budgetaftalen").unwrap()),
            note: Some(Note::parse("Rammen reduceret med fuld indfasning").unwrap()),
            role: Role::Controller,
        }),
        ProposalEvent::InnovationOutcomeRecorded(InnovationOutcome {
            recorded_on: date(2026, 6, 30),
            learning: Note::parse("Sensorer virker på plejecentre, ikke i eget hjem").unwrap(),
            led_to_investment_case: true,
            investment_case: Some(ProposalId::parse("BC12").unwrap()),
            evidence: Some(EvidenceRef::parse("Evalueringsrapport 2026-06").unwrap()),
        }),
        ProposalEvent::EntryReversed(Reversal {
            corrects: 9,
            reason: reason("Dobbeltregistrering"),
        }),
        ProposalEvent::EntrySuperseded(Supersession {
            corrects: 10,
            reason: reason("Forkert beløb"),
            replacement: Fact::ImplementationCostIncurred(IncurredCost {
                amount: Amount::parse("1205").unwrap(),
                ..cost
            }),
        }),
        ProposalEvent::BudgetDecided(BudgetDecision {
            outcome: BudgetOutcome::AdoptedChanged,
            decided_on: date(2024, 10, 3),
            reference: EvidenceRef::parse("Budgetaftale 2025").unwrap(),
            note: Some(Note::parse("Investeringen nedsat til 4,0 mio. kr.").unwrap()),
            role: Role::Controller,
        }),
    ]
}

/// Bilag 7's front matter on BC01, as `BaselineAdopted` v3 carries it.
fn front_matter() -> FrontMatter {
    let mio = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let row = |committee: Option<Committee>, label: &str, n: u32, inv: &str, sav: &str| {
        CommitteeSummaryRow {
            committee,
            label: label.into(),
            note: committee.map(|_| "tværgående".to_string()),
            proposals: n,
            innovation_proposals: committee.map(|_| 0),
            investment_total: mio(inv),
            savings_full_phase_in_service: mio(sav),
        }
    };
    FrontMatter {
        unit: "mio. kr.".into(),
        price_level: examples::price_level(),
        committee_row: Some(row(
            Some(Committee::parse("ØU").unwrap()),
            "ØU",
            2,
            "6.1",
            "-2.0",
        )),
        total_row: Some(row(None, "I alt", 12, "122.4", "-93.7")),
        pool_row: Some(PoolRow::Investment(InvestmentPoolRow {
            proposal: Some(ProposalId::parse("BC01").unwrap()),
            label: "BC01".into(),
            committee: Some(Committee::parse("ØU").unwrap()),
            title: Some("Samlet ferieløsning i Serviceportalen".into()),
            footnote: Some("*Tværgående forslag til godkendelse, jf. bilag 8".into()),
            investment_service: mio("0.0"),
            investment_capital: mio("4.3"),
            savings_service: mio("-1.5"),
            savings_transfers: mio("0"),
            payback_years: Some(mio("4")),
            note: Some("fast eksempel".into()),
        })),
    }
}

/// What a golden file of an older version reads back as, where upcasting leaves a field empty
/// that the current sample fills (the exemptions the module docs speak of):
/// - `BaselineAdopted` v1 and v2 read with no `source.front_matter`: v3 added it, and what an
///   older adoption's document stated is not known to the row.
fn read_back_as(sample: &ProposalEvent, version: &str) -> ProposalEvent {
    match sample {
        ProposalEvent::BaselineAdopted(BaselineAdoption { plan, source }) if version != "3" => {
            ProposalEvent::BaselineAdopted(BaselineAdoption {
                plan: plan.clone(),
                source: source.clone().map(|s| BaselineSource {
                    front_matter: None,
                    ..s
                }),
            })
        }
        _ => sample.clone(),
    }
}

fn golden_path(event_type: &str, version: &str) -> PathBuf {
    dir().join(format!("{event_type}.v{version}.json"))
}

#[test]
fn every_event_type_has_a_sample() {
    let names: Vec<&str> = samples().iter().map(ProposalEvent::type_name).collect();
    let declared: Vec<&str> = ProposalEvent::TYPES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, declared);
}

#[test]
fn current_versions_serialise_exactly_as_their_golden_files() {
    let bless = std::env::var("GEVINST_BLESS").is_ok_and(|v| v == "1");
    for event in samples() {
        let (t, v) = (event.event_type(), event.event_version());
        let path = golden_path(&t, &v);
        let json = serde_json::to_string_pretty(&event).unwrap() + "\n";
        if !path.exists() && bless {
            std::fs::write(&path, &json).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run with GEVINST_BLESS=1 to write it",
                path.display()
            )
        });
        let stored: serde_json::Value = serde_json::from_str(&golden).unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            stored,
            "the stored form of {t} v{v} changed: add a new version and an upcaster instead"
        );
    }
}

#[test]
fn every_golden_file_still_deserialises_and_the_current_ones_to_their_sample() {
    let current = samples();
    let (mut read, mut compared) = (0, 0);
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let event_type = name.split(".v").next().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let event: ProposalEvent = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} no longer deserialises: {e}"));
        assert_eq!(event.type_name(), event_type, "{name}");
        let sample = current
            .iter()
            .find(|s| s.type_name() == event_type)
            .unwrap_or_else(|| panic!("{name}: no current sample of {event_type}"));
        let current_path = golden_path(&sample.event_type(), &sample.event_version());
        let version = name.trim_end_matches(".json").rsplit(".v").next().unwrap();
        let expected = read_back_as(sample, version);
        assert_eq!(
            event, expected,
            "{name} reads back as another value than the current sample"
        );
        if current_path == path {
            compared += 1;
        } else {
            // An older version: it upcasts to the current shape, and the row's version is one
            // the decoder accepts. It serialises as the current golden file, less what the
            // exemptions leave empty.
            assert!(event.reads_version(version), "{name}");
            let mut now: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&current_path).unwrap()).unwrap();
            if expected != *sample {
                if let Some(source) = now["BaselineAdopted"]["source"].as_object_mut() {
                    source.remove("front_matter");
                }
            }
            assert_eq!(
                serde_json::to_value(&event).unwrap(),
                now,
                "{name} does not serialise as {}",
                current_path.display()
            );
        }
        read += 1;
    }
    assert_eq!(
        compared,
        current.len(),
        "every current version is compared value for value"
    );
    assert!(
        read >= ProposalEvent::TYPES.len(),
        "only {read} golden files"
    );
}

/// The payload stored for `event_type` at `version`: the sample's when that is the current
/// version, else the golden file as stored.
fn stored_payload(sample: &ProposalEvent, version: &str) -> serde_json::Value {
    if sample.event_version() == version {
        serde_json::to_value(sample).unwrap()
    } else {
        let path = golden_path(&sample.event_type(), version);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }
}

/// The samples as a chain of fixed stored events (stream `BC01`, positions 1…, one recorded time
/// a minute apart), each line `Type vN hash`: one block per version generation (see the module
/// docs), the chain running on from one block into the next.
/// Event types added after a version generation, in the order they were added, each with the
/// generation it followed: it is hashed once, at its current version, right after that
/// generation's block, and is part of every later generation's block. Adding a type or a
/// generation so appends lines and never moves the ones before it.
const LATER: &[(&str, u32)] = &[("BudgetDecided", 2)];

fn sample_hashes() -> String {
    use gevinst_domain::chain::{event_hash, HashInput, GENESIS_HASH};
    let metadata = serde_json::json!({"actor": "anna@kk.dk", "role": "projektejer",
        "effective_date": "2025-12-31", "reason": "fast eksempel"});
    let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut prev = GENESIS_HASH.to_string();
    let mut out = String::new();
    let samples = samples();
    let latest = ProposalEvent::TYPES
        .iter()
        .map(|(_, v)| v.parse::<u32>().unwrap())
        .max()
        .unwrap();
    let added_after = |event: &ProposalEvent| {
        LATER
            .iter()
            .find(|(name, _)| *name == event.type_name())
            .map_or(0, |(_, g)| *g)
    };
    let samples = &samples;
    let generations = (1..=latest).flat_map(|generation| {
        let block = samples
            .iter()
            .filter(move |e| added_after(e) < generation)
            .map(move |event| {
                let current: u32 = event.event_version().parse().unwrap();
                (event, current.min(generation).to_string())
            });
        let added = LATER
            .iter()
            .filter(move |(_, g)| *g == generation)
            .map(|(name, _)| {
                let event = samples.iter().find(|e| e.type_name() == *name).unwrap();
                (event, event.event_version())
            });
        block.chain(added)
    });
    for (i, (event, v)) in generations.enumerate() {
        let n = i64::try_from(i).unwrap() + 1;
        let payload = stored_payload(event, &v);
        let t = event.event_type();
        let id = format!("00000000-0000-4000-8000-{n:012}");
        let hash = event_hash(&HashInput {
            event_id: &id,
            position: n,
            stream_id: "BC01",
            sequence: n,
            event_type: &t,
            event_version: &v,
            payload: &payload,
            metadata: &metadata,
            recorded_at: start + chrono::Duration::minutes(n),
            prev_hash: &prev,
        });
        out.push_str(&format!("{t} v{v} {hash}\n"));
        prev = hash;
    }
    out
}

#[test]
fn a_v1_payload_with_anlaeg_reads_as_capital_and_is_written_as_capital() {
    let text = std::fs::read_to_string(golden_path("ImplementationCostIncurred", "1")).unwrap();
    let stored: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        stored["ImplementationCostIncurred"]["control_area"],
        "anlaeg"
    );
    let event: ProposalEvent = serde_json::from_value(stored).unwrap();
    let ProposalEvent::ImplementationCostIncurred(cost) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(cost.control_area, ControlArea::Capital);
    assert!(event.reads_version("1") && event.reads_version("2"));
    assert!(!event.reads_version("3") && !event.reads_version("01"));
    let again = serde_json::to_value(&event).unwrap();
    assert_eq!(
        again["ImplementationCostIncurred"]["control_area"],
        "capital"
    );
    assert_eq!(event.event_version(), "2");

    let text = std::fs::read_to_string(golden_path("ProposalRegistered", "1")).unwrap();
    let event: ProposalEvent = serde_json::from_str(&text).unwrap();
    let again = serde_json::to_value(&event).unwrap();
    assert_eq!(
        again["ProposalRegistered"]["identity"]["kind"],
        "investment"
    );
}

#[test]
fn a_recommendation_is_stored_only_when_stated_so_older_identities_keep_their_bytes() {
    let v2 = std::fs::read_to_string(golden_path("ProposalRegistered", "2")).unwrap();
    let event: ProposalEvent = serde_json::from_str(&v2).unwrap();
    let ProposalEvent::ProposalRegistered(Registration { identity }) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(identity.recommendation, None);
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::from_str::<serde_json::Value>(&v2).unwrap(),
        "an identity without a recommendation serialises as before the field existed"
    );
    let mut stated = identity.clone();
    stated.recommendation = Some(gevinst_domain::Recommendation::ForApproval);
    let json = serde_json::to_value(&stated).unwrap();
    assert_eq!(json["recommendation"], "for_approval");
    let back: gevinst_domain::proposal::ProposalIdentity = serde_json::from_value(json).unwrap();
    assert_eq!(back, stated);
}

#[test]
fn fixed_events_hash_to_their_pinned_values() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/hashes.txt");
    let now = sample_hashes();
    if !path.exists() && std::env::var("GEVINST_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &now).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with GEVINST_BLESS=1 to write it",
            path.display()
        )
    });
    for (line, (pinned, now)) in pinned.lines().zip(now.lines()).enumerate() {
        assert_eq!(
            pinned, now,
            "line {}: the hash of a fixed event changed, so every stored hash would no longer verify",
            line + 1
        );
    }
    assert_eq!(pinned.lines().count(), now.lines().count());
}

/// One sample of every price-index event (`gevinst_domain::price`), every field filled.
fn price_index_samples() -> Vec<gevinst_domain::price::PriceIndexEvent> {
    use gevinst_domain::price::{
        IndexSeries, PriceIndexEvent, Rate, SourceText, VintageId, VintageName,
    };
    let vintage = VintageId::parse("oes-2024-06").unwrap();
    let source = SourceText::parse("oes.dk, fastprisberegninger, 2025").unwrap();
    let year = gevinst_domain::PriceLevel::new(2025).unwrap();
    vec![
        PriceIndexEvent::VintageRegistered {
            vintage: vintage.clone(),
            name: VintageName::parse("Økonomistyrelsen, pris- og lønforudsætninger juni 2024")
                .unwrap(),
            published: date(2024, 6, 6),
            publisher: SourceText::parse("Økonomistyrelsen").unwrap(),
        },
        PriceIndexEvent::RateStated {
            vintage: vintage.clone(),
            series: IndexSeries::Service,
            year,
            rate: Rate::parse("2,8").unwrap(),
            source: source.clone(),
        },
        PriceIndexEvent::RateCorrected {
            vintage: vintage.clone(),
            series: IndexSeries::Capital,
            year,
            rate: Rate::parse("2,8").unwrap(),
            source,
            replaces: Rate::parse("2,3").unwrap(),
            reason: Reason::parse("skønnet, ikke den samlede opregning").unwrap(),
        },
        PriceIndexEvent::VintageTakenIntoUse {
            vintage,
            replaces: Some(VintageId::parse("kl-2024-06").unwrap()),
        },
    ]
}

/// The price index's events are pinned the same way as the proposals' (its own folder,
/// `tests/golden/price-index/`): the current form serialises exactly as the file, and
/// the file reads back as the sample.
#[test]
fn price_index_events_are_pinned_by_golden_files() {
    let bless = std::env::var("GEVINST_BLESS").is_ok_and(|v| v == "1");
    let folder = dir().parent().unwrap().join("price-index");
    for event in price_index_samples() {
        let (t, v) = (event.event_type(), event.event_version());
        let path = folder.join(format!("{t}.v{v}.json"));
        let json = serde_json::to_string_pretty(&event).unwrap() + "\n";
        if !path.exists() && bless {
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(&path, &json).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run with GEVINST_BLESS=1 to write it",
                path.display()
            )
        });
        let stored: serde_json::Value = serde_json::from_str(&golden).unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            stored,
            "the stored form of {t} v{v} changed: add a new version instead"
        );
        let back: gevinst_domain::price::PriceIndexEvent = serde_json::from_value(stored).unwrap();
        assert_eq!(back, event);
    }
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(
        files,
        price_index_samples().len(),
        "one file per event type"
    );
}

/// Each kind says once, in its file, what every reader asks of it: the registration hands the
/// same name and version to the type table, the Danish name to the history pages, and a fact's
/// business date, budget year and subject to the read model and the pages.
#[test]
fn each_kind_declares_its_name_date_and_subject_in_one_place() {
    let mut labels = std::collections::BTreeSet::new();
    for event in samples() {
        let name = event.type_name();
        assert_eq!(ProposalEvent::label_of(name), Some(event.label()), "{name}");
        assert!(
            labels.insert(event.label()),
            "{name}: two kinds are called «{}»",
            event.label()
        );
        if let Some(fact) = event.fact() {
            assert_eq!(fact.kind(), name);
            assert_eq!(ProposalEvent::from(fact.clone()), event);
        }
        if let ProposalEvent::GoalAchieved(goal) = &event {
            assert_eq!(
                Fact::GoalAchieved(goal.clone()).subject(),
                Some(goal.goal.to_string())
            );
        }
        if let ProposalEvent::SavingRealised(saving) = &event {
            assert_eq!(
                Fact::SavingRealised(saving.clone()).budget_year(),
                Some(saving.year)
            );
            assert_eq!(
                Fact::SavingRealised(saving.clone()).effective_date(),
                saving.effective_on
            );
        }
    }
    assert_eq!(labels.len(), ProposalEvent::TYPES.len());
    assert_eq!(ProposalEvent::label_of("PriceRateStated"), None);
}
