//! Recording in the browser: `GET /proposals/{id}/register` shows the forms a person's grants
//! allow on a proposal (a project owner's facts; a controller's decisions too), and
//! `POST /proposals/{id}/register/{segment}` sends one.
//!
//! Why it looks like this:
//! - **One command path.** A form's fields are the HTTP command route's JSON fields (the same
//!   [`RecordWhat`] the CLI parses), sent through [`record::send`], so a form, the API and the
//!   CLI default, check and refuse alike. The segment is the API route's ([`ROUTES`]), and so
//!   is the action the policy is asked about, before anything is read from the form.
//! - **What was typed is kept.** A refusal re-renders the page (422) with the message next to
//!   the form (and the field, when the refusal names one) and every value as typed.
//! - **Plausibility asks first.** An entry that looks implausible is not saved; the page shows
//!   the warnings and a box to tick, "Ja, det er rigtigt", which sends it again confirmed.
//! - **A double click records once.** Each rendered form carries a fresh idempotency key, so
//!   sending the same form twice returns the first outcome.
//! - **CSRF.** Every form carries the session's token; a post without it is refused (403).
//!
//! A plan revision edits the whole economic table and has its own page (`revision`), linked
//! from here for those who may decide.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use gevinst_domain::access::{Action, Target};
use gevinst_domain::{IdempotencyKey, ProposalId};
use gevinst_projections::readmodel::BudgetDocument;
use gevinst_projections::reports;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{internal, proposal_in_path, read_error, value_of, HtmlTemplate, PageError, UserBar};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::commands::{Route, ROUTES};
use crate::http::AppState;
use crate::record::{self, RecordError, RecordWhat};

/// How a field is entered, and what JSON it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One line of text.
    Text,
    /// Several lines of text.
    Long,
    /// A date (`<input type=date>`, `YYYY-MM-DD`).
    Date,
    /// A whole number (JSON number): a year, an event's number.
    Number,
    /// An amount in 1.000 kr. as typed (the command layer reads Danish or plain notation).
    Amount,
    /// A tick box (JSON `true` when ticked).
    Tick,
    /// One of the proposal's goals.
    Goal,
    /// One of the proposal's milestones.
    Milestone,
    /// One of the plan's lines.
    PlanLine,
    /// A committee.
    Committee,
    /// A budget decision's outcome.
    Outcome,
}

#[derive(Debug)]
struct Field {
    name: &'static str,
    label: &'static str,
    kind: Kind,
    required: bool,
    hint: &'static str,
}

const fn field(
    name: &'static str,
    label: &'static str,
    kind: Kind,
    required: bool,
    hint: &'static str,
) -> Field {
    Field {
        name,
        label,
        kind,
        required,
        hint,
    }
}

/// One form: the API route segment it posts to, its heading, and its fields (named as the
/// route's JSON body).
#[derive(Debug)]
struct Spec {
    segment: &'static str,
    heading: &'static str,
    fields: &'static [Field],
}

impl Spec {
    /// The label of the field named `name`, if the form has it.
    fn label_of(&self, name: &str) -> Option<&'static str> {
        self.fields.iter().find(|f| f.name == name).map(|f| f.label)
    }
}

const YEAR: Field = field("year", "Budgetår", Kind::Number, true, "fx 2025");
const DATE: Field = field("date", "Dato", Kind::Date, true, "");
const EVIDENCE: Field = field(
    "evidence",
    "Dokumentation",
    Kind::Text,
    false,
    "hvor det kan efterprøves, fx et journalnummer",
);
const PLAN_LINE: Field = field(
    "plan_line",
    "Linje i planen",
    Kind::PlanLine,
    false,
    "tom: Gevinst vælger, hvis der kun er én",
);

