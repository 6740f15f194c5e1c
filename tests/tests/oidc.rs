//! Signing in through a real OpenID provider, in a real browser, on both backends.
//!
//! The provider is the npm package `oidc-provider` (scripts/oidc-provider), which
//! scripts/test.sh installs and starts and names in `GEVINST_TEST_OIDC_ISSUER`. Each test's
//! Gevinst listens on its own port, so it registers itself as a client first (OpenID Connect
//! Dynamic Client Registration). The browser ([`Browser`]) types into the provider's own login
//! page and clicks its consent button, as a person would.

use fantoccini::Locator;
use gevinst_api::http::oidc::{OidcSettings, CALLBACK_PATH};
use gevinst_tests::{both_backends, TestApp, TestStore};

use crate::browser::Browser;
use serde_json::{json, Value};

/// The provider's issuer URL, or a failure that says how to get one.
fn issuer() -> String {
    std::env::var("GEVINST_TEST_OIDC_ISSUER").unwrap_or_else(|_| {
        panic!(
            "the OpenID Connect tests need a running OpenID provider: run scripts/test.sh, which \
             installs and starts the npm package oidc-provider (scripts/oidc-provider), or start \
             it yourself (cd scripts/oidc-provider && npm ci && PORT=4011 node server.js) and \
             set GEVINST_TEST_OIDC_ISSUER=http://127.0.0.1:4011"
        )
    })
}

/// Registers a client whose redirect URI is `base`'s callback; its id and secret.
async fn register_client(base: &str) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/reg", issuer()))
        .json(&json!({
            "client_name": "Gevinst (test)",
            "redirect_uris": [format!("{base}{CALLBACK_PATH}")],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .send()
        .await
        .expect("the OpenID provider answers");
    assert_eq!(response.status(), 201, "client registration");
    let client: Value = response.json().await.unwrap();
    (
        client["client_id"].as_str().unwrap().to_string(),
        client["client_secret"].as_str().unwrap().to_string(),
    )
}

/// A Gevinst that signs people in through the test provider too.
async fn spawn_with_provider(t: &TestStore) -> TestApp {
    let (app, base) = t.bind_app().await;
    let (client_id, client_secret) = register_client(&base).await;
    let app = app
        .with_oidc(OidcSettings {
            issuer: issuer(),
            client_id,
            client_secret: Some(client_secret),
            login_claim: "email".into(),
            public_url: base.clone(),
            display_name: "Testudbyderen".into(),
        })
        .expect("valid settings");
    t.serve(app, base).await
}

/// Signs in at the provider's login page as `login`, then consents.
async fn sign_in_at_provider(browser: &Browser, login: &str) {
    browser.fill("login", login).await;
    browser.fill("password", "hvad-som-helst").await;
    browser.click("button[type='submit']").await;
    // The provider asks once whether Gevinst may have the person's email and name.
    browser
        .client()
        .wait()
        .for_element(Locator::XPath("//button[normalize-space()='Continue']"))
        .await
        .expect("the consent page")
        .click()
        .await
        .unwrap();
}

both_backends!(
    a_person_signs_in_through_the_municipalitys_openid_provider,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        // An administrator created anna and made her BC01's owner; the provider only says
        // that the person at the keyboard is anna@kk.dk.
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let app = spawn_with_provider(&t).await;
        let browser = Browser::start().await;
        browser
            .client()
            .goto(&app.url("/proposals/BC01"))
            .await
            .unwrap();
        // Not signed in: the login page, with the provider's button.
        browser
            .wait_for_text(&app.base, "Log ind med Testudbyderen")
            .await;
        browser.click("a#oidc").await;
        sign_in_at_provider(&browser, "anna@kk.dk").await;
        // Back at Gevinst, signed in, on the page she asked for.
        let page = browser
            .wait_for_text(&app.base, "Logget ind som anna@kk.dk")
            .await;
        assert!(page.contains("projektejer"), "her role is shown: {page}");
        let url = browser.client().current_url().await.unwrap();
        assert_eq!(url.path(), "/proposals/BC01");
        assert!(page.contains("BC01"), "{page}");
        // The session is Gevinst's own: the cookie, HttpOnly, scoped to the site.
        let cookie = browser
            .client()
            .get_named_cookie("gevinst_session")
            .await
            .expect("a session cookie");
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.secure(), Some(true));
        // And it is checked like any other: BC02 is not hers.
        browser
            .client()
            .goto(&app.url("/api/proposals/BC02/events"))
            .await
            .unwrap();
        browser.wait_for_text(&app.base, "forbidden").await;
        browser.close().await;
    }
);

both_backends!(
    the_provider_vouching_for_someone_without_an_account_lets_nobody_in,
    |t: TestStore| async move {
        let app = spawn_with_provider(&t).await;
        let browser = Browser::start().await;
        browser.client().goto(&app.url("/login")).await.unwrap();
        browser.click("a#oidc").await;
        sign_in_at_provider(&browser, "eve@kk.dk").await;
        let page = browser
            .wait_for_text(&app.base, "ikke en aktiv bruger i Gevinst")
            .await;
        assert!(page.contains("eve@kk.dk"), "{page}");
        assert!(
            browser
                .client()
                .get_named_cookie("gevinst_session")
                .await
                .is_err(),
            "no session for eve"
        );
        browser.close().await;
        // A callback that no browser started here is refused, whatever it carries.
        let response = reqwest::get(app.url(&format!("{CALLBACK_PATH}?code=abc&state=def")))
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("ikke startet i denne browser"));
        // A sign-in started here whose answer names another provider (RFC 9207 `iss`).
        let no_redirects = gevinst_tests::without_redirects();
        let started = no_redirects
            .get(app.url("/login/oidc?next=/"))
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), 303);
        let location = started.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&issuer()), "{location}");
        for needed in ["code_challenge_method=S256", "response_type=code", "nonce="] {
            assert!(location.contains(needed), "{needed} in {location}");
        }
        let state = location
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("state="))
            .unwrap()
            .to_string();
        let pending = started.headers()["set-cookie"].to_str().unwrap();
        assert!(pending.contains("HttpOnly") && pending.contains("Path=/login/oidc"));
        let pending = pending.split(';').next().unwrap().to_string();
        let response = no_redirects
            .get(app.url(&format!(
                "{CALLBACK_PATH}?code=abc&state={state}&iss=http%3A%2F%2Fevil.example"
            )))
            .header("cookie", &pending)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("en anden log-ind-tjeneste"));
        // The provider's refusal is shown, not swallowed.
        let response = reqwest::get(app.url(&format!(
            "{CALLBACK_PATH}?error=access_denied&error_description=afbrudt+af+brugeren"
        )))
        .await
        .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("afbrudt af brugeren"));
    }
);
