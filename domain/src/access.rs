//! Who may do what: accounts and grants as events, and the one policy every command and read
//! asks.
//!
//! Authorisation is data, not configuration: granting a role is a fact with who, when and why,
//! kept in the same verifiable log as the proposals (aggregate `access`, one stream), so an
//! auditor can answer "who could record savings on BC01 in March?" from the log alone.
//!
//! The policy ([`Access::decide`]) is the only place that turns a login, an action and a
//! proposal into a role or a refusal. The command path and the query layer call it; handlers do
//! not, so the command line, the API and the dashboard cannot disagree. The role stored with an
//! event is the one the policy returned, never one the client named.
//!
//! A [`Login`] is the stable subject id (lower-cased, so `Anna` and `anna` are one person); the
//! display name is only shown. Four eyes compares logins.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::proposal::{Fact, Proposal, ProposalCommand};
use crate::vocabulary::{Actor, Committee, Role};
use crate::ProposalId;

/// The stream all access events live in.
pub const ACCESS_STREAM: &str = "access";

/// Why a login, a name or a grant was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessInputError {
    /// Not a login.
    #[error("'{0}' er ikke et gyldigt login: brug 1–100 tegn af a–z, 0–9 og . _ - @")]
    Login(String),
    /// Not a display name.
    #[error("navnet skal være 1–200 tegn uden kontrol- eller retningstegn")]
    Name,
    /// A role that cannot be granted in that scope.
    #[error("{} kan ikke tildeles {scope}: {rule}", .role.danish())]
    Scope {
        /// The role.
        role: Role,
        /// The scope.
        scope: String,
        /// The rule.
        rule: &'static str,
    },
}

/// A person's stable subject id: a local account's login or the configured OpenID claim.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

impl Login {
    /// Lower-cases and checks `input`: 1–100 characters of `a–z 0–9 . _ - @`.
    pub fn parse(input: &str) -> Result<Self, AccessInputError> {
        let t = input.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.chars().count() <= 100
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(Self(t))
        } else {
            Err(AccessInputError::Login(input.to_string()))
        }
    }

    /// The login.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The actor stored with the events this person records.
    #[must_use]
    pub fn actor(&self) -> Actor {
        // A login is a valid actor by construction (non-empty, no control characters).
        Actor::parse(&self.0).unwrap_or_else(|_| unreachable!("a login is a valid actor"))
    }
}

impl TryFrom<String> for Login {
    type Error = AccessInputError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Login> for String {
    fn from(value: Login) -> Self {
        value.0
    }
}

impl FromStr for Login {
    type Err = AccessInputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every proposal.
    All,
    /// The proposals of one committee.
    Committee(Committee),
    /// One proposal.
    Proposal(ProposalId),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("alle forslag"),
            Scope::Committee(c) => write!(f, "udvalg {c}"),
            Scope::Proposal(p) => write!(f, "forslag {p}"),
        }
    }
}

/// A role in a scope. Only the combinations the municipality uses can be built: administrators
/// and auditors see everything, controllers all proposals or one committee's, project owners
/// one proposal; nobody is granted `system`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawGrant", into = "RawGrant")]
pub struct Grant {
    role: Role,
    scope: Scope,
}

#[derive(Serialize, Deserialize)]
struct RawGrant {
    role: Role,
    scope: Scope,
}

impl TryFrom<RawGrant> for Grant {
    type Error = AccessInputError;
    fn try_from(raw: RawGrant) -> Result<Self, Self::Error> {
        Grant::new(raw.role, raw.scope)
    }
}

impl From<Grant> for RawGrant {
    fn from(g: Grant) -> Self {
        RawGrant {
            role: g.role,
            scope: g.scope,
        }
    }
}

