//! The `gevinst` command line. Every subcommand is a thin layer over the same library calls the
//! HTTP API uses; output goes to a writer so tests can run commands in-process and read it.
//! Long operations draw a progress bar on stderr when it is a terminal.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use gevinst_projections::import::import_baseline;
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_projections::reports::{KnownOn, KnownOnError, View};
use gevinst_projections::ProposalService;
use gevinst_store::{Db, OpenMode, SystemClock};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{ServeArgs, StoreArgs};
use crate::export::{self, Sheet};
use crate::render;
use crate::startup::Application;

/// Gevinst: opfølgning på gevinstrealiseringen af vedtagne investeringsforslag. Beløb er i
/// 1.000 kr.; effektiviseringer er negative.
#[derive(Debug, Parser)]
#[command(name = "gevinst", version)]
pub struct Cli {
    /// Hvor lageret er.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Hvad der skal gøres.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line as people see it: the derived command with clap's own words (headings,
    /// the help and version flags, defaults) in Danish too (see [`crate::help`]).
    #[must_use]
    pub fn danish_command() -> clap::Command {
        crate::help::danish(<Self as clap::CommandFactory>::command())
    }

    /// Parses `args` (the program name first) with [`Cli::danish_command`]: `--help` and
    /// usage errors come back as the error, to print and exit with.
    pub fn try_parse_danish_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut matches = Self::danish_command().try_get_matches_from(args)?;
        <Self as clap::FromArgMatches>::from_arg_matches_mut(&mut matches)
    }

    /// Parses the process's arguments with [`Cli::danish_command`]; prints help or the version
    /// and exits as clap does, or a usage error in Danish ([`crate::help::usage_error`]) with
    /// clap's exit code (2).
    #[must_use]
    pub fn parse_danish() -> Self {
        Self::try_parse_danish_from(std::env::args_os()).unwrap_or_else(|e| {
            match crate::help::usage_error(&e) {
                Some(danish) => {
                    eprintln!("{danish}");
                    std::process::exit(e.exit_code())
                }
                None => e.exit(),
            }
        })
    }
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// En tabel til mennesker, på dansk med danske talformater.
    Table,
    /// JSON til maskiner (almindelige decimaltal).
    Json,
    /// CSV til Excel med danske indstillinger: `;`, decimalkomma, BOM og danske overskrifter.
    Csv,
    /// En Excel-projektmappe (kræver --output): tal som tal, totaler som formler.
    Xlsx,
}

/// Options shared by the controllers' reports.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Pr. denne forretningsdato (standard: i dag).
    #[arg(long, value_name = "DATO")]
    pub as_of: Option<NaiveDate>,
    /// Kun hvad hændelsesloggen rummede da: en dato (slutningen af dagen, dansk tid) eller et
    /// RFC 3339-tidspunkt (standard: alt registreret).
    #[arg(long, value_parser = parse_known_on, value_name = "TIDSPUNKT")]
    pub known_on: Option<KnownOn>,
    /// Kun forslagene fra denne budgetrunde, som dens bilag skriver den, fx "Budget 2025"
    /// (standard: alle indlæste budgetrunder).
    #[arg(long, value_name = "BUDGETRUNDE")]
    pub budget_round: Option<String>,
    /// Uddataformat.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Skriv CSV- eller XLSX-eksporten til denne fil (XLSX kræver den; CSV skrives ellers til
    /// standard-ud).
    #[arg(long, short, value_name = "FIL")]
    pub output: Option<PathBuf>,
}

impl ReportArgs {
    fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(View::today)
    }

    fn view(&self) -> View {
        View {
            as_of: self.as_of(),
            known_on: self.known_on.clone(),
        }
    }
}

/// Parses `--known-on` (the message is Danish, for people).
pub(crate) fn parse_known_on(raw: &str) -> Result<KnownOn, KnownOnError> {
    KnownOn::parse(raw)
}