/// Every form, in the order the page shows them (a project owner's first).
const SPECS: &[Spec] = &[
    Spec {
        segment: "savings",
        heading: "Realiseret effektivisering",
        fields: &[
            YEAR,
            field(
                "amount",
                "Beløb (1.000 kr.)",
                Kind::Amount,
                true,
                "negativt: fx -149 eller -1.234,5",
            ),
            PLAN_LINE,
            field(
                "committee",
                "Udvalg",
                Kind::Committee,
                false,
                "tom: fordeles på udvalgene efter planens andele",
            ),
            field("date", "Gælder fra", Kind::Date, true, ""),
            EVIDENCE,
        ],
    },
    Spec {
        segment: "costs",
        heading: "Afholdt implementeringsomkostning",
        fields: &[
            YEAR,
            field(
                "amount",
                "Beløb (1.000 kr.)",
                Kind::Amount,
                true,
                "positivt: fx 250",
            ),
            PLAN_LINE,
            field("date", "Gælder fra", Kind::Date, true, ""),
            EVIDENCE,
        ],
    },
    Spec {
        segment: "forecasts",
        heading: "Forventning til et år",
        fields: &[
            YEAR,
            field(
                "amount",
                "Forventet beløb (1.000 kr.)",
                Kind::Amount,
                true,
                "",
            ),
            PLAN_LINE,
            field("date", "Gælder fra", Kind::Date, true, ""),
            field("note", "Bemærkning", Kind::Text, false, ""),
        ],
    },
    Spec {
        segment: "progress",
        heading: "Fremdrift på et opfølgningsmål",
        fields: &[
            field("goal", "Opfølgningsmål", Kind::Goal, true, ""),
            DATE,
            field("note", "Hvad er sket", Kind::Long, true, ""),
            EVIDENCE,
            field("at_risk", "Målet er i risiko", Kind::Tick, false, ""),
        ],
    },
    Spec {
        segment: "goal-achievements",
        heading: "Opfølgningsmål opnået",
        fields: &[
            field("goal", "Opfølgningsmål", Kind::Goal, true, ""),
            DATE,
            field(
                "evidence",
                "Dokumentation",
                Kind::Text,
                true,
                "hvor det kan efterprøves",
            ),
        ],
    },
    Spec {
        segment: "goal-schedules",
        heading: "Dato for et mål uden fast tidspunkt",
        fields: &[
            field("goal", "Opfølgningsmål", Kind::Goal, true, ""),
            field("date", "Planlagt dato", Kind::Date, true, ""),
            field("note", "Bemærkning", Kind::Text, false, ""),
        ],
    },
    Spec {
        segment: "milestones",
        heading: "Milepæl nået",
        fields: &[
            field("milestone", "Milepæl", Kind::Milestone, true, ""),
            DATE,
            EVIDENCE,
        ],
    },
    Spec {
        segment: "compensating-actions",
        heading: "Kompenserende tiltag",
        fields: &[
            field(
                "goal",
                "For opfølgningsmål",
                Kind::Goal,
                false,
                "tom: forslaget som helhed",
            ),
            field("year", "For budgetår", Kind::Number, false, ""),
            DATE,
            field("action", "Tiltaget", Kind::Long, true, ""),
            field(
                "expected_effect",
                "Forventet virkning",
                Kind::Text,
                false,
                "",
            ),
            EVIDENCE,
        ],
    },
    Spec {
        segment: "innovation-outcomes",
        heading: "Læring fra innovation eller foranalyse",
        fields: &[
            DATE,
            field("learning", "Læringen", Kind::Long, true, ""),
            field(
                "led_to_investment_case",
                "Førte til en business case",
                Kind::Tick,
                false,
                "",
            ),
            field("investment_case", "Hvilken", Kind::Text, false, ""),
            EVIDENCE,
        ],
    },
    Spec {
        segment: "corrections",
        heading: "Ret en registrering",
        fields: &[
            field(
                "sequence",
                "Nr. i historikken",
                Kind::Number,
                true,
                "se Historik",
            ),
            field("reason", "Begrundelse", Kind::Text, true, ""),
            field(
                "replace_amount",
                "Rigtigt beløb (1.000 kr.)",
                Kind::Amount,
                false,
                "tom: registreringen tilbageføres",
            ),
        ],
    },
    Spec {
        segment: "saving-verifications",
        heading: "Verificér en realiseret effektivisering",
        fields: &[
            field(
                "sequence",
                "Nr. i historikken",
                Kind::Number,
                true,
                "en anden end du har registreret den",
            ),
            DATE,
            field("note", "Hvad er kontrolleret", Kind::Text, false, ""),
        ],
    },
    Spec {
        segment: "goal-cancellations",
        heading: "Annullér et opfølgningsmål",
        fields: &[
            field("goal", "Opfølgningsmål", Kind::Goal, true, ""),
            DATE,
            field("reason", "Begrundelse", Kind::Text, true, ""),
        ],
    },
    Spec {
        segment: "budget-decisions",
        heading: "Budgetbeslutning",
        fields: &[
            field("outcome", "Udfald", Kind::Outcome, true, ""),
            field(
                "date",
                "Besluttet den",
                Kind::Date,
                true,
                "budgetaftalens dato",
            ),
            field(
                "reference",
                "Beslutning",
                Kind::Text,
                true,
                "fx Budgetaftale 2025",
            ),
            field("note", "Bemærkning", Kind::Text, false, "hvad blev ændret"),
        ],
    },
    Spec {
        segment: "budget-adjustments",
        heading: "Tilpasning af et udvalgs budgetramme",
        fields: &[
            field("committee", "Udvalg", Kind::Committee, true, ""),
            YEAR,
            field("amount", "Beløb (1.000 kr.)", Kind::Amount, true, ""),
            field("date", "Gælder fra", Kind::Date, true, ""),
            field(
                "reference",
                "Reference",
                Kind::Text,
                false,
                "fx budgetaftalens punkt",
            ),
            field("note", "Bemærkning", Kind::Text, false, ""),
        ],
    },
];

