//! The OpenAPI 3.1 description of the JSON API, served at `GET /api/openapi.json`, generated
//! from the code so it cannot drift from what the server does: each read route is registered
//! together with its `#[utoipa::path]` description ([`super::api_routes`]), its query
//! parameters are the very structs the handlers deserialize, and the command routes' operations
//! are built from the same table as their routes ([`commands::ROUTES`]), each body being the
//! [`RecordWhat`] variant the route parses. What every route shares is added here once: the
//! sign-in schemes, and the `application/problem+json` errors of `error.rs`.
//!
//! The HTML pages, `/login`, `/logout`, `/metrics` and the CSV/XLSX downloads under `/exports/`
//! are not described: the document is for programs talking JSON.

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, RefOr, Required, ResponseBuilder,
    Schema, Type,
};
use utoipa::{Modify, OpenApi as _, PartialSchema, ToSchema};

use super::auth::SESSION_COOKIE;
use super::commands::{self, Route};
use super::error::PROBLEM_JSON;
use super::AppState;
use crate::record::{MoneyArgs, RecordWhat};

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// What `ProposalId::parse` accepts.
const PROPOSAL_ID: &str = "^[A-Za-z][A-Za-z0-9-]{0,18}[A-Za-z0-9]$";

/// The sign-in schemes' names in the document.
const BEARER: &str = "bearer";
const SESSION: &str = "session";

/// The document's frame: its title, version and sign-in schemes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Gevinst",
        description = "Gevinstrealisering: the proposals' plans, what is recorded against them, \
                       the reports and the proofs over the tamper-evident log."
    ),
    components(schemas(Problem)),
    modifiers(&SignIn)
)]
struct Frame;

/// The two ways to sign in.
struct SignIn;

impl Modify for SignIn {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description =
            Some("A personal access token (`gevinst token create LOGIN`).".to_string());
        components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "A browser session from `POST /login`; its writes must also send the session's \
                 CSRF token as `x-csrf-token` (see `GET /api/me`).",
            ))),
        );
    }
}

/// An error, as every error is answered: `application/problem+json` (RFC 9457), see `error.rs`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // describes the JSON `ApiError::into_response` writes
pub struct Problem {
    /// A stable code a client can match on, `urn:gevinst:problem:<code>`, e.g.
    /// `urn:gevinst:problem:rule-broken`.
    #[schema(rename = "type", pattern = "^urn:gevinst:problem:[a-z-]+$")]
    kind: String,
    /// What went wrong, in Danish, for people.
    title: String,
    /// The HTTP status.
    status: u16,
    /// What exactly was wrong.
    detail: String,
    /// The proposal concerned (a refused command, an unknown proposal, a conflict).
    proposal: Option<String>,
    /// The proposal's current sequence (a conflict).
    current_sequence: Option<i64>,
    /// Whether the same request may succeed when repeated (a conflict, a timeout).
    retryable: Option<bool>,
    /// The plausibility warnings that were not confirmed (send `"confirm": true`).
    warnings: Option<Vec<String>>,
}

/// The routes [`super::api_routes`] registers, the command routes and the document itself.
pub(crate) fn router() -> Router<AppState> {
    let (routes, described) = super::api_routes().split_for_parts();
    let document = Arc::new(complete(described));
    routes.merge(commands::router()).route(
        PATH,
        get(move || async move { Json(document.as_ref().clone()) }),
    )
}

/// The whole document, as `GET /api/openapi.json` serves it.
pub fn document() -> OpenApi {
    complete(super::api_routes().into_openapi())
}

