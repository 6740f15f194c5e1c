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
    /// Administratoren, der foretager ændringen (behøves ikke for den allerførste
    /// administrator).
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
    /// Opret en konto (en lokal adgangskode læses fra standard-ind).
    Add {
        /// Login'et, fx anna@kk.dk (store og små bogstaver er ligegyldige).
        #[arg(value_name = "LOGIN")]
        login: String,
        /// Navnet, der vises, fx "Anna Hansen".
        #[arg(long, value_name = "NAVN")]
        name: String,
        /// Læs en lokal adgangskode (mindst 12 tegn) fra standard-ind; uden den logger kontoen
        /// kun ind via OpenID Connect eller med adgangsnøgler.
        #[arg(long)]
        password_stdin: bool,
        /// Hvem gør det.
        #[command(flatten)]
        by: AsArgs,
    },
    /// Forhindr en konto i at logge ind og handle; dens historik bevares.
    Disable {
        /// Login'et.
        #[arg(value_name = "LOGIN")]
        login: String,
        /// Begrundelse.
        #[arg(long, value_name = "BEGRUNDELSE")]
        reason: Option<String>,
        /// Hvem gør det.
        #[command(flatten)]
        by: AsArgs,
    },
    /// Alle konti med deres roller.
    List,
}

/// `gevinst token …`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Udsted en personlig adgangsnøgle til LOGIN; den skrives én gang, og kun dens hash gemmes.
    Create {
        /// Hvis adgangsnøgle.
        #[arg(value_name = "LOGIN")]
        login: String,
        /// Hvor længe den gælder: fx 90d eller 12h (`never`: uden udløb).
        #[arg(long, default_value = "90d", value_name = "VARIGHED")]
        expires: String,
    },
    /// Tilbagekald en adgangsnøgle ud fra dens id (delen efter `gvt_`, før den anden `_`).
    Revoke {
        /// Adgangsnøglens id.
        #[arg(value_name = "NØGLE_ID")]
        token_id: String,
    },
}

/// `gevinst grant` and `gevinst revoke`.
#[derive(Debug, Clone, clap::Args)]
pub struct GrantArgs {
    /// Til eller fra hvem.
    #[arg(value_name = "LOGIN")]
    pub login: String,
    /// administrator, controller, projektejer eller revisor.
    #[arg(value_name = "ROLLE")]
    pub role: String,
    /// Forslaget (projektejer), fx BC01.
    #[arg(long, conflicts_with = "committee", value_name = "FORSLAG")]
    pub proposal: Option<String>,
    /// Udvalget (en controller for ét udvalg), fx SUD.
    #[arg(long, value_name = "UDVALG")]
    pub committee: Option<String>,
    /// Begrundelse.
    #[arg(long, value_name = "BEGRUNDELSE")]
    pub reason: String,
    /// Hvem gør det.
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
    // Committees are the budget documents' data: a grant on one no loaded document declares
    // (a typo, another municipality's) would never apply, so it is refused. A revoke is
    // never refused: a stale grant must always be removable.
    if let (Scope::Committee(c), false) = (&scope, revoke) {
        service.projector().catch_up().await?;
        let names = gevinst_projections::readmodel::ReadModels::new(service.store().db().clone())
            .declared_org_names()
            .await?;
        if !names.committees.is_empty() && !names.committees.contains_key(c) {
            let codes: Vec<&str> = names.committees.keys().map(Committee::code).collect();
            anyhow::bail!(
                "--committee: «{c}» er ikke et udvalg i de indlæste budgetdokumenter; brug {}",
                crate::labels::or_list(&codes)
            );
        }
    }
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
