//! `gevinst price-index …`: the controllers' side of the price index (see
//! `gevinst_domain::price`), and the one text rendering of it the command line and the page
//! share the words of.
//!
//! Every change is an event sent as a named controller (`--as`), checked by the same policy as
//! every other command; `import` records the shipped seed where the log lacks it, as the
//! import.

use std::io::Write;

use anyhow::Context;
use chrono::NaiveDate;
use gevinst_domain::access::Login;
use gevinst_domain::price::{
    IndexSeries, PriceIndex, PriceIndexCommand, Rate, Seed, SeedError, SourceText, Vintage,
    VintageId, VintageName,
};
use gevinst_domain::{PriceLevel, Reason};
use gevinst_projections::price_index::{PriceIndexCommandError, PriceIndexOutcome};
use gevinst_projections::ProposalService;

use crate::format::percent;

/// `gevinst price-index …`
#[derive(Debug, clap::Subcommand)]
pub enum PriceIndexCommandArgs {
    /// Vis hvert registreret skøn med dets satser og kilder, og hvilket der er i brug.
    Show {
        /// Kun hvad hændelsesloggen rummede da: en dato eller et RFC 3339-tidspunkt.
        #[arg(long, value_parser = crate::cli::parse_known_on, value_name = "TIDSPUNKT")]
        known_on: Option<gevinst_projections::reports::KnownOn>,
        /// JSON i stedet for en tabel.
        #[arg(long)]
        json: bool,
    },
    /// Registrér et udgivet skøn (en årgang), fx KL's PL-skøn juni 2025.
    Vintage {
        /// Skønnets kode, fx kl-2025-06.
        #[arg(value_name = "KODE")]
        vintage: String,
        /// Navnet som udgiveren bruger, fx "KL, PL-skøn juni 2025".
        #[arg(long, value_name = "NAVN")]
        name: String,
        /// Udgivelsesdatoen (ÅÅÅÅ-MM-DD).
        #[arg(long, value_name = "DATO")]
        published: NaiveDate,
        /// Udgiveren, fx "KL, Kommunal økonomi".
        #[arg(long, value_name = "UDGIVER")]
        publisher: String,
        /// Controlleren, der registrerer det.
        #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
        as_login: String,
    },
    /// Registrér én årlig stigning i et skøn.
    Rate {
        /// Skønnets kode.
        #[arg(value_name = "KODE")]
        vintage: String,
        /// Satsen.
        #[command(flatten)]
        rate: RateArgs,
        /// Controlleren.
        #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
        as_login: String,
    },
    /// Ret en fejltastet sats; den gamle bevares i historikken.
    Correct {
        /// Skønnets kode.
        #[arg(value_name = "KODE")]
        vintage: String,
        /// Satsen.
        #[command(flatten)]
        rate: RateArgs,
        /// Hvorfor.
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: String,
        /// Controlleren.
        #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
        as_login: String,
    },
    /// Tag et skøn i brug: alle omregninger bruger det herefter (tidligere rapporter kan
    /// genskabes med --known-on).
    Use {
        /// Skønnets kode.
        #[arg(value_name = "KODE")]
        vintage: String,
        /// Hvorfor (fx "KL's junivurdering 2025").
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: Option<String>,
        /// Controlleren.
        #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
        as_login: String,
    },
    /// Indlæs det medfølgende prisindeks (eller FIL), hvor loggen mangler det; et tal, loggen
    /// allerede har med en anden værdi, afvises i stedet for at blive overskrevet.
    Import {
        /// En prisindeksfil (TOML) i stedet for den medfølgende.
        #[arg(value_name = "FIL")]
        file: Option<std::path::PathBuf>,
    },
}

