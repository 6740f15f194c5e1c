//! `gevinst record …`: how project owners and controllers put facts into Gevinst from a terminal.
//!
//! Every argument is read into its domain type here, at the edge, and refused with that type's
//! own message, so the aggregate only judges business rules and no input can cause a panic.
//! Each invocation sends exactly one command through [`ProposalService::execute`] — the same
//! path the HTTP API and the baseline import use — so it appends exactly one event, or none
//! when the proposal's rules refuse it.
//!
//! Amounts may be written plainly (`-1234.5`) or the Danish way (`-1.234,5`). A number that
//! reads both ways (`1.234`: one thousand two hundred and thirty-four, or one point two three
//! four?) is refused, because in 1.000 kr. the two readings differ by a factor of a thousand.

use std::io::Write;
use std::path::PathBuf;

use gevinst_domain::access::Login;
use gevinst_domain::plausibility::{self, Warning};
use gevinst_domain::proposal::{Plan, ProposalCommand, ProposalError};
use gevinst_domain::{IdempotencyKey, ProposalId};
use gevinst_projections::{CommandError, ProposalService, Request};

mod command;
mod input;

use command::command;
use input::{load, parse, parse_opt};
pub use input::{parse_amount, AmountInputError};

/// `gevinst record …`: who records, in which role, and what.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Hvem registrerer: din kontos login, fx anna@kk.dk. Dine roller afgør, om du må, og i
    /// hvilken rolle det gemmes (`gevinst grant`).
    #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
    as_login: String,
    /// En nøgle efter eget valg, der gør kommandoen sikker at gentage: en gentagelse med samme
    /// nøgle gemmer intet nyt og skriver det første udfald.
    #[arg(long, value_name = "NØGLE")]
    idempotency_key: Option<String>,
    /// Gem det, selv om det giver advarsler om usandsynlige tal (en realiseret effektivisering
    /// dateret i fremtiden, et år uden for planen, mere end 10 gange planlinjens største år,
    /// et prisniveau indekset ikke kan omregne); de bekræftede advarsler gemmes med hændelsen.
    #[arg(long)]
    confirm: bool,
    /// Hvad der skal registreres.
    #[command(subcommand)]
    what: RecordWhat,
}

/// The same arguments under the name the command line wires: `Record(record::RecordCommand)`.
pub type RecordCommand = RecordArgs;

/// Et beløb med år, prisniveau, styringsområde og forretningsdato.
#[derive(Debug, clap::Args, serde::Deserialize, utoipa::ToSchema)]
pub struct MoneyArgs {
    /// Budgetåret, fx 2025.
    #[arg(long, value_name = "ÅR")]
    year: i32,
    /// Beløbet i 1.000 kr., højst 3 decimaler: -1234.5 eller -1.234,5 (effektiviseringer er
    /// negative).
    #[arg(long, allow_hyphen_values = true, value_name = "BELØB")]
    #[schema(example = "-149")]
    amount: String,
    /// Prisniveauet (p/l-år), beløbet er opgjort i [standard: forslagets].
    #[arg(long, value_name = "ÅR")]
    price_level: Option<i32>,
    /// Styringsområdet: service, anlæg, overførsler, efterspørgselsstyret, finansposter (gemmes
    /// som service, capital, transfers, demand_driven, financing) [standard: planlinjens].
    #[arg(long, value_name = "OMRÅDE")]
    control_area: Option<String>,
    /// Forretningsdatoen, det gælder fra, fx 2025-09-30.
    #[arg(long, value_name = "DATO")]
    #[schema(format = Date)]
    date: String,
}