impl Grant {
    /// `role` in `scope`, if that combination exists.
    pub fn new(role: Role, scope: Scope) -> Result<Self, AccessInputError> {
        let refuse = |rule| {
            Err(AccessInputError::Scope {
                role,
                scope: scope.to_string(),
                rule,
            })
        };
        match (role, &scope) {
            (Role::System, _) => refuse("system-rollen hører til import af basislinjen alene"),
            (Role::Administrator | Role::Auditor, Scope::All)
            | (Role::Controller, Scope::All | Scope::Committee(_))
            | (Role::ProjectOwner, Scope::Proposal(_)) => Ok(Self { role, scope }),
            (Role::Administrator | Role::Auditor, _) => refuse("den gælder altid alle forslag"),
            (Role::Controller, _) => refuse("brug alle forslag eller ét udvalg"),
            (Role::ProjectOwner, _) => refuse("en projektejer ejer ét forslag (--proposal)"),
        }
    }

    /// The role.
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// The scope.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Whether the grant reaches `target`.
    #[must_use]
    pub fn covers(&self, target: &Target) -> bool {
        match &self.scope {
            Scope::All => true,
            Scope::Committee(c) => *c == target.committee,
            Scope::Proposal(p) => *p == target.proposal,
        }
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} for {}", self.role.danish(), self.scope)
    }
}

/// A display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// 1–200 characters, by the rules of every free text (`crate::vocabulary`): no control
    /// or bidi characters, not empty-looking.
    pub fn parse(input: &str) -> Result<Self, AccessInputError> {
        crate::vocabulary::non_empty("navnet", input, 200)
            .map(Self)
            .map_err(|_| AccessInputError::Name)
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = AccessInputError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// The proposal an action is about, as the policy needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The proposal.
    pub proposal: ProposalId,
    /// Its committee.
    pub committee: Committee,
    /// Whether only granted people may read more than its published summary.
    pub confidential: bool,
}

impl Target {
    /// The target a proposal's registered identity describes (`None` before registration).
    #[must_use]
    pub fn of(proposal: &Proposal) -> Option<Self> {
        proposal.identity().map(|i| Self {
            proposal: i.id.clone(),
            committee: i.committee,
            confidential: i.confidential,
        })
    }
}

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Record a project owner's fact (progress, saving, cost, forecast, …) or correct one.
    Record,
    /// Take a controller's decision (verify, cancel, adjust a budget, revise a plan, record
    /// the budget decision) or correct one.
    Decide,
    /// Read a proposal beyond its published summary row.
    ReadDetails,
    /// Read a proposal's history (the audit trail, with people's logins).
    ReadHistory,
    /// Walk and verify the whole log.
    VerifyLog,
    /// Manage accounts and grants.
    Administer,
    /// Register a price-index estimate, state or correct its rates, take one into use: a
    /// controller's for the whole municipality (a controller scoped to a committee or a
    /// proposal may not, since every proposal's conversions follow the index).
    MaintainPriceIndex,
    /// Register a proposal or adopt a baseline: the import's alone, never a person's.
    Import,
}

impl Action {
    /// What the action is, in Danish, for refusals.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Action::Record => "registrere projektejerens oplysninger",
            Action::Decide => "træffe en controllers beslutning",
            Action::ReadDetails => "læse forslagets detaljer",
            Action::ReadHistory => "læse forslagets historik",
            Action::VerifyLog => "verificere loggen",
            Action::Administer => "administrere brugere og roller",
            Action::MaintainPriceIndex => "vedligeholde prisindekset",
            Action::Import => "importere en basislinje",
        }
    }

    /// The action a proposal command needs. A correction needs what the corrected entry
    /// needed: project owners correct their own proposal's entries, and a controller's
    /// decision is corrected only by a controller.
    #[must_use]
    pub fn of_command(command: &ProposalCommand, state: &Proposal) -> Self {
        let of_fact = |fact: &Fact| match fact {
            Fact::SavingVerified(_)
            | Fact::GoalCancelled(_)
            | Fact::BudgetAdjusted(_)
            | Fact::BudgetDecided(_) => Action::Decide,
            _ => Action::Record,
        };
        match command {
            ProposalCommand::RegisterProposal { .. } | ProposalCommand::AdoptBaseline { .. } => {
                Action::Import
            }
            ProposalCommand::RevisePlan { .. }
            | ProposalCommand::VerifySaving(_)
            | ProposalCommand::CancelGoal(_)
            | ProposalCommand::AdjustBudget(_)
            | ProposalCommand::DecideBudget(_) => Action::Decide,
            ProposalCommand::ReverseEntry { sequence, .. }
            | ProposalCommand::SupersedeEntry { sequence, .. } => state
                .entry_to_correct(*sequence)
                .map_or(Action::Record, of_fact),
            _ => Action::Record,
        }
    }
}

