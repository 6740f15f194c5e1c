use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use proptest::prelude::*;

use super::*;
use crate::vocabulary::Reason;

fn pl(y: i32) -> PriceLevel {
    PriceLevel::new(y).unwrap()
}

fn id(s: &str) -> VintageId {
    VintageId::parse(s).unwrap()
}

fn src(s: &str) -> SourceText {
    SourceText::parse(s).unwrap()
}

/// Given `events`, when `command`, then the events or the refusal.
fn given_when(
    events: &[PriceIndexEvent],
    command: PriceIndexCommand,
) -> Result<Vec<PriceIndexEvent>, PriceIndexError> {
    let mut state = PriceIndex::default();
    for e in events {
        state.fold(e.clone());
    }
    state.decide_command(command)
}

fn registered(v: &str) -> PriceIndexEvent {
    PriceIndexEvent::VintageRegistered {
        vintage: id(v),
        name: VintageName::parse(&format!("skøn {v}")).unwrap(),
        published: NaiveDate::from_ymd_opt(2024, 6, 6).unwrap(),
        publisher: src("Økonomistyrelsen"),
    }
}

fn stated(v: &str, series: IndexSeries, year: i32, rate: &str) -> PriceIndexEvent {
    PriceIndexEvent::RateStated {
        vintage: id(v),
        series,
        year: pl(year),
        rate: Rate::parse(rate).unwrap(),
        source: src("tabel"),
    }
}

fn in_use(v: &str) -> PriceIndexEvent {
    PriceIndexEvent::VintageTakenIntoUse {
        vintage: id(v),
        replaces: None,
    }
}

fn index(events: &[PriceIndexEvent]) -> PriceIndex {
    let mut state = PriceIndex::default();
    for e in events {
        state.fold(e.clone());
    }
    state
}

fn amount(s: &str) -> Amount {
    Amount::parse(s).unwrap()
}

#[test]
fn converts_with_the_vintage_in_use_on_the_areas_own_series() {
    let i = index(&[
        registered("a"),
        stated("a", IndexSeries::Service, 2025, "3,2"),
        stated("a", IndexSeries::Capital, 2025, "1,5"),
        in_use("a"),
    ]);
    let service = i
        .convert(amount("-1000"), pl(2024), pl(2025), ControlArea::Service)
        .unwrap();
    assert_eq!(service.to_string(), "-1032");
    let capital = i
        .convert(amount("-1000"), pl(2024), pl(2025), ControlArea::Capital)
        .unwrap();
    assert_eq!(capital.to_string(), "-1015");
    let back = i
        .convert(amount("-1032"), pl(2025), pl(2024), ControlArea::Service)
        .unwrap();
    assert_eq!(back.to_string(), "-1000");
    // Rounded to whole kroner: 1 / 1,032 = 0,96899…
    let odd = i
        .convert(amount("1"), pl(2025), pl(2024), ControlArea::Service)
        .unwrap();
    assert_eq!(odd.to_string(), "0.969");
}

#[test]
fn conversions_over_several_years_chain_the_rates() {
    // The general PL 2022–2025 as Økonomistyrelsen publishes it: 4,3 / 2,5 / 4,0 / 2,8 %.
    let i = index(&[
        registered("oes"),
        stated("oes", IndexSeries::Service, 2022, "4,3"),
        stated("oes", IndexSeries::Service, 2023, "2,5"),
        stated("oes", IndexSeries::Service, 2024, "4,0"),
        stated("oes", IndexSeries::Service, 2025, "2,8"),
        in_use("oes"),
    ]);
    // 1.000 at 2021 level: × 1,043 × 1,025 × 1,040 × 1,028 = 1.142,969…
    let up = i
        .convert(amount("1000"), pl(2021), pl(2025), ControlArea::Service)
        .unwrap();
    assert_eq!(up.to_string(), "1142.969");
    let down = i
        .convert(
            amount("1142.969"),
            pl(2025),
            pl(2021),
            ControlArea::Transfers,
        )
        .unwrap();
    assert_eq!(down.to_string(), "1000");
}

