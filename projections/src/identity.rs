//! Accounts, sign-in and grants: the application side of `gevinst_domain::access`.
//!
//! Accounts and grants are events on the `access` stream, sent through cqrs-es like proposal
//! commands, so they are hash-chained, signed into checkpoints and exported with the rest of
//! the log. Secrets are rows ([`gevinst_store::Credentials`]): argon2id password hashes (the
//! `argon2` crate, RustCrypto), and SHA-256 hashes of access tokens and session ids, which are
//! random 256-bit values, so a fast hash is enough and a stolen table reveals no usable token.
//!
//! Who sends an access command is checked by the same policy as everything else
//! ([`Access::decide`] with [`Action::Administer`]). The one exception is the console before
//! any administrator exists: then `gevinst user add` and `gevinst grant … administrator` run
//! as `console` in role `system`, so the operator can create the first administrator.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use cqrs_es::{AggregateError, CqrsFramework};

use crate::aggregate_cache::CachedEventStore;
use gevinst_domain::access::{
    Access, AccessCommand, AccessError, Action, Denied, DisplayName, Grant, Login, Target,
    ACCESS_STREAM,
};
use gevinst_domain::{Actor, EventMetadata, IdempotencyKey, Reason, Role};
use gevinst_store::{Credentials, DecidedOn, EventStore, StoreError, StreamHead, TokenRow};
use sha2::{Digest, Sha256};

/// The aggregate type of the access stream.
pub const ACCESS: &str = <Access as cqrs_es::Aggregate>::TYPE;

/// The access stream (accounts and grants), whose head a sign-in reads with its secret.
const GRANTS: StreamHead<'static> = StreamHead {
    aggregate_type: ACCESS,
    stream_id: ACCESS_STREAM,
};

/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 8;

/// Who sends an access command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    /// A signed-in account (checked: it must be an administrator).
    Account(Login),
    /// The server's console before any administrator exists.
    Console,
}

/// Why an identity operation failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The access rules refused it (an existing login, an unknown account, …).
    #[error(transparent)]
    Refused(#[from] AccessError),
    /// The sender may not.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The console may act alone only until the first administrator exists.
    #[error("der findes allerede en administrator: angiv --as LOGIN for en administrator")]
    ConsoleClosed,
    /// Wrong login, password or token, or an expired or revoked one; deliberately one message.
    #[error("Login, adgangskode eller nøgle er forkert, udløbet eller tilbagekaldt")]
    BadCredentials,
    /// The OpenID provider vouched for a login that is no active account here. Unlike a wrong
    /// password, this may be said plainly: the person has proven who they are.
    #[error(
        "du er logget ind som '{0}', men det er ikke en aktiv bruger i Gevinst: \
         bed en administrator om at oprette dig og give dig en rolle"
    )]
    NoAccount(String),
    /// A password that is too short.
    #[error("adgangskoden skal være mindst 12 tegn")]
    WeakPassword,
    /// The store failed.
    #[error("lager: {0}")]
    Store(#[from] StoreError),
    /// Anything else (hashing, randomness, an unreadable stream).
    #[error("{0}")]
    Unexpected(String),
}

type Framework = CqrsFramework<Access, CachedEventStore<Access>>;

/// A personal access token, as shown once at creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Its public id (for listing and revoking).
    pub token_id: String,
    /// The token to send as `Authorization: Bearer …`; not stored anywhere.
    pub token: String,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub session_id: String,
    /// The token forms must echo.
    pub csrf_token: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// A signed-in person, and the accounts and grants as they stood when the sign-in was
/// checked: the policy answers one request from this one snapshot instead of replaying the
/// access stream for every question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who.
    pub login: Login,
    /// Accounts and grants.
    pub access: Arc<Access>,
}

impl Principal {
    /// The policy's answer for this person (see [`Access::decide`]).
    pub fn decide(&self, action: Action, target: Option<&Target>) -> Result<Role, Denied> {
        self.access.decide(&self.login, action, target)
    }
}