/// Above a table: which recorded time it shows, when one was chosen (the tables already say
/// their business date).
fn write_known_on(out: &mut (dyn Write + Send), view: &View) -> std::io::Result<()> {
    if view.known_on.is_some() {
        writeln!(out, "{}", view.danish())?;
        writeln!(out)?;
    }
    Ok(())
}

/// Writes a report's CSV or XLSX export: to `output` when given (and says so on `out`), a CSV
/// without it to `out`. Tables and JSON go to `out` only.
fn write_export(
    out: &mut (dyn Write + Send),
    format: Format,
    output: Option<&Path>,
    sheet: &Sheet,
) -> anyhow::Result<()> {
    let bytes = match format {
        Format::Csv => export::csv(sheet)?,
        Format::Xlsx => export::xlsx(std::slice::from_ref(sheet))?,
        Format::Table | Format::Json => {
            anyhow::bail!("--output gælder kun --format csv og --format xlsx")
        }
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("{} kunne ikke skrives", path.display()))?;
            writeln!(
                out,
                "Skrev {} ({}, arket «{}», {} rækker).",
                path.display(),
                if format == Format::Xlsx {
                    "XLSX"
                } else {
                    "CSV"
                },
                sheet.name,
                sheet.rows.len()
            )?;
        }
        None if format == Format::Xlsx => anyhow::bail!(
            "XLSX er et binært format: angiv en fil med --output, fx --output rapport.xlsx"
        ),
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

/// A baseline file's name as the events and exports record it (the file name, not the path).
fn baseline_name(file: &Path) -> String {
    file.file_name()
        .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().to_string())
}

/// `--output` is for the exports: with a table or JSON it is a mistake, said before any work.
fn check_output(format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    if output.is_some() && matches!(format, Format::Table | Format::Json) {
        anyhow::bail!("--output gælder kun --format csv og --format xlsx");
    }
    Ok(())
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Kør API'et og overblikket (indlæser det medfølgende Budget 2025-grundlag i et tomt
    /// lager).
    Serve(ServeArgs),
    /// Gennemgå hvert forslags hashkæde og den samlede rækkefølge, og bevis med --checkpoint,
    /// at hændelsesloggen stadig rummer, hvad et signeret kontrolpunkt dækkede; afslut med
    /// kode 2, hvis noget er brudt.
    Verify(crate::audit::VerifyArgs),
    /// Opret eller opdatér skemaet som dets ejer (PostgreSQL: den eneste kommando, der kører
    /// DDL).
    Migrate(MigrateArgs),
    /// Signér et kontrolpunkt af hændelsesloggen (Merkle-rod, størrelse, tid; C2SP-signeret
    /// note), eller administrér signeringsnøglen.
    Checkpoint(crate::audit::CheckpointArgs),
    /// Revisionsudtræk til den frakoblede kontrol `gevinst-verify`.
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
    /// Grundlagsfiler: det vedtagne budgetbilag.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Rapporter.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Læsemodeller.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
    /// Mål hvor hurtigt Gevinst er på denne server og database, side om side med databasens
    /// egne råtal (i en midlertidig database, der fjernes bagefter).
    Bench(crate::bench::BenchArgs),
    /// Registrér hvad der er sket: fremdrift, effektiviseringer, omkostninger, rettelser,
    /// verificeringer … (én hændelse).
    Record(Box<crate::record::RecordArgs>),
    /// Brugerkonti: opret, deaktivér, vis.
    #[command(subcommand)]
    User(crate::people::UserCommand),
    /// Personlige adgangsnøgler til API-klienter: opret, tilbagekald.
    #[command(subcommand)]
    Token(crate::people::TokenCommand),
    /// Giv en konto en rolle: administrator, controller [--committee], projektejer --proposal,
    /// revisor.
    Grant(crate::people::GrantArgs),
    /// Tag en rolle tilbage.
    Revoke(crate::people::GrantArgs),
    /// Prisindekset: skøn (årgange), satser med kilder, og hvilket skøn der er i brug.
    #[command(subcommand)]
    PriceIndex(crate::price_index::PriceIndexCommandArgs),
}

