//! Importing an adopted budget appendix (a baseline file) as events. Import is safe to repeat:
//! the same file appends nothing, a crashed import resumes where it stopped (every command has a
//! key derived from the file's hash and the proposal), and a *changed* file for proposals that
//! are already registered is refused before anything is written — once adopted, a plan only
//! changes through a plan revision with a reason and an approver.

use gevinst_domain::baseline::{self, BaselineError, BaselineFile, Finding};
use gevinst_domain::proposal::ProposalCommand;
use gevinst_domain::{Actor, EventMetadata, IdempotencyKey, ProposalId, Role};
use serde::Serialize;

use crate::commands::{CommandError, ProposalService};

/// The actor recorded on imported events.
pub const IMPORT_ACTOR: &str = "system:baseline";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The file's name.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Proposals registered by this import.
    pub registered: Vec<String>,
    /// Proposals that were already imported from this very file.
    pub unchanged: Vec<String>,
    /// Events appended.
    pub events_appended: usize,
    /// The integrity check's findings, recorded with the proposals they concern.
    pub findings: Vec<Finding>,
}

impl ImportReport {
    /// True when the import appended nothing.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.events_appended == 0
    }
}

/// Why an import was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is not a valid baseline.
    #[error("baselinefilen kan ikke læses: {0}")]
    Invalid(#[from] BaselineError),
    /// Registered proposals would get another plan.
    #[error("{} er allerede registreret fra en anden baseline ({}); en ændret plan for et registreret forslag er en planrevision: brug `gevinst record revise-plan` med begrundelse og godkender", .proposals.join(", "), .previous)]
    Changed {
        /// The proposals whose plans differ.
        proposals: Vec<String>,
        /// The file(s) they were imported from.
        previous: String,
    },
    /// A command failed.
    #[error(transparent)]
    Command(#[from] CommandError),
}

/// Progress of an import, for a terminal display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStep {
    /// Proposals handled so far.
    pub done: usize,
    /// Proposals in the file.
    pub total: usize,
    /// The proposal just handled.
    pub proposal: String,
}

fn metadata(key: String, sha: &str) -> Result<EventMetadata, CommandError> {
    let invalid = |e: gevinst_domain::VocabularyError| CommandError::Unexpected(e.to_string());
    let mut m = EventMetadata::new(Actor::parse(IMPORT_ACTOR).map_err(invalid)?, Role::System);
    m.idempotency_key = Some(IdempotencyKey::parse(&key).map_err(invalid)?);
    m.source_sha256 = Some(sha.to_string());
    Ok(m)
}

/// Imports `bytes` (a baseline file called `file_name`) through `service`.
pub async fn import_baseline(
    service: &ProposalService,
    file_name: &str,
    bytes: &[u8],
    progress: &(dyn Fn(ImportStep) + Sync),
) -> Result<ImportReport, ImportError> {
    let text = String::from_utf8_lossy(bytes);
    let file: BaselineFile = baseline::parse(&text)?;
    let source = baseline::source(file_name, bytes);
    let findings = baseline::check(&file);

    // First pass: refuse before writing anything if any registered proposal would change.
    let mut changed = Vec::new();
    let mut previous = Vec::new();
    let mut todo = Vec::new();
    let mut report = ImportReport {
        file: source.file.clone(),
        sha256: source.sha256.clone(),
        registered: vec![],
        unchanged: vec![],
        events_appended: 0,
        findings: findings.clone(),
    };
    for p in file.proposals() {
        let state = service.load(&p.identity.id).await?;
        match state.baseline() {
            None => todo.push(p),
            Some(plan) if plan == &p.plan && state.identity() == Some(&p.identity) => {
                report.unchanged.push(p.identity.id.to_string());
            }
            Some(_) => {
                changed.push(p.identity.id.to_string());
                let from = state
                    .baseline_source()
                    .map_or("unknown source".to_string(), |s| {
                        format!("{} sha256 {}", s.file, &s.sha256[..12.min(s.sha256.len())])
                    });
                if !previous.contains(&from) {
                    previous.push(from);
                }
            }
        }
    }
    if !changed.is_empty() {
        return Err(ImportError::Changed {
            proposals: changed,
            previous: previous.join(", "),
        });
    }

    let total = file.proposals().len();
    let short = &source.sha256[..16.min(source.sha256.len())];
    for (done, p) in (report.unchanged.len() + 1..).zip(todo) {
        let id: &ProposalId = &p.identity.id;
        let mut own = file.proposal_source(p, &source);
        own.findings = findings
            .iter()
            .filter(|f| f.proposal.as_ref() == Some(id))
            .cloned()
            .collect();
        let state = service.load(id).await?;
        let mut commands: Vec<(&str, ProposalCommand)> = Vec::new();
        if state.identity().is_none() {
            commands.push(("register", p.register_command()));
        }
        commands.push(("adopt", p.adopt_command(Some(own))));
        for (step, command) in commands {
            let outcome = service
                .execute(
                    id,
                    command,
                    metadata(format!("baseline-{short}-{id}-{step}"), &source.sha256)?,
                )
                .await?;
            if !outcome.replayed {
                report.events_appended +=
                    usize::try_from(outcome.last_sequence - outcome.first_sequence + 1)
                        .unwrap_or(0);
            }
        }
        report.registered.push(id.to_string());
        progress(ImportStep {
            done,
            total,
            proposal: id.to_string(),
        });
    }
    Ok(report)
}