/// A signed-in person, as a session knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// Who, with the grants.
    pub principal: Principal,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// Accounts, grants and sign-in over one store.
#[derive(Clone)]
pub struct AccessService {
    store: EventStore,
    /// Accounts and grants as last read (shared with the command framework).
    kept: CachedEventStore<Access>,
    cqrs: Arc<Framework>,
    credentials: Credentials,
}

impl std::fmt::Debug for AccessService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessService").finish_non_exhaustive()
    }
}

fn random_token() -> Result<String, IdentityError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| IdentityError::Unexpected(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a high-entropy secret, hex.
#[must_use]
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The metadata of a command sent outside the proposal path (access, price index): who, in
/// which role, why, a fresh idempotency key and the command's fingerprint.
pub(crate) fn command_metadata(
    actor: Actor,
    role: Role,
    reason: Option<Reason>,
    command: &impl serde::Serialize,
) -> Result<EventMetadata, IdentityError> {
    let mut metadata = EventMetadata::new(actor, role);
    metadata.reason = reason;
    metadata.idempotency_key = Some(
        IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string())
            .map_err(|e| IdentityError::Unexpected(e.to_string()))?,
    );
    metadata.command_fingerprint = Some(gevinst_domain::chain::sha256_hex(
        gevinst_domain::chain::canonical_json(
            &serde_json::to_value(command).map_err(StoreError::from)?,
        )
        .as_bytes(),
    ));
    Ok(metadata)
}