/// `gevinst migrate …`
#[derive(Debug, Clone, clap::Args)]
pub struct MigrateArgs {
    /// PostgreSQL: giv også denne eksisterende rolle, hvad programmet behøver, og ikke mere
    /// (SELECT, INSERT på historikken; fuld DML på læsemodellerne); `serve` og de andre
    /// kommandoer forbinder sig så som den.
    #[arg(long, env = "GEVINST_APP_ROLE", value_name = "ROLLE")]
    pub app_role: Option<String>,
}

/// `gevinst baseline …`
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Registrér hvert forslag i FIL og vedtag dets plan (kan gentages uden skade).
    Import {
        /// Grundlagsfilen (TOML).
        #[arg(value_name = "FIL")]
        file: PathBuf,
    },
    /// Genberegn FILs subtotaler, sammenfatningstabeller og tilbagebetalingstider; vis hver
    /// uoverensstemmelse.
    Check {
        /// Grundlagsfilen (TOML).
        #[arg(value_name = "FIL")]
        file: PathBuf,
        /// Uddataformat.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Skriv CSV- eller XLSX-eksporten til denne fil (XLSX kræver den; CSV skrives ellers
        /// til standard-ud).
        #[arg(long, short, value_name = "FIL")]
        output: Option<PathBuf>,
    },
}

/// `gevinst report …`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Ét forslag: identitet, plan, beregnede og angivne totaler, tilbagebetalingstid, fund og —
    /// pr. en dato — realiseringen mod planen og status for dets opfølgningsmål.
    Proposal {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        id: String,
        /// Tilvalg.
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Alle opfølgningsmål og milepæle med tidsplan og status.
    Goals {
        /// Kun dette forslag.
        #[arg(long, value_name = "FORSLAG")]
        proposal: Option<String>,
        /// Status pr. denne dato (standard: i dag).
        #[arg(long, value_name = "DATO")]
        as_of: Option<NaiveDate>,
        /// Kun hvad hændelsesloggen rummede da: en dato (slutningen af dagen, dansk tid) eller
        /// et RFC 3339-tidspunkt (standard: alt registreret).
        #[arg(long, value_parser = parse_known_on, value_name = "TIDSPUNKT")]
        known_on: Option<KnownOn>,
        /// Uddataformat.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Skriv CSV- eller XLSX-eksporten til denne fil (XLSX kræver den; CSV skrives ellers
        /// til standard-ud).
        #[arg(long, short, value_name = "FIL")]
        output: Option<PathBuf>,
    },
    /// Tabel 1 pr. udvalg genopbygget fra hændelserne, med kolonner for realiseret og
    /// forventning.
    Portfolio(ReportArgs),
    /// Realiseringen mod planen for ét forslag, pr. år, med tilbagebetalingstid og afvigelse.
    Realisation {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        id: String,
        /// Tilvalg.
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Hvad der er forsinket: overskredne opfølgningsmål og år under planen, største først.
    Late(ReportArgs),
    /// Et forslags gældende plan omregnet til et andet års prisniveau med det prisindeks, der
    /// var i brug (se `gevinst price-index show`).
    Plan {
        /// Forslaget, fx BC01.
        #[arg(value_name = "FORSLAG")]
        id: String,
        /// Prisniveauet (året), planen vises i.
        #[arg(long, value_name = "ÅR")]
        price_level: i32,
        /// Tilvalg (kun --known-on og --format table/json bruges).
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Hvert forslags status til udvalget, med reglen der afgjorde den, og begrundelserne.
    CommitteeStatus {
        /// Tilvalg.
        #[command(flatten)]
        args: ReportArgs,
        /// Den mindste mangel, der kan gøre et forslag rødt, i 1.000 kr.
        #[arg(
            long,
            default_value = "100",
            env = "GEVINST_MATERIALITY_AMOUNT",
            value_name = "BELØB"
        )]
        materiality_amount: rust_decimal::Decimal,
        /// Den mindste mangel, der kan gøre et forslag rødt, som andel af årets planlagte
        /// effektivisering (0.05 = 5 %); en mangel skal nå begge tærskler.
        #[arg(
            long,
            default_value = "0.05",
            env = "GEVINST_MATERIALITY_SHARE",
            value_name = "ANDEL"
        )]
        materiality_share: rust_decimal::Decimal,
    },
}

