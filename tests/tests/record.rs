//! `gevinst record …` end to end on both backends: each subcommand appends exactly one event
//! with the sender's actor and role; a refused command prints the domain's message, exits
//! non-zero and appends nothing. Also checks that the command path, not the client, decides who
//! reported and who verified a saving.

use gevinst_domain::proposal::{examples, ProposalCommand, SavingVerification};
use gevinst_domain::{Actor, ProposalKind, Role};
use gevinst_projections::{CommandError, PROPOSAL};
use gevinst_store::StoredEvent;
use gevinst_tests::{both_backends, meta, proposal, TestStore};

const OWNER: [&str; 2] = ["--as", "anna@kk.dk"];
const CONTROLLER: [&str; 2] = ["--as", "carl@kk.dk"];

/// Runs `gevinst record ARGS…` in-process; returns the exit code and what was printed.
async fn record(t: &TestStore, who: [&str; 2], args: &[&str]) -> (u8, String) {
    let argv: Vec<&str> = std::iter::once("record")
        .chain(who)
        .chain(args.iter().copied())
        .collect();
    t.gevinst(&argv).await
}

async fn stream(t: &TestStore, id: &str) -> Vec<StoredEvent> {
    t.service.store().stream(PROPOSAL, id).await.unwrap()
}

/// Runs a command that must append exactly one event of `event_type` by `actor` in `role`;
/// returns that event.
async fn appends_one(
    t: &TestStore,
    who: [&str; 2],
    args: &[&str],
    event_type: &str,
) -> StoredEvent {
    let id = args[1];
    let before = stream(t, id).await.len();
    let (code, out) = record(t, who, args).await;
    assert_eq!(code, 0, "{args:?}: {out}");
    let events = stream(t, id).await;
    assert_eq!(
        events.len(),
        before + 1,
        "{args:?} appends exactly one event"
    );
    let e = events.last().unwrap().clone();
    assert_eq!(e.event_type, event_type, "{args:?}");
    assert_eq!(e.actor, who[1], "{args:?}");
    // The role is the one the sender's grant gives (see `TestStore::people`), not a flag.
    let role = if who == CONTROLLER {
        Role::Controller
    } else {
        Role::ProjectOwner
    };
    assert_eq!(e.role, role.code(), "{args:?}");
    assert_eq!(
        out,
        format!(
            "{id}: hændelse {} registreret: {} ({event_type}), global position {}\n",
            e.sequence,
            gevinst_api::labels::event_label(event_type),
            e.position
        )
    );
    e
}

/// Runs a command that must be refused with `message`, exit 1 and append nothing.
async fn refused(t: &TestStore, who: [&str; 2], args: &[&str], message: &str) {
    let id = args[1];
    let before = stream(t, id).await.len();
    let (code, out) = record(t, who, args).await;
    assert_eq!(code, 1, "{args:?}: {out}");
    assert_eq!(out, format!("gevinst: {message}"), "{args:?}");
    assert_eq!(
        stream(t, id).await.len(),
        before,
        "{args:?} appends nothing"
    );
}

async fn register_innovation(t: &TestStore, id: &str) {
    let mut identity = examples::identity(id);
    identity.kind = ProposalKind::Innovation;
    t.register_with(identity).await;
}