/// The read routes' descriptions in the frame, with the command routes, `/readyz` and the
/// document itself added, and the problems every operation may answer.
fn complete(described: OpenApi) -> OpenApi {
    let mut doc = Frame::openapi();
    doc.merge(described);
    doc.paths.add_path_operation(
        "/readyz",
        vec![HttpMethod::Get],
        OperationBuilder::new()
            .summary(Some(
                "Ready: the store answers, the read models have caught up with the log and \
                 the start's warm-up is over",
            ))
            .operation_id(Some("readyz"))
            .response(
                "200",
                json_response(
                    "Ready",
                    schema_from(json!({
                        "type": "object",
                        "required": ["status", "backend", "last_position", "read_models_position"],
                        "properties": {
                            "status": {"type": "string", "enum": ["ready"]},
                            "backend": {"type": "string", "enum": ["sqlite", "postgres"]},
                            "last_position": {"type": "integer"},
                            "read_models_position": {"type": "integer"},
                        },
                    })),
                ),
            )
            .build(),
    );
    doc.paths.add_path_operation(
        PATH,
        vec![HttpMethod::Get],
        OperationBuilder::new()
            .summary(Some("This document"))
            .operation_id(Some("openapi"))
            .response("200", json_response("The OpenAPI 3.1 document", object()))
            .build(),
    );
    for route in commands::ROUTES {
        doc.paths.add_path_operation(
            format!("/api/proposals/{{id}}/{}", route.segment),
            vec![HttpMethod::Post],
            command(route),
        );
    }
    for item in doc.paths.paths.values_mut() {
        for (operation, write) in [(&mut item.get, false), (&mut item.post, true)] {
            if let Some(operation) = operation {
                add_view_headers(operation);
                add_problems(operation, write);
            }
        }
    }
    doc
}

/// A read that takes `as_of` says in its headers which times it answered for (`viewed` in
/// `mod.rs`).
fn add_view_headers(operation: &mut Operation) {
    let viewed = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name == "as_of" && p.parameter_in == ParameterIn::Query);
    if !viewed {
        return;
    }
    let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") else {
        return;
    };
    for (name, description) in [
        (
            "Gevinst-As-Of",
            "The business date it was computed at (`all` for a trail without as_of).",
        ),
        (
            "Gevinst-Known-On",
            "What was known: an RFC 3339 instant, or `now` for everything recorded.",
        ),
    ] {
        ok.headers.insert(
            name.to_string(),
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(description))
                .build(),
        );
    }
}

/// `{"type": "object"}`.
fn object() -> Schema {
    Schema::Object(ObjectBuilder::new().schema_type(Type::Object).build())
}

fn json_response(description: &str, schema: Schema) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

/// The problems an operation may answer: bad input and an unready service for all, the
/// sign-in's and the policy's for those that need a sign-in, and the command path's for
/// writes.
fn add_problems(operation: &mut Operation, write: bool) {
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut problems = vec![("400", "The request cannot be read (bad-request)")];
    if signed_in {
        problems.extend([
            ("401", "Not signed in (unauthenticated)"),
            (
                "403",
                "The policy says no, or a session's write lacks its CSRF token (forbidden, csrf)",
            ),
            ("404", "No such proposal or resource (not-found)"),
        ]);
    }
    if write {
        problems.extend([
            (
                "409",
                "A concurrent change (conflict, retryable) or a reused Idempotency-Key",
            ),
            (
                "412",
                "If-Match names another version (precondition-failed)",
            ),
            ("413", "The body is larger than the server accepts"),
            (
                "422",
                "A rule says no (rule-broken) or unconfirmed plausibility warnings (implausible)",
            ),
        ]);
    }
    problems.push((
        "503",
        "Not ready, read models ahead of the log, or no answer in time",
    ));
    for (status, description) in problems {
        let problem = ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        "Problem",
                    ))))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert(RefOr::T(problem));
    }
}

/// One command route's operation.
fn command(route: &Route) -> Operation {
    let header = |name: &str, description: &str, schema: ObjectBuilder| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(Schema::Object(
                schema.schema_type(Type::String).build(),
            )))
            .build()
    };
    let created = ResponseBuilder::new()
        .description("Stored: the outcome, with the stored event's type")
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(outcome())).build(),
        )
        .header(
            "Location",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("The stored event in the proposal's trail"))
                .build(),
        )
        .header(
            "ETag",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("The proposal's new version, for If-Match"))
                .build(),
        )
        .build();
    OperationBuilder::new()
        .summary(Some(route.summary))
        .operation_id(Some(format!("record_{}", route.command)))
        .tag("commands")
        .parameter(
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("Forslaget, fx BC01."))
                .example(Some(json!("BC01")))
                .schema(Some(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(PROPOSAL_ID))
                        .build(),
                )))
                .build(),
        )
        .parameter(header(
            "Idempotency-Key",
            "A key of the client's choice: a repeat with the same key stores nothing new and \
             answers the first outcome with the same status: up to 200 characters, not blank, \
             no control characters.",
            // As `IdempotencyKey::parse` reads it.
            ObjectBuilder::new()
                .max_length(Some(200))
                .pattern(Some("\\S")),
        ))
        .parameter(header(
            "If-Match",
            "The proposal's version as its ETag (`\"7\"`, or `*`): refused with 412 when it \
             has moved on.",
            ObjectBuilder::new(),
        ))
        .parameter(header(
            "x-csrf-token",
            "The session's CSRF token, required when signed in by cookie.",
            ObjectBuilder::new(),
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(body(route))).build(),
                )
                .build(),
        ))
        .response("201", created)
        .security(SecurityRequirement::new(BEARER, Vec::<String>::new()))
        .security(SecurityRequirement::new(SESSION, Vec::<String>::new()))
        .build()
}

