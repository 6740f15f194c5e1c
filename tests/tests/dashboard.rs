//! The dashboard on the real server, on both backends: the HTML pages over HTTP, and the same
//! pages rendered by a real browser (headless Chromium, `--dump-dom` and `--screenshot`), and
//! the committee status printed to PDF (`--print-to-pdf`), read back with poppler's `pdfinfo`
//! and `pdftotext`: A4 pages, one committee a page, header, date and page numbers on each.
//!
//! The browser comes from `GEVINST_TEST_CHROMIUM` (default `/usr/bin/chromium`); a missing
//! browser or poppler fails the test and says to run `scripts/test.sh`, which installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use gevinst_api::format::danish_fixed;
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_tests::{both_backends, Backend, TestStore};
use rust_decimal::Decimal;
use scraper::{Html, Selector};

/// How long one Chromium run may take before the test gives up.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Imports the Budget 2025 baseline and starts the application on a random port; returns its
/// base URL.
async fn spawn_with_baseline(t: &TestStore) -> String {
    t.import_adopted_budget_2025().await;
    t.spawn_app().await.base
}

/// GETs `path`; returns status, content type and body.
async fn get(base: &str, path: &str) -> (u16, String, String) {
    let r = gevinst_tests::get(format!("{base}{path}")).await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, r.text().await.unwrap())
}

/// The text of every element `selector` selects, whitespace collapsed.
fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector}: {e}"));
    html.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The one element's text, or a panic naming the selector.
fn text(html: &Html, selector: &str) -> String {
    let all = texts(html, selector);
    assert_eq!(all.len(), 1, "{selector} selects {} elements", all.len());
    all.into_iter().next().unwrap_or_default()
}