both_backends!(
    every_subcommand_appends_one_event_by_its_sender,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let e = appends_one(
            &t,
            OWNER,
            &[
                "progress",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-05-01",
                "--note",
                "Udbud afsluttet",
                "--evidence",
                "sag 2025-123",
                "--at-risk",
            ],
            "GoalProgressReported",
        )
        .await;
        assert_eq!(e.sequence, 3);
        assert_eq!(e.payload["GoalProgressReported"]["at_risk"], true);
        appends_one(
            &t,
            OWNER,
            &[
                "scheduled",
                "BC01",
                "--goal",
                "g2",
                "--date",
                "2026-03-31",
                "--note",
                "Midler frigivet",
            ],
            "GoalScheduled",
        )
        .await;
        appends_one(
            &t,
            OWNER,
            &[
                "milestone-completed",
                "BC01",
                "--milestone",
                "m1",
                "--date",
                "2025-06-01",
            ],
            "MilestoneCompleted",
        )
        .await;
        let saving = appends_one(
            &t,
            OWNER,
            &[
                "saving",
                "BC01",
                "--year",
                "2025",
                "--amount",
                "-1.234,5",
                "--price-level",
                "2025",
                "--control-area",
                "service",
                "--plan-line",
                "l1",
                "--committee",
                "SUD",
                "--date",
                "2025-12-31",
                "--evidence",
                "Kvantum-udtræk 2025-12",
            ],
            "SavingRealised",
        )
        .await;
        assert_eq!(saving.sequence, 6);
        assert_eq!(saving.payload["SavingRealised"]["amount"], "-1234.5");
        assert_eq!(saving.payload["SavingRealised"]["committee"], "SUD");
        let cost = appends_one(
            &t,
            OWNER,
            &[
                "cost",
                "BC01",
                "--year",
                "2025",
                "--amount",
                "1800",
                "--plan-line",
                "l3",
                "--date",
                "2025-06-30",
            ],
            "ImplementationCostIncurred",
        )
        .await;
        // Price level and control area default to the proposal's and the plan line's.
        assert_eq!(
            cost.payload["ImplementationCostIncurred"]["price_level"],
            2025
        );
        assert_eq!(
            cost.payload["ImplementationCostIncurred"]["control_area"],
            "service"
        );
        let forecast = appends_one(
            &t,
            OWNER,
            &[
                "forecast",
                "BC01",
                "--year",
                "2026",
                "--amount",
                "-1200",
                "--plan-line",
                "l1",
                "--date",
                "2025-09-01",
                "--note",
                "Indfasning senere",
            ],
            "ForecastUpdated",
        )
        .await;
        assert_eq!(
            forecast.payload["ForecastUpdated"]["section"],
            "permanent_change"
        );
        appends_one(
            &t,
            OWNER,
            &[
                "compensating-action",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-10-15",
                "--action",
                "Ekstra ressourcer i 4. kvartal",
                "--expected-effect",
                "Målet nås i Q1 2026",
            ],
            "CompensatingActionRecorded",
        )
        .await;
        let verified = appends_one(
            &t,
            CONTROLLER,
            &[
                "verify-saving",
                "BC01",
                "--sequence",
                "6",
                "--date",
                "2026-01-20",
                "--note",
                "Afstemt",
            ],
            "SavingVerified",
        )
        .await;
        let v = &verified.payload["SavingVerified"];
        assert_eq!(v["saving"], 6);
        assert_eq!(v["verified_by"], "carl@kk.dk");
        assert_eq!(v["reported_by"], "anna@kk.dk");
        assert_eq!(v["role"], "controller");
        let adjusted = appends_one(
            &t,
            CONTROLLER,
            &[
                "budget-adjustment",
                "BC01",
                "--committee",
                "SUD",
                "--year",
                "2026",
                "--amount",
                "-1.500,0",
                "--control-area",
                "service",
                "--date",
                "2026-01-01",
                "--reference",
                "Budget 2026",
            ],
            "BudgetAdjusted",
        )
        .await;
        assert_eq!(adjusted.payload["BudgetAdjusted"]["amount"], "-1500");
        appends_one(
            &t,
            OWNER,
            &[
                "achieved",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-09-15",
                "--evidence",
                "Statusrapport",
            ],
            "GoalAchieved",
        )
        .await;
        let superseded = appends_one(
            &t,
            OWNER,
            &[
                "correction",
                "BC01",
                "--sequence",
                "7",
                "--reason",
                "tastefejl",
                "--replace-amount",
                "1750",
            ],
            "EntrySuperseded",
        )
        .await;
        let mut expected = cost.payload["ImplementationCostIncurred"].clone();
        expected["amount"] = "1750".into();
        expected["kind"] = "implementation_cost_incurred".into();
        assert_eq!(superseded.payload["EntrySuperseded"]["corrects"], 7);
        assert_eq!(
            superseded.payload["EntrySuperseded"]["replacement"],
            expected
        );
        appends_one(
            &t,
            OWNER,
            &[
                "correction",
                "BC01",
                "--sequence",
                "8",
                "--reason",
                "forkert prognose",
            ],
            "EntryReversed",
        )
        .await;
        appends_one(
            &t,
            CONTROLLER,
            &[
                "cancel-goal",
                "BC01",
                "--goal",
                "g2",
                "--date",
                "2026-04-01",
                "--reason",
                "Erstattet",
            ],
            "GoalCancelled",
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.json");
        let mut plan = examples::plan();
        plan.lines[0]
            .amounts
            .insert(2026, gevinst_domain::Amount::parse("-1000").unwrap());
        std::fs::write(&file, serde_json::to_string(&plan).unwrap()).unwrap();
        let revised = appends_one(
            &t,
            CONTROLLER,
            &[
                "revise-plan",
                "BC01",
                "--file",
                file.to_str().unwrap(),
                "--reason",
                "Udbud forsinket",
                "--approved-by",
                "dora@kk.dk",
            ],
            "PlanRevised",
        )
        .await;
        assert_eq!(revised.payload["PlanRevised"]["revision"], 1);

        register_innovation(&t, "BC03").await;
        let outcome = appends_one(
            &t,
            OWNER,
            &[
                "innovation-outcome",
                "BC03",
                "--date",
                "2026-06-30",
                "--learning",
                "Virker på plejecentre",
                "--investment-case",
                "bc12",
            ],
            "InnovationOutcomeRecorded",
        )
        .await;
        let o = &outcome.payload["InnovationOutcomeRecorded"];
        assert_eq!(o["investment_case"], "BC12");
        assert_eq!(o["led_to_investment_case"], true);
    }
);