/// The one page besides its own a form may return to.
const QUEUE: &str = "/verification-queue";

fn route(segment: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.segment == segment)
}

/// A field as the page shows it.
#[derive(Debug)]
struct FieldView {
    name: &'static str,
    id: String,
    label: &'static str,
    input: &'static str,
    value: String,
    checked: bool,
    required: bool,
    hint: &'static str,
    options: Vec<(String, String)>,
    error: Option<String>,
}

/// A form as the page shows it.
#[derive(Debug)]
struct FormView {
    segment: &'static str,
    heading: &'static str,
    decision: bool,
    key: String,
    fields: Vec<FieldView>,
    error: Option<String>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    user: Option<UserBar>,
    /// The proposal's document, for the header, as on the proposal's page.
    org: String,
    csrf: String,
    id: String,
    title: String,
    saved: Option<String>,
    forms: Vec<FormView>,
    /// Whether the person may revise the plan (links to its page).
    revise: bool,
}

/// What went wrong with one sending, to show beside its form.
#[derive(Debug, Default)]
pub(super) struct Refusal {
    pub(super) message: String,
    pub(super) field: Option<String>,
    warnings: Vec<String>,
}

/// `?gemt=segment&nr=N` after a saved form.
#[derive(Debug, Deserialize)]
pub struct Saved {
    gemt: Option<String>,
    nr: Option<u64>,
}

/// The choices of the select fields, from the proposal's plan.
struct Choices {
    goals: Vec<(String, String)>,
    milestones: Vec<(String, String)>,
    lines: Vec<(String, String)>,
    committees: Vec<(String, String)>,
}

