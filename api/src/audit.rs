//! The auditor's edge of the verifiable log: the signing key's configuration, `gevinst
//! checkpoint`, `gevinst verify --checkpoint FILE`, `gevinst audit export DIR`, and the
//! server's checkpoint schedule, and what `/verify` and `/api/verify` check ([`LogCheck`]).
//! The rules live in `gevinst_store::checkpoint` and the `gevinst-verify` crate; this module
//! reads files and flags and prints.
//!
//! The signing key is a file (`--signing-key PATH`, env `GEVINST_SIGNING_KEY`, default
//! `data/gevinst-log.key`, beside the default store and never committed), created with mode
//! 0600 on first use by `serve`, `checkpoint` and `audit export`, or explicitly by `gevinst
//! checkpoint keygen`. Commands that only check (`verify --checkpoint`) never create one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use gevinst_domain::chain::format_recorded_at;
use gevinst_projections::ProposalService;
use gevinst_store::checkpoint::{load_or_create_signer, load_signer, sign_checkpoint};
use gevinst_store::{EventStore, StoreError};
use gevinst_verify::export::{ExportedEvent, CHECKPOINTS_DIR, EVENTS_FILE, PUBLIC_KEY_FILE};
use gevinst_verify::{NoteSigner, NoteVerifier, DEFAULT_ORIGIN};

/// Where the signing key is when `--signing-key` and `GEVINST_SIGNING_KEY` do not say.
pub const DEFAULT_SIGNING_KEY: &str = "data/gevinst-log.key";

/// The signing key file as configured for commands without a `--signing-key` flag
/// (`GEVINST_SIGNING_KEY`, else [`DEFAULT_SIGNING_KEY`]).
#[must_use]
pub fn configured_signing_key() -> PathBuf {
    std::env::var_os("GEVINST_SIGNING_KEY")
        .map_or_else(|| PathBuf::from(DEFAULT_SIGNING_KEY), PathBuf::from)
}

/// Where the log's signing key is.
#[derive(Debug, Clone, clap::Args)]
pub struct SigningArgs {
    /// Hændelseslogens Ed25519-signeringsnøgle (oprettes ved første brug; hold den privat).
    #[arg(
        long,
        env = "GEVINST_SIGNING_KEY",
        default_value = DEFAULT_SIGNING_KEY,
        value_name = "FIL"
    )]
    pub signing_key: PathBuf,
    /// Hændelseslogens navn: kontrolpunkternes oprindelseslinje og nøglens navn.
    #[arg(
        long,
        env = "GEVINST_LOG_ORIGIN",
        default_value = DEFAULT_ORIGIN,
        value_name = "NAVN"
    )]
    pub log_origin: String,
}

impl SigningArgs {
    /// The signer, creating the key file if it does not exist (says so on `out`).
    pub fn signer(&self, out: &mut (dyn Write + Send)) -> anyhow::Result<NoteSigner> {
        let (signer, created) = load_or_create_signer(&self.signing_key, &self.log_origin)?;
        if created {
            writeln!(
                out,
                "ny signeringsnøgle {} (offentlig nøgle {})",
                self.signing_key.display(),
                signer.verifier().to_vkey()
            )?;
        }
        Ok(signer)
    }
}

/// `gevinst checkpoint …`
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CheckpointArgs {
    /// Key management instead of signing.
    #[command(subcommand)]
    pub action: Option<CheckpointAction>,
    /// The signing key.
    #[command(flatten)]
    pub key: SigningArgs,
    /// Skriv også det signerede kontrolpunkt til denne fil.
    #[arg(long, value_name = "FIL")]
    pub out: Option<PathBuf>,
}

/// `gevinst checkpoint keygen|public-key`
#[derive(Debug, clap::Subcommand)]
pub enum CheckpointAction {
    /// Opret en ny signeringsnøglefil (overskriver ikke en eksisterende) og skriv dens
    /// offentlige nøgle.
    Keygen(SigningArgs),
    /// Skriv signeringsnøglens offentlige nøgle (til kontrol).
    PublicKey(SigningArgs),
}