both_backends!(
    refused_commands_print_the_rule_and_append_nothing,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        // A project owner may not cancel a goal.
        refused(
            &t,
            OWNER,
            &[
                "cancel-goal",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-10-01",
                "--reason",
                "bortfaldet",
            ],
            "anna@kk.dk har ingen rolle, der giver lov til at træffe en controllers beslutning på BC01",
        )
        .await;
        // A cancelled goal cannot be achieved.
        appends_one(
            &t,
            CONTROLLER,
            &[
                "cancel-goal",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-10-01",
                "--reason",
                "bortfaldet",
            ],
            "GoalCancelled",
        )
        .await;
        refused(
            &t,
            OWNER,
            &[
                "achieved",
                "BC01",
                "--goal",
                "g1",
                "--date",
                "2025-11-01",
                "--evidence",
                "rapport",
            ],
            "BC01: målet g1 er annulleret (hændelse 3); tilbagefør annulleringen først",
        )
        .await;
        // Amounts finer than one krone, or readable two ways.
        let saving = |amount: &'static str| {
            [
                "saving",
                "BC01",
                "--year",
                "2025",
                "--amount",
                amount,
                "--plan-line",
                "l1",
                "--date",
                "2025-12-31",
            ]
        };
        refused(
        &t,
        OWNER,
        &saving("-400.1234"),
        "--amount: beløbet -400.1234 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone",
    )
    .await;
        refused(
        &t,
        OWNER,
        &saving("-1.234"),
        "--amount: «-1.234» er tvetydigt: skriv -1234 (eller -1.234,0) for heltallet eller -1,234 for decimaltallet",
    )
    .await;
        refused(
            &t,
            OWNER,
            &saving("400"),
            "BC01: en realiseret effektivisering skal være negativ (effektiviseringer er negative i 1.000 kr.); fik 400",
        )
        .await;
        // Four eyes: whoever recorded the saving cannot verify it, whatever role they claim.
        let recorded = appends_one(&t, OWNER, &saving("-400"), "SavingRealised").await;
        assert_eq!(recorded.sequence, 4);
        refused(
        &t,
        ["--as", "anna@kk.dk"],
        &["verify-saving", "BC01", "--sequence", "4", "--date", "2026-01-20"],
        // Whatever role she would claim: her grants make her a project owner only. Four eyes
        // for one person holding both roles: tests/tests/identity.rs.
        "anna@kk.dk har ingen rolle, der giver lov til at træffe en controllers beslutning på BC01",
    )
    .await;
        refused(
            &t,
            ["--as", "bo@kk.dk"],
            &[
                "verify-saving",
                "BC01",
                "--sequence",
                "4",
                "--date",
                "2026-01-20",
            ],
            "bo@kk.dk har ingen rolle, der giver lov til at træffe en controllers beslutning på BC01",
        )
        .await;
        refused(
        &t,
        CONTROLLER,
        &["verify-saving", "BC01", "--sequence", "3", "--date", "2026-01-20"],
        "BC01: hændelse 3 (GoalCancelled) er ikke en realiseret effektivisering; kun en SavingRealised-registrering eller den EntrySuperseded, der erstattede en, kan verificeres",
    )
    .await;
        // Controllers only; innovation outcomes only for innovation proposals.
        refused(
            &t,
            OWNER,
            &[
                "budget-adjustment",
                "BC01",
                "--committee",
                "SUD",
                "--year",
                "2026",
                "--amount",
                "-1500",
                "--control-area",
                "service",
                "--date",
                "2026-01-01",
            ],
            "anna@kk.dk har ingen rolle, der giver lov til at træffe en controllers beslutning på BC01",
        )
        .await;
        refused(
        &t,
        OWNER,
        &["innovation-outcome", "BC01", "--date", "2026-06-30", "--learning", "x"],
        "BC01: læring kan kun registreres for et innovationsforslag eller en foranalyse; dette forslag er et investeringsforslag",
    )
    .await;
        // Corrections.
        refused(
        &t,
        OWNER,
        &["correction", "BC01", "--sequence", "3", "--reason", "x", "--replace-amount", "-1"],
        "hændelse 3 (Opfølgningsmål annulleret) har intet beløb at erstatte; tilbagefør den (udelad --replace-amount) og registrér den igen",
    )
    .await;
        refused(
        &t,
        OWNER,
        &["correction", "BC01", "--sequence", "2", "--reason", "x", "--replace-amount", "-1"],
        "BC01: hændelse 2 (BaselineAdopted) kan ikke rettes: kun fremdrift og beløb kan; revidér planen i stedet",
    )
    .await;
        refused(
            &t,
            OWNER,
            &["correction", "BC01", "--sequence", "4", "--reason", " "],
            "--reason: begrundelsen må ikke være tom",
        )
        .await;
        // Input that is not what it names.
        refused(
        &t,
        OWNER,
        &["progress", "BC01", "--goal", "G1", "--date", "2025-05-01", "--note", "x"],
        "--goal: «G1» er ikke et gyldigt goal-id: brug 1–40 tegn a–z, 0–9, '-' eller '_', begyndende med et bogstav eller et ciffer",
    )
    .await;
        refused(
            &t,
            OWNER,
            &[
                "progress", "BC01", "--goal", "g2", "--date", "1. maj", "--note", "x",
            ],
            "--date: «1. maj» er ikke en dato: skriv den som 2025-09-30 (eller 30.09.2025)",
        )
        .await;
        refused(
            &t,
            ["--as", "nobody@kk.dk"],
            &[
                "progress",
                "BC01",
                "--goal",
                "g2",
                "--date",
                "2025-05-01",
                "--note",
                "x",
            ],
            "der findes ingen bruger 'nobody@kk.dk'",
        )
        .await;
        refused(
            &t,
            ["--as", "an na"],
            &[
                "progress",
                "BC01",
                "--goal",
                "g2",
                "--date",
                "2025-05-01",
                "--note",
                "x",
            ],
            "--as: 'an na' er ikke et gyldigt login: brug 1–100 tegn af a–z, 0–9 og . _ - @",
        )
        .await;
        let adjustment = |committee: &'static str| {
            [
                "budget-adjustment",
                "BC01",
                "--committee",
                committee,
                "--year",
                "2026",
                "--amount",
                "-1",
                "--control-area",
                "service",
                "--date",
                "2026-01-01",
            ]
        };
        // Not an abbreviation at all: refused where it is typed.
        refused(
            &t,
            OWNER,
            &adjustment("X Y"),
            "--committee: «X Y» er ikke et udvalg: skriv forkortelsen med 1–8 bogstaver eller cifre, fx ØU eller SOF",
        )
        .await;
        refused(
            &t,
            OWNER,
            &[
                "revise-plan",
                "BC01",
                "--file",
                "/nonexistent/plan.json",
                "--reason",
                "x",
                "--approved-by",
                "y",
            ],
            "/nonexistent/plan.json: No such file or directory (os error 2)",
        )
        .await;
        let (code, out) = record(
            &t,
            OWNER,
            &[
                "progress",
                "BC_1",
                "--goal",
                "g2",
                "--date",
                "2025-05-01",
                "--note",
                "x",
            ],
        )
        .await;
        assert_eq!(
        (code, out.as_str()),
        (1, "gevinst: PROPOSAL: «BC_1» er ikke et forslagsnummer: skriv 2–20 tegn A–Z, 0–9 eller '-', begyndende med et bogstav og sluttende med et bogstav eller et ciffer, fx BC01")
    );
        refused(
            &t,
            OWNER,
            &[
                "saving",
                "BC02",
                "--year",
                "2025",
                "--amount",
                "-1",
                "--date",
                "2025-12-31",
            ],
            "BC02: ukendt forslag: intet er registreret under dette nummer",
        )
        .await;
    }
);