both_backends!(
    pages_show_the_figures_the_reports_compute,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        // One realised saving, so the realised column is not all zeros.
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "anna@kk.dk",
                "saving",
                "BC01",
                "--year",
                "2025",
                "--amount",
                "-149",
                "--plan-line",
                "l1",
                "--date",
                "2025-09-30",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let base = t.spawn_app().await.base;
        let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();

        // What the reports compute for that date, straight from the read models.
        let read = ReadModels::new(t.db.clone());
        let index = read.price_index().await.unwrap();
        let overview = reports::overview(&read, &index, as_of).await.unwrap();
        let statuses = reports::statuses(&overview);
        let late = reports::late_items(&overview);

        let (status, content_type, page) = get(&base, "/?as_of=2025-10-01").await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        let html = Html::parse_document(&page);
        assert_eq!(texts(&html, "html[lang=da]").len(), 1, "a Danish page");
        assert_eq!(text(&html, "h1"), "Porteføljeoverblik");

        // Tabel 1: one row per committee, each cell the report's figure in Danish format.
        let lines = &overview.portfolio.committees;
        assert_eq!(texts(&html, "#tabel-1 tbody tr").len(), lines.len());
        for l in lines.iter().chain([&overview.portfolio.total]) {
            let id = if std::ptr::eq(l, &overview.portfolio.total) {
                "udvalg-i-alt".to_string()
            } else {
                format!("udvalg-{}", l.committee)
            };
            let cells = texts(&html, &format!("tr#{id} td"));
            let mio = |thousands: Decimal| danish_fixed(thousands / Decimal::ONE_THOUSAND, 1);
            // The document's own figure first; the rebuilt one beside it where they differ.
            let stated = l
                .stated
                .as_ref()
                .expect("Bilag 7 states every line of Tabel 1");
            let first = |stated: Decimal, rebuilt: Decimal| {
                if stated == rebuilt {
                    danish_fixed(stated, 1)
                } else {
                    format!(
                        "{} genberegnet {}",
                        danish_fixed(stated, 1),
                        danish_fixed(rebuilt, 1)
                    )
                }
            };
            assert_eq!(
                cells[1..=5],
                [
                    first(stated.investment_mio, l.investment_mio),
                    first(
                        stated.savings_full_phase_in_mio,
                        l.savings_full_phase_in_mio
                    ),
                    mio(l.realised_to_date),
                    mio(l.realised_to_date_verified),
                    mio(l.forecast_full_phase_in),
                ],
                "{id}: {cells:?}"
            );
            assert!(
                cells[0].starts_with(&l.proposals.to_string()),
                "{id}: {cells:?}"
            );
        }
        // The recorded saving shows: BC01 is ØU's; the total realised is −0,1 mio.
        assert_eq!(texts(&html, "tr#udvalg-i-alt td")[3], "-0,1");
        // The document's figures: BIU 11,2 / −6,1 and the total saving −93,7; SUD's and the
        // total's investment as the document states them (56,6 and 122,4), the rebuilt sums of
        // the plans beside them, marked as differing.
        assert_eq!(texts(&html, "tr#udvalg-BIU td")[1..3], ["11,2", "-6,1"]);
        assert_eq!(texts(&html, "tr#udvalg-i-alt td")[2], "-93,7");
        assert_eq!(
            texts(&html, "tr#udvalg-SUD td.afviger"),
            ["56,6 genberegnet 56,7"]
        );
        assert_eq!(
            texts(&html, "tr#udvalg-i-alt td.afviger"),
            ["122,4 genberegnet 122,5"]
        );
        assert!(text(&html, "#tabel-1-tal").contains("bilagets egne tal"));

        // Status per proposal: every proposal, with the report's category and reasons.
        assert_eq!(
            texts(&html, "#udvalgsstatus-tabel tbody tr").len(),
            statuses.len()
        );
        assert_eq!(statuses.len(), 12);
        for s in &statuses {
            let row = format!("tr#status-{}", s.proposal);
            assert_eq!(
                text(&html, &format!("{row} .badge")),
                s.category.danish(),
                "{row}"
            );
            assert_eq!(
                texts(&html, &format!("{row} .reasons li")),
                s.reasons,
                "{row}"
            );
        }

        // The late list: its caption counts every late item; its rows are the largest.
        let caption = text(&html, "#forsinket-tabel caption");
        assert!(
            caption.contains(&format!("af {} forhold", late.len())),
            "{caption} (the report has {} late items)",
            late.len()
        );
        let rows = texts(&html, "#forsinket-tabel tbody tr");
        assert_eq!(rows.len(), late.len().min(20));
        for (row, item) in rows.iter().zip(&late) {
            assert!(
                row.starts_with(&item.proposal),
                "{row} is not {}",
                item.proposal
            );
        }

        // Goal status counts add up to every goal and milestone the report knows, a goal that
        // restates milestones (BC03 g6) counted through its milestones only.
        let total_goals = overview
            .goals
            .iter()
            .filter(|g| g.restates.is_empty())
            .count();
        let counted: usize = texts(&html, "#maalstatus tfoot td")
            .last()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(counted, total_goals);

        // A proposal page: its goal rows carry the report's status for each goal.
        let (status, _, page) = get(&base, "/proposals/BC01?as_of=2025-10-01").await;
        assert_eq!(status, 200, "{page}");
        let html = Html::parse_document(&page);
        assert!(text(&html, "h1").contains("Samlet ferieløsning i Serviceportalen"));
        let g1 = texts(&html, "tr#maal-g1 td");
        assert!(
            g1.iter()
                .any(|c| c.contains("Ledergodkendelser er fjernet")),
            "{g1:?}"
        );
        assert!(
            g1.iter().any(|c| c == "ikke rapporteret"),
            "past Q3 2025 with nothing reported: {g1:?}"
        );
        assert!(
            texts(&html, "dl.facts dd")
                .contains(&"vedtaget 2024-10-03 (Budgetaftale (testdata))".to_string()),
            "the budget decision among the facts"
        );
        // The front matter's row first: BC01's Tabel 2 figures agree with its plan.
        assert!(text(&html, "#forsiden caption").starts_with("Tabel 2."));
        assert_eq!(
            texts(&html, "#forsiden tbody tr")[0],
            "Investeringer (service og anlæg) 4,3 mio. kr. 4,3 mio. kr."
        );
        assert!(texts(&html, "#forsiden td.afviger").is_empty());
        // BC09's Tabel 2 says 1 year's payback; its plan, counted by Gevinst's rule, 2.
        let (_, _, bc09) = get(&base, "/proposals/BC09?as_of=2025-10-01").await;
        let bc09 = Html::parse_document(&bc09);
        assert_eq!(
            texts(&bc09, "#forsiden td.afviger"),
            ["1 år (afviger)", "2 år"]
        );
        // BC05 g4: after the project, the centre managements own the benefit (from the text).
        let (_, _, bc05) = get(&base, "/proposals/BC05?as_of=2025-10-01").await;
        let bc05 = Html::parse_document(&bc05);
        assert_eq!(
            text(&bc05, "tr#maal-g4 .herefter"),
            "Herefter: Efterfølgende har centerledelserne ansvaret for opfølgning på brugen"
        );
        assert_eq!(
            texts(&html, "a[href=\"/?as_of=2025-10-01\"]").len(),
            1,
            "the chosen date is kept in links"
        );

        // Refusals are Danish pages with the right status.
        let (status, content_type, page) = get(&base, "/proposals/X_1").await;
        assert_eq!(
            (status, content_type.as_str()),
            (400, "text/html; charset=utf-8")
        );
        assert!(page.contains("«X_1» er ikke et forslagsnummer"), "{page}");
        let (status, _, page) = get(&base, "/proposals/BC99").await;
        assert_eq!(status, 404, "{page}");
        assert!(page.contains("Forslag BC99 findes ikke"), "{page}");
        let (status, _, page) = get(&base, "/?as_of=2025-13-01").await;
        assert_eq!(
            status, 400,
            "an impossible date is the user's error: {page}"
        );
        assert!(page.contains("er ikke en gyldig dato"), "{page}");
    }
);

