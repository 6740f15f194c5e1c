//! Sign-in through the municipality's OpenID provider (Entra ID, AD FS, Keycloak …): the
//! authorization code flow with PKCE, by the `openidconnect` crate.
//!
//! Why this shape:
//! - **The provider says who; Gevinst says what they may do.** The login is read from one
//!   configured claim of the verified ID token (default `email`; `preferred_username` or `upn`
//!   for Entra ID). It must name an active Gevinst account: accounts and grants stay events in
//!   the access stream, so an administrator still decides who is a controller. Nobody gets in
//!   merely because the provider knows them.
//! - **No server-side state for a sign-in in progress.** The state, nonce and PKCE verifier
//!   travel in a short-lived HttpOnly cookie scoped to `/login/oidc`, so any instance behind a
//!   load balancer can finish what another started. The `state` the provider echoes must equal
//!   the cookie's (compared in constant time): a callback started in another browser is refused.
//! - **Discovery once, lazily.** The provider's metadata and keys are fetched at the first
//!   sign-in, not at start-up, so Gevinst starts while the provider is down; a failed fetch is
//!   retried on the next sign-in.
//! - **No redirects followed** by the HTTP client that talks to the provider (the crate's SSRF
//!   advice).

use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use serde_json::Value;
use subtle::ConstantTimeEq as _;
use tokio::sync::OnceCell;

/// The cookie that carries a sign-in in progress.
pub const PENDING_COOKIE: &str = "gevinst_oidc";
/// Where the provider sends the browser back.
pub const CALLBACK_PATH: &str = "/login/oidc/callback";
/// How long a sign-in may stay at the provider, in seconds.
const PENDING_SECONDS: u32 = 600;

/// How to reach the provider (from `gevinst serve`'s flags or environment).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` is read.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (none for a public client).
    pub client_secret: Option<String>,
    /// The ID token claim that holds the Gevinst login.
    pub login_claim: String,
    /// Gevinst's own address as the browser sees it, e.g. `https://gevinst.kk.dk`; the
    /// redirect URI is this plus [`CALLBACK_PATH`].
    pub public_url: String,
    /// The provider's name on the login page's button, e.g. "Københavns Kommune".
    pub display_name: String,
}

/// Why a sign-in through the provider failed (Danish: it is shown on the login page).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The settings cannot be used.
    #[error("OpenID Connect er sat forkert op: {0}")]
    Settings(String),
    /// The provider could not be reached or answered wrongly.
    #[error("log-ind-tjenesten svarede ikke som forventet: {0}")]
    Provider(String),
    /// The provider refused or the person cancelled.
    #[error("log-ind-tjenesten afviste log ind: {0}")]
    Refused(String),
    /// The callback does not belong to a sign-in started in this browser (or it expired).
    #[error("log ind blev ikke startet i denne browser eller er udløbet: prøv igen")]
    NoPendingSignIn,
    /// The ID token could not be verified.
    #[error("log-ind-tjenestens ID-token kunne ikke godkendes: {0}")]
    Token(String),
    /// The configured claim is missing from the ID token.
    #[error("log-ind-tjenestens ID-token har ikke feltet '{0}', som Gevinst læser brugeren fra")]
    MissingClaim(String),
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The relying party: settings, the HTTP client to the provider, and the discovered client.
#[derive(Debug)]
pub struct Oidc {
    settings: OidcSettings,
    http: openidconnect::reqwest::Client,
    client: OnceCell<Client>,
}

/// A sign-in sent to the provider: where to send the browser, and the cookie to set.
#[derive(Debug)]
pub struct Started {
    /// The provider's authorization URL.
    pub location: String,
    /// The `Set-Cookie` value for [`PENDING_COOKIE`].
    pub cookie: String,
}

/// What the provider sent back on the redirect URI.
#[derive(Debug)]
pub struct Answer {
    /// The authorization code.
    pub code: String,
    /// The state, which must be the one the sign-in started with.
    pub state: String,
    /// The issuer, if the provider names itself (RFC 9207).
    pub issuer: Option<String>,
}

/// A finished sign-in: the login the provider vouches for, and where to go next.
#[derive(Debug)]
pub struct Finished {
    /// The configured claim's value.
    pub login: String,
    /// The same-site path the person was on their way to.
    pub next: String,
}

impl Oidc {
    /// Checks the settings (URLs must parse) and builds the HTTP client.
    pub fn new(settings: OidcSettings) -> Result<Self, OidcError> {
        IssuerUrl::new(settings.issuer.clone()).map_err(|e| OidcError::Settings(e.to_string()))?;
        redirect_url(&settings)?;
        if settings.login_claim.trim().is_empty() {
            return Err(OidcError::Settings("the login claim is empty".into()));
        }
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        Ok(Self {
            settings,
            http,
            client: OnceCell::new(),
        })
    }

    /// The provider's name for the login page.
    #[must_use]
    pub fn display_name(&self) -> &str {
        &self.settings.display_name
    }

