//! A real browser for the tests of what only a browser shows: headless Chromium driven over
//! WebDriver by `chromedriver` (Debian's chromium-driver; `GEVINST_TEST_CHROMEDRIVER`, default
//! /usr/bin/chromedriver) with `fantoccini`. Each [`Browser`] is a fresh profile (no cookies).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver on a free port, with a headless Chromium session; both end when dropped.
pub(crate) struct Browser {
    driver: Child,
    client: Option<Client>,
}

impl Browser {
    pub(crate) async fn start() -> Self {
        let driver_path = std::env::var_os("GEVINST_TEST_CHROMEDRIVER")
            .map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from);
        assert!(
            driver_path.is_file(),
            "the sign-in test drives Chromium with chromedriver, and there is none at {} \
             (GEVINST_TEST_CHROMEDRIVER, default /usr/bin/chromedriver). Run scripts/test.sh, \
             which installs Debian's chromium-driver package.",
            driver_path.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut browser = Self {
            driver,
            client: None,
        };
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": crate::dashboard::chromium(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run"],
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    browser.client = Some(client);
                    return browser;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("chromedriver did not start a Chromium session within 10 s");
    }

    pub(crate) fn client(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// Types into the field `name` of the page shown.
    pub(crate) async fn fill(&self, name: &str, text: &str) {
        self.client()
            .wait()
            .for_element(Locator::Css(&format!("input[name='{name}']")))
            .await
            .unwrap_or_else(|e| panic!("a field {name}: {e}"))
            .send_keys(text)
            .await
            .unwrap();
    }

    /// Clicks the element `css` once it is there.
    pub(crate) async fn click(&self, css: &str) {
        self.client()
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("an element {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Waits until the browser is on a page of `base` whose text contains `text`; that text.
    pub(crate) async fn wait_for_text(&self, base: &str, text: &str) -> String {
        for _ in 0..100 {
            let url = self.client().current_url().await.unwrap();
            if url.as_str().starts_with(base) {
                // The page may be replaced between finding its body and reading it (a stale
                // element): then look again.
                if let Ok(body) = self.client().find(Locator::Css("body")).await {
                    if let Ok(body) = body.text().await {
                        if body.contains(text) {
                            return body;
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.client().current_url().await.unwrap();
        let source = self.client().source().await.unwrap_or_default();
        panic!("never saw {text:?}; at {url}:\n{source}");
    }

    pub(crate) async fn close(mut self) {
        if let Some(client) = self.client.take() {
            client.close().await.ok();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}

impl Browser {
    /// Types `text` into the element `css` (after clearing it).
    pub(crate) async fn type_in(&self, css: &str, text: &str) {
        let element = self
            .client()
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("an element {css}: {e}"));
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// The `value` of the element `css`.
    pub(crate) async fn value(&self, css: &str) -> String {
        self.client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("an element {css}: {e}"))
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Sets the field `id` to `value` with the page's own DOM (a date input's typing order
    /// depends on the browser's locale; its value is always `YYYY-MM-DD`).
    pub(crate) async fn set(&self, id: &str, value: &str) {
        self.client()
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![json!(id), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set #{id}: {e}"));
    }

    /// Signs in on Gevinst's own login page with a local password.
    pub(crate) async fn sign_in(&self, base: &str, login: &str, password: &str, next: &str) {
        self.client()
            .goto(&format!("{base}/login?next={next}"))
            .await
            .unwrap();
        self.fill("login", login).await;
        self.fill("password", password).await;
        self.click("main button[type='submit']").await;
    }
}