/// The facts one can record. Each takes the proposal id (e.g. BC01) first.
///
/// The same type is the body of the HTTP command routes (`POST /api/proposals/{id}/…`): the
/// fields are the flags in snake_case, `command` names the variant and `proposal` comes from
/// the path, so the CLI and the API parse, default and refuse input alike.
#[derive(Debug, clap::Subcommand, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RecordWhat {
    /// Fremdrift på et opfølgningsmål.
    Progress {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Opfølgningsmålet, fx g1.
        #[arg(long, value_name = "MÅL")]
        goal: String,
        /// Datoen, fremdriften beskriver, fx 2025-09-30.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Hvad der skete.
        #[arg(long, value_name = "TEKST")]
        note: String,
        /// Dokumentation: et sagsnummer, et dokument eller et link.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
        /// Markér opfølgningsmålet som i risiko.
        #[arg(long)]
        #[serde(default)]
        at_risk: bool,
    },
    /// Et opfølgningsmål er nået.
    Achieved {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Opfølgningsmålet, fx g1.
        #[arg(long, value_name = "MÅL")]
        goal: String,
        /// Hvornår det blev nået.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Dokumentationen for, at det blev nået.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: String,
    },
    /// En dato for et opfølgningsmål, hvis «hvornår» planen lader stå åbent.
    Scheduled {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Opfølgningsmålet, fx g2.
        #[arg(long, value_name = "MÅL")]
        goal: String,
        /// Datoen, det nu skal være nået.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Begrundelse for datoen.
        #[arg(long, value_name = "TEKST")]
        note: Option<String>,
    },
    /// En realiseret effektivisering (negativt beløb).
    Saving {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// År, beløb, prisniveau, styringsområde og dato.
        #[command(flatten)]
        #[serde(flatten)]
        money: MoneyArgs,
        /// Planlinjen, den realiserer, fx l1.
        #[arg(long, value_name = "PLANLINJE")]
        plan_line: Option<String>,
        /// Udvalget, hvis budget den lander i: en forkortelse, som forslagets budgetdokument
        /// erklærer (Budget 2025: ØU, BIU, BUU, KFU, SUD, SOU, TMU).
        #[arg(long, value_name = "UDVALG")]
        committee: Option<String>,
        /// Dokumentation, fx et udtræk fra Kvantum.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
    },
    /// En afholdt implementeringsomkostning (positivt beløb).
    Cost {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// År, beløb, prisniveau, styringsområde og dato.
        #[command(flatten)]
        #[serde(flatten)]
        money: MoneyArgs,
        /// Planlinjen, den afholdes på, fx l3.
        #[arg(long, value_name = "PLANLINJE")]
        plan_line: Option<String>,
        /// Dokumentation.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
    },
    /// Den aktuelle forventning til et år.
    Forecast {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// År, beløb, prisniveau, styringsområde og dato.
        #[command(flatten)]
        #[serde(flatten)]
        money: MoneyArgs,
        /// Hvilken del af planen: varig (varig ændring), implementering
        /// (implementeringsomkostning) eller tilbagebetaling (afdrag på lån) [standard:
        /// planlinjens].
        #[arg(long, value_name = "DEL")]
        section: Option<String>,
        /// Planlinjen, fx l1.
        #[arg(long, value_name = "PLANLINJE")]
        plan_line: Option<String>,
        /// Begrundelse for ændringen.
        #[arg(long, value_name = "TEKST")]
        note: Option<String>,
    },
    /// Ret en tidligere registrering: tilbagefør den, eller (med --replace-amount) erstat en
    /// effektivisering, omkostning, forventning eller budgetrammeændring med samme
    /// registrering med et andet beløb.
    Correction {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Den rettede hændelses løbenummer i forslagets historik.
        #[arg(long, value_name = "NR")]
        sequence: u64,
        /// Begrundelse.
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: String,
        /// Beløbet, registreringen skulle have haft, i 1.000 kr.; uden det tilbageføres
        /// registreringen.
        #[arg(long, allow_hyphen_values = true, value_name = "BELØB")]
        #[schema(example = "-120")]
        replace_amount: Option<String>,
    },
    /// Projektejerens kompenserende tiltag for en forsinkelse.
    CompensatingAction {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Det forsinkede opfølgningsmål, det svarer på, hvis noget.
        #[arg(long, value_name = "MÅL")]
        goal: Option<String>,
        /// Budgetåret, hvis manglende effektivisering det svarer på, hvis noget.
        #[arg(long, value_name = "ÅR")]
        year: Option<i32>,
        /// Hvornår det blev besluttet.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Hvad der gøres.
        #[arg(long, value_name = "TEKST")]
        action: String,
        /// Hvad det forventes at opnå.
        #[arg(long, value_name = "TEKST")]
        expected_effect: Option<String>,
        /// Dokumentation, fx en styregruppebeslutning.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
    },
    /// Verificér en realiseret effektivisering (controllere; ikke den, der registrerede den).
    VerifySaving {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Effektiviseringens hændelsesnummer (eller nummeret på rettelsen, der erstattede
        /// den).
        #[arg(long, value_name = "NR")]
        sequence: u64,
        /// Hvornår den blev verificeret.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Hvad der blev kontrolleret.
        #[arg(long, value_name = "TEKST")]
        note: Option<String>,
    },
    /// En ændring af et udvalgs budgetramme (controllere; negativ = rammen reduceres).
    BudgetAdjustment {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Hvis ramme: en forkortelse, som forslagets budgetdokument erklærer (Budget 2025: ØU,
        /// BIU, BUU, KFU, SUD, SOU, TMU).
        #[arg(long, value_name = "UDVALG")]
        committee: String,
        /// År, beløb, prisniveau, styringsområde (påkrævet her) og dato.
        #[command(flatten)]
        #[serde(flatten)]
        money: MoneyArgs,
        /// Beslutningen, den hviler på, fx budgetaftalen.
        #[arg(long, value_name = "REFERENCE")]
        reference: Option<String>,
        /// Begrundelse.
        #[arg(long, value_name = "TEKST")]
        note: Option<String>,
    },
    /// Budgetaftalens beslutning om forslaget (controllere): vedtaget, vedtaget med ændringer
    /// eller ikke vedtaget. Indtil den er registreret, afventer forslaget budgetbeslutning og
    /// vurderes ikke.
    BudgetDecision {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Udfaldet: vedtaget, vedtaget med ændringer, ikke vedtaget.
        #[arg(long, value_name = "UDFALD")]
        outcome: String,
        /// Hvornår det blev besluttet (budgetaftalens eller Borgerrepræsentationens dato).
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Beslutningen, fx "Budgetaftale 2025".
        #[arg(long, value_name = "REFERENCE")]
        reference: String,
        /// Hvad der blev ændret, eller hvorfor.
        #[arg(long, value_name = "TEKST")]
        note: Option<String>,
    },
    /// Planrevision: erstat den gældende plan med planen i FIL (JSON).
    RevisePlan {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Den nye plan i sin helhed, som JSON.
        #[arg(long, required = true, value_name = "FIL")]
        #[serde(skip)]
        file: Option<PathBuf>,
        /// Den nye plan selv (HTTP-kroppens `plan`; kommandolinjen læser --file).
        #[arg(skip)]
        #[schema(value_type = Option<Object>)]
        plan: Option<Box<Plan>>,
        /// Begrundelse.
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: String,
        /// Godkenderen.
        #[arg(long, value_name = "GODKENDER")]
        approved_by: String,
    },
    /// Annullér et opfølgningsmål (controllere).
    CancelGoal {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Opfølgningsmålet, fx g2.
        #[arg(long, value_name = "MÅL")]
        goal: String,
        /// Virkningsdato.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Begrundelse.
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: String,
    },
    /// En milepæl er nået.
    MilestoneCompleted {
        /// Forslaget, fx BC03.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Milepælen, fx m1.
        #[arg(long, value_name = "MILEPÆL")]
        milestone: String,
        /// Hvornår den blev nået.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Dokumentation.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
    },
    /// Hvad et innovationsforslag eller en foranalyse lærte, og om det førte til et
    /// investeringsforslag.
    InnovationOutcome {
        /// Forslaget, fx BC03.
        #[arg(value_name = "FORSLAG")]
        proposal: String,
        /// Hvornår det blev registreret.
        #[arg(long, value_name = "DATO")]
        #[schema(format = Date)]
        date: String,
        /// Hvad man lærte.
        #[arg(long, value_name = "TEKST")]
        learning: String,
        /// Det førte til et investeringsforslag (følger af --investment-case).
        #[arg(long)]
        #[serde(default)]
        led_to_investment_case: bool,
        /// Investeringsforslaget, det førte til, fx BC12.
        #[arg(long, value_name = "FORSLAG")]
        investment_case: Option<String>,
        /// Dokumentation, fx evalueringsrapporten.
        #[arg(long, value_name = "DOKUMENTATION")]
        evidence: Option<String>,
    },
}

/// An argument's name as the JSON body and the form call it (`plan_line`) for the name the
/// command line gives it (`--plan-line`).
#[must_use]
pub fn field_name(argument: &str) -> String {
    argument.trim_start_matches('-').replace('-', "_")
}

impl RecordError {
    /// The refusal in the words of an API client, whose fields are named as the JSON body
    /// names them (`amount: …`, `control_area skal angives, medmindre plan_line …`): the
    /// `Display` text is the command line's (`--amount: …`).
    #[must_use]
    pub fn for_clients(&self) -> String {
        self.naming(field_name)
    }

    /// The refusal with each argument it names (`--plan-line`) called what `name` calls it: a
    /// JSON name for clients ([`RecordError::for_clients`]), a field's label on a page. The
    /// texts it renames are this module's own, never the user's input (an argument's message
    /// is kept as it is).
    #[must_use]
    pub fn naming(&self, name: impl Fn(&str) -> String) -> String {
        match self {
            RecordError::InvalidArgument { argument, message } => {
                format!("{}: {message}", name(argument))
            }
            RecordError::MissingArgument(_) | RecordError::NoAmountToReplace { .. } => self
                .to_string()
                .split(' ')
                .map(|word| match word.strip_prefix("--") {
                    Some(flag) if !flag.is_empty() => {
                        // `--plan-line,`: the argument, then what follows it.
                        let end = word
                            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '-')
                            .len();
                        format!("{}{}", name(&word[..end]), &word[end..])
                    }
                    _ => word.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }
}

/// Why `gevinst record` stored nothing (or could not report what it stored).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// An argument is not what it names; the message is the domain type's own.
    #[error("{argument}: {message}")]
    InvalidArgument {
        /// The argument, e.g. `--amount`.
        argument: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// An argument without a default here was left out.
    #[error("{0}")]
    MissingArgument(&'static str),
    /// The plan file could not be read or is not a plan.
    #[error("{path}: {problem}")]
    PlanFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// `--replace-amount` on an entry without an amount.
    #[error("hændelse {sequence} ({kind}) har intet beløb at erstatte; tilbagefør den (udelad --replace-amount) og registrér den igen")]
    NoAmountToReplace {
        /// The entry.
        sequence: u64,
        /// Its kind, in Danish (`Opfølgningsmål annulleret`).
        kind: &'static str,
    },
    /// The command raises plausibility warnings and `--confirm` was not given; nothing was
    /// stored.
    #[error("intet er gemt, for indtastningen ser usandsynlig ud:\n{}\nGentag kommandoen med --confirm, hvis den er rigtig.", .0.iter().map(|w| format!("  - {w}")).collect::<Vec<_>>().join("\n"))]
    Unconfirmed(Vec<Warning>),
    /// The proposal's rules refused the command; nothing was stored.
    #[error("{proposal}: {error}")]
    Refused {
        /// The proposal.
        proposal: String,
        /// The rule, in the domain's words.
        error: ProposalError,
    },
    /// The command could not be carried out (store unavailable, a concurrent change, a reused
    /// idempotency key); nothing was stored.
    #[error(transparent)]
    Command(CommandError),
    /// The command was stored, but printing its outcome failed.
    #[error("kommandoen er gemt, men dens kvittering kunne ikke skrives")]
    Output(#[from] std::io::Error),
}

impl From<CommandError> for RecordError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::Rejected { proposal, error } => RecordError::Refused { proposal, error },
            other => RecordError::Command(other),
        }
    }
}

/// The event a command appends, for the one line printed.
fn event_type(command: &ProposalCommand) -> &'static str {
    match command {
        ProposalCommand::ReverseEntry { .. } => "EntryReversed",
        ProposalCommand::SupersedeEntry { .. } => "EntrySuperseded",
        ProposalCommand::RevisePlan { .. } => "PlanRevised",
        ProposalCommand::CompleteMilestone(_) => "MilestoneCompleted",
        ProposalCommand::ReportGoalProgress(_) => "GoalProgressReported",
        ProposalCommand::AchieveGoal(_) => "GoalAchieved",
        ProposalCommand::ScheduleGoal(_) => "GoalScheduled",
        ProposalCommand::CancelGoal(_) => "GoalCancelled",
        ProposalCommand::RecordSaving(_) => "SavingRealised",
        ProposalCommand::RecordCost(_) => "ImplementationCostIncurred",
        ProposalCommand::UpdateForecast(_) => "ForecastUpdated",
        ProposalCommand::RecordCompensatingAction(_) => "CompensatingActionRecorded",
        ProposalCommand::VerifySaving(_) => "SavingVerified",
        ProposalCommand::AdjustBudget(_) => "BudgetAdjusted",
        ProposalCommand::RecordInnovationOutcome(_) => "InnovationOutcomeRecorded",
        ProposalCommand::DecideBudget(_) => "BudgetDecided",
        _ => "event",
    }
}

/// Runs `gevinst record …`: parses the arguments, sends the one command and prints one line
/// with the proposal, the new event's sequence and its global position.
///
/// A refused command is an error (the binary prints it and exits 1); nothing is stored then.
pub async fn run_record(
    args: RecordArgs,
    service: &ProposalService,
    out: &mut (dyn Write + Send),
) -> Result<crate::cli::Exit, RecordError> {
    let login: Login = parse("--as", &args.as_login)?;
    let idempotency_key =
        parse_opt::<IdempotencyKey>("--idempotency-key", args.idempotency_key.as_ref())?;
    let (event, outcome) = send(&login, args.what, idempotency_key, args.confirm, service).await?;
    let replayed = if outcome.replayed {
        " — allerede registreret med samme nøgle; intet nyt gemt"
    } else {
        ""
    };
    writeln!(
        out,
        "{}: hændelse {} registreret: {} ({event}), global position {}{replayed}",
        outcome.proposal,
        outcome.last_sequence,
        crate::labels::event_label(event),
        outcome.last_position
    )?;
    if let Some(receipt) = &outcome.receipt {
        write!(
            out,
            "kvittering (signeret checkpoint af loggen):\n{receipt}"
        )?;
    }
    Ok(crate::cli::Exit::SUCCESS)
}

/// The shared command step of the CLI and the HTTP API: reads `what` into its command
/// (defaults from the proposal, money arguments), checks plausibility (refused unless
/// `confirm`), and sends it as `login`. Returns the event type appended and the outcome.
pub async fn send(
    login: &Login,
    what: RecordWhat,
    idempotency_key: Option<IdempotencyKey>,
    confirm: bool,
    service: &ProposalService,
) -> Result<(&'static str, gevinst_projections::CommandOutcome), RecordError> {
    let (id, command) = command(what, &login.actor(), service).await?;
    let event = event_type(&command);
    let warnings = plausibility_warnings(service, &id, &command).await?;
    if !warnings.is_empty() && !confirm {
        return Err(RecordError::Unconfirmed(warnings));
    }
    let request = Request {
        idempotency_key,
        confirmed_warnings: warnings
            .iter()
            .map(|w| format!("{}: {w}", w.code()))
            .collect(),
    };
    Ok((
        event,
        service.execute_as(login, &id, command, request).await?,
    ))
}

/// The plausibility warnings `command` raises against the proposal's plan in force, the price
/// index in use now (from the log) and today by the service's clock.
async fn plausibility_warnings(
    service: &ProposalService,
    id: &ProposalId,
    command: &ProposalCommand,
) -> Result<Vec<Warning>, RecordError> {
    let entry_level = match command {
        ProposalCommand::RecordSaving(s) => s.price_level,
        ProposalCommand::RecordCost(c) => c.price_level,
        _ => return Ok(Vec::new()),
    };
    let state = load(service, id).await?;
    let Some(level) = state.identity().map(|i| i.price_level) else {
        return Ok(Vec::new());
    };
    let today = service.store().now().date_naive();
    // Only an amount at another level than the plan's is converted: the common case, at the
    // plan's own level, reads no index.
    let index = if entry_level == level {
        gevinst_domain::price::PriceIndex::default()
    } else {
        service
            .price_index()
            .current()
            .await
            .map_err(|e| RecordError::Command(CommandError::Unexpected(e.to_string())))?
    };
    Ok(plausibility::check(
        command,
        state.current_plan(),
        level,
        &index,
        today,
    ))
}