    async fn client(&self) -> Result<&Client, OidcError> {
        self.client
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.settings.issuer.clone())
                    .map_err(|e| OidcError::Settings(e.to_string()))?;
                let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| OidcError::Provider(error_chain(&e)))?;
                Ok(CoreClient::from_provider_metadata(
                    metadata,
                    ClientId::new(self.settings.client_id.clone()),
                    self.settings.client_secret.clone().map(ClientSecret::new),
                )
                .set_redirect_uri(redirect_url(&self.settings)?))
            })
            .await
    }

    /// Starts a sign-in: the provider's URL with a fresh state, nonce and PKCE challenge, and
    /// the cookie that remembers them (and `next`) until the browser comes back.
    pub async fn start(&self, next: &str) -> Result<Started, OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: next.to_string(),
        };
        Ok(Started {
            location: url.to_string(),
            cookie: format!(
                "{PENDING_COOKIE}={}; Path=/login/oidc; HttpOnly; Secure; SameSite=Lax; \
                 Max-Age={PENDING_SECONDS}",
                pending.encode()
            ),
        })
    }

    /// Finishes a sign-in: checks `state` against the cookie, exchanges the code (with the
    /// PKCE verifier), verifies the ID token (signature, issuer, audience, expiry, nonce) and
    /// reads the login from the configured claim.
    ///
    /// A provider that names itself in the answer (`iss`, RFC 9207) must name the configured
    /// issuer, so an answer from another provider cannot be mixed up with ours.
    pub async fn finish(
        &self,
        cookie: Option<&str>,
        answer: &Answer,
    ) -> Result<Finished, OidcError> {
        let pending = cookie
            .and_then(Pending::decode)
            .ok_or(OidcError::NoPendingSignIn)?;
        if !bool::from(pending.state.as_bytes().ct_eq(answer.state.as_bytes())) {
            return Err(OidcError::NoPendingSignIn);
        }
        if answer.issuer.as_deref().is_some_and(|iss| {
            iss.trim_end_matches('/') != self.settings.issuer.trim_end_matches('/')
        }) {
            return Err(OidcError::Refused(
                "svaret kom fra en anden log-ind-tjeneste end den, Gevinst bruger".into(),
            ));
        }
        let code = answer.code.as_str();
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Provider(error_chain(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Token("svaret har intet ID-token".into()))?;
        id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| OidcError::Token(e.to_string()))?;
        // The token is verified: read the configured claim from its payload (any claim name,
        // not only those the crate's standard claims type knows).
        let login = claim(&id_token.to_string(), &self.settings.login_claim)
            .ok_or_else(|| OidcError::MissingClaim(self.settings.login_claim.clone()))?;
        Ok(Finished {
            login,
            next: pending.next,
        })
    }

    /// The `Set-Cookie` value that clears [`PENDING_COOKIE`].
    #[must_use]
    pub fn clear_cookie() -> &'static str {
        "gevinst_oidc=; Path=/login/oidc; HttpOnly; Secure; SameSite=Lax; Max-Age=0"
    }
}

fn redirect_url(settings: &OidcSettings) -> Result<RedirectUrl, OidcError> {
    RedirectUrl::new(format!(
        "{}{CALLBACK_PATH}",
        settings.public_url.trim_end_matches('/')
    ))
    .map_err(|e| OidcError::Settings(e.to_string()))
}

/// A string claim of a (verified) compact JWT's payload.
fn claim(jwt: &str, name: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(name)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A sign-in in progress, as its cookie holds it: four URL-safe base64 fields joined by `.`.
#[derive(Debug, PartialEq, Eq)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

impl Pending {
    fn encode(&self) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        [&self.state, &self.nonce, &self.verifier, &self.next]
            .map(|s| b64(s))
            .join(".")
    }

    fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.').map(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        });
        let pending = Self {
            state: parts.next()??,
            nonce: parts.next()??,
            verifier: parts.next()??,
            next: parts.next()??,
        };
        parts.next().is_none().then_some(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sign_in_survives_its_cookie_and_nothing_else_does() {
        let p = Pending {
            state: "s".into(),
            nonce: "n.n".into(),
            verifier: "v".into(),
            next: "/proposals/BC01?as_of=2025-12-31".into(),
        };
        assert_eq!(Pending::decode(&p.encode()), Some(p));
        assert_eq!(Pending::decode("a.b.c"), None);
        assert_eq!(Pending::decode("YQ.YQ.YQ.YQ.YQ"), None);
        assert_eq!(Pending::decode("!!.YQ.YQ.YQ"), None);
    }

    #[test]
    fn the_login_is_read_from_the_named_claim() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"sub":"123","email":" Anna@KK.dk ","upn":7}"#)
        );
        assert_eq!(claim(&jwt, "email").as_deref(), Some("Anna@KK.dk"));
        assert_eq!(claim(&jwt, "sub").as_deref(), Some("123"));
        assert_eq!(claim(&jwt, "upn"), None, "not a string");
        assert_eq!(claim(&jwt, "preferred_username"), None);
        assert_eq!(claim("garbage", "email"), None);
    }
}