/// The Chromium binary, or a failure that says how to get it.
pub(crate) fn chromium() -> PathBuf {
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
            "--virtual-time-budget=15000",
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

/// A page that signs the browser in as the test's reader and then goes to `path`: a form the
/// browser submits itself (`POST /login`, as a person would), whose redirect lands on `path`.
/// Chromium runs with a virtual-time budget, so it follows the submission and the redirect
/// before it dumps or paints.
fn signed_in(dir: &Path, base: &str, path: &str) -> String {
    let file = dir.join(format!("login-{}.html", uuid::Uuid::new_v4().simple()));
    std::fs::write(
        &file,
        format!(
            "<!DOCTYPE html><html><body><form method=\"post\" action=\"{base}/login\">\
             <input name=\"login\" value=\"laeser\"><input name=\"password\" \
             value=\"laeser-password-1234\"><input name=\"next\" value=\"{path}\"></form>\
             <script>document.forms[0].submit()</script></body></html>"
        ),
    )
    .unwrap();
    format!("file://{}", file.display())
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

        // What only a browser shows: the pages as Chromium parses and lays them out. The figures
        // themselves are checked over HTTP above; here the browser's DOM must hold the same
        // elements, and the screenshots must paint.
        let dom = Html::parse_document(
            &dump_dom(
                dir.path(),
                &signed_in(dir.path(), &base, "/?as_of=2025-10-01"),
            )
            .await,
        );
        assert_eq!(text(&dom, "h1"), "Porteføljeoverblik");
        assert_eq!(texts(&dom, "tr#udvalg-BIU td")[1..3], ["11,2", "-6,1"]);
        assert_eq!(
            text(&dom, "tr#status-BC01 .badge"),
            "ikke vurderet",
            "g1 (Q3 2025) has passed with nothing reported: not assessed, not red"
        );
        let dom = Html::parse_document(
            &dump_dom(
                dir.path(),
                &signed_in(dir.path(), &base, "/proposals/BC09?as_of=2025-10-01"),
            )
            .await,
        );
        assert_eq!(text(&dom, "h1 .pid"), "BC09");
        assert_eq!(text(&dom, "h2#tilbagebetaling"), "Tilbagebetalingstid");

        // Screenshots: the pages paint, and are more than a blank canvas.
        for (path, name) in [
            ("/?as_of=2025-10-01", "portfolio.png"),
            ("/proposals/BC09?as_of=2025-10-01", "bc09.png"),
        ] {
            let png = screenshot(dir.path(), &signed_in(dir.path(), &base, path), name).await;
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

/// Runs a poppler tool (`pdfinfo`, `pdftotext`) with `args`; returns what it printed.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "the print test reads the PDF with {tool} (Debian's poppler-utils), which cannot \
                 run here: {e}. Run scripts/test.sh, which installs it."
        )
    });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

