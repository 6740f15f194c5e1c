//! Who is asking: the sign-in extractors, `POST /login`, the OpenID provider's sign-in
//! (`/login/oidc`, see [`super::oidc`]) and `POST /logout`.
//!
//! A request is signed in by a personal access token (`Authorization: Bearer gvt_…`, for API
//! clients) or by a browser session cookie (`gevinst_session`: HttpOnly, Secure, SameSite=Lax,
//! eight hours). Nothing else names a person: the login comes from the token or the session,
//! and the role from the policy. A write signed in by cookie must echo the session's CSRF token
//! (form field `csrf` or header `x-csrf-token`); a bearer token cannot be sent by another site,
//! so it needs none.
//!
//! [`SignedIn`] answers 401 problem+json for API routes; [`PageUser`] sends a browser to the
//! login page instead.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use gevinst_domain::access::{Action, Target};
use gevinst_projections::identity::Principal;
use gevinst_projections::readmodel::Standing;
use gevinst_projections::IdentityError;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use super::error::ApiError;
use super::oidc::{Answer, Oidc, OidcError, PENDING_COOKIE};
use super::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gevinst_session";

/// How the request was signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A personal access token.
    Token,
    /// A browser session, with its CSRF token.
    Session {
        /// The token every cookie-authenticated write must echo.
        csrf: String,
    },
}

/// A signed-in request: who, with the accounts and grants as they stood at sign-in (the
/// policy answers the request from that snapshot), and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Who, with the grants.
    pub principal: Principal,
    /// How.
    pub via: Via,
    /// Where the read models stood, asked at the same time as the sign-in for a request that
    /// reads (`GET`, `HEAD`), so a read waits for one round trip before its own statements,
    /// not two in a row ([`super::AppState::read_as`] uses it; absent, it asks then).
    pub(crate) standing: Option<Standing>,
}

impl SignedIn {
    /// The policy's answer for this person doing `action` (on `target`): a refusal is 403
    /// problem+json with the policy's Danish reason.
    pub fn may(&self, action: Action, target: Option<&Target>) -> Result<(), ApiError> {
        self.principal
            .decide(action, target)
            .map(|_| ())
            .map_err(|d| ApiError::Forbidden(d.to_string()))
    }

    /// Refuses a cookie-authenticated write whose CSRF token (form field or header) is missing
    /// or wrong.
    pub fn check_csrf(&self, headers: &HeaderMap, form: Option<&str>) -> Result<(), ApiError> {
        let Via::Session { csrf } = &self.via else {
            return Ok(());
        };
        let sent = form.or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()));
        // Compared in constant time (`subtle`), so the answer's timing tells nothing of it.
        if sent.is_some_and(|s| bool::from(s.as_bytes().ct_eq(csrf.as_bytes()))) {
            Ok(())
        } else {
            Err(ApiError::Csrf)
        }
    }

    /// The CSRF token forms on a page must carry (empty for token sign-ins).
    #[must_use]
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token => "",
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Who sent the request: a bearer token or a session cookie, checked against the store, once
/// per request (a middleware that needed it first leaves it in the request's extensions). A
/// request that reads and carries a token or a session cookie asks where the read models
/// stand meanwhile, on a second connection (see [`SignedIn::standing`]); one that fails to
/// sign in discards the answer.
pub(crate) async fn sign_in(parts: &Parts, state: &AppState) -> Result<SignedIn, ApiError> {
    if let Some(known) = parts.extensions.get::<SignedIn>() {
        return Ok(known.clone());
    }
    // Only for a request that carries credentials: one with none costs the database nothing.
    let credentials = parts.headers.contains_key(header::AUTHORIZATION)
        || cookie(&parts.headers, SESSION_COOKIE).is_some();
    let reads = credentials && reads(parts);
    let standing = async {
        if reads {
            // An error is left for the read to ask again and report.
            state.service.projector().standing().await.ok()
        } else {
            None
        }
    };
    let (user, standing) = tokio::join!(identify(parts, state), standing);
    Ok(SignedIn { standing, ..user? })
}

/// Whether the request reads (`GET`, `HEAD`): only a read uses the read models' standing.
pub(crate) fn reads(parts: &Parts) -> bool {
    parts.method == Method::GET || parts.method == Method::HEAD
}

/// Who sent the request, without the read models' standing: what [`sign_in`] asks, and what a
/// middleware that then waits for the read models keeps, with the standing it found only if it
/// did not have to wait (one read before it waited would be from before).
pub(crate) async fn identify(parts: &Parts, state: &AppState) -> Result<SignedIn, ApiError> {
    if let Some(known) = parts.extensions.get::<SignedIn>() {
        return Ok(known.clone());
    }
    let access = state.service.access();
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        return Ok(SignedIn {
            principal: access.check_token(token.trim()).await.map_err(unauth)?,
            via: Via::Token,
            standing: None,
        });
    }
    let session = cookie(&parts.headers, SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
    let user = access.check_session(session).await.map_err(unauth)?;
    Ok(SignedIn {
        principal: user.principal,
        via: Via::Session {
            csrf: user.csrf_token,
        },
        standing: None,
    })
}

