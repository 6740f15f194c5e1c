//! The parser and resolver against the texts of the budget documents and their edge cases.

use super::*;
use proptest::prelude::*;

fn q(s: &str) -> Quarter {
    s.parse().unwrap_or_else(|e| panic!("bad quarter {s}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
}

#[test]
fn a_hand_over_sentence_is_kept_for_people_and_is_no_checkpoint() {
    for (text, without) in [
        (
            "Ved udgangen af Q4 2025 og udgangen af Q3 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
            "Ved udgangen af Q4 2025 og udgangen af Q3 2026.",
        ),
        (
            "I Q2 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen.",
            "I Q2 2026.",
        ),
    ] {
        assert_eq!(
            handover(text),
            Some("Efterfølgende har centerledelserne ansvaret for opfølgning på brugen")
        );
        assert_eq!(parse_when(text), parse_when(without), "{text}");
    }
    assert_eq!(handover("I Q2 2026"), None);
    assert_eq!(
        handover("Efterfølgende i Q3 2026"),
        None,
        "with a date it is a checkpoint"
    );
    assert_eq!(handover(""), None);
}

fn compact(text: &str) -> String {
    parse_when(text).to_string()
}

/// Every distinct "Hvornår" text of Bilag 7 (Budget 2025), verbatim after re-joining
/// hyphenated line breaks and collapsing whitespace, with the proposal it comes from.
const DOCUMENT: &[(&str, &str, &str)] = &[
    // BC01 Samlet ferieløsning i Serviceportalen
    ("BC01", "Tredje kvartal 2025", "2025Q3"),
    ("BC01", "Fjerde kvartal 2025", "2025Q4"),
    ("BC01", "Fjerde kvartal 2026", "2026Q4"),
    ("BC01", "Andet kvartal 2026", "2026Q2"),
    ("BC01", "Første kvartal 2027", "2027Q1"),
    // BC02 Effektivisering ved opsætning af ladestandere
    ("BC02", "Ultimo 2024", "2024Q4"),
    ("BC02", "Ultimo 2025", "2025Q4"),
    (
        "BC02",
        "Primo 2025 (løbende)",
        "løbende fra 2025Q1, uden slutdato",
    ),
    // BC03 AI-baseret sagsstøtte
    (
        "BC03",
        "I afslutningsfasen af projektet.",
        "relativt: under afslutningsfasen",
    ),
    ("BC03", "Løbende i projektet.", "relativt: hele projektet"),
    // BC04 Analyse af mulighederne i AI-baseret tolkning
    (
        "BC04",
        "I afslutningsfasen af projektet",
        "relativt: under afslutningsfasen",
    ),
    (
        "BC04",
        "I den indledende fase af projektet",
        "relativt: under analysefasen",
    ),
    // BC05 Bedre brug af Fasit
    (
        "BC05",
        "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
        "relativt: overgang gennemførselsfasen → afslutningsfasen",
    ),
    (
        "BC05",
        "Ved projektafslutning",
        "relativt: projektets afslutning",
    ),
    (
        "BC05",
        "Ved udgangen af Q4 2025 og udgangen af Q3 2026. Efterfølgende har \
         centerledelserne ansvaret for opfølgning på brugen",
        "2025Q4; 2026Q3",
    ),
    (
        "BC05",
        "Ved overgang til afslutningsfasen i projektet. Ved udgangen af Q4 2025 og igen i \
         Q3 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
        "2025Q4; 2026Q3",
    ),
    (
        "BC05",
        "I Q2 2026. Efterfølgende har centerledelserne ansvaret for opfølgning på brugen",
        "2026Q2",
    ),
    // BC07 Fælles indgang til eksterne læringstilbud ("Ultimo 2024" as in BC02)
    ("BC07", "Primo 2025", "2025Q1"),
    ("BC07", "Forår 2025", "2025Q2"),
    ("BC07", "Forår/sommer 2025", "2025Q2–2025Q3"),
    ("BC07", "Efterår 2025", "2025Q4"),
    ("BC07", "Primo 2026", "2026Q1"),
    // BC09 Reduktion af udgifter til madservice
    ("BC09", "I 1. kvartal 2025.", "2025Q1"),
    ("BC09", "I 3. kvartal 2025.", "2025Q3"),
    (
        "BC09",
        "I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.",
        "2024Q4; 2026Q2",
    ),
    // BC11 Administrative effektiviseringer og organisering
    (
        "BC11",
        "Løbende i implementeringsårene, dvs. 2024-2026",
        "løbende fra 2024Q1 til 2026Q4",
    ),
    ("BC11", "2025-2026", "2025Q1–2026Q4"),
    ("BC11", "2024-2025", "2024Q1–2025Q4"),
    ("BC11", "2025", "2025Q1–2025Q4"),
    (
        "BC11",
        "Årligt, indtil fuld indfasning",
        "årligt til fuld indfasning",
    ),
    // BC12 Markedsafdækning ved køb af botilbudspladser ("Medio 2025" also in BC14)
    ("BC12", "1. kvartal 2024", "2024Q1"),
    ("BC12", "1. kvartal af 2025", "2025Q1"),
    ("BC12", "Medio 2025", "2025Q2–2025Q3"),
    ("BC12", "2. kvartal af 2025", "2025Q2"),
    // BC13 Arealoptimering af forvaltningens lokaler ("Primo 2025" as in BC07)
    (
        "BC13",
        "Ved frigivelse af investeringsmidler",
        "relativt: frigivelse af investeringsmidler",
    ),
    ("BC13", "1. kvartal 2025", "2025Q1"),
    ("BC13", "2. kvartal 2025", "2025Q2"),
    ("BC13", "2. kvartal 2026", "2026Q2"),
    ("BC13", "4. kvartal 2026", "2026Q4"),
    // BC14 Lyn- og hurtigladeinfrastruktur ("Ultimo 2025", "Medio 2025" as above)
    ("BC14", "Ultimo 2026/Primo 2027", "2026Q4–2027Q1"),
    ("BC14", "Ultimo 2026/primo 2027", "2026Q4–2027Q1"),
];

/// BC03's milestones ("Milepæl 1–6") and the "Hvornår" column of its phase table.
const BC03_MILESTONES_AND_PHASES: &[(&str, &str)] = &[
    ("Milepæl 1 – Q2 2025", "2025Q2"),
    ("Milepæl 2 – Q3 2025", "2025Q3"),
    ("Milepæl 3 – Q1 2026", "2026Q1"),
    ("Milepæl 4 – Q2 2026", "2026Q2"),
    ("Milepæl 5- Q3 2026", "2026Q3"),
    ("Milepæl 6 – Q4 2026", "2026Q4"),
    ("Q2 2025", "2025Q2"),
    ("Q3 2025", "2025Q3"),
    ("Q1 2026", "2026Q1"),
    ("Q2 2026", "2026Q2"),
    ("Q3 2026", "2026Q3"),
    ("Q4 2026", "2026Q4"),
    ("01.01.25-31.03.25", "2025Q1"),
    ("01.04.25-30.05.26", "2025Q2–2026Q2"),
    ("01.06.26-31.12.26", "2026Q2–2026Q4"),
];

#[test]
fn every_hvornaar_text_of_the_document() {
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for (proposal, text, expected) in DOCUMENT {
        assert!(seen.insert(*text), "duplicate table row {text}");
        let got = compact(text);
        if got != *expected {
            failures.push(format!(
                "{proposal} {text:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(DOCUMENT.len(), 41);
}

#[test]
fn bc03_milestones_and_phase_dates() {
    let failures: Vec<String> = BC03_MILESTONES_AND_PHASES
        .iter()
        .filter_map(|(text, expected)| {
            let got = compact(text);
            (got != *expected).then(|| format!("{text:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn document_values_in_full() {
    assert_eq!(
        parse_when("I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026."),
        Schedule::Windows {
            windows: vec![
                QuarterWindow::single(q("2024Q4")),
                QuarterWindow::single(q("2026Q2")),
            ]
        }
    );
    assert_eq!(
        parse_when("Årligt, indtil fuld indfasning"),
        Schedule::Recurring {
            every: Recurrence::Yearly,
            from: None,
            until: RecurrenceEnd::FullPhaseIn,
        }
    );
    assert_eq!(
        parse_when("Primo 2025 (løbende)"),
        Schedule::Recurring {
            every: Recurrence::Ongoing,
            from: Some(q("2025Q1")),
            until: RecurrenceEnd::Open,
        }
    );
    assert_eq!(
        parse_when("Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase"),
        Schedule::Relative {
            anchor: Anchor::PhaseTransition {
                from: Some(PhaseKind::Execution),
                to: PhaseKind::Completion,
            }
        }
    );
    assert_eq!(
        parse_when("Ved overgang til afslutningsfasen i projektet"),
        Schedule::Relative {
            anchor: Anchor::PhaseTransition {
                from: None,
                to: PhaseKind::Completion,
            }
        }
    );
    assert_eq!(
        parse_when("Medio 2025"),
        Schedule::Windows {
            windows: vec![QuarterWindow::new(q("2025Q2"), q("2025Q3")).unwrap()]
        }
    );
}

#[test]
fn mapping_beyond_the_document() {
    let cases = [
        // Seasons, including BC07's own time plan.
        ("Efterår 2024 (okt.-dec.)", "2024Q4"),
        ("Efterår 2024 (sep.-nov.)", "2024Q3–2024Q4"),
        ("Forår 2026", "2026Q2"),
        ("Sommer 2025", "2025Q3"),
        ("Vinter 2025", "2025Q1"),
        ("Vinteren 2025/2026", "2025Q4–2026Q1"),
        ("vinter 2025/26", "2025Q4–2026Q1"),
        ("Foråret 2025", "2025Q2"),
        // Quarters, spelled every way.
        ("4. kvt. 2025", "2025Q4"),
        ("2. KVARTAL 2026", "2026Q2"),
        ("fjerde kvartal af 2024", "2024Q4"),
        ("q3 2025", "2025Q3"),
        ("2025Q3", "2025Q3"),
        ("2025-Q3", "2025Q3"),
        ("K2 2026", "2026Q2"),
        ("udgangen af Q4 2025", "2025Q4"),
        ("Q1-Q2 2025", "2025Q1–2025Q2"),
        ("Q4 2025 – Q1 2026", "2025Q4–2026Q1"),
        ("1. og 2. kvartal 2025", "2025Q1; 2025Q2"),
        ("første-tredje kvartal 2025", "2025Q1–2025Q3"),
        // Boundaries, halves, months, dates.
        ("Inden udgangen af 2025", "2025Q4"),
        ("Slutningen af 2026", "2026Q4"),
        ("Starten af 2026", "2026Q1"),
        ("midten af 2025", "2025Q2–2025Q3"),
        ("1. halvår 2026", "2026Q1–2026Q2"),
        ("Andet halvår 2025", "2025Q3–2025Q4"),
        ("januar 2025", "2025Q1"),
        ("okt.-dec. 2024", "2024Q4"),
        ("15. maj 2026", "2026Q2"),
        ("Ultimo juni 2025", "2025Q2"),
        ("01.06.2026-31.12.2026", "2026Q2–2026Q4"),
        // Years and ranges.
        ("dvs. 2024-2026", "2024Q1–2026Q4"),
        ("2024–2026", "2024Q1–2026Q4"),
        ("2025/26", "2025Q1–2026Q4"),
        ("Fra 2025 til 2027", "2025Q1–2027Q4"),
        ("Primo 2025 - ultimo 2025", "2025Q1–2025Q4"),
        ("Medio 2025 og ultimo 2025", "2025Q2–2025Q3; 2025Q4"),
        ("Ultimo 2025, primo 2025", "2025Q1; 2025Q4"),
        ("  ULTIMO   2024 .  ", "2024Q4"),
        // Recurring.
        ("Løbende", "løbende, uden slutdato"),
        (
            "Løbende fra medio 2025",
            "løbende fra 2025Q2, uden slutdato",
        ),
        ("Løbende 2025", "løbende fra 2025Q1 til 2025Q4"),
        (
            "Kvartalsvis fra Q1 2025 til Q4 2026",
            "kvartalsvis fra 2025Q1 til 2026Q4",
        ),
        ("Hvert år indtil 2028", "årligt til 2028Q4"),
        ("Årligt fra 2026", "årligt fra 2026Q1, uden slutdato"),
        ("Løbende fra 2025 til 2026", "løbende fra 2025Q1 til 2026Q4"),
        (
            "Ultimo 2026/primo 2027 (løbende)",
            "løbende fra 2026Q4, uden slutdato",
        ),
        (
            "Årligt fra 2025, indtil fuld indfasning",
            "årligt fra 2025Q1 til fuld indfasning",
        ),
        // Relative.
        (
            "Ved start af gennemførselsfasen",
            "relativt: start af gennemførselsfasen",
        ),
        (
            "Ved afslutningen af analysefasen",
            "relativt: slutningen af analysefasen",
        ),
        ("I pilotfasen", "relativt: under fasen «pilot»"),
        ("Ved projektstart", "relativt: projektets start"),
        ("I hele projektperioden", "relativt: hele projektet"),
        ("Ved fuld indfasning", "relativt: fuld indfasning"),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| {
            let got = compact(text);
            (got != *expected).then(|| format!("{text:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unresolved_reasons_are_specific() {
    let cases = [
        ("", "ikke fastlagt: teksten under «Hvornår» er tom"),
        ("   ", "ikke fastlagt: teksten under «Hvornår» er tom"),
        ("Primo", "ikke fastlagt: intet år i «Primo»"),
        (
            "Tredje kvartal",
            "ikke fastlagt: intet år i «Tredje kvartal»",
        ),
        (
            "Snart",
            "ikke fastlagt: ukendt periodeord «snart» i «Snart»",
        ),
        (
            "Efter 2025",
            "ikke fastlagt: ukendt periodeord «efter» før 2025 i «Efter 2025»",
        ),
        (
            "Ultimo 1999",
            "ikke fastlagt: året 1999 ligger uden for 2000–2100 i «Ultimo 1999»",
        ),
        (
            "2026-2024",
            "ikke fastlagt: perioden 2026Q1–2024Q4 er vendt om: den slutter, før den begynder \
             i «2026-2024»",
        ),
        (
            "Ved faseovergangen",
            "ikke fastlagt: en faseovergang, men ingen fase er nævnt i «Ved faseovergangen»",
        ),
        (
            "Q9 2025",
            "ikke fastlagt: «q9» er ikke et kvartal i «Q9 2025»",
        ),
        (
            "2025q5",
            "ikke fastlagt: «q5» er ikke et kvartal i «2025q5»",
        ),
        (
            "5. kvartal 2025",
            "ikke fastlagt: der er intet 5. kvartal i «5. kvartal 2025»",
        ),
        (
            "31.02.25",
            "ikke fastlagt: «31.02.25» er ikke en dato i «31.02.25»",
        ),
        (
            "Halvårligt",
            "ikke fastlagt: halvårlig opfølgning («halvårligt») er hverken kvartalsvis, årlig \
             eller løbende, i «Halvårligt»",
        ),
        (
            "-- / ()",
            "ikke fastlagt: intet kvartal, år, periodeord eller projektfase i «-- / ()»",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(compact(text), expected, "for {text:?}");
    }
}

fn bc03_context() -> ResolveContext {
    ResolveContext {
        phases: vec![
            Phase {
                kind_or_name: PhaseKind::from_danish("Analyse og planlægningsfasen"),
                start: date(2025, 1, 1),
                end: date(2025, 3, 31),
            },
            Phase {
                kind_or_name: PhaseKind::from_danish("Gennemførselsfasen"),
                start: date(2025, 4, 1),
                end: date(2026, 5, 30),
            },
            Phase {
                kind_or_name: PhaseKind::from_danish("Afslutningsfasen"),
                start: date(2026, 6, 1),
                end: date(2026, 12, 31),
            },
        ],
        ..ResolveContext::default()
    }
}

fn resolved(text: &str, ctx: &ResolveContext) -> String {
    resolve(&parse_when(text), ctx).to_string()
}

#[test]
fn phase_names_classify() {
    assert_eq!(
        PhaseKind::from_danish("Analyse og planlægningsfasen"),
        PhaseKind::Analysis
    );
    assert_eq!(
        PhaseKind::from_danish("Gennemførselsfasen"),
        PhaseKind::Execution
    );
    assert_eq!(
        PhaseKind::from_danish("Afslutningsfasen"),
        PhaseKind::Completion
    );
    assert_eq!(
        PhaseKind::from_danish("Pilotfasen"),
        PhaseKind::Named("pilot".into())
    );
    assert_eq!(
        PhaseKind::from_danish("Driftsfase"),
        PhaseKind::Named("drift".into())
    );
}

#[test]
fn resolve_phase_relative_with_bc03_phases() {
    let ctx = bc03_context();
    assert_eq!(
        resolved("I afslutningsfasen af projektet.", &ctx),
        "2026Q2–2026Q4"
    );
    assert_eq!(
        resolved("I den indledende fase af projektet", &ctx),
        "2025Q1"
    );
    assert_eq!(
        resolved(
            "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
            &ctx
        ),
        "2026Q2"
    );
    assert_eq!(resolved("Ved projektafslutning", &ctx), "2026Q4");
    assert_eq!(resolved("Ved projektstart", &ctx), "2025Q1");
    assert_eq!(resolved("Ved start af gennemførselsfasen", &ctx), "2025Q2");
    // "Løbende" states no cadence: one checkpoint over the project, none invented in it.
    assert_eq!(resolved("Løbende i projektet.", &ctx), "2025Q1–2026Q4");
    // Calendar quarters need no context at all.
    assert_eq!(resolved("Milepæl 4 – Q2 2026", &ctx), "2026Q2");
    assert_eq!(
        resolved("I pilotfasen", &ctx),
        "ikke fastlagt: knyttet til fasen «pilot», men forslaget har ingen sådan fase \
         (det har: analysefasen, gennemførselsfasen, afslutningsfasen)"
    );
}

#[test]
fn resolve_phase_relative_without_phases() {
    let ctx = ResolveContext::default();
    assert_eq!(
        resolved("I afslutningsfasen af projektet", &ctx),
        "ikke fastlagt: knyttet til en fase, men forslaget har ingen faser"
    );
    assert_eq!(
        resolved("Ved projektafslutning", &ctx),
        "ikke fastlagt: knyttet til projektet, men forslaget har ingen faser, så dets start og \
         slutning kendes ikke"
    );
}

#[test]
fn resolve_recurring_until_full_phase_in() {
    let schedule = parse_when("Årligt, indtil fuld indfasning");
    let mut ctx = ResolveContext {
        plan_start: Some(q("2024Q1")),
        ..ResolveContext::default()
    };
    assert_eq!(
        resolve(&schedule, &ctx).to_string(),
        "ikke fastlagt: gentages til fuld indfasning, men året for fuld indfasning kendes ikke"
    );
    ctx.full_phase_in_year = Some(Year::new(2027).unwrap());
    assert_eq!(
        resolve(&schedule, &ctx),
        ResolvedSchedule::Checkpoints(
            (2024..=2027)
                .map(|y| QuarterWindow::year(Year::new(y).unwrap()))
                .collect()
        )
    );
    ctx.plan_start = None;
    assert_eq!(
        resolve(&schedule, &ctx).to_string(),
        "ikke fastlagt: gentaget opfølgning uden start, og planens start kendes ikke"
    );
    // An explicit start clips the first year.
    assert_eq!(
        resolved("Årligt fra medio 2025, indtil fuld indfasning", &ctx),
        "2025Q2–2025Q4; 2026Q1–2026Q4; 2027Q1–2027Q4"
    );
}

#[test]
fn resolve_recurring_bounded_and_open() {
    let ctx = ResolveContext::default();
    assert_eq!(
        resolved("Løbende i implementeringsårene, dvs. 2024-2026", &ctx),
        "2024Q1–2026Q4",
        "one checkpoint over the years the text names"
    );
    // A stated cadence is kept: quarterly (also for a finer one), yearly.
    assert_eq!(
        resolved("Kvartalsvis 2025", &ctx),
        "2025Q1; 2025Q2; 2025Q3; 2025Q4"
    );
    assert_eq!(
        resolved("Månedligt i 2025", &ctx),
        "2025Q1; 2025Q2; 2025Q3; 2025Q4"
    );
    assert_eq!(
        resolved("Årligt 2025-2026", &ctx),
        "2025Q1–2025Q4; 2026Q1–2026Q4"
    );
    assert_eq!(
        resolved("Primo 2025 (løbende)", &ctx),
        "ikke fastlagt: løbende opfølgning uden slutdato, og ingen horisont at stoppe ved"
    );
    let ctx = ResolveContext {
        horizon: Some(q("2025Q3")),
        ..ResolveContext::default()
    };
    assert_eq!(resolved("Primo 2025 (løbende)", &ctx), "2025Q1–2025Q3");
    let ctx = ResolveContext {
        horizon: Some(q("2024Q3")),
        ..ResolveContext::default()
    };
    assert_eq!(
        resolved("Primo 2025 (løbende)", &ctx),
        "ikke fastlagt: gentaget opfølgning begynder i 2025Q1, men slutter før, i 2024Q3"
    );
}

#[test]
fn without_a_phase_table_the_phases_are_read_from_the_funding_years() {
    let y = |n: i32| Year::new(n).unwrap();
    let funded = ResolveContext {
        funding_years: Some((y(2025), y(2026))),
        ..ResolveContext::default()
    };
    for (text, expected) in [
        ("I afslutningsfasen af projektet", "2026Q1–2026Q4"),
        ("I den indledende fase af projektet", "2025Q1–2025Q4"),
        ("Ved projektafslutning", "2026Q4"),
        (
            "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
            "2026Q1–2026Q4",
        ),
    ] {
        assert_eq!(resolved(text, &funded), expected, "{text}");
        assert!(funded.dates_from_funding_years(&parse_when(text)), "{text}");
    }
    assert_eq!(resolved("Løbende i projektet.", &funded), "2025Q1–2026Q4");
    // A phase by another name is not guessed; a calendar date needs no funding years.
    assert!(resolved("I pilotfasen", &funded).starts_with("ikke fastlagt: knyttet til"));
    assert!(
        !funded.dates_from_funding_years(&parse_when("I pilotfasen")),
        "an undated goal is not said to be dated from the funding years"
    );
    assert!(!funded.dates_from_funding_years(&parse_when("Ultimo 2025")));
    // One funding year: the initial and the completion phase are both that year.
    let one = ResolveContext {
        funding_years: Some((y(2025), y(2025))),
        ..ResolveContext::default()
    };
    assert_eq!(
        resolved("I afslutningsfasen af projektet", &one),
        "2025Q1–2025Q4"
    );
    // A phase table wins over the funding years.
    let mut phased = bc03_context();
    phased.funding_years = Some((y(2024), y(2030)));
    assert_eq!(
        resolved("I afslutningsfasen af projektet", &phased),
        "2026Q2–2026Q4"
    );
    assert!(!phased.dates_from_funding_years(&parse_when("I afslutningsfasen af projektet")));
    // Without either, still undated.
    assert_eq!(
        resolved(
            "I afslutningsfasen af projektet",
            &ResolveContext::default()
        ),
        "ikke fastlagt: knyttet til en fase, men forslaget har ingen faser"
    );
}

#[test]
fn resolve_funds_released() {
    let schedule = parse_when("Ved frigivelse af investeringsmidler");
    let mut ctx = ResolveContext::default();
    assert_eq!(
        resolve(&schedule, &ctx).to_string(),
        "ikke fastlagt: afhænger af frigivelsen af investeringsmidler, og ingen frigivelsesdato kendes"
    );
    ctx.funds_released = Some(date(2025, 2, 14));
    assert_eq!(
        resolve(&schedule, &ctx),
        ResolvedSchedule::Checkpoints(vec![QuarterWindow::single(q("2025Q1"))])
    );
}

#[test]
fn resolve_passes_windows_and_reasons_through() {
    let ctx = ResolveContext::default();
    assert_eq!(resolved("Forår/sommer 2025", &ctx), "2025Q2–2025Q3");
    assert_eq!(resolved("Primo", &ctx), "ikke fastlagt: intet år i «Primo»");
    assert_eq!(
        resolve(&Schedule::Windows { windows: vec![] }, &ctx).to_string(),
        "ikke fastlagt: tidsplanen har ingen perioder"
    );
}

#[test]
fn year_bounds_and_display() {
    assert_eq!(Year::new(2025).unwrap().to_string(), "2025");
    assert_eq!(Year::new(2000).unwrap(), Year::MIN);
    assert_eq!(Year::new(2100).unwrap(), Year::MAX);
    assert_eq!(Year::new(1999), Err(PeriodError::YearOutOfRange(1999)));
    assert_eq!(
        Year::new(2101).unwrap_err().to_string(),
        "året 2101 ligger uden for 2000–2100"
    );
    assert_eq!(
        serde_json::to_string(&Year::new(2025).unwrap()).unwrap(),
        "2025"
    );
    assert!(serde_json::from_str::<Year>("1800").is_err());
}

#[test]
fn quarter_parse_display_and_errors() {
    assert_eq!(q("2025Q3").to_string(), "2025Q3");
    assert_eq!(q("2025-Q3"), q("2025Q3"));
    assert_eq!(q(" 2025q3 "), q("2025Q3"));
    assert_eq!(q("2025 Q3"), q("2025Q3"));
    assert_eq!(
        "2025Q5".parse::<Quarter>().unwrap_err().to_string(),
        "«2025Q5» er ikke et kvartal: kvartalet skal være 1, 2, 3 eller 4 (skriv fx 2025Q3)"
    );
    assert_eq!(
        "25Q1".parse::<Quarter>().unwrap_err().to_string(),
        "«25Q1» er ikke et kvartal: året skal have fire cifre (skriv fx 2025Q3)"
    );
    assert_eq!(
        "2025".parse::<Quarter>().unwrap_err().to_string(),
        "«2025» er ikke et kvartal: intet «Q» mellem år og kvartal (skriv fx 2025Q3)"
    );
    assert_eq!(
        "1999Q1".parse::<Quarter>(),
        Err(PeriodError::YearOutOfRange(1999))
    );
    assert!("2025Q".parse::<Quarter>().is_err());
    assert!("2025Q12".parse::<Quarter>().is_err());
    assert!("ÆØÅQ1".parse::<Quarter>().is_err());
}

#[test]
fn quarter_calendar() {
    let q3 = q("2025Q3");
    assert_eq!(q3.first_day(), date(2025, 7, 1));
    assert_eq!(q3.last_day(), date(2025, 9, 30));
    assert_eq!(q("2024Q1").last_day(), date(2024, 3, 31));
    assert_eq!(q("2025Q4").last_day(), date(2025, 12, 31));
    assert_eq!(q3.next(), Some(q("2025Q4")));
    assert_eq!(q("2025Q4").next(), Some(q("2026Q1")));
    assert_eq!(q("2026Q1").prev(), Some(q("2025Q4")));
    assert_eq!(Quarter::MAX.next(), None);
    assert_eq!(Quarter::MIN.prev(), None);
    assert_eq!(Quarter::containing(date(2026, 5, 30)), q("2026Q2"));
    assert_eq!(Quarter::containing(date(1990, 5, 30)), Quarter::MIN);
    assert_eq!(Quarter::containing(date(2200, 5, 30)), Quarter::MAX);
    assert!(Quarter::try_containing(date(1990, 5, 30)).is_err());
    assert!(q3.contains(date(2025, 8, 15)));
    assert!(!q3.contains(date(2025, 10, 1)));
}

#[test]
fn quarter_ordering_is_chronological() {
    let mut quarters = vec![q("2026Q1"), q("2025Q4"), q("2025Q1"), q("2025Q2")];
    quarters.sort();
    assert_eq!(
        quarters,
        vec![q("2025Q1"), q("2025Q2"), q("2025Q4"), q("2026Q1")]
    );
    assert!(q("2024Q4") < q("2025Q1"));
}

#[test]
fn quarter_serde_is_a_string() {
    assert_eq!(serde_json::to_string(&q("2025Q3")).unwrap(), "\"2025Q3\"");
    assert_eq!(
        serde_json::from_str::<Quarter>("\"2025-Q3\"").unwrap(),
        q("2025Q3")
    );
    assert!(serde_json::from_str::<Quarter>("\"2025Q9\"").is_err());
}

#[test]
fn window_invariant_display_and_serde() {
    let window = QuarterWindow::new(q("2025Q2"), q("2025Q3")).unwrap();
    assert_eq!(window.to_string(), "2025Q2–2025Q3");
    assert_eq!(QuarterWindow::single(q("2025Q3")).to_string(), "2025Q3");
    assert_eq!(
        QuarterWindow::new(q("2025Q3"), q("2025Q2")),
        Err(PeriodError::WindowOrder {
            start: q("2025Q3"),
            end: q("2025Q2")
        })
    );
    assert!(window.contains(q("2025Q2")));
    assert!(window.contains(q("2025Q3")));
    assert!(!window.contains(q("2025Q4")));
    assert_eq!(window.first_day(), date(2025, 4, 1));
    assert_eq!(window.last_day(), date(2025, 9, 30));
    assert_eq!(window.quarters(), vec![q("2025Q2"), q("2025Q3")]);
    let json = serde_json::to_string(&window).unwrap();
    assert_eq!(json, r#"{"start":"2025Q2","end":"2025Q3"}"#);
    assert_eq!(
        serde_json::from_str::<QuarterWindow>(&json).unwrap(),
        window
    );
    assert!(serde_json::from_str::<QuarterWindow>(r#"{"start":"2025Q3","end":"2025Q2"}"#).is_err());
}

#[test]
fn schedule_serde_shape() {
    let schedule = parse_when("I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.");
    let json = serde_json::to_value(&schedule).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "kind": "windows",
            "windows": [
                {"start": "2024Q4", "end": "2024Q4"},
                {"start": "2026Q2", "end": "2026Q2"}
            ]
        })
    );
    let recurring = parse_when("Årligt, indtil fuld indfasning");
    assert_eq!(
        serde_json::to_value(&recurring).unwrap(),
        serde_json::json!({
            "kind": "recurring", "every": "yearly", "from": null, "until": "full_phase_in"
        })
    );
    for text in [
        "Primo 2025 (løbende)",
        "Løbende i implementeringsårene, dvs. 2024-2026",
        "Ved faseovergangen fra gennemførselsfasen til projektets afslutningsfase",
        "I pilotfasen",
        "Primo",
    ] {
        let schedule = parse_when(text);
        let json = serde_json::to_string(&schedule).unwrap();
        assert_eq!(
            serde_json::from_str::<Schedule>(&json).unwrap(),
            schedule,
            "{json}"
        );
    }
    let resolved = resolve(&parse_when("Medio 2025"), &ResolveContext::default());
    let json = serde_json::to_string(&resolved).unwrap();
    assert_eq!(
        serde_json::from_str::<ResolvedSchedule>(&json).unwrap(),
        resolved
    );
}

const VOCABULARY: &[&str] = &[
    "primo",
    "Medio",
    "ULTIMO",
    "forår",
    "sommer",
    "efterår",
    "vinter",
    "vinteren",
    "Q1",
    "q4",
    "K2",
    "1.",
    "4.",
    "7.",
    "kvartal",
    "kvt.",
    "halvår",
    "første",
    "Fjerde",
    "af",
    "i",
    "og",
    "igen",
    "løbende",
    "årligt",
    "halvårligt",
    "hvert",
    "år",
    "indtil",
    "til",
    "fra",
    "fuld",
    "indfasning",
    "dvs.",
    "2024",
    "2025",
    "2026",
    "2100",
    "2101",
    "1999",
    "26",
    "0",
    "(okt.-dec.)",
    "okt.",
    "dec.",
    "januar",
    "15.",
    "maj",
    "udgangen",
    "afslutningsfasen",
    "projektet",
    "faseovergangen",
    "gennemførselsfasen",
    "frigivelse",
    "investeringsmidler",
    "projektafslutning",
    "01.04.25",
    "31.02.25",
    "01.01.2025",
    "milepæl",
    "efterfølgende",
    "baseline",
    "efter",
    "æøå",
    "2025Q3",
    "2025-Q3",
];
const SEPARATORS: &[&str] = &[" ", " ", "/", "-", "–", ", ", ". ", " og ", "(", ")", ""];

fn vocabulary_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            proptest::sample::select(VOCABULARY),
            proptest::sample::select(SEPARATORS),
        ),
        0..10,
    )
    .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

fn check_invariants(text: &str) -> Result<(), TestCaseError> {
    let schedule = parse_when(text);
    if let Schedule::Windows { windows } = &schedule {
        prop_assert!(!windows.is_empty(), "empty windows for {text:?}");
        for window in windows {
            prop_assert!(window.start() <= window.end(), "{text:?}");
        }
        for pair in windows.windows(2) {
            prop_assert!(pair[0].start() <= pair[1].start(), "unsorted for {text:?}");
        }
    }
    let json = serde_json::to_string(&schedule)
        .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
    let back: Schedule =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
    prop_assert_eq!(&back, &schedule);
    let ctx = ResolveContext {
        plan_start: Some(Quarter::MIN),
        horizon: Some(Quarter::MAX),
        full_phase_in_year: Year::new(2030).ok(),
        funds_released: NaiveDate::from_ymd_opt(2025, 3, 1),
        ..bc03_context()
    };
    if let ResolvedSchedule::Checkpoints(windows) = resolve(&schedule, &ctx) {
        prop_assert!(!windows.is_empty(), "no checkpoints for {text:?}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        check_invariants(&text)?;
    }

    #[test]
    fn parse_never_panics_on_arbitrary_unicode(text in "\\PC{0,60}") {
        check_invariants(&text)?;
    }

    #[test]
    fn parse_never_panics_on_vocabulary(text in vocabulary_text()) {
        check_invariants(&text)?;
    }

    #[test]
    fn quarter_display_from_str_round_trip(year in 2000i32..=2100, n in 1u32..=4) {
        let quarter = Quarter::new(
            Year::new(year).unwrap(),
            QuarterOfYear::from_number(n).unwrap(),
        );
        prop_assert_eq!(quarter.to_string().parse::<Quarter>(), Ok(quarter));
        prop_assert_eq!(format!("{year}-Q{n}").parse::<Quarter>(), Ok(quarter));
        prop_assert!(quarter.first_day() <= quarter.last_day());
        prop_assert_eq!(Quarter::containing(quarter.first_day()), quarter);
        prop_assert_eq!(Quarter::containing(quarter.last_day()), quarter);
    }

    #[test]
    fn containing_contains_the_date(days in 0i64..36_890) {
        let day = date(2000, 1, 1) + chrono::Duration::days(days);
        let quarter = Quarter::containing(day);
        prop_assert!(quarter.contains(day));
        prop_assert!(QuarterWindow::single(quarter).first_day() <= day);
        prop_assert!(day <= QuarterWindow::single(quarter).last_day());
        if let Some(next) = quarter.next() {
            prop_assert_eq!(next.prev(), Some(quarter));
            prop_assert_eq!(next.first_day(), quarter.last_day() + chrono::Duration::days(1));
        }
    }
}