fn options(kind: Kind, choices: &Choices) -> Vec<(String, String)> {
    match kind {
        Kind::Goal => choices.goals.clone(),
        Kind::Milestone => choices.milestones.clone(),
        Kind::PlanLine => choices.lines.clone(),
        Kind::Committee => choices.committees.clone(),
        Kind::Outcome => gevinst_domain::BudgetOutcome::ALL
            .iter()
            .map(|o| (o.code().to_string(), o.danish().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

fn input(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::Amount => "text",
        Kind::Long => "textarea",
        Kind::Date => "date",
        Kind::Number => "number",
        Kind::Tick => "checkbox",
        Kind::Goal | Kind::Milestone | Kind::PlanLine | Kind::Committee | Kind::Outcome => "select",
    }
}

fn view(
    spec: &'static Spec,
    choices: &Choices,
    typed: Option<(&[(String, String)], &Refusal)>,
) -> FormView {
    let decision = route(spec.segment).is_some_and(|r| r.action == Action::Decide);
    let fields = spec
        .fields
        .iter()
        .map(|f| {
            let typed_value = typed.and_then(|(form, _)| value_of(form, f.name));
            FieldView {
                name: f.name,
                id: format!("{}-{}", spec.segment, f.name),
                label: f.label,
                input: input(f.kind),
                value: typed_value.unwrap_or_default().to_string(),
                checked: typed_value.is_some_and(|v| !v.is_empty()),
                required: f.required,
                hint: f.hint,
                options: options(f.kind, choices),
                error: typed
                    .filter(|(_, r)| r.field.as_deref() == Some(f.name))
                    .map(|(_, r)| r.message.clone()),
            }
        })
        .collect();
    FormView {
        segment: spec.segment,
        heading: spec.heading,
        decision,
        key: uuid::Uuid::new_v4().to_string(),
        fields,
        error: typed.map(|(_, r)| r.message.clone()),
        warnings: typed.map(|(_, r)| r.warnings.clone()).unwrap_or_default(),
    }
}

/// A form sent and refused: its segment, the fields as typed, and why.
type Sent<'a> = (&'a str, &'a [(String, String)], &'a Refusal);

/// The page with the forms `user` may send on `id`; the one named by `typed` shows what was
/// typed and why it was refused.
async fn page(
    state: &AppState,
    user: &SignedIn,
    id: &ProposalId,
    saved: Option<String>,
    typed: Option<Sent<'_>>,
) -> Result<RegisterPage, PageError> {
    let read = state
        .read_as(user, Some((id, Action::ReadDetails)))
        .await
        .map_err(read_error)?;
    let target: Target = crate::http::target(&read, id).await.map_err(read_error)?;
    let may = |action| user.principal.decide(action, Some(&target)).is_ok();
    let (record, decide) = (may(Action::Record), may(Action::Decide));
    if !record && !decide {
        let reason = user
            .principal
            .decide(Action::Record, Some(&target))
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Err(PageError::Forbidden(reason));
    }
    let row = read.proposal(id.as_str()).await.map_err(internal)?;
    let own_names = row
        .as_ref()
        .map(|r| r.org_names())
        .transpose()
        .map_err(internal)?
        .flatten();
    let org = match &row {
        Some(r) => {
            BudgetDocument::of(&*r.identity().map_err(internal)?, own_names.as_ref()).to_string()
        }
        None => String::new(),
    };
    // The committees a saving may name are those its own budget document declares.
    let names = match own_names {
        Some(names) => names,
        None => read.org_names().await.map_err(internal)?,
    };
    let title = row.map(|r| r.title).unwrap_or_default();
    let goals = reports::goals(&read, Some(id.as_str()), reports::View::today())
        .await
        .map_err(internal)?;
    let pick = |kind: &str| {
        goals
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| (g.id.clone(), format!("{}: {}", g.id, shorten(&g.text))))
            .collect::<Vec<_>>()
    };
    let lines = reports::proposal_report(&read, id.as_str())
        .await
        .map_err(internal)?
        .map(|r| {
            r.lines
                .iter()
                .map(|l| (l.id.to_string(), format!("{}: {}", l.id, shorten(&l.label))))
                .collect()
        })
        .unwrap_or_default();
    let choices = Choices {
        goals: pick("goal"),
        milestones: pick("milestone"),
        lines,
        committees: super::committee_choices(&names),
    };
    let forms = SPECS
        .iter()
        .filter(|s| {
            route(s.segment).is_some_and(|r| match r.action {
                Action::Decide => decide,
                _ => record,
            })
        })
        .map(|s| {
            let mine = typed
                .filter(|(segment, _, _)| *segment == s.segment)
                .map(|(_, form, refusal)| (form, refusal));
            view(s, &choices, mine)
        })
        .collect();
    Ok(RegisterPage {
        user: Some(UserBar::of(user)),
        org,
        csrf: user.csrf().to_string(),
        id: id.to_string(),
        title,
        saved,
        forms,
        revise: decide,
    })
}

fn shorten(text: &str) -> String {
    const MAX: usize = 90;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// `GET /proposals/{id}/register`.
pub async fn register(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    id: Result<Path<String>, PathRejection>,
    Query(saved): Query<Saved>,
) -> Response {
    let result = async {
        let id = proposal_in_path(id)?;
        let spec = saved
            .gemt
            .as_deref()
            .and_then(|g| SPECS.iter().find(|s| s.segment == g));
        let note = match (spec, saved.nr) {
            (Some(s), Some(n)) => Some(format!("Gemt: {} som nr. {n} i historikken.", s.heading)),
            _ => None,
        };
        page(&state, &user, &id, note, None).await
    }
    .await;
    super::respond(&user, result)
}

/// The form's fields as the route's JSON body; a whole number that is not one is refused
/// naming its field.
fn body(spec: &Spec, form: &[(String, String)]) -> Result<(Map<String, Value>, bool), Refusal> {
    let mut object = Map::new();
    for f in spec.fields {
        let raw = value_of(form, f.name).unwrap_or("").trim();
        if raw.is_empty() {
            continue;
        }
        let value = match f.kind {
            Kind::Number => json!(raw.parse::<i64>().map_err(|_| Refusal {
                message: format!("«{raw}» er ikke et helt tal"),
                field: Some(f.name.to_string()),
                warnings: Vec::new(),
            })?),
            Kind::Tick => json!(true),
            _ => json!(raw),
        };
        object.insert(f.name.to_string(), value);
    }
    let confirm = value_of(form, "confirm").is_some_and(|v| !v.is_empty());
    Ok((object, confirm))
}

/// A refusal of the command layer, in the words the page shows (and the field it names); the
/// policy's and the store's failures are pages of their own.
///
/// `label` gives a field's label on the page by its form name (`plan_line` → "Linje i
/// planen"); a field the form does not carry is called as `labels::command_field_label`
/// calls it, and by its form name if not even there.
pub(super) fn refusal(
    e: RecordError,
    label: impl Fn(&str) -> Option<&'static str>,
) -> Result<Refusal, PageError> {
    let named = |argument: &str| {
        let field = crate::record::field_name(argument);
        label(&field)
            .or_else(|| crate::labels::command_field_label(&field))
            .map_or(field, |label| format!("«{label}»"))
    };
    Ok(match e {
        RecordError::Unconfirmed(warnings) => Refusal {
            message: "Intet er gemt: indtastningen ser usandsynlig ud. Sæt flueben og send igen, hvis den er rigtig.".into(),
            field: None,
            warnings: warnings.iter().map(ToString::to_string).collect(),
        },
        RecordError::InvalidArgument { argument, message } => Refusal {
            // `--plan-line` is the form's `plan_line`.
            field: Some(crate::record::field_name(argument)),
            message,
            warnings: Vec::new(),
        },
        // Beside the field it names (its first word), in the form's names.
        e @ RecordError::MissingArgument(text) => Refusal {
            field: text
                .split(' ')
                .next()
                .and_then(|flag| flag.strip_prefix("--"))
                .map(crate::record::field_name),
            message: e.naming(named),
            warnings: Vec::new(),
        },
        RecordError::Command(gevinst_projections::CommandError::Denied(d)) => {
            return Err(PageError::Forbidden(d.to_string()))
        }
        RecordError::Command(c @ gevinst_projections::CommandError::Store(_)) => {
            return Err(internal(c))
        }
        RecordError::Output(e) => return Err(internal(e)),
        other => Refusal {
            message: other.naming(named),
            field: None,
            warnings: Vec::new(),
        },
    })
}

/// `POST /proposals/{id}/register/{segment}`: checks the CSRF token and the policy, sends the
/// command, and answers 303 to the page with a receipt, or the page again with the refusal
/// beside the form and what was typed (422).
pub async fn send(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path((raw, segment)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result = async {
        super::check_form_csrf(&user, &headers, &form)?;
        let id = proposal_in_path(Ok(Path(raw)))?;
        let (Some(spec), Some(route)) =
            (SPECS.iter().find(|s| s.segment == segment), route(&segment))
        else {
            return Err(PageError::NotFound(format!(
                "Der er ingen formular «{segment}»."
            )));
        };
        state
            .service
            .authorize(&user.principal.login, &id, route.action)
            .await
            .map_err(|e| read_error(crate::http::error::ApiError::Command(e)))?;
        let refused = |refusal: Refusal| (segment.clone(), refusal);
        let sent = match body(spec, &form) {
            Err(r) => Err(refused(r)),
            Ok((mut object, confirm)) => {
                object.insert("command".into(), json!(route.command));
                object.insert("proposal".into(), json!(id.as_str()));
                let key =
                    value_of(&form, "idempotency_key").and_then(|k| IdempotencyKey::parse(k).ok());
                match serde_json::from_value::<RecordWhat>(Value::Object(object)) {
                    Err(e) => Err(refused(Refusal {
                        message: format!("Formularen kunne ikke læses: {e}"),
                        ..Refusal::default()
                    })),
                    Ok(what) => match record::send(
                        &user.principal.login,
                        what,
                        key,
                        confirm,
                        &state.service,
                    )
                    .await
                    {
                        Ok((_, outcome)) => Ok(outcome.last_sequence),
                        Err(e) => Err(refused(refusal(e, |name| spec.label_of(name))?)),
                    },
                }
            }
        };
        Ok(match sent {
            // From the verification queue, back to the queue.
            Ok(sequence) if value_of(&form, "return_to") == Some(QUEUE) => {
                Redirect::to(&format!("{QUEUE}?verificeret={id}&nr={sequence}")).into_response()
            }
            Ok(sequence) => Redirect::to(&format!(
                "/proposals/{id}/register?gemt={segment}&nr={sequence}"
            ))
            .into_response(),
            Err((segment, refusal)) => {
                let page =
                    page(&state, &user, &id, None, Some((&segment, &form, &refusal))).await?;
                (StatusCode::UNPROCESSABLE_ENTITY, HtmlTemplate(page)).into_response()
            }
        })
    }
    .await;
    result.unwrap_or_else(|e| e.answer(Some(UserBar::of(&user))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_posts_to_an_api_route_and_names_its_fields_as_the_route_does() {
        for spec in SPECS {
            let route = route(spec.segment).unwrap_or_else(|| panic!("{}", spec.segment));
            // A body with every field filled in must read as the route's command.
            let form: Vec<(String, String)> = spec
                .fields
                .iter()
                .map(|f| {
                    let v = match f.kind {
                        Kind::Number => "2025",
                        Kind::Date => "2025-06-30",
                        Kind::Amount => "-149",
                        Kind::Tick => "on",
                        Kind::Committee => "SUD",
                        Kind::Outcome => "adopted",
                        _ => "g1",
                    };
                    (f.name.to_string(), v.to_string())
                })
                .collect();
            let (mut object, _) = body(spec, &form).unwrap();
            object.insert("command".into(), json!(route.command));
            object.insert("proposal".into(), json!("BC01"));
            let what: Result<RecordWhat, _> = serde_json::from_value(Value::Object(object));
            assert!(what.is_ok(), "{}: {:?}", spec.segment, what.err());
        }
        // Every API route has a form here, but the plan revision, which has its own page.
        let missing: Vec<_> = ROUTES
            .iter()
            .filter(|r| !SPECS.iter().any(|s| s.segment == r.segment))
            .map(|r| r.segment)
            .collect();
        assert_eq!(missing, ["plan-revisions"]);
    }

    #[test]
    fn a_whole_number_that_is_not_one_is_refused_naming_its_field() {
        let spec = SPECS.iter().find(|s| s.segment == "savings").unwrap();
        let form = vec![("year".to_string(), "tyve".to_string())];
        let refusal = body(spec, &form).unwrap_err();
        assert_eq!(refusal.field.as_deref(), Some("year"));
        assert!(refusal.message.contains("tyve"));
    }
}