fn unauth(e: IdentityError) -> ApiError {
    match e {
        IdentityError::Store(s) => ApiError::Store(s),
        IdentityError::Unexpected(s) => ApiError::Internal(s),
        _ => ApiError::Unauthenticated,
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        sign_in(parts, state).await
    }
}

/// A signed-in browser user; anyone else is sent to the login page.
#[derive(Debug, Clone)]
pub struct PageUser(pub SignedIn);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match sign_in(parts, state).await {
            Ok(user) => Ok(PageUser(user)),
            Err(ApiError::Unauthenticated) => Err(to_login(&parts.uri)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// To the login page, and back to `uri` once signed in.
pub fn to_login(uri: &axum::http::Uri) -> Response {
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// `?next=` on the login page.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// The sign-in page (askama escapes what it shows): the local account form, and a button for
/// the municipality's OpenID provider when one is configured.
#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    user: Option<crate::dashboard::UserBar>,
    next: &'a str,
    login: &'a str,
    error: Option<String>,
    provider: Option<&'a str>,
    provider_href: String,
}

fn login_page(state: &AppState, next: &str, login: &str, error: Option<&str>) -> Response {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    crate::dashboard::HtmlTemplate(LoginPage {
        user: None,
        next,
        login,
        error: error.map(str::to_string),
        provider: state.oidc.as_deref().map(Oidc::display_name),
        provider_href: format!("/login/oidc?{query}"),
    })
    .into_response()
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<Next>,
) -> Response {
    login_page(&state, safe_next(q.next.as_deref()), "", None)
}

/// A refusal on the login page (401), or the error page for a failing store.
fn refused(state: &AppState, next: &str, login: &str, e: IdentityError) -> Response {
    match e {
        IdentityError::Store(e) => ApiError::Store(e).into_response(),
        IdentityError::Unexpected(e) => ApiError::Internal(e).into_response(),
        e => (
            StatusCode::UNAUTHORIZED,
            login_page(state, next, login, Some(&e.to_string())),
        )
            .into_response(),
    }
}

/// A session for `principal`: the cookie, and a redirect to `next`.
async fn start_session(
    state: &AppState,
    principal: &Principal,
    next: &str,
) -> Result<Response, IdentityError> {
    let session = state
        .service
        .access()
        .create_session(&principal.login)
        .await?;
    let max_age = (session.expires_at - state.service.store().now()).num_seconds();
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}",
        session.session_id
    );
    let mut response = Redirect::to(next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `POST /login` with `login` and `password`: a session cookie and a redirect to `next`, or the
/// form again with a Danish error (401).
pub async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref()).to_string();
    let signed_in = match state
        .service
        .access()
        .check_password(&form.login, &form.password)
        .await
    {
        Ok(principal) => start_session(&state, &principal, &next).await,
        Err(e) => Err(e),
    };
    signed_in.unwrap_or_else(|e| refused(&state, &next, &form.login, e))
}

/// `GET /login/oidc?next=…`: off to the OpenID provider, remembering the sign-in in a cookie.
pub async fn oidc_start(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<Next>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    let Some(oidc) = state.oidc.as_deref() else {
        return ApiError::NotFound("log ind med OpenID Connect er ikke sat op her".into())
            .into_response();
    };
    match oidc.start(next).await {
        Ok(started) => {
            let mut response = Redirect::to(&started.location).into_response();
            if let Ok(value) = HeaderValue::from_str(&started.cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            login_page(&state, next, "", Some(&e.to_string())),
        )
            .into_response(),
    }
}

/// The provider's answer on the redirect URI.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /login/oidc/callback?code=…&state=…`: the provider vouches for a login; an active
/// account of that login gets a session, anyone else the login page with the reason (401).
pub async fn oidc_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<Callback>,
) -> Response {
    let Some(oidc) = state.oidc.as_deref() else {
        return ApiError::NotFound("log ind med OpenID Connect er ikke sat op her".into())
            .into_response();
    };
    let finished = match (q.error, q.code, q.state) {
        (Some(error), _, _) => Err(OidcError::Refused(q.error_description.unwrap_or(error))),
        (None, Some(code), Some(state)) => {
            let answer = Answer {
                code,
                state,
                issuer: q.iss,
            };
            oidc.finish(cookie(&headers, PENDING_COOKIE), &answer).await
        }
        _ => Err(OidcError::NoPendingSignIn),
    };
    let mut response = match finished {
        Ok(done) => {
            let next = safe_next(Some(&done.next)).to_string();
            let access = state.service.access();
            match access.check_vouched(&done.login).await {
                Ok(principal) => start_session(&state, &principal, &next).await,
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| refused(&state, &next, "", e))
        }
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            login_page(&state, "/", "", Some(&e.to_string())),
        )
            .into_response(),
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(Oidc::clear_cookie()),
    );
    response
}

/// The logout form's field.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// `POST /logout` (with the session's CSRF token): ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, ApiError> {
    user.check_csrf(&headers, form.csrf.as_deref())?;
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        state
            .service
            .access()
            .end_session(session)
            .await
            .map_err(unauth)?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "gevinst_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0",
        ),
    );
    Ok(response)
}