/// Why the policy said no.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// No such account.
    #[error("der findes ingen bruger '{0}'")]
    UnknownAccount(Login),
    /// The account is disabled.
    #[error("brugeren '{0}' er deaktiveret")]
    Disabled(Login),
    /// No grant allows it.
    #[error("{login} har ingen rolle, der giver lov til at {}{}", .action.danish(), .target.as_ref().map(|t| format!(" på {t}")).unwrap_or_default())]
    NotAllowed {
        /// Who.
        login: Login,
        /// What.
        action: Action,
        /// On which proposal.
        target: Option<ProposalId>,
    },
}

/// One account as the access stream knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The login.
    pub login: Login,
    /// The name shown.
    pub name: DisplayName,
    /// Whether it may sign in and act.
    pub active: bool,
    /// Its grants.
    pub grants: BTreeSet<Grant>,
}

/// A command on the access stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessCommand {
    /// Create a local or OpenID account.
    AddAccount {
        /// The login.
        login: Login,
        /// The name shown.
        name: DisplayName,
    },
    /// Stop an account from signing in and acting (its history stays).
    DisableAccount {
        /// The login.
        login: Login,
    },
    /// Give a role.
    Grant {
        /// To whom.
        login: Login,
        /// What.
        grant: Grant,
    },
    /// Take a role back.
    Revoke {
        /// From whom.
        login: Login,
        /// What.
        grant: Grant,
    },
}

/// An event on the access stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessEvent {
    /// An account was created.
    AccountAdded {
        /// The login.
        login: Login,
        /// The name shown.
        name: DisplayName,
    },
    /// An account was disabled.
    AccountDisabled {
        /// The login.
        login: Login,
    },
    /// A role was granted.
    RoleGranted {
        /// To whom.
        login: Login,
        /// What.
        grant: Grant,
    },
    /// A role was revoked.
    RoleRevoked {
        /// From whom.
        login: Login,
        /// What.
        grant: Grant,
    },
}

impl AccessEvent {
    /// Each kind's stored type name and Danish name, for people reading the history.
    pub const LABELS: &'static [(&'static str, &'static str)] = &[
        ("AccountAdded", "Konto oprettet"),
        ("AccountDisabled", "Konto lukket"),
        ("RoleGranted", "Rolle tildelt"),
        ("RoleRevoked", "Rolle frataget"),
    ];

    /// The Danish name of a stored type, if it is an access event's.
    #[must_use]
    pub fn label_of(event_type: &str) -> Option<&'static str> {
        crate::vocabulary::label_in(Self::LABELS, event_type)
    }
}

impl DomainEvent for AccessEvent {
    fn event_type(&self) -> String {
        match self {
            AccessEvent::AccountAdded { .. } => "AccountAdded",
            AccessEvent::AccountDisabled { .. } => "AccountDisabled",
            AccessEvent::RoleGranted { .. } => "RoleGranted",
            AccessEvent::RoleRevoked { .. } => "RoleRevoked",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why an access command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The login is taken.
    #[error("brugeren '{0}' findes allerede")]
    AccountExists(Login),
    /// No such account.
    #[error("der findes ingen bruger '{0}'")]
    UnknownAccount(Login),
    /// Already disabled.
    #[error("brugeren '{0}' er allerede deaktiveret")]
    AlreadyDisabled(Login),
    /// The grant exists.
    #[error("{login} har allerede rollen {grant}")]
    AlreadyGranted {
        /// Who.
        login: Login,
        /// What.
        grant: Grant,
    },
    /// The grant does not exist.
    #[error("{login} har ikke rollen {grant}")]
    NotGranted {
        /// Who.
        login: Login,
        /// What.
        grant: Grant,
    },
}

/// Accounts and their grants: the access stream's state and the policy over it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    accounts: BTreeMap<Login, Account>,
}

impl Access {
    /// The account, if any.
    #[must_use]
    pub fn account(&self, login: &Login) -> Option<&Account> {
        self.accounts.get(login)
    }