/// `gevinst audit …`
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Skriv hændelsesloggen, dens signerede kontrolpunkter og den offentlige nøgle til MAPPE
    /// til `gevinst-verify` (signerer først et kontrolpunkt af den nuværende log).
    Export {
        /// Mappen (oprettes; filer i den overskrives).
        #[arg(value_name = "MAPPE")]
        dir: PathBuf,
        /// The signing key.
        #[command(flatten)]
        key: SigningArgs,
    },
}

/// `gevinst verify`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Bevis også, at hændelsesloggen stadig rummer præcis, hvad dette signerede kontrolpunkt
    /// dækkede.
    #[arg(long, value_name = "FIL")]
    pub checkpoint: Option<PathBuf>,
    /// Hændelseslogens offentlige nøgle (`navn+hash+nøgle` eller en fil med den) til at
    /// kontrollere kontrolpunktets signatur; standard: udledt af signeringsnøglefilen.
    #[arg(long, value_name = "NØGLE")]
    pub public_key: Option<String>,
    /// Signeringsnøglefilen (læses kun, for at udlede den offentlige nøgle).
    #[arg(
        long,
        env = "GEVINST_SIGNING_KEY",
        default_value = DEFAULT_SIGNING_KEY,
        value_name = "FIL"
    )]
    pub signing_key: PathBuf,
}

impl VerifyArgs {
    fn verifier(&self) -> anyhow::Result<NoteVerifier> {
        match &self.public_key {
            Some(k) => {
                let text = if Path::new(k).is_file() {
                    std::fs::read_to_string(k).with_context(|| format!("{k} kunne ikke læses"))?
                } else {
                    k.clone()
                };
                Ok(NoteVerifier::parse(&text)?)
            }
            None => Ok(load_signer(&self.signing_key)
                .context("ingen --public-key angivet, og signeringsnøglen kan ikke læses")?
                .verifier()),
        }
    }
}

/// `gevinst checkpoint …`
pub async fn checkpoint(
    args: CheckpointArgs,
    service: impl std::future::Future<Output = anyhow::Result<ProposalService>>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    match args.action {
        Some(CheckpointAction::Keygen(key)) => {
            let signer =
                gevinst_store::checkpoint::create_signer(&key.signing_key, &key.log_origin)?;
            writeln!(out, "{}", signer.verifier().to_vkey())?;
        }
        Some(CheckpointAction::PublicKey(key)) => {
            writeln!(
                out,
                "{}",
                load_signer(&key.signing_key)?.verifier().to_vkey()
            )?;
        }
        None => {
            let signer = args.key.signer(out)?;
            let service = service.await?;
            let stored = sign_checkpoint(service.store(), &signer).await?;
            if let Some(path) = &args.out {
                std::fs::write(path, &stored.note)
                    .with_context(|| format!("{} kunne ikke skrives", path.display()))?;
            }
            write!(out, "{}", stored.note)?;
        }
    }
    Ok(())
}