both_backends!(
    a_browser_prints_the_committee_status_on_a4_pages,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("status.pdf");
        run_chromium(
            dir.path(),
            &[
                // Our own page header and footer (the stylesheet's), not the browser's.
                "--no-pdf-header-footer".to_string(),
                format!("--print-to-pdf={}", pdf.display()),
            ],
            &signed_in(dir.path(), &base, "/committee-status?as_of=2025-10-01"),
        )
        .await;
        if let Some(keep) = std::env::var_os("GEVINST_TEST_SCREENSHOT_DIR") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&pdf, Path::new(&keep).join("gevinst-status.pdf")).unwrap();
        }

        let read = ReadModels::new(t.db.clone());
        let index = read.price_index().await.unwrap();
        let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let statuses = reports::committee_status(&read, &index, as_of)
            .await
            .unwrap();
        // Every committee with a share of some proposal gets its page: the five that lead one,
        // and KFU and SOU through BC01's and BC02's per-committee tables.
        let mut committees: Vec<&str> = statuses
            .iter()
            .flat_map(|s| s.committees.iter().map(String::as_str))
            .collect();
        committees.sort_unstable();
        committees.dedup();
        assert_eq!(committees.len(), 7, "{committees:?}");

        // A4, the summary on the first page and each committee starting a page of its own (a
        // long section may run onto the next).
        let info = poppler("pdfinfo", &[pdf.as_os_str()]);
        assert!(info.contains("(A4)"), "{info}");
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("a page count: {info}"));
        assert!(pages > committees.len(), "{pages} pages: {info}");
        let text = poppler(
            "pdftotext",
            &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
        );
        let printed: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(printed.len(), pages, "{text}");
        for (i, page) in printed.iter().enumerate() {
            assert!(
                page.contains("Status til udvalgene · Budget 2025"),
                "the header on page {}: {page}",
                i + 1
            );
            assert!(
                page.contains("Opgjort pr. 2025-10-01"),
                "the as-of date on page {}: {page}",
                i + 1
            );
            assert!(
                page.contains(&format!("Side {} af {pages}", i + 1)),
                "the page number on page {}: {page}",
                i + 1
            );
            for screen_only in ["Porteføljeoverblik", "Hent som regneark", "Opgørelsesdato"] {
                assert!(
                    !page.contains(screen_only),
                    "{screen_only} is for the screen: {page}"
                );
            }
        }
        assert!(printed[0].contains("Samlet"), "{}", printed[0]);
        let starts: Vec<usize> = committees
            .iter()
            .map(|code| {
                printed
                    .iter()
                    .position(|p| p.contains(&format!("({code})")))
                    .unwrap_or_else(|| panic!("{code}'s section is printed"))
            })
            .collect();
        assert_eq!(starts[0], 1, "the first committee starts page 2");
        assert!(
            starts.windows(2).all(|w| w[0] < w[1]),
            "each committee starts a page of its own: {starts:?}"
        );
        for (k, code) in committees.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(printed.len());
            let section = printed[starts[k]..end].concat();
            for s in statuses
                .iter()
                .filter(|s| s.committees.iter().any(|c| c == code))
            {
                assert!(
                    section.contains(&s.proposal),
                    "{} in {code}'s section",
                    s.proposal
                );
            }
        }
        assert!(printed[1].contains("Beskæftigelses- og Integrationsudvalget (BIU)"));
    }
);