#[test]
fn a_missing_year_is_refused_not_guessed_and_the_same_level_needs_no_index() {
    let i = index(&[
        registered("a"),
        stated("a", IndexSeries::Service, 2025, "2,8"),
        in_use("a"),
    ]);
    let err = i
        .convert(amount("1"), pl(2023), pl(2025), ControlArea::Service)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "prisindekset «skøn a» har intet pris- og lønindeks (samlet) for 2024; registrér satsen fra kilden — den gættes ikke"
    );
    let capital = i
        .convert(amount("1"), pl(2024), pl(2025), ControlArea::Capital)
        .unwrap_err();
    assert!(matches!(
        capital,
        PriceError::Missing {
            series: IndexSeries::Capital,
            year: 2025,
            ..
        }
    ));
    let none = PriceIndex::default();
    assert_eq!(
        none.convert(amount("5"), pl(2023), pl(2023), ControlArea::Service)
            .unwrap()
            .to_string(),
        "5"
    );
    assert_eq!(
        none.convert(amount("5"), pl(2024), pl(2025), ControlArea::Service),
        Err(PriceError::NoneInUse)
    );
}

#[test]
fn a_registered_but_unused_vintage_converts_nothing() {
    let i = index(&[
        registered("a"),
        stated("a", IndexSeries::Service, 2025, "2,8"),
    ]);
    assert_eq!(
        i.convert(amount("5"), pl(2024), pl(2025), ControlArea::Service),
        Err(PriceError::NoneInUse)
    );
}