/// `gevinst projections …`
#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Slet alle læsemodeller og genopbyg dem fra hændelsesloggen.
    Rebuild,
}

pub(crate) fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

async fn open_service(store: &StoreArgs) -> anyhow::Result<ProposalService> {
    let db = Db::open(&store.store_config()?)
        .await
        .context("lageret kunne ikke åbnes")?;
    Ok(ProposalService::new(db, Arc::new(SystemClock)))
}

/// Opens an existing store for a reading command: a missing store is an error naming its path,
/// never a new empty one.
async fn open_existing_service(store: &StoreArgs) -> anyhow::Result<ProposalService> {
    let db = Db::open_with(&store.store_config()?, OpenMode::MustExist)
        .await
        .context("lageret kunne ikke åbnes")?;
    Ok(ProposalService::new(db, Arc::new(SystemClock)))
}

/// Opens the store, brings the read models up to date and reads the price index as the log
/// stood at the report's recorded cut-off.
async fn open_reports(
    store: &StoreArgs,
    args: &ReportArgs,
) -> anyhow::Result<(ReadModels, gevinst_domain::price::PriceIndex)> {
    let service = open_existing_service(store).await?;
    service.projector().catch_up().await?;
    let read = ReadModels::new(service.store().db().clone())
        .known_on(args.view().known_instant())
        .in_round(args.budget_round.clone());
    if let Some(message) = crate::labels::unknown_round(read.round(), &read.budget_rounds().await?)
    {
        anyhow::bail!("--budget-round: {message}");
    }
    let index = read.price_index().await?;
    Ok((read, index))
}

/// How a command ended, as the process's exit code. Errors (bad input, a refused command, an
/// unreachable store) are `Err` and exit 1; `NOT_IN_ORDER` is a check that ran and found
/// something wrong (`verify` on a tampered log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(u8);

impl Exit {
    /// Everything went as asked.
    pub const SUCCESS: Exit = Exit(0);
    /// The command failed (the binary prints the error chain).
    pub const FAILURE: Exit = Exit(1);
    /// A check ran and found the checked thing not in order.
    pub const NOT_IN_ORDER: Exit = Exit(2);

    /// The numeric exit code.
    #[must_use]
    pub fn code(self) -> u8 {
        self.0
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.0)
    }
}