both_backends!(
    a_repeated_key_stores_nothing_new,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let args = [
            "--idempotency-key",
            "k-1",
            "progress",
            "BC01",
            "--goal",
            "g1",
            "--date",
            "2025-05-01",
            "--note",
            "status",
        ];
        let (code, first) = record(&t, OWNER, &args).await;
        assert_eq!(code, 0, "{first}");
        let (code, again) = record(&t, OWNER, &args).await;
        assert_eq!(code, 0, "{again}");
        assert_eq!(stream(&t, "BC01").await.len(), 3);
        assert_eq!(
            again,
            format!(
                "{} — allerede registreret med samme nøgle; intet nyt gemt\n",
                first.trim_end()
            )
        );
    }
);

both_backends!(
    the_command_path_decides_who_reported_and_who_verified,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let id = proposal("BC01");
        t.service
            .execute(
                &id,
                ProposalCommand::RecordSaving(examples::saving(2025, -400)),
                meta("anna@kk.dk", Role::ProjectOwner),
            )
            .await
            .unwrap();
        let claim = |by: &str, reported_by: &str, role: Role| {
            ProposalCommand::VerifySaving(SavingVerification {
                saving: 3,
                verified_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
                verified_by: Actor::parse(by).unwrap(),
                reported_by: Actor::parse(reported_by).unwrap(),
                role,
                note: None,
            })
        };
        // Anna claims someone else verified and someone else reported: the store knows better.
        let err = t
            .service
            .execute(
                &id,
                claim("dora@kk.dk", "bo@kk.dk", Role::Controller),
                meta("anna@kk.dk", Role::Controller),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, CommandError::Rejected { .. }), "{err}");
        assert_eq!(
        err.to_string(),
        "BC01: fire øjne: anna@kk.dk registrerede effektivisering 3 og må ikke også verificere den; en anden controller skal"
    );
        // A project owner claiming the controller role in the fact is judged by the metadata.
        let err = t
            .service
            .execute(
                &id,
                claim("carl@kk.dk", "bo@kk.dk", Role::Controller),
                meta("bo@kk.dk", Role::ProjectOwner),
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "BC01: en projektejer må ikke verificere en effektivisering; kun en controller må"
        );
        assert_eq!(stream(&t, "BC01").await.len(), 3);
        // Carl verifies; whatever he claims, the stored fact names him and anna.
        t.service
            .execute(
                &id,
                claim("anna@kk.dk", "carl@kk.dk", Role::ProjectOwner),
                meta("carl@kk.dk", Role::Controller),
            )
            .await
            .unwrap();
        let events = stream(&t, "BC01").await;
        let v = &events.last().unwrap().payload["SavingVerified"];
        assert_eq!(v["verified_by"], "carl@kk.dk");
        assert_eq!(v["reported_by"], "anna@kk.dk");
        assert_eq!(v["role"], "controller");
    }
);