both_backends!(
    the_late_page_lists_every_item_and_filters_by_committee_and_kind,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;
        let q = "as_of=2025-12-31";
        let api: Vec<serde_json::Value> = gevinst_tests::get(format!("{base}/api/late?{q}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            api.len() > 20,
            "more than the overview shows: {}",
            api.len()
        );
        let rows = |body: &str| texts(&Html::parse_document(body), "#forsinket-tabel tbody tr th");
        let (status, _, body) = get(&base, &format!("/late?{q}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            rows(&body).len(),
            api.len(),
            "every item, not the largest 20"
        );
        // Every proposal adopted: none left out, so nothing said about it.
        assert_eq!(texts(&Html::parse_document(&body), "#ikke-fulgt").len(), 0);
        // The overview links here, keeping the date.
        let (_, _, overview) = get(&base, &format!("/?{q}")).await;
        let link = Selector::parse("#alle-forsinkede").unwrap();
        let overview = Html::parse_document(&overview);
        let href = overview
            .select(&link)
            .next()
            .and_then(|a| a.value().attr("href"))
            .unwrap();
        assert_eq!(href, format!("/late?{q}"));
        // By committee (every item of a proposal the committee has a share of), and by kind:
        // exactly the API's items of that committee or kind.
        let shared = |i: &serde_json::Value, c: &str| {
            i["committees"].as_array().unwrap().iter().any(|x| x == c)
        };
        assert!(api
            .iter()
            .any(|i| i["committee"] == "ØU" && shared(i, "SUD")));
        for (filter, field, value) in [
            ("committee=SUD", "committees", "SUD"),
            ("kind=goal", "kind", "goal"),
        ] {
            let expected: Vec<String> = api
                .iter()
                .filter(|i| {
                    if field == "committees" {
                        shared(i, value)
                    } else {
                        i[field] == value
                    }
                })
                .map(|i| i["proposal"].as_str().unwrap().to_string())
                .collect();
            assert!(!expected.is_empty(), "{filter}");
            let (status, _, body) = get(&base, &format!("/late?{q}&{filter}")).await;
            assert_eq!(status, 200);
            assert_eq!(rows(&body), expected, "{filter}");
        }
        // A committee that does not exist is the user's error, in Danish.
        let (status, _, body) = get(&base, &format!("/late?{q}&committee=XYZ")).await;
        assert_eq!(status, 400);
        assert!(body.contains("er ikke et udvalg"), "{body}");
        // So is a kind the list does not have, naming each it has with its Danish label.
        let (status, _, body) = get(&base, &format!("/late?{q}&kind=xyz")).await;
        assert_eq!(status, 400);
        assert!(body.contains("«xyz» er ikke en art på listen"), "{body}");
        assert!(
            body.contains("goal (mål)") && body.contains("missing_report (mangler indberetning)"),
            "{body}"
        );
    }
);

both_backends!(
    the_charts_draw_the_figures_and_say_them_in_words,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;
        let q = "as_of=2025-12-31";
        let realisation: serde_json::Value =
            gevinst_tests::get(format!("{base}/api/proposals/BC01/realisation?{q}"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let (status, _, body) = get(&base, &format!("/proposals/BC01?{q}")).await;
        assert_eq!(status, 200);
        let page = Html::parse_document(&body);
        let svg = Selector::parse("figure#realisering-figur svg[role='img'] title").unwrap();
        assert!(page.select(&svg).next().is_some(), "an SVG with a title");
        let caption = texts(&page, "figure#realisering-figur figcaption").join(" ");
        // One bar group per year of the plan, with the cumulative plan in words.
        let years = realisation["years"].as_array().unwrap();
        assert!(!years.is_empty());
        for y in years {
            let plan: Decimal = y["cumulative_plan"].as_str().unwrap().parse().unwrap();
            let said = format!("{}: plan {}", y["year"], danish_fixed(plan.abs(), 1));
            assert!(caption.contains(&said), "{said} in {caption}");
        }
        let bars = Selector::parse("figure#realisering-figur svg rect[height]").unwrap();
        // Four series per year, plus the legend's four swatches.
        assert_eq!(page.select(&bars).count(), years.len() * 4 + 4);
        // The goal timeline: one span per dated checkpoint, each said in words.
        let goals: Vec<serde_json::Value> =
            gevinst_tests::get(format!("{base}/api/goals?proposal=BC03&{q}"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let windows: Vec<String> = goals
            .iter()
            .flat_map(|g| g["checkpoints"].as_array().unwrap().iter())
            .filter_map(|c| c["window"].as_str().map(str::to_string))
            .collect();
        assert!(windows.len() > 5, "{windows:?}");
        let (_, _, body) = get(&base, &format!("/proposals/BC03?{q}")).await;
        let page = Html::parse_document(&body);
        let spans = Selector::parse("figure#maal-figur svg rect").unwrap();
        assert_eq!(page.select(&spans).count(), windows.len());
        let caption = texts(&page, "figure#maal-figur figcaption").join(" ");
        for w in &windows {
            assert!(caption.contains(w.as_str()), "{w} in {caption}");
        }
        // The portfolio's chart names every committee of Tabel 1.
        let (_, _, body) = get(&base, &format!("/?{q}")).await;
        let page = Html::parse_document(&body);
        let caption = texts(&page, "figure#udvalg-figur figcaption").join(" ");
        let committees = texts(&page, "#tabel-1 tbody th");
        assert!(!committees.is_empty());
        for c in committees.iter().filter(|c| c.as_str() != "I alt") {
            let code = c.split_whitespace().next().unwrap();
            assert!(caption.contains(code), "{code} in {caption}");
        }
    }
);

both_backends!(
    the_overview_and_the_committee_report_narrow_to_one_committee,
    |t: TestStore| async move {
        let base = spawn_with_baseline(&t).await;
        let q = "as_of=2025-12-31";
        let statuses: Vec<serde_json::Value> =
            gevinst_tests::get(format!("{base}/api/committee-status?{q}"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        // SUD's view: the proposals SUD leads and those it has a share of (BC01, BC02).
        let sud: Vec<String> = statuses
            .iter()
            .filter(|s| {
                s["committees"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "SUD")
            })
            .map(|s| format!("status-{}", s["proposal"].as_str().unwrap()))
            .collect();
        assert!(!sud.is_empty() && sud.len() < statuses.len());
        assert!(sud.contains(&"status-BC01".to_string()), "{sud:?}");
        let (status, _, body) = get(&base, &format!("/?{q}&committee=SUD")).await;
        assert_eq!(status, 200);
        let page = Html::parse_document(&body);
        let rows = Selector::parse("#udvalgsstatus-tabel tbody tr").unwrap();
        let listed: Vec<String> = page
            .select(&rows)
            .filter_map(|r| r.value().attr("id").map(str::to_string))
            .collect();
        assert_eq!(listed, sud);
        for proposal in texts(&page, "#forsinket-tabel tbody th") {
            assert!(
                sud.contains(&format!("status-{proposal}")),
                "the late list is SUD's too: {proposal}"
            );
        }
        // Tabel 1 still shows every committee.
        assert!(texts(&page, "#tabel-1 tbody th").len() > 1);
        // The committee report: SUD's page only.
        let (status, _, body) = get(&base, &format!("/committee-status?{q}&committee=SUD")).await;
        assert_eq!(status, 200);
        let page = Html::parse_document(&body);
        let sections = Selector::parse("section.udvalg").unwrap();
        let ids: Vec<_> = page
            .select(&sections)
            .filter_map(|s| s.value().attr("id"))
            .collect();
        assert_eq!(ids, ["udvalg-SUD"]);
        let (status, _, _) = get(&base, &format!("/committee-status?{q}&committee=XYZ")).await;
        assert_eq!(status, 400);
    }
);

both_backends!(
    the_late_page_says_which_proposals_it_leaves_out_and_why,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let decided = NaiveDate::from_ymd_opt(2024, 10, 3).unwrap();
        t.adopt(&["BC01", "BC09"], decided).await;
        t.decide(
            &["BC02"],
            gevinst_domain::BudgetOutcome::NotAdopted,
            decided,
        )
        .await;
        let base = t.spawn_app().await.base;
        let note = |body: &str| texts(&Html::parse_document(body), "#ikke-fulgt");
        // Twelve proposals: two adopted, one not, nine awaiting the decision.
        let (status, _, body) = get(&base, "/late?as_of=2025-12-31").await;
        assert_eq!(status, 200);
        assert_eq!(
            note(&body),
            ["Kun vedtagne forslag følges op. Ikke med her: 10 forslag \
              (9 afventer budgetbeslutning, 1 ikke vedtaget)."]
        );
        // The terminal's list says the same, under its table.
        let (code, table) = t
            .gevinst(&["report", "late", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(code, 0, "{table}");
        assert_eq!(
            table.lines().last(),
            Some(note(&body)[0].as_str()),
            "{table}"
        );
        // Narrowed to a committee: only the proposals it has a share of.
        let (status, _, body) = get(&base, "/late?as_of=2025-12-31&committee=TMU").await;
        assert_eq!(status, 200);
        let narrowed = note(&body);
        let count: usize = narrowed[0]
            .split("Ikke med her: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{narrowed:?}"));
        assert!((1..10).contains(&count), "{narrowed:?}");
        // The rest adopted: only the one not adopted is left out.
        let rest: Vec<&str> = TestStore::BUDGET_2025
            .into_iter()
            .filter(|id| !["BC01", "BC02", "BC09"].contains(id))
            .collect();
        t.adopt(&rest, decided).await;
        let (_, _, body) = get(&base, "/late?as_of=2025-12-31").await;
        assert_eq!(
            note(&body),
            ["Kun vedtagne forslag følges op. Ikke med her: 1 forslag (1 ikke vedtaget)."]
        );
        // As of a date before any decision the list is empty, and says why.
        let (_, _, body) = get(&base, "/late?as_of=2024-06-30").await;
        assert_eq!(
            note(&body),
            ["Kun vedtagne forslag følges op. Ikke med her: 12 forslag \
              (12 afventer budgetbeslutning)."]
        );
    }
);