/// Runs a parsed command line, writing human output to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Serve(args) => {
            let signer = Arc::new(args.signing.signer(out)?);
            let app = Application::build(&cli.store.store_config()?, args.bind)
                .await
                .context("gevinst kunne ikke starte")?
                .with_signer(signer.clone())
                .with_service_settings(args.service.settings());
            if args.checkpoint_interval > 0 {
                crate::audit::spawn_schedule(
                    app.state().service.clone(),
                    signer,
                    std::time::Duration::from_secs(args.checkpoint_interval),
                );
            }
            if let Some(report) = app
                .import_bundled_baseline_if_empty()
                .await
                .context("den medfølgende baseline kunne ikke indlæses")?
            {
                writeln!(
                    out,
                    "tomt lager: indlæste {} ({} forslag, {} hændelser)",
                    report.file,
                    report.registered.len(),
                    report.events_appended
                )?;
            }
            // Several instances may start on one empty store at once: the one that loses the
            // race says so and serves; the index is recorded once, by the other.
            match app.seed_price_index_if_empty().await {
                Ok(0) => {}
                Ok(seeded) => writeln!(
                    out,
                    "prisindeks: det medfølgende skøn er registreret ({seeded} hændelser)"
                )?,
                Err(e) => writeln!(
                    out,
                    "prisindeks: det medfølgende skøn blev ikke registreret ({e}); kør gevinst price-index import"
                )?,
            }
            let addr = app.local_addr()?;
            let app = match args.oidc.settings(addr) {
                Some(settings) => {
                    let issuer = settings.issuer.clone();
                    let app = app.with_oidc(settings).context("OpenID Connect")?;
                    writeln!(out, "log ind gennem OpenID-udbyderen {issuer}")?;
                    app
                }
                None => app,
            };
            writeln!(
                out,
                "gevinst kører på http://{addr} ({}-lager)",
                app.state().service.store().db().backend()
            )?;
            let access = app.state().service.access().current().await?;
            if access.has_administrator() {
                writeln!(out, "log ind på http://{addr}/login")?;
            } else {
                writeln!(
                    out,
                    "ingen administrator endnu: opret den første i en anden terminal med\n  \
                     gevinst user add LOGIN --name NAVN --password-stdin\n  \
                     gevinst grant LOGIN administrator --reason \"første administrator\"\n\
                     og log ind på http://{addr}/login (API-klienter: gevinst token create LOGIN)"
                )?;
            }
            out.flush()?;
            app.run_until_stopped().await?;
            Ok(Exit::SUCCESS)
        }
        Command::Verify(args) => {
            let service = open_existing_service(&cli.store).await?;
            let report = gevinst_projections::verify_log(service.store())
                .await
                .context("hændelsesloggen kunne ikke læses")?;
            write!(out, "{report}")?;
            if report.is_ok() {
                writeln!(out)?;
            }
            let anchored = match &args.checkpoint {
                Some(path) => {
                    crate::audit::verify_checkpoint(&args, path, service.store(), out).await?
                }
                None => true,
            };
            if report.is_ok() && anchored {
                Ok(Exit::SUCCESS)
            } else {
                Ok(Exit::NOT_IN_ORDER)
            }
        }
        Command::User(command) => {
            let service = open_service(&cli.store).await?;
            crate::people::user(command, &service, &mut std::io::stdin(), out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Token(command) => {
            let service = open_existing_service(&cli.store).await?;
            crate::people::token(command, &service, out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Grant(args) => {
            let service = open_existing_service(&cli.store).await?;
            crate::people::grant(args, false, &service, out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::PriceIndex(command) => {
            let service = open_existing_service(&cli.store).await?;
            crate::price_index::run(command, &service, out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Revoke(args) => {
            let service = open_existing_service(&cli.store).await?;
            crate::people::grant(args, true, &service, out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Migrate(args) => {
            let db = Db::open_and_migrate(&cli.store.store_config()?)
                .await
                .context("lageret kunne ikke migreres")?;
            writeln!(
                out,
                "migreret: {}-skemaet er i version {}",
                db.backend(),
                db.schema_version()
            )?;
            if let Some(role) = &args.app_role {
                let grants = db
                    .grant_app_role(role)
                    .await
                    .with_context(|| format!("applikationsrollen {role} kunne ikke tildeles"))?;
                writeln!(out, "tildelt {role}:")?;
                for grant in grants {
                    writeln!(out, "  {grant}")?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Checkpoint(args) => {
            crate::audit::checkpoint(args, open_service(&cli.store), out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Audit(crate::audit::AuditCommand::Export { dir, key }) => {
            let service = open_service(&cli.store).await?;
            crate::audit::export(&dir, &key, service.store(), out).await?;
            Ok(Exit::SUCCESS)
        }
        Command::Baseline(BaselineCommand::Check {
            file,
            format,
            output,
        }) => {
            check_output(format, output.as_deref())?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("{} kunne ikke læses", file.display()))?;
            let parsed = gevinst_domain::baseline::parse(&text)?;
            let findings = gevinst_domain::baseline::check(&parsed);
            match format {
                Format::Json => {
                    let grouped = export::grouped_findings(&findings);
                    writeln!(out, "{}", serde_json::to_string_pretty(&grouped)?)?;
                }
                Format::Csv | Format::Xlsx => {
                    let sheet = export::findings(&findings, &baseline_name(&file));
                    write_export(out, format, output.as_deref(), &sheet)?;
                }
                Format::Table => render::findings(out, &findings)?,
            }
            Ok(Exit::SUCCESS)
        }
        Command::Baseline(BaselineCommand::Import { file }) => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("{} kunne ikke læses", file.display()))?;
            let service = open_service(&cli.store).await?;
            let bar = progress_bar(0, "importing");
            let report = import_baseline(&service, &baseline_name(&file), &bytes, &|step| {
                bar.set_length(step.total as u64);
                bar.set_position(step.done as u64);
                bar.set_message(step.proposal.clone());
            })
            .await?;
            bar.finish_and_clear();
            render::import(out, &report)?;
            // The baseline is in; an index that cannot be recorded now is said, not fatal.
            match crate::price_index::seed_if_empty(&service).await {
                Ok(0) => {}
                Ok(seeded) => writeln!(
                    out,
                    "prisindeks: det medfølgende skøn er registreret ({seeded} hændelser); se gevinst price-index show"
                )?,
                Err(e) => writeln!(
                    out,
                    "prisindeks: det medfølgende skøn blev ikke registreret ({e}); kør gevinst price-index import"
                )?,
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Proposal { id, args }) => {
            check_output(args.format, args.output.as_deref())?;
            let (read, index) = open_reports(&cli.store, &args).await?;
            let id = gevinst_domain::ProposalId::parse(&id)?;
            let report = reports::proposal_report(&read, id.as_str())
                .await?
                .with_context(|| format!("ukendt forslag {id}"))?;
            let realisation =
                reports::proposal_realisation(&read, id.as_str(), &index, args.as_of())
                    .await?
                    .with_context(|| format!("ukendt forslag {id}"))?;
            let goals = reports::goals(&read, Some(id.as_str()), args.as_of()).await?;
            match args.format {
                Format::Csv | Format::Xlsx => {
                    let sheet = export::proposal(&report);
                    write_export(out, args.format, args.output.as_deref(), &sheet)?;
                }
                Format::Json => {
                    let mut json = serde_json::to_value(&report)?;
                    if let Some(map) = json.as_object_mut() {
                        map.insert("as_of".into(), serde_json::to_value(args.as_of())?);
                        map.insert("known_on".into(), serde_json::to_value(&args.known_on)?);
                        map.insert("realisation".into(), serde_json::to_value(&realisation)?);
                        map.insert("goals".into(), serde_json::to_value(&goals)?);
                    }
                    writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
                }
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::proposal(out, &report)?;
                    writeln!(out)?;
                    render::realisation(out, &realisation)?;
                    writeln!(out)?;
                    render::goals(out, &goals, args.as_of())?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Goals {
            proposal,
            as_of,
            known_on,
            format,
            output,
        }) => {
            check_output(format, output.as_deref())?;
            let service = open_existing_service(&cli.store).await?;
            service.projector().catch_up().await?;
            let proposal = proposal
                .map(|p| gevinst_domain::ProposalId::parse(&p))
                .transpose()?;
            let as_of = as_of.unwrap_or_else(View::today);
            let view = View { as_of, known_on };
            let read = ReadModels::new(service.store().db().clone()).known_on(view.known_instant());
            let rows = reports::goals(&read, proposal.as_ref().map(|p| p.as_str()), as_of).await?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
                Format::Csv | Format::Xlsx => {
                    let sheet = export::goals(&rows, &view);
                    write_export(out, format, output.as_deref(), &sheet)?;
                }
                Format::Table => {
                    write_known_on(out, &view)?;
                    render::goals(out, &rows, as_of)?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Portfolio(args)) => {
            check_output(args.format, args.output.as_deref())?;
            let (read, index) = open_reports(&cli.store, &args).await?;
            let p = reports::portfolio(&read, &index, args.as_of()).await?;
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&p)?)?,
                Format::Csv | Format::Xlsx => {
                    let sheet = export::portfolio(&p, &args.view());
                    write_export(out, args.format, args.output.as_deref(), &sheet)?;
                }
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::portfolio(out, &p)?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Realisation { id, args }) => {
            check_output(args.format, args.output.as_deref())?;
            let (read, index) = open_reports(&cli.store, &args).await?;
            let id = gevinst_domain::ProposalId::parse(&id)?;
            let r = reports::proposal_realisation(&read, id.as_str(), &index, args.as_of())
                .await?
                .with_context(|| format!("ukendt forslag {id}"))?;
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?,
                Format::Csv | Format::Xlsx => {
                    let sheet = export::realisation(&r, &args.view())?;
                    write_export(out, args.format, args.output.as_deref(), &sheet)?;
                }
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::realisation(out, &r)?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Plan {
            id,
            price_level,
            args,
        }) => {
            let (read, index) = open_reports(&cli.store, &args).await?;
            let id = gevinst_domain::ProposalId::parse(&id)?;
            let level = gevinst_domain::PriceLevel::new(price_level).context("--price-level")?;
            let plan = reports::plan_at_level(&read, id.as_str(), &index, level)
                .await?
                .with_context(|| format!("ukendt forslag {id}"))?;
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&plan)?)?,
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::plan_at_level(out, &plan)?;
                }
                Format::Csv | Format::Xlsx => {
                    anyhow::bail!("planen i et andet prisniveau findes som tabel og JSON")
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::Late(args)) => {
            check_output(args.format, args.output.as_deref())?;
            let (read, index) = open_reports(&cli.store, &args).await?;
            let overview = reports::overview(&read, &index, args.as_of()).await?;
            let items = reports::late_items(&overview);
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?,
                Format::Csv | Format::Xlsx => {
                    let sheet = export::late(&items, &args.view())?;
                    write_export(out, args.format, args.output.as_deref(), &sheet)?;
                }
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::late(out, &items, args.as_of())?;
                    // As the page says it: which proposals the list leaves out, and why.
                    if let Some(absent) = crate::labels::not_followed_up(&overview, None) {
                        writeln!(out, "{absent}")?;
                    }
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Report(ReportCommand::CommitteeStatus {
            args,
            materiality_amount,
            materiality_share,
        }) => {
            check_output(args.format, args.output.as_deref())?;
            let (read, index) = open_reports(&cli.store, &args).await?;
            let rules = reports::StatusRules {
                materiality: reports::Materiality {
                    min_amount: materiality_amount,
                    min_share: materiality_share,
                },
            };
            let overview = reports::overview(&read, &index, args.as_of()).await?;
            let rows = reports::statuses_with(&overview, &rules);
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
                Format::Csv | Format::Xlsx => {
                    let sheet = export::committee_status(&rows, &args.view());
                    write_export(out, args.format, args.output.as_deref(), &sheet)?;
                }
                Format::Table => {
                    write_known_on(out, &args.view())?;
                    render::committee_status(out, &rows, args.as_of())?;
                }
            }
            Ok(Exit::SUCCESS)
        }
        Command::Record(args) => {
            let mut service = open_service(&cli.store).await?;
            // A receipt when the log's signing key is configured and exists (never created here).
            let key = crate::audit::configured_signing_key();
            if key.is_file() {
                let signer = gevinst_store::checkpoint::load_signer(&key)?;
                service = service.with_signer(Arc::new(signer));
            }
            Ok(crate::record::run_record(*args, &service, out).await?)
        }
        Command::Bench(args) => crate::bench::run(&cli.store.store_config()?, &args, out).await,
        Command::Projections(ProjectionsCommand::Rebuild) => {
            let service = open_existing_service(&cli.store).await?;
            let bar = progress_bar(0, "rebuilding");
            let position = service
                .projector()
                .rebuild_with(&|p| {
                    bar.set_length(u64::try_from(p.target).unwrap_or(0));
                    bar.set_position(u64::try_from(p.position).unwrap_or(0));
                })
                .await?;
            bar.finish_and_clear();
            writeln!(
                out,
                "læsemodellerne er genopbygget fra {position} hændelser"
            )?;
            Ok(Exit::SUCCESS)
        }
    }
}
