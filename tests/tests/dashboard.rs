//! The dashboard on the real server, on both backends: the HTML pages over HTTP, and the same
//! pages rendered by a real browser (headless Chromium, `--dump-dom` and `--screenshot`).
//!
//! The browser comes from `GEVINST_TEST_CHROMIUM` (default `/usr/bin/chromium`); a missing
//! browser fails the test and says to run `scripts/test.sh`, which installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gevinst_tests::{both_backends, Backend, TestStore};

/// How long one Chromium run may take before the test gives up.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Imports the Budget 2025 baseline and starts the application on a random port; returns its
/// base URL.
async fn spawn_with_baseline(t: &TestStore) -> String {
    t.import_budget_2025().await;
    t.spawn_app().await.base
}

/// GETs `path`; returns status, content type and body.
async fn get(base: &str, path: &str) -> (u16, String, String) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, r.text().await.unwrap())
}

/// The `<tr id="…">…</tr>` element with that id, or a panic showing the page.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<tr id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id} in:\n{html}"));
    let end = html[start..]
        .find("</tr>")
        .unwrap_or_else(|| panic!("row {id} is not closed"));
    &html[start..start + end]
}

both_backends!(
    pages_are_danish_html_built_from_the_reports,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;

        let (status, content_type, html) = get(&base, "/").await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("<html lang=\"da\">"));
        assert!(html.contains("Københavns Kommune — Budget 2025"));
        assert!(html.contains("<th scope=\"col\">Udvalg</th>"));
        let biu = row(&html, "udvalg-BIU");
        assert!(biu.contains(">11,2<"), "BIU's investment: {biu}");
        assert!(
            biu.contains(">-6,1<"),
            "BIU's savings at full phase-in: {biu}"
        );
        let total = row(&html, "udvalg-i-alt");
        assert!(total.contains(">122,5<"), "the total investment: {total}");
        assert!(total.contains(">-93,7<"), "the total savings: {total}");
        assert!(html.contains("href=\"/proposals/BC01\""), "links to BC01");
        assert!(html.contains("Status pr. forslag") && html.contains("Forsinket"));

        let (status, content_type, html) = get(&base, "/proposals/BC01?as_of=2025-10-01").await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(
            html.contains("Samlet ferieløsning i Serviceportalen"),
            "the title: {html}"
        );
        assert!(html.contains("Tilbagebetalingstid"));
        let g1 = row(&html, "maal-g1");
        assert!(g1.contains("Ledergodkendelser er fjernet"), "{g1}");
        assert!(g1.contains(">overskredet<"), "overdue after Q3 2025: {g1}");
        assert!(
            html.contains("href=\"/?as_of=2025-10-01\""),
            "the chosen date is kept in links"
        );

        let (status, content_type, html) = get(&base, "/proposals/XX").await;
        assert_eq!(status, 400, "{html}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(html.contains("«XX» er ikke et forslagsnummer"), "{html}");

        let (status, content_type, html) = get(&base, "/proposals/BC99").await;
        assert_eq!(status, 404, "{html}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(html.contains("Forslag BC99 findes ikke"), "{html}");

        let (status, _, html) = get(&base, "/?as_of=2025-13-01").await;
        assert_eq!(
            status, 400,
            "an impossible date is the user's error: {html}"
        );
        assert!(html.contains("er ikke en gyldig dato"), "{html}");
    }
);

/// The Chromium binary, or a failure that says how to get it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("GEVINST_TEST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.is_file(),
        "the dashboard's browser test needs headless Chromium, and there is none at {} \
         (GEVINST_TEST_CHROMIUM, default /usr/bin/chromium). Run scripts/test.sh, which installs \
         Debian's chromium package, or set GEVINST_TEST_CHROMIUM to a Chromium binary.",
        path.display()
    );
    path
}