/// `gevinst verify --checkpoint FILE`: the checkpoint check's report; `true` when sound.
pub async fn verify_checkpoint(
    args: &VerifyArgs,
    path: &Path,
    store: &EventStore,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<bool> {
    let note = std::fs::read_to_string(path)
        .with_context(|| format!("{} kunne ikke læses", path.display()))?;
    let verifier = args.verifier()?;
    let report = gevinst_store::verify_checkpoint(store, &note, &verifier).await?;
    write!(out, "{report}")?;
    Ok(report.is_ok())
}

/// `gevinst audit export DIR`.
pub async fn export(
    dir: &Path,
    key: &SigningArgs,
    store: &EventStore,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let signer = key.signer(out)?;
    // A log that no longer begins with what was signed is exported all the same, without a
    // new checkpoint: the offline check then shows the stored ones failing against it, which
    // is what the auditor exports it to see.
    match sign_checkpoint(store, &signer).await {
        Ok(_) => {}
        Err(e @ (StoreError::Forked { .. } | StoreError::Shortened { .. })) => {
            writeln!(out, "Advarsel: {e}. Udtrækket får intet nyt checkpoint.")?;
        }
        Err(e) => return Err(e.into()),
    }
    let cp_dir = dir.join(CHECKPOINTS_DIR);
    std::fs::create_dir_all(&cp_dir)
        .with_context(|| format!("{} kunne ikke oprettes", cp_dir.display()))?;
    let events = store.after_position(0, i64::MAX).await?;
    let mut lines = String::new();
    for e in &events {
        let exported = ExportedEvent {
            position: u64::try_from(e.position)?,
            event_id: e.event_id.to_string(),
            aggregate_type: e.aggregate_type.clone(),
            stream_id: e.stream_id.clone(),
            sequence: u64::try_from(e.sequence)?,
            event_type: e.event_type.clone(),
            event_version: e.event_version.clone(),
            payload: e.payload.clone(),
            metadata: e.metadata.clone(),
            actor: e.actor.clone(),
            role: e.role.clone(),
            effective_date: e.effective_date.map(|d| d.to_string()),
            idempotency_key: e.idempotency_key.clone(),
            recorded_at: format_recorded_at(e.recorded_at),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        };
        lines.push_str(&serde_json::to_string(&exported)?);
        lines.push('\n');
    }
    std::fs::write(dir.join(EVENTS_FILE), lines).context("hændelserne kunne ikke skrives")?;
    let verifier = signer.verifier();
    let checkpoints = store.checkpoints(Some(&verifier.key_id())).await?;
    for c in &checkpoints {
        std::fs::write(cp_dir.join(format!("{:012}.txt", c.tree_size)), &c.note)
            .context("et checkpoint kunne ikke skrives")?;
    }
    std::fs::write(dir.join(PUBLIC_KEY_FILE), verifier.to_vkey() + "\n")
        .context("den offentlige nøgle kunne ikke skrives")?;
    writeln!(
        out,
        "eksporterede {} hændelser og {} signerede checkpoints til {} (offentlig nøgle {})",
        events.len(),
        checkpoints.len(),
        dir.display(),
        verifier.to_vkey()
    )?;
    Ok(())
}

/// Signs a checkpoint every `interval` while the log grows, in the background (the server's
/// schedule). A failed signing is logged and retried at the next tick.
pub fn spawn_schedule(service: ProposalService, signer: Arc<NoteSigner>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sign_checkpoint(service.store(), &signer).await {
                Ok(c) => tracing::debug!(size = c.tree_size, "checkpoint signed"),
                Err(error) => tracing::error!(%error, "could not sign a scheduled checkpoint"),
            }
        }
    });
}

/// What `/verify` and `/api/verify` show: the walk over the whole log (`gevinst verify`) and,
/// when this server signs, the log checked against its newest checkpoint (`gevinst verify
/// --checkpoint` with the one it stored), so that an auditor sees a cut or a consistently
/// rewritten stream, which the walk alone cannot.
pub struct LogCheck {
    /// The walk.
    pub walk: gevinst_store::VerifyReport,
    /// The newest checkpoint and the check against it.
    pub anchor: Anchor,
}

/// The check against the newest stored checkpoint, or why there is none.
pub enum Anchor {
    /// The server has no signing key.
    NoKey,
    /// The key has signed no checkpoint yet.
    NoneSigned,
    /// The newest checkpoint the key signed, and the log checked against it.
    Checked(
        Box<(
            gevinst_store::StoredCheckpoint,
            gevinst_store::CheckpointReport,
        )>,
    ),
}

impl LogCheck {
    /// Walks the log and checks it against the newest checkpoint of `service`'s key.
    pub async fn run(service: &ProposalService) -> Result<Self, StoreError> {
        let walk = gevinst_projections::verify_log(service.store()).await?;
        let anchor = match service.signer() {
            None => Anchor::NoKey,
            Some(signer) => {
                match gevinst_store::verify_newest(service.store(), &signer.verifier()).await? {
                    None => Anchor::NoneSigned,
                    Some(checked) => Anchor::Checked(Box::new(checked)),
                }
            }
        };
        Ok(Self { walk, anchor })
    }

    /// The checkpoint check's problems (none without one).
    #[must_use]
    pub fn anchor_problems(&self) -> &[gevinst_verify::Problem] {
        match &self.anchor {
            Anchor::Checked(checked) => &checked.1.problems,
            _ => &[],
        }
    }

    /// Nothing found: the walk and the checkpoint check both clean.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.walk.is_ok() && self.anchor_problems().is_empty()
    }
}