impl AccessService {
    /// Over `store`.
    #[must_use]
    pub fn new(store: EventStore) -> Self {
        // Accounts and grants kept between commands and checked against the log at every
        // look (one indexed query), as proposals are: every command asks the policy first.
        let kept = CachedEventStore::new(store.clone());
        let cqrs = CqrsFramework::new(kept.clone(), vec![], ());
        Self {
            kept,
            credentials: Credentials::new(store.db().clone()),
            store,
            cqrs: Arc::new(cqrs),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.store.now()
    }

    /// Accounts and grants as the log says now.
    pub async fn current(&self) -> Result<Access, IdentityError> {
        self.kept
            .read(ACCESS_STREAM)
            .await
            .map(|(_, access)| (*access).clone())
            .map_err(|e| IdentityError::Unexpected(e.to_string()))
    }

    /// Accounts and grants for a command's policy, with the [`DecidedOn`] its append checks:
    /// as kept in memory when `trusted` (no look at the log; the append refuses the command
    /// if the grants have changed since), else as the log says now. Also says whether they
    /// were taken as kept, unchecked.
    pub async fn decided_on(
        &self,
        trusted: bool,
    ) -> Result<(Arc<Access>, DecidedOn, bool), IdentityError> {
        let kept = if trusted {
            self.kept.as_kept(ACCESS_STREAM)
        } else {
            None
        };
        let unchecked = kept.is_some();
        let (sequence, access) = match kept {
            Some(kept) => kept,
            None => self
                .kept
                .read(ACCESS_STREAM)
                .await
                .map_err(|e| IdentityError::Unexpected(e.to_string()))?,
        };
        let decided_on = DecidedOn {
            aggregate_type: ACCESS.to_string(),
            stream_id: ACCESS_STREAM.to_string(),
            sequence: i64::try_from(sequence)
                .map_err(|e| IdentityError::Unexpected(e.to_string()))?,
        };
        Ok((access, decided_on, unchecked))
    }

    /// Sends `command` as `by`, with `reason`.
    pub async fn execute(
        &self,
        by: &Operator,
        command: AccessCommand,
        reason: Option<Reason>,
    ) -> Result<(), IdentityError> {
        let access = self.current().await?;
        let (actor, role) = match by {
            Operator::Account(login) => (
                login.actor(),
                access.decide(login, Action::Administer, None)?,
            ),
            Operator::Console if access.has_administrator() => {
                return Err(IdentityError::ConsoleClosed)
            }
            Operator::Console => (
                Actor::parse("console").map_err(|e| IdentityError::Unexpected(e.to_string()))?,
                Role::System,
            ),
        };
        let metadata = command_metadata(actor, role, reason, &command)?;
        match self
            .cqrs
            .execute_with_metadata(ACCESS_STREAM, command, metadata.to_map())
            .await
        {
            Ok(()) => Ok(()),
            Err(AggregateError::UserError(e)) => Err(IdentityError::Refused(e)),
            Err(e) => Err(IdentityError::Unexpected(e.to_string())),
        }
    }

    /// Creates an account, with a local password if given.
    pub async fn add_account(
        &self,
        by: &Operator,
        login: &Login,
        name: DisplayName,
        password: Option<&str>,
    ) -> Result<(), IdentityError> {
        let hash = password.map(hash_password).transpose()?;
        self.execute(
            by,
            AccessCommand::AddAccount {
                login: login.clone(),
                name,
            },
            None,
        )
        .await?;
        if let Some(hash) = hash {
            self.credentials
                .set_password_hash(login.as_str(), &hash, self.now().timestamp())
                .await?;
        }
        Ok(())
    }

    /// Disables an account and ends its sessions.
    pub async fn disable_account(
        &self,
        by: &Operator,
        login: &Login,
        reason: Option<Reason>,
    ) -> Result<(), IdentityError> {
        self.execute(
            by,
            AccessCommand::DisableAccount {
                login: login.clone(),
            },
            reason,
        )
        .await?;
        self.credentials.delete_sessions_of(login.as_str()).await?;
        Ok(())
    }

    /// Grants or revokes.
    pub async fn grant(
        &self,
        by: &Operator,
        login: &Login,
        grant: Grant,
        revoke: bool,
        reason: Reason,
    ) -> Result<(), IdentityError> {
        let login = login.clone();
        let command = if revoke {
            AccessCommand::Revoke { login, grant }
        } else {
            AccessCommand::Grant { login, grant }
        };
        self.execute(by, command, Some(reason)).await
    }

    /// Checks a local password; the person if it is right and the account active.
    pub async fn check_password(
        &self,
        login: &str,
        password: &str,
    ) -> Result<Principal, IdentityError> {
        let login = Login::parse(login).map_err(|_| IdentityError::BadCredentials)?;
        let hash = self
            .credentials
            .password_hash(login.as_str())
            .await?
            .ok_or(IdentityError::BadCredentials)?;
        let parsed =
            PasswordHash::new(&hash).map_err(|e| IdentityError::Unexpected(e.to_string()))?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .map_err(|_| IdentityError::BadCredentials)?;
        self.active(login).await
    }

    /// The person the municipality's OpenID provider vouches for as `login` (from the verified
    /// ID token), if it is an active account here: the provider authenticates, Gevinst's
    /// accounts and grants decide.
    pub async fn check_vouched(&self, login: &str) -> Result<Principal, IdentityError> {
        let no_account = || IdentityError::NoAccount(login.to_string());
        let parsed = Login::parse(login).map_err(|_| no_account())?;
        self.active(parsed).await.map_err(|e| match e {
            IdentityError::BadCredentials => no_account(),
            e => e,
        })
    }

    /// `login` with the current accounts and grants, if the account is active.
    async fn active(&self, login: Login) -> Result<Principal, IdentityError> {
        // Shared with the cache, not copied: every signed-in request comes here.
        let (access, _, _) = self.decided_on(false).await?;
        Self::as_principal(login, access)
    }

    /// As [`Self::active`], where the access stream's newest sequence was just read as `head`
    /// (with the sign-in's secret, in one statement): the kept grants when they reflect it,
    /// without asking the log again; read afresh otherwise.
    async fn active_at(&self, login: Login, head: i64) -> Result<Principal, IdentityError> {
        let kept = self
            .kept
            .as_kept(ACCESS_STREAM)
            .filter(|(sequence, _)| i64::try_from(*sequence).is_ok_and(|s| s == head));
        match kept {
            Some((_, access)) => Self::as_principal(login, access),
            None => self.active(login).await,
        }
    }

    fn as_principal(login: Login, access: Arc<Access>) -> Result<Principal, IdentityError> {
        match access.active(&login) {
            Ok(_) => Ok(Principal { login, access }),
            Err(_) => Err(IdentityError::BadCredentials),
        }
    }

    /// Issues a personal access token for an active account.
    pub async fn create_token(
        &self,
        login: &Login,
        valid_for: Option<Duration>,
    ) -> Result<NewToken, IdentityError> {
        self.current().await?.active(login)?;
        let now = self.now();
        let secret = random_token()?;
        let token_id = secret_hash(&secret)[..12].to_string();
        let token = format!("gvt_{token_id}_{secret}");
        let expires_at = valid_for.map(|d| now + d);
        self.credentials
            .insert_token(
                &token_id,
                &secret_hash(&token),
                login.as_str(),
                now.timestamp(),
                expires_at.map(|t| t.timestamp()),
            )
            .await?;
        Ok(NewToken {
            token_id,
            token,
            expires_at,
        })
    }

    /// The tokens of `login`.
    pub async fn tokens(&self, login: &Login) -> Result<Vec<TokenRow>, IdentityError> {
        Ok(self.credentials.tokens_of(login.as_str()).await?)
    }

    /// Revokes a token by its id; false if there was no such unrevoked token.
    pub async fn revoke_token(&self, token_id: &str) -> Result<bool, IdentityError> {
        Ok(self
            .credentials
            .revoke_token(token_id, self.now().timestamp())
            .await?)
    }

    /// The person a bearer token belongs to, if the token is valid now.
    pub async fn check_token(&self, token: &str) -> Result<Principal, IdentityError> {
        let (row, head) = self
            .credentials
            .token_by_hash(&secret_hash(token), &GRANTS)
            .await?
            .ok_or(IdentityError::BadCredentials)?;
        let now = self.now().timestamp();
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|t| t <= now) {
            return Err(IdentityError::BadCredentials);
        }
        let login = Login::parse(&row.login).map_err(|_| IdentityError::BadCredentials)?;
        self.active_at(login, head).await
    }