    /// Every account, by login.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// Whether any active account is an administrator (the first one is made from the
    /// console).
    #[must_use]
    pub fn has_administrator(&self) -> bool {
        self.accounts
            .values()
            .any(|a| a.active && a.grants.iter().any(|g| g.role == Role::Administrator))
    }

    /// The events `command` produces, or why not.
    pub fn decide_command(&self, command: AccessCommand) -> Result<Vec<AccessEvent>, AccessError> {
        let known = |login: &Login| {
            self.accounts
                .get(login)
                .ok_or_else(|| AccessError::UnknownAccount(login.clone()))
        };
        Ok(vec![match command {
            AccessCommand::AddAccount { login, name } => {
                if self.accounts.contains_key(&login) {
                    return Err(AccessError::AccountExists(login));
                }
                AccessEvent::AccountAdded { login, name }
            }
            AccessCommand::DisableAccount { login } => {
                if !known(&login)?.active {
                    return Err(AccessError::AlreadyDisabled(login));
                }
                AccessEvent::AccountDisabled { login }
            }
            AccessCommand::Grant { login, grant } => {
                if known(&login)?.grants.contains(&grant) {
                    return Err(AccessError::AlreadyGranted { login, grant });
                }
                AccessEvent::RoleGranted { login, grant }
            }
            AccessCommand::Revoke { login, grant } => {
                if !known(&login)?.grants.contains(&grant) {
                    return Err(AccessError::NotGranted { login, grant });
                }
                AccessEvent::RoleRevoked { login, grant }
            }
        }])
    }

    /// Folds one event in.
    pub fn fold(&mut self, event: AccessEvent) {
        match event {
            AccessEvent::AccountAdded { login, name } => {
                self.accounts.insert(
                    login.clone(),
                    Account {
                        login,
                        name,
                        active: true,
                        grants: BTreeSet::new(),
                    },
                );
            }
            AccessEvent::AccountDisabled { login } => {
                if let Some(a) = self.accounts.get_mut(&login) {
                    a.active = false;
                }
            }
            AccessEvent::RoleGranted { login, grant } => {
                if let Some(a) = self.accounts.get_mut(&login) {
                    a.grants.insert(grant);
                }
            }
            AccessEvent::RoleRevoked { login, grant } => {
                if let Some(a) = self.accounts.get_mut(&login) {
                    a.grants.remove(&grant);
                }
            }
        }
    }

    /// The active account `login`, or why not.
    pub fn active(&self, login: &Login) -> Result<&Account, Denied> {
        let account = self
            .accounts
            .get(login)
            .ok_or_else(|| Denied::UnknownAccount(login.clone()))?;
        if !account.active {
            return Err(Denied::Disabled(login.clone()));
        }
        Ok(account)
    }

