//! The price index's application side: commands on the `price-index` stream (see
//! `gevinst_domain::price`), sent through cqrs-es like access commands, so they are
//! hash-chained, signed into checkpoints, verified and exported with the rest of the log.
//!
//! Who may send one is the policy's answer for [`Action::MaintainPriceIndex`] (a controller for
//! the whole municipality). The one other sender is the import, which records the shipped seed
//! where the log lacks it, as `system:price-index` in role `system`.
//!
//! Reads do not come here: reports take the index from the read models
//! (`ReadModels::price_index`), as the log stood at their recorded cut-off.

use std::sync::Arc;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{AggregateError, CqrsFramework};
use gevinst_domain::access::{Action, Login};
use gevinst_domain::price::{
    PriceIndex, PriceIndexCommand, PriceIndexError, Seed, SeedError, PRICE_INDEX_STREAM,
};
use gevinst_domain::{Actor, Reason, Role};
use gevinst_store::{EventStore, StoreError};

use crate::identity::{command_metadata, AccessService, IdentityError};

/// The aggregate type of the price-index stream.
pub const PRICE_INDEX: &str = <PriceIndex as cqrs_es::Aggregate>::TYPE;

/// The actor the seed import records as.
pub const SEED_ACTOR: &str = "system:price-index";

/// Why a price-index command failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PriceIndexCommandError {
    /// The index's rules refused it.
    #[error(transparent)]
    Refused(#[from] PriceIndexError),
    /// The sender may not (or is unknown).
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The seed file disagrees with the log, or is invalid.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The store failed.
    #[error("lager: {0}")]
    Store(#[from] StoreError),
    /// Anything else.
    #[error("{0}")]
    Unexpected(String),
}

/// What a price-index command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceIndexOutcome {
    /// The stream's sequence after the command.
    pub sequence: i64,
    /// A global position at or after the command's event (what a read waits for).
    pub position: i64,
}

type Framework = CqrsFramework<PriceIndex, PersistedEventStore<EventStore, PriceIndex>>;

/// Sends price-index commands.
#[derive(Clone)]
pub struct PriceIndexService {
    store: EventStore,
    access: AccessService,
    cqrs: Arc<Framework>,
}

impl std::fmt::Debug for PriceIndexService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceIndexService").finish_non_exhaustive()
    }
}

impl PriceIndexService {
    /// Over `store`, asking `access` who may.
    #[must_use]
    pub fn new(store: EventStore, access: AccessService) -> Self {
        let cqrs = CqrsFramework::new(
            PersistedEventStore::new_event_store(store.clone()),
            vec![],
            (),
        );
        Self {
            store,
            access,
            cqrs: Arc::new(cqrs),
        }
    }

    /// The index as the log says now (read from the stream, not the read models).
    pub async fn current(&self) -> Result<PriceIndex, PriceIndexCommandError> {
        use cqrs_es::{AggregateContext, EventStore as _};
        let es = PersistedEventStore::<EventStore, PriceIndex>::new_event_store(self.store.clone());
        let mut context = es
            .load_aggregate(PRICE_INDEX_STREAM)
            .await
            .map_err(|e| PriceIndexCommandError::Unexpected(e.to_string()))?;
        Ok(context.aggregate().clone())
    }

    /// Sends `command` as `login`, if the policy lets them maintain the index.
    pub async fn execute_as(
        &self,
        login: &Login,
        command: PriceIndexCommand,
        reason: Option<Reason>,
    ) -> Result<PriceIndexOutcome, PriceIndexCommandError> {
        let access = self.access.current().await?;
        let role = access
            .decide(login, Action::MaintainPriceIndex, None)
            .map_err(IdentityError::from)?;
        self.send(login.actor(), role, command, reason).await
    }

    /// Records what `seed` (read from the file `file`) has and the log lacks, as the import;
    /// returns how many events. Each event is its own command: an import cut short leaves what
    /// it recorded, and running it again records the rest.
    pub async fn import_seed(
        &self,
        seed: &Seed,
        file: &str,
    ) -> Result<usize, PriceIndexCommandError> {
        let commands = seed.commands(&self.current().await?)?;
        let actor = Actor::parse(SEED_ACTOR)
            .map_err(|e| PriceIndexCommandError::Unexpected(e.to_string()))?;
        let reason = Reason::parse(&format!("prisindeks fra {file}"))
            .map_err(|e| PriceIndexCommandError::Unexpected(e.to_string()))?;
        let n = commands.len();
        for command in commands {
            self.send(actor.clone(), Role::System, command, Some(reason.clone()))
                .await?;
        }
        Ok(n)
    }

    /// [`PriceIndexService::import_seed`] only when the stream is empty: a store whose index
    /// someone has maintained is left as it is.
    pub async fn import_seed_if_empty(
        &self,
        seed: &Seed,
        file: &str,
    ) -> Result<usize, PriceIndexCommandError> {
        if self
            .store
            .last_sequence(PRICE_INDEX, PRICE_INDEX_STREAM)
            .await?
            > 0
        {
            return Ok(0);
        }
        self.import_seed(seed, file).await
    }

    async fn send(
        &self,
        actor: Actor,
        role: Role,
        command: PriceIndexCommand,
        reason: Option<Reason>,
    ) -> Result<PriceIndexOutcome, PriceIndexCommandError> {
        let metadata = command_metadata(actor, role, reason, &command)?;
        match self
            .cqrs
            .execute_with_metadata(PRICE_INDEX_STREAM, command, metadata.to_map())
            .await
        {
            Ok(()) => {}
            Err(AggregateError::UserError(e)) => return Err(e.into()),
            Err(e) => return Err(PriceIndexCommandError::Unexpected(e.to_string())),
        }
        let sequence = self
            .store
            .last_sequence(PRICE_INDEX, PRICE_INDEX_STREAM)
            .await?;
        let position = self
            .store
            .event_at(PRICE_INDEX, PRICE_INDEX_STREAM, sequence)
            .await?
            .map_or(0, |e| e.position);
        Ok(PriceIndexOutcome { sequence, position })
    }
}