/// One rate.
#[derive(Debug, Clone, clap::Args)]
pub struct RateArgs {
    /// Serien: service (løn og priser samlet), løn, priser eller anlæg.
    #[arg(long, value_name = "SERIE")]
    pub series: String,
    /// Året stigningen fører frem til (2025 = fra 2024- til 2025-niveau).
    #[arg(long, value_name = "ÅR")]
    pub year: i32,
    /// Stigningen i procent, fx 2,8.
    #[arg(long, value_name = "PROCENT", allow_hyphen_values = true)]
    pub rate: String,
    /// Hvor tallet er læst: udgiver, tabel, adresse.
    #[arg(long, value_name = "KILDE")]
    pub source: String,
}

/// The shipped seed's file name, as its events' reason names it.
pub const BUNDLED_SEED_NAME: &str = "baselines/price-index.toml";

/// The shipped seed, built into the binary.
pub fn bundled_seed() -> Result<Seed, SeedError> {
    Seed::parse(crate::startup::BUNDLED_PRICE_INDEX)
}

/// Records the shipped seed where the log has no price-index events yet (what `serve` and
/// `baseline import` do); returns how many events.
pub async fn seed_if_empty(service: &ProposalService) -> Result<usize, PriceIndexCommandError> {
    service
        .price_index()
        .import_seed_if_empty(&bundled_seed()?, BUNDLED_SEED_NAME)
        .await
}

/// Runs `gevinst price-index …`.
pub async fn run(
    command: PriceIndexCommandArgs,
    service: &ProposalService,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let prices = service.price_index();
    let login = |raw: &str| Login::parse(raw).context("--as");
    let done = |out: &mut (dyn Write + Send), what: &str, o: PriceIndexOutcome| {
        writeln!(
            out,
            "prisindeks: {what} (hændelse {} i price-index, global position {})",
            o.sequence, o.position
        )
    };
    match command {
        PriceIndexCommandArgs::Show { known_on, json } => {
            service.projector().catch_up().await?;
            let read =
                gevinst_projections::readmodel::ReadModels::new(service.store().db().clone())
                    .known_on(
                        known_on
                            .as_ref()
                            .map(gevinst_projections::reports::KnownOn::instant),
                    );
            let index = read.price_index().await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&index)?)?;
            } else {
                render(out, &index)?;
            }
        }
        PriceIndexCommandArgs::Vintage {
            vintage,
            name,
            published,
            publisher,
            as_login,
        } => {
            let o = prices
                .execute_as(
                    &login(&as_login)?,
                    PriceIndexCommand::RegisterVintage {
                        vintage: VintageId::parse(&vintage)?,
                        name: VintageName::parse(&name).context("--name")?,
                        published,
                        publisher: SourceText::parse(&publisher).context("--publisher")?,
                    },
                    None,
                )
                .await?;
            done(out, &format!("skønnet {vintage} er registreret"), o)?;
        }
        PriceIndexCommandArgs::Rate {
            vintage,
            rate,
            as_login,
        } => {
            let (series, year, value, source) = rate.parse()?;
            let o = prices
                .execute_as(
                    &login(&as_login)?,
                    PriceIndexCommand::StateRate {
                        vintage: VintageId::parse(&vintage)?,
                        series,
                        year,
                        rate: value,
                        source,
                    },
                    None,
                )
                .await?;
            done(
                out,
                &format!(
                    "{vintage}: {} {} = {} %",
                    series.danish(),
                    year.year(),
                    percent(value.percent())
                ),
                o,
            )?;
        }
        PriceIndexCommandArgs::Correct {
            vintage,
            rate,
            reason,
            as_login,
        } => {
            let (series, year, value, source) = rate.parse()?;
            let reason = Reason::parse(&reason).context("--reason")?;
            let o = prices
                .execute_as(
                    &login(&as_login)?,
                    PriceIndexCommand::CorrectRate {
                        vintage: VintageId::parse(&vintage)?,
                        series,
                        year,
                        rate: value,
                        source,
                        reason: reason.clone(),
                    },
                    Some(reason),
                )
                .await?;
            done(
                out,
                &format!(
                    "{vintage}: {} {} rettet til {} %",
                    series.danish(),
                    year.year(),
                    percent(value.percent())
                ),
                o,
            )?;
        }
        PriceIndexCommandArgs::Use {
            vintage,
            reason,
            as_login,
        } => {
            let reason = reason
                .as_deref()
                .map(Reason::parse)
                .transpose()
                .context("--reason")?;
            let o = prices
                .execute_as(
                    &login(&as_login)?,
                    PriceIndexCommand::UseVintage {
                        vintage: VintageId::parse(&vintage)?,
                    },
                    reason,
                )
                .await?;
            done(out, &format!("skønnet {vintage} er taget i brug"), o)?;
        }
        PriceIndexCommandArgs::Import { file } => {
            let (seed, name) = match &file {
                Some(path) => (
                    Seed::parse(
                        &std::fs::read_to_string(path)
                            .with_context(|| format!("{} kunne ikke læses", path.display()))?,
                    )?,
                    path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    ),
                ),
                None => (bundled_seed()?, BUNDLED_SEED_NAME.to_string()),
            };
            let n = prices.import_seed(&seed, &name).await?;
            writeln!(out, "prisindeks: {n} hændelser registreret fra filen")?;
        }
    }
    Ok(())
}