    /// The policy: may `login` do `action` (on `target`), and in which role? The role returned
    /// is the one stored with the events.
    ///
    /// - Record: a project owner of the proposal, else a controller covering it.
    /// - Decide: a controller covering the proposal.
    /// - ReadDetails: anyone signed in for a proposal that is not confidential; a
    ///   confidential one needs a grant covering it (auditors cover everything).
    /// - ReadHistory: an auditor, or a controller or project owner covering the proposal.
    /// - VerifyLog: an auditor or an administrator. Administer: an administrator.
    /// - Import: nobody; the baseline import runs as `system` outside this policy.
    pub fn decide(
        &self,
        login: &Login,
        action: Action,
        target: Option<&Target>,
    ) -> Result<Role, Denied> {
        let account = self.active(login)?;
        let with = |role: Role| {
            account
                .grants
                .iter()
                .any(|g| g.role == role && target.is_none_or(|t| g.covers(t)))
        };
        let first = |roles: &[Role]| roles.iter().copied().find(|r| with(*r));
        let found = match action {
            Action::Record => first(&[Role::ProjectOwner, Role::Controller]),
            Action::Decide => first(&[Role::Controller]),
            Action::ReadDetails => match target {
                Some(t) if t.confidential => {
                    first(&[Role::ProjectOwner, Role::Controller, Role::Auditor])
                }
                _ => Some(best_role(account)),
            },
            Action::ReadHistory => first(&[Role::Auditor, Role::Controller, Role::ProjectOwner]),
            Action::VerifyLog => first(&[Role::Auditor, Role::Administrator]),
            Action::Administer => first(&[Role::Administrator]),
            Action::MaintainPriceIndex => account
                .grants
                .iter()
                .any(|g| g.role == Role::Controller && g.scope == Scope::All)
                .then_some(Role::Controller),
            Action::Import => None,
        };
        found.ok_or_else(|| Denied::NotAllowed {
            login: login.clone(),
            action,
            target: target.map(|t| t.proposal.clone()),
        })
    }
}

/// The role shown for reads where any signed-in person may read.
fn best_role(account: &Account) -> Role {
    [
        Role::Controller,
        Role::ProjectOwner,
        Role::Auditor,
        Role::Administrator,
    ]
    .into_iter()
    .find(|r| account.grants.iter().any(|g| g.role == *r))
    .unwrap_or(Role::Auditor)
}

impl Aggregate for Access {
    const TYPE: &'static str = "access";
    type Command = AccessCommand;
    type Event = AccessEvent;
    type Error = AccessError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide_command(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.fold(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(s: &str) -> Login {
        Login::parse(s).unwrap()
    }

    fn target(id: &str, committee: Committee, confidential: bool) -> Target {
        Target {
            proposal: ProposalId::parse(id).unwrap(),
            committee,
            confidential,
        }
    }

    fn with(grants: &[(&str, Grant)]) -> Access {
        let mut access = Access::default();
        for (l, g) in grants {
            if access.account(&login(l)).is_none() {
                for e in access
                    .decide_command(AccessCommand::AddAccount {
                        login: login(l),
                        name: DisplayName::parse(l).unwrap(),
                    })
                    .unwrap()
                {
                    access.fold(e);
                }
            }
            for e in access
                .decide_command(AccessCommand::Grant {
                    login: login(l),
                    grant: g.clone(),
                })
                .unwrap()
            {
                access.fold(e);
            }
        }
        access
    }

    fn owner(id: &str) -> Grant {
        Grant::new(
            Role::ProjectOwner,
            Scope::Proposal(ProposalId::parse(id).unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn every_access_event_kind_has_its_own_danish_name() {
        let grant = Grant::new(Role::Auditor, Scope::All).unwrap();
        let events = [
            AccessEvent::AccountAdded {
                login: login("anna"),
                name: DisplayName::parse("Anna").unwrap(),
            },
            AccessEvent::AccountDisabled {
                login: login("anna"),
            },
            AccessEvent::RoleGranted {
                login: login("anna"),
                grant: grant.clone(),
            },
            AccessEvent::RoleRevoked {
                login: login("anna"),
                grant,
            },
        ];
        let mut names: Vec<&str> = events
            .iter()
            .map(|e| AccessEvent::label_of(&e.event_type()).expect("a Danish name"))
            .collect();
        assert_eq!(names[2], "Rolle tildelt");
        names.dedup();
        assert_eq!(names.len(), AccessEvent::LABELS.len());
        assert_eq!(AccessEvent::label_of("SavingRealised"), None);
    }

    #[test]
    fn logins_are_one_person_whatever_the_case() {
        assert_eq!(login("Anna"), login(" anna "));
        assert!(Login::parse("an na").is_err());
        assert!(Login::parse("").is_err());
        assert!(Login::parse(&"a".repeat(101)).is_err());
        assert_eq!(login("Anna@KK.dk").as_str(), "anna@kk.dk");
        let grant = Grant::new(Role::Auditor, Scope::All).unwrap();
        assert_eq!(grant.to_string(), "revisor for alle forslag");
    }

    #[test]
    fn only_the_combinations_the_municipality_uses_can_be_granted() {
        assert!(Grant::new(Role::System, Scope::All).is_err());
        assert!(Grant::new(Role::ProjectOwner, Scope::All).is_err());
        assert!(Grant::new(
            Role::Auditor,
            Scope::Committee(Committee::parse("SUD").unwrap())
        )
        .is_err());
        assert!(Grant::new(
            Role::Controller,
            Scope::Committee(Committee::parse("SUD").unwrap())
        )
        .is_ok());
        let bad: Result<Grant, _> = serde_json::from_str(r#"{"role":"system","scope":"all"}"#);
        assert!(bad.is_err(), "a stored grant is parsed, not trusted");
    }

    #[test]
    fn owners_record_on_their_proposal_only_and_controllers_decide() {
        let access = with(&[
            ("anna", owner("BC01")),
            (
                "carl",
                Grant::new(
                    Role::Controller,
                    Scope::Committee(Committee::parse("ØU").unwrap()),
                )
                .unwrap(),
            ),
            ("rita", Grant::new(Role::Auditor, Scope::All).unwrap()),
        ]);
        let bc01 = target("BC01", Committee::parse("ØU").unwrap(), false);
        let bc05 = target("BC05", Committee::parse("SUD").unwrap(), false);
        assert_eq!(
            access.decide(&login("anna"), Action::Record, Some(&bc01)),
            Ok(Role::ProjectOwner)
        );
        assert!(access
            .decide(&login("anna"), Action::Record, Some(&bc05))
            .is_err());
        assert!(access
            .decide(&login("anna"), Action::Decide, Some(&bc01))
            .is_err());
        assert_eq!(
            access.decide(&login("carl"), Action::Decide, Some(&bc01)),
            Ok(Role::Controller)
        );
        assert!(access
            .decide(&login("carl"), Action::Decide, Some(&bc05))
            .is_err());
        assert!(access
            .decide(&login("rita"), Action::Record, Some(&bc01))
            .is_err());
        assert_eq!(
            access.decide(&login("rita"), Action::ReadHistory, Some(&bc05)),
            Ok(Role::Auditor)
        );
        assert!(access
            .decide(&login("nobody"), Action::ReadDetails, None)
            .is_err());
    }

    #[test]
    fn confidential_details_need_a_grant_that_covers_them() {
        let access = with(&[
            ("anna", owner("BC01")),
            ("bo", owner("BC08")),
            ("rita", Grant::new(Role::Auditor, Scope::All).unwrap()),
        ]);
        let bc08 = target("BC08", Committee::parse("ØU").unwrap(), true);
        assert!(access
            .decide(&login("anna"), Action::ReadDetails, Some(&bc08))
            .is_err());
        assert!(access
            .decide(&login("bo"), Action::ReadDetails, Some(&bc08))
            .is_ok());
        assert!(access
            .decide(&login("rita"), Action::ReadDetails, Some(&bc08))
            .is_ok());
    }

    #[test]
    fn a_disabled_or_revoked_account_can_do_nothing_it_could() {
        let mut access = with(&[("anna", owner("BC01"))]);
        let bc01 = target("BC01", Committee::parse("ØU").unwrap(), false);
        for e in access
            .decide_command(AccessCommand::Revoke {
                login: login("anna"),
                grant: owner("BC01"),
            })
            .unwrap()
        {
            access.fold(e);
        }
        assert!(access
            .decide(&login("anna"), Action::Record, Some(&bc01))
            .is_err());
        for e in access
            .decide_command(AccessCommand::DisableAccount {
                login: login("anna"),
            })
            .unwrap()
        {
            access.fold(e);
        }
        assert_eq!(
            access.decide(&login("anna"), Action::ReadDetails, None),
            Err(Denied::Disabled(login("anna")))
        );
        assert!(matches!(
            access.decide_command(AccessCommand::AddAccount {
                login: login("ANNA"),
                name: DisplayName::parse("Anna igen").unwrap(),
            }),
            Err(AccessError::AccountExists(_))
        ));
    }
}