/// What a stored command answers (`CommandOutcome` with the event's type).
fn outcome() -> Schema {
    schema_from(json!({
        "type": "object",
        "required": ["proposal", "idempotency_key", "first_sequence", "last_sequence",
                     "first_position", "last_position", "recorded_at", "replayed", "event_type"],
        "properties": {
            "proposal": {"type": "string"},
            "idempotency_key": {"type": "string"},
            "first_sequence": {"type": "integer"},
            "last_sequence": {"type": "integer"},
            "first_position": {"type": "integer"},
            "last_position": {"type": "integer"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "replayed": {"type": "boolean"},
            "receipt": {"type": "string", "description": "A signed checkpoint including this command"},
            "event_type": {"type": "string"},
        },
    }))
}

/// A JSON schema as utoipa's type; one that does not read as a schema is described as any
/// object rather than failing the document.
fn schema_from(value: Value) -> Schema {
    serde_json::from_value(value).unwrap_or_else(|_| object())
}

/// The body of `route`: its [`RecordWhat`] variant with the [`MoneyArgs`] it flattens inlined,
/// without `command` (the route says it) and `proposal` (the path says it), and with the
/// optional `confirm`.
fn body(route: &Route) -> Schema {
    let money = serde_json::to_value(MoneyArgs::schema()).unwrap_or(Value::Null);
    let all = serde_json::to_value(RecordWhat::schema()).unwrap_or(Value::Null);
    let variant = all["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| names(v, route.command, &money))
        .cloned()
        .unwrap_or(Value::Null);
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut description = None;
    flatten_into(
        &variant,
        &money,
        &mut properties,
        &mut required,
        &mut description,
    );
    properties.remove("command");
    properties.remove("proposal");
    required.retain(|r| r != "command" && r != "proposal");
    properties.insert(
        "confirm".into(),
        json!({"type": "boolean", "description":
            "Gem det, selv om det giver advarsler om usandsynlige tal (de gemmes med hændelsen)."}),
    );
    let mut schema = json!({"type": "object", "properties": properties, "required": required});
    if let Some(d) = description {
        schema["description"] = d;
    }
    schema_from(schema)
}

/// Whether `variant` is the one tagged `command`.
fn names(variant: &Value, command: &str, money: &Value) -> bool {
    let mut properties = Map::new();
    flatten_into(variant, money, &mut properties, &mut Vec::new(), &mut None);
    properties
        .get("command")
        .and_then(|c| c["enum"].as_array())
        .is_some_and(|e| e.iter().any(|v| v == command))
}

/// Collects the properties and required names of an object schema, of each part of an
/// `allOf`, and of `MoneyArgs` where it is referred to.
fn flatten_into(
    schema: &Value,
    money: &Value,
    properties: &mut Map<String, Value>,
    required: &mut Vec<Value>,
    description: &mut Option<Value>,
) {
    if schema.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/MoneyArgs") {
        return flatten_into(money, money, properties, required, description);
    }
    if let Some(d) = schema.get("description") {
        description.get_or_insert_with(|| d.clone());
    }
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        properties.extend(p.clone());
    }
    if let Some(r) = schema.get("required").and_then(Value::as_array) {
        required.extend(r.iter().cloned());
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        flatten_into(part, money, properties, required, description);
    }
}
