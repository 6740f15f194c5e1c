//! `gevinst user …`, `gevinst token …`, `gevinst grant` and `gevinst revoke`: the operator's
//! side of accounts and grants (see `gevinst_projections::identity`).
//!
//! Account and grant changes are events, so they run as a named administrator (`--as`),
//! checked by the same policy as every other command; only while no administrator exists does
//! the console act alone, to create the first one. Tokens are secrets, not history: the
//! operator at the server's console issues and revokes them.

use std::io::{Read, Write};

use anyhow::Context;
use chrono::Duration;
use gevinst_domain::access::{DisplayName, Grant, Login, Scope};
use gevinst_domain::{Committee, ProposalId, Reason, Role};
use gevinst_projections::{Operator, ProposalService};

/// Who performs an account or grant change.
#[derive(Debug, Clone, clap::Args)]
pub struct AsArgs {
    /// The administrator making the change (not needed for the very first administrator).
    #[arg(long = "as", env = "GEVINST_AS", value_name = "LOGIN")]
    pub as_login: Option<String>,
}

impl AsArgs {
    fn operator(&self) -> anyhow::Result<Operator> {
        Ok(match &self.as_login {
            Some(login) => Operator::Account(Login::parse(login)?),
            None => Operator::Console,
        })
    }
}

/// `gevinst user …`
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account (a local password is read from standard input).
    Add {
        /// The login, e.g. anna@kk.dk (case does not matter).
        login: String,
        /// The name shown, e.g. "Anna Hansen".
        #[arg(long)]
        name: String,
        /// Read a local password (at least 12 characters) from standard input; without it the
        /// account signs in through OpenID Connect or with tokens only.
        #[arg(long)]
        password_stdin: bool,
        /// Who does it.
        #[command(flatten)]
        by: AsArgs,
    },
    /// Stop an account from signing in and acting; its history stays.
    Disable {
        /// The login.
        login: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// Who does it.
        #[command(flatten)]
        by: AsArgs,
    },
    /// Every account with its grants.
    List,
}

/// `gevinst token …`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a personal access token for LOGIN; it is printed once and only its hash is kept.
    Create {
        /// Whose token.
        login: String,
        /// How long it is valid: e.g. 90d or 12h (default: 90d; `never` for no expiry).
        #[arg(long, default_value = "90d")]
        expires: String,
    },
    /// Revoke a token by its id (the part after `gvt_`, before the second `_`).
    Revoke {
        /// The token id.
        token_id: String,
    },
}

/// `gevinst grant` and `gevinst revoke`.
#[derive(Debug, Clone, clap::Args)]
pub struct GrantArgs {
    /// To or from whom.
    pub login: String,
    /// administrator, controller, projektejer or revisor.
    pub role: String,
    /// The proposal (projektejer), e.g. BC01.
    #[arg(long, conflicts_with = "committee")]
    pub proposal: Option<String>,
    /// The committee (a controller for one committee), e.g. SUD.
    #[arg(long)]
    pub committee: Option<String>,
    /// Why.
    #[arg(long)]
    pub reason: String,
    /// Who does it.
    #[command(flatten)]
    pub by: AsArgs,
}

fn parse_expiry(text: &str) -> anyhow::Result<Option<Duration>> {
    let t = text.trim();
    if t == "never" {
        return Ok(None);
    }
    let (number, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .ok()
        .filter(|n| *n > 0 && *n <= 3650)
        .with_context(|| format!("--expires '{text}': skriv fx 90d, 12h eller never"))?;
    match unit {
        "d" => Ok(Some(Duration::days(n))),
        "h" => Ok(Some(Duration::hours(n))),
        _ => anyhow::bail!("--expires '{text}': skriv fx 90d, 12h eller never"),
    }
}

/// Runs `gevinst user …`.
pub async fn user(
    command: UserCommand,
    service: &ProposalService,
    input: &mut (dyn Read + Send),
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let access = service.access();
    match command {
        UserCommand::Add {
            login,
            name,
            password_stdin,
            by,
        } => {
            let login = Login::parse(&login)?;
            let password = if password_stdin {
                let mut text = String::new();
                input.read_to_string(&mut text)?;
                Some(text.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            access
                .add_account(
                    &by.operator()?,
                    &login,
                    DisplayName::parse(&name)?,
                    password.as_deref(),
                )
                .await?;
            writeln!(out, "bruger {login} oprettet")?;
        }
        UserCommand::Disable { login, reason, by } => {
            let login = Login::parse(&login)?;
            let reason = reason.as_deref().map(Reason::parse).transpose()?;
            access
                .disable_account(&by.operator()?, &login, reason)
                .await?;
            writeln!(out, "bruger {login} deaktiveret")?;
        }
        UserCommand::List => {
            for account in access.current().await?.accounts() {
                let state = if account.active {
                    "aktiv"
                } else {
                    "deaktiveret"
                };
                let grants: Vec<String> = account.grants.iter().map(ToString::to_string).collect();
                writeln!(
                    out,
                    "{}\t{}\t{state}\t{}",
                    account.login,
                    account.name.as_str(),
                    if grants.is_empty() {
                        "ingen roller".to_string()
                    } else {
                        grants.join(", ")
                    }
                )?;
            }
        }
    }
    Ok(())
}

/// Runs `gevinst token …`.
pub async fn token(
    command: TokenCommand,
    service: &ProposalService,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let access = service.access();
    match command {
        TokenCommand::Create { login, expires } => {
            let login = Login::parse(&login)?;
            let new = access.create_token(&login, parse_expiry(&expires)?).await?;
            writeln!(out, "{}", new.token)?;
            let until = new.expires_at.map_or_else(
                || "udløber aldrig".to_string(),
                |t| {
                    format!(
                        "gyldig til {}",
                        t.with_timezone(&chrono_tz::Europe::Copenhagen)
                            .format("%d.%m.%Y kl. %H:%M")
                    )
                },
            );
            writeln!(
                out,
                "nøgle {} til {login}, {until}: vises kun denne ene gang; send den som `Authorization: Bearer …`",
                new.token_id
            )?;
        }
        TokenCommand::Revoke { token_id } => {
            if access.revoke_token(&token_id).await? {
                writeln!(out, "nøgle {token_id} tilbagekaldt")?;
            } else {
                anyhow::bail!("der er ingen gyldig nøgle med id {token_id}");
            }
        }
    }
    Ok(())
}

/// Runs `gevinst grant` (or `gevinst revoke` when `revoke`).
pub async fn grant(
    args: GrantArgs,
    revoke: bool,
    service: &ProposalService,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let login = Login::parse(&args.login)?;
    let role: Role = args.role.parse()?;
    let scope = match (&args.proposal, &args.committee) {
        (Some(p), _) => Scope::Proposal(ProposalId::parse(p)?),
        (None, Some(c)) => Scope::Committee(c.parse::<Committee>()?),
        (None, None) => Scope::All,
    };
    let grant = Grant::new(role, scope)?;
    service
        .access()
        .grant(
            &args.by.operator()?,
            &login,
            grant.clone(),
            revoke,
            Reason::parse(&args.reason)?,
        )
        .await?;
    let done = if revoke { "frataget" } else { "tildelt" };
    writeln!(out, "{login}: {grant} {done}")?;
    Ok(())
}