impl RateArgs {
    fn parse(&self) -> anyhow::Result<(IndexSeries, PriceLevel, Rate, SourceText)> {
        Ok((
            self.series.parse().context("--series")?,
            PriceLevel::new(self.year).context("--year")?,
            Rate::parse(&self.rate).context("--rate")?,
            SourceText::parse(&self.source).context("--source")?,
        ))
    }
}

/// The index as a table: each vintage (the one in use first), its rates by series and year,
/// and the source of each figure.
pub fn render(out: &mut dyn Write, index: &PriceIndex) -> std::io::Result<()> {
    match index.in_use() {
        Some(v) => writeln!(out, "Prisindeks i brug: {} ({})", v.name, v.id)?,
        None => writeln!(
            out,
            "Intet prisindeks er i brug: beløb i et andet prisniveau end planens omregnes ikke."
        )?,
    }
    let mut vintages = index.vintages();
    vintages.sort_by_key(|v| index.in_use().is_none_or(|u| u.id != v.id));
    for v in vintages {
        render_vintage(out, v, index.in_use().is_some_and(|u| u.id == v.id))?;
    }
    Ok(())
}

fn render_vintage(out: &mut dyn Write, v: &Vintage, in_use: bool) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{} — {}{}\n  udgivet {} af {}",
        v.id,
        v.name,
        if in_use { " [i brug]" } else { "" },
        v.published.format("%d.%m.%Y"),
        v.publisher
    )?;
    let years: std::collections::BTreeSet<i32> =
        v.rates.values().flat_map(|r| r.keys().copied()).collect();
    if years.is_empty() {
        return writeln!(out, "  (ingen satser endnu)");
    }
    write!(out, "  {:<28}", "årlig stigning, %")?;
    for y in &years {
        write!(out, "{y:>7}")?;
    }
    writeln!(out)?;
    for series in IndexSeries::ALL {
        let Some(rates) = v.rates.get(&series) else {
            continue;
        };
        write!(out, "  {:<28}", series.danish())?;
        for y in &years {
            let cell = rates.get(y).map_or_else(
                || "–".to_string(),
                |r| {
                    let mark = if r.corrects.is_some() { "*" } else { "" };
                    format!("{}{mark}", percent(r.rate.percent()))
                },
            );
            write!(out, "{cell:>7}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "  kilder:")?;
    for series in IndexSeries::ALL {
        for (y, r) in v.rates.get(&series).into_iter().flatten() {
            write!(out, "    {} {y}: {}", series.danish(), r.source)?;
            if let Some(old) = r.corrects {
                write!(out, " (rettet fra {} %)", percent(old.percent()))?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}