/// Runs headless Chromium on `url` with `extra` flags and a fresh profile under `dir`; returns
/// what it printed on stdout. Fails the test if it does not finish within the timeout or exits
/// with an error.
async fn run_chromium(dir: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir_in(dir).unwrap();
    // Output goes to files, not pipes, so a large DOM can never block the browser while we wait.
    let stdout_path = profile.path().join("stdout.html");
    let stderr_path = profile.path().join("stderr.txt");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start Chromium: {e}. Run scripts/test.sh."));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish {url} within {CHROMIUM_TIMEOUT:?}; its log:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        status.success(),
        "Chromium failed on {url} ({status}); its log:\n{}",
        std::fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// The rendered DOM of `url`.
async fn dump_dom(dir: &Path, url: &str) -> String {
    let dom = run_chromium(dir, &["--dump-dom".to_string()], url).await;
    assert!(
        dom.contains("</html>"),
        "Chromium printed no DOM for {url}:\n{dom}"
    );
    dom
}

/// A screenshot of `url` (1280×2000); returns the PNG's bytes.
async fn screenshot(dir: &Path, url: &str, name: &str) -> Vec<u8> {
    let png = dir.join(name);
    run_chromium(
        dir,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
        url,
    )
    .await;
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|e| panic!("Chromium wrote no screenshot {}: {e}", png.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
    bytes
}

both_backends!(
    a_real_browser_renders_the_overview_and_a_proposal,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;
        let dir = tempfile::tempdir().unwrap();

        // The overview as the browser builds it: heading, Tabel 1 cells, a category with reasons.
        let dom = dump_dom(dir.path(), &format!("{base}/?as_of=2025-10-01")).await;
        assert!(dom.contains("<h1>Porteføljeoverblik</h1>"), "{dom}");
        assert!(dom.contains("<html lang=\"da\">"));
        let biu = row(&dom, "udvalg-BIU");
        assert!(biu.contains("<td class=\"num\">11,2</td>"), "{biu}");
        assert!(biu.contains("<td class=\"num\">-6,1</td>"), "{biu}");
        assert!(row(&dom, "udvalg-i-alt").contains("<td class=\"num\">122,5</td>"));
        let bc01 = row(&dom, "status-BC01");
        assert!(
            bc01.contains("<span class=\"badge kat-roed\">rød</span>"),
            "BC01's goal g1 (third quarter 2025) is overdue and nothing compensates: {bc01}"
        );
        assert!(bc01.contains("mål g1 er overskredet"), "{bc01}");
        assert!(dom.contains("href=\"/proposals/BC09?as_of=2025-10-01\""));

        // A proposal page: heading, a plan cell, payback and its committee-status category.
        let dom = dump_dom(
            dir.path(),
            &format!("{base}/proposals/BC09?as_of=2025-10-01"),
        )
        .await;
        assert!(dom.contains("<span class=\"pid\">BC09</span>"), "{dom}");
        assert!(dom.contains("<h2 id=\"tilbagebetaling\">Tilbagebetalingstid</h2>"));
        assert!(
            dom.contains("<th scope=\"col\" class=\"num\">2025</th>"),
            "{dom}"
        );
        let status = dom
            .split("<section aria-labelledby=\"status\" id=\"udvalgsstatus\">")
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_else(|| panic!("no committee status on BC09's page:\n{dom}"));
        assert!(status.contains("class=\"badge kat-"), "{status}");
        assert!(dom.contains("Realisering mod plan"));
        assert!(dom.contains("Opfølgningsmål og milepæle"));

        // Screenshots: the pages paint, and are more than a blank canvas.
        for (path, name) in [
            ("/?as_of=2025-10-01", "portfolio.png"),
            ("/proposals/BC09?as_of=2025-10-01", "bc09.png"),
        ] {
            let png = screenshot(dir.path(), &format!("{base}{path}"), name).await;
            assert!(
                png.len() > 20_000,
                "the screenshot of {path} is suspiciously small ({} bytes)",
                png.len()
            );
            // GEVINST_TEST_SCREENSHOT_DIR=/some/folder keeps them to look at.
            if let Some(keep) = std::env::var_os("GEVINST_TEST_SCREENSHOT_DIR") {
                let backend = match t.backend {
                    Backend::Sqlite => "sqlite",
                    Backend::Postgres => "postgres",
                };
                std::fs::create_dir_all(&keep).unwrap();
                std::fs::write(
                    Path::new(&keep).join(format!("gevinst-{backend}-{name}")),
                    &png,
                )
                .unwrap();
            }
        }
    }
);