#[test]
fn a_rate_is_stated_once_and_corrected_with_what_it_replaces() {
    let given = [
        registered("a"),
        stated("a", IndexSeries::Wages, 2024, "5,2"),
    ];
    let again = given_when(
        &given,
        PriceIndexCommand::StateRate {
            vintage: id("a"),
            series: IndexSeries::Wages,
            year: pl(2024),
            rate: Rate::parse("5,3").unwrap(),
            source: src("x"),
        },
    );
    assert!(matches!(
        again,
        Err(PriceIndexError::AlreadyStated { year: 2024, .. })
    ));
    let reason = Reason::parse("tastefejl").unwrap();
    let corrected = given_when(
        &given,
        PriceIndexCommand::CorrectRate {
            vintage: id("a"),
            series: IndexSeries::Wages,
            year: pl(2024),
            rate: Rate::parse("5,3").unwrap(),
            source: src("x"),
            reason: reason.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        corrected,
        vec![PriceIndexEvent::RateCorrected {
            vintage: id("a"),
            series: IndexSeries::Wages,
            year: pl(2024),
            rate: Rate::parse("5,3").unwrap(),
            source: src("x"),
            replaces: Rate::parse("5,2").unwrap(),
            reason: reason.clone(),
        }]
    );
    let mut after = given.to_vec();
    after.extend(corrected);
    let state = index(&after);
    let rate = state
        .vintage(&id("a"))
        .unwrap()
        .rate(IndexSeries::Wages, 2024)
        .unwrap();
    assert_eq!(
        (rate.rate.to_string(), rate.corrects.map(|r| r.to_string())),
        ("5.3".to_string(), Some("5.2".to_string()))
    );
    let unchanged = given_when(
        &after,
        PriceIndexCommand::CorrectRate {
            vintage: id("a"),
            series: IndexSeries::Wages,
            year: pl(2024),
            rate: Rate::parse("5,3").unwrap(),
            source: src("x"),
            reason: reason.clone(),
        },
    );
    assert!(matches!(unchanged, Err(PriceIndexError::Unchanged(_))));
    let nothing = given_when(
        &given,
        PriceIndexCommand::CorrectRate {
            vintage: id("a"),
            series: IndexSeries::Prices,
            year: pl(2024),
            rate: Rate::parse("1").unwrap(),
            source: src("x"),
            reason,
        },
    );
    assert!(matches!(nothing, Err(PriceIndexError::NotStated { .. })));
}

#[test]
fn vintages_are_registered_once_and_taken_into_use_naming_the_one_they_replace() {
    assert!(matches!(
        given_when(
            &[registered("a")],
            PriceIndexCommand::RegisterVintage {
                vintage: id("a"),
                name: VintageName::parse("igen").unwrap(),
                published: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
                publisher: src("KL"),
            }
        ),
        Err(PriceIndexError::VintageExists(_))
    ));
    assert!(matches!(
        given_when(&[], PriceIndexCommand::UseVintage { vintage: id("b") }),
        Err(PriceIndexError::UnknownVintage(_))
    ));
    let given = [registered("a"), registered("b"), in_use("a")];
    assert_eq!(
        given_when(&given, PriceIndexCommand::UseVintage { vintage: id("b") }).unwrap(),
        vec![PriceIndexEvent::VintageTakenIntoUse {
            vintage: id("b"),
            replaces: Some(id("a")),
        }]
    );
    assert!(matches!(
        given_when(&given, PriceIndexCommand::UseVintage { vintage: id("a") }),
        Err(PriceIndexError::AlreadyInUse(_))
    ));
    assert!(matches!(
        given_when(
            &[],
            PriceIndexCommand::RegisterVintage {
                vintage: id("old"),
                name: VintageName::parse("gammel").unwrap(),
                published: NaiveDate::from_ymd_opt(1999, 6, 1).unwrap(),
                publisher: src("KL"),
            }
        ),
        Err(PriceIndexError::Published(_))
    ));
}

#[test]
fn rates_and_codes_are_parsed_as_people_write_them() {
    assert_eq!(Rate::parse("4,3").unwrap().to_string(), "4.3");
    assert_eq!(Rate::parse(" 2,8 % ").unwrap().to_string(), "2.8");
    assert_eq!(Rate::parse("-0,5").unwrap().to_string(), "-0.5");
    assert_eq!(Rate::parse("3.25").unwrap().to_string(), "3.25");
    for bad in ["", "x", "1.234", "1.000,5", "101", "-51", "4,3,1"] {
        assert!(Rate::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        Rate::parse("abc").unwrap_err().to_string(),
        "«abc» er ikke en årlig stigning i procent (fx 4,3 eller -0,5; højst to decimaler, mellem -50 og 100)"
    );
    assert!(VintageId::parse("oes-2024-06").is_ok());
    for bad in ["", "-a", "Oes", "a b", &"a".repeat(49)] {
        assert!(VintageId::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!("løn".parse::<IndexSeries>().unwrap(), IndexSeries::Wages);
    assert_eq!(
        "anlæg".parse::<IndexSeries>().unwrap(),
        IndexSeries::Capital
    );
    assert!("drift".parse::<IndexSeries>().is_err());
}

proptest! {
    /// Whatever a person types, a rate either parses to a value that prints back and parses to
    /// itself, or is refused; it never panics.
    #[test]
    fn rate_parsing_round_trips(input in "[-0-9,.% ]{0,10}") {
        if let Ok(rate) = Rate::parse(&input) {
            prop_assert_eq!(Rate::parse(&rate.to_string()).unwrap(), rate);
            prop_assert!(rate.percent().scale() <= 2);
        }
    }

    /// Converting there and back returns the amount to within rounding, over any stated years.
    #[test]
    fn there_and_back_is_the_identity_within_rounding(
        rates in proptest::collection::vec(-500i64..2000, 1..6),
        kroner in -10_000_000i64..10_000_000,
    ) {
        let mut events = vec![registered("p")];
        for (i, r) in rates.iter().enumerate() {
            let year = 2020 + i32::try_from(i).unwrap() + 1;
            events.push(stated("p", IndexSeries::Service, year, &Decimal::new(*r, 2).to_string()));
        }
        events.push(in_use("p"));
        let i = index(&events);
        let to = pl(2020 + i32::try_from(rates.len()).unwrap());
        let a = Amount::new(Decimal::new(kroner, 3)).unwrap();
        let there = i.convert(a, pl(2020), to, ControlArea::Service).unwrap();
        let back = i.convert(there, to, pl(2020), ControlArea::Service).unwrap();
        let drift = (back.value() - a.value()).abs();
        // Each rounding is at most half a krone, scaled by the factors of ≤ 5 years at ≤ 20 %.
        prop_assert!(drift <= Decimal::new(2, 3), "{} → {} → {}", a, there, back);
    }
}

const SEED: &str = r#"
[[vintage]]
id = "oes-2024-06"
name = "Økonomistyrelsen, PL juni 2024"
published = "2024-06-06"
publisher = "Økonomistyrelsen"
in_use = true

[[vintage.rate]]
series = "service"
year = 2025
rate = "2,8"
source = "oes.dk, fastprisberegninger"

[[vintage.rate]]
series = "capital"
year = 2025
rate = "2,8"
source = "oes.dk, pris- og lønforudsætninger"
"#;

#[test]
fn the_seed_adds_what_the_log_lacks_and_nothing_it_has() {
    let seed = Seed::parse(SEED).unwrap();
    let first = seed.commands(&PriceIndex::default()).unwrap();
    assert_eq!(first.len(), 4, "{first:?}");
    let mut state = PriceIndex::default();
    for c in first {
        for e in state.decide_command(c).unwrap() {
            state.fold(e);
        }
    }
    assert_eq!(state.in_use().unwrap().id, id("oes-2024-06"));
    assert_eq!(seed.commands(&state).unwrap(), vec![]);

    // A figure the log holds otherwise is refused, never overwritten.
    let other = SEED.replacen("rate = \"2,8\"", "rate = \"2,9\"", 1);
    let err = Seed::parse(&other).unwrap().commands(&state).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "prisindeksfilen siger oes-2024-06 service 2025 = 2.9, men loggen har 2.8"
        ),
        "{err}"
    );
    // Another vintage in use stays in use.
    for e in [registered("kl"), in_use("kl")] {
        state.fold(e);
    }
    assert_eq!(seed.commands(&state).unwrap(), vec![]);
}

#[test]
fn bad_seed_files_are_refused() {
    assert!(Seed::parse("vintage = 1").is_err());
    let bad_rate = SEED.replacen("\"2,8\"", "\"to\"", 1);
    assert!(Seed::parse(&bad_rate)
        .unwrap_err()
        .to_string()
        .contains("«to» er ikke en årlig stigning"));
    let two_in_use = format!(
        "{SEED}\n[[vintage]]\nid = \"b\"\nname = \"b\"\npublished = \"2025-01-01\"\npublisher = \"x\"\nin_use = true\n"
    );
    assert!(Seed::parse(&two_in_use).is_err());
}

#[test]
fn the_bundled_seed_parses_and_every_figure_names_its_source() {
    let seed = Seed::parse(include_str!("../../../baselines/price-index.toml")).unwrap();
    assert!(seed.vintages.iter().filter(|v| v.in_use).count() == 1);
    for v in &seed.vintages {
        assert!(!v.rates.is_empty());
        for r in &v.rates {
            assert!(r.source.as_str().contains("oes.dk"), "{r:?}");
        }
    }
}

#[test]
fn every_price_index_event_kind_has_its_own_danish_name() {
    let corrected = PriceIndexEvent::RateCorrected {
        vintage: id("a"),
        series: IndexSeries::Wages,
        year: pl(2024),
        rate: Rate::parse("5,3").unwrap(),
        source: src("x"),
        replaces: Rate::parse("5,2").unwrap(),
        reason: Reason::parse("tastefejl").unwrap(),
    };
    let events = [
        registered("a"),
        stated("a", IndexSeries::Wages, 2024, "5,2"),
        corrected,
        in_use("a"),
    ];
    let mut names: Vec<&str> = events
        .iter()
        .map(|e| PriceIndexEvent::label_of(&e.event_type()).expect("a Danish name"))
        .collect();
    assert_eq!(names[2], "Sats rettet");
    names.dedup();
    assert_eq!(names.len(), PriceIndexEvent::LABELS.len());
    assert_eq!(PriceIndexEvent::label_of("AccountAdded"), None);
}