    /// Starts a browser session for an active account.
    pub async fn create_session(&self, login: &Login) -> Result<NewSession, IdentityError> {
        let now = self.now();
        let session_id = random_token()?;
        let csrf_token = random_token()?;
        let expires_at = now + Duration::hours(SESSION_HOURS);
        self.credentials
            .insert_session(
                &secret_hash(&session_id),
                login.as_str(),
                &csrf_token,
                now.timestamp(),
                expires_at.timestamp(),
            )
            .await?;
        Ok(NewSession {
            session_id,
            csrf_token,
            expires_at,
        })
    }

    /// The person a session cookie belongs to, if the session is live and the account active.
    pub async fn check_session(&self, session_id: &str) -> Result<SessionUser, IdentityError> {
        let (row, head) = self
            .credentials
            .session(&secret_hash(session_id), &GRANTS)
            .await?
            .ok_or(IdentityError::BadCredentials)?;
        if row.expires_at <= self.now().timestamp() {
            return Err(IdentityError::BadCredentials);
        }
        let login = Login::parse(&row.login).map_err(|_| IdentityError::BadCredentials)?;
        Ok(SessionUser {
            principal: self.active_at(login, head).await?,
            csrf_token: row.csrf_token,
        })
    }

    /// Ends a session.
    pub async fn end_session(&self, session_id: &str) -> Result<(), IdentityError> {
        Ok(self
            .credentials
            .delete_session(&secret_hash(session_id), self.now().timestamp())
            .await?)
    }
}

/// argon2id with the crate's default parameters (OWASP's minimum: m=19 MiB, t=2, p=1) and a
/// random 16-byte salt.
fn hash_password(password: &str) -> Result<String, IdentityError> {
    if password.chars().count() < 12 {
        return Err(IdentityError::WeakPassword);
    }
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| IdentityError::Unexpected(e.to_string()))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| IdentityError::Unexpected(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| IdentityError::Unexpected(e.to_string()))
}
