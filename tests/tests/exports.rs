//! The exports a Danish controller opens, on both backends, from the command line and from the
//! server's download links: CSV that parses with `;`, starts with a byte-order mark, has a
//! decimal comma and as many fields in every row as in the header, and shows a recorded note
//! `=1+1` as text; XLSX that opens with openpyxl with numbers as numbers in Danish number
//! formats, totals as `SUM` formulas, a frozen header and the note as a plain string.
//!
//! The XLSX check runs Python's openpyxl when `python3 -c 'import openpyxl'` works (and must,
//! when `GEVINST_TEST_OPENPYXL` is set, as `scripts/test.sh` does after installing it);
//! without it only the Rust-side checks run, and the test says so on stderr.

use std::path::Path;
use std::process::Command;

use gevinst_tests::{both_backends, budget_2025_path, TestStore};
use rust_decimal::Decimal;

const OWNER: [&str; 2] = ["--as", "anna@kk.dk"];
const AS_OF: &str = "2025-12-31";
const BOM: char = '\u{feff}';

/// Imports Budget 2025 and records a progress note that looks like a formula and a realised
/// saving with a decimal.
async fn scenario(t: &TestStore) {
    t.import_adopted_budget_2025().await;
    for args in [
        &[
            "progress",
            "BC01",
            "--goal",
            "g1",
            "--date",
            "2025-05-01",
            "--note",
            "=1+1",
        ][..],
        &[
            "saving",
            "BC01",
            "--year",
            "2025",
            "--amount",
            "-1234,5",
            "--plan-line",
            "l1",
            "--date",
            "2025-09-30",
        ][..],
    ] {
        let argv: Vec<&str> = std::iter::once("record")
            .chain(OWNER)
            .chain(["--confirm"])
            .chain(args.iter().copied())
            .collect();
        let (code, out) = t.gevinst(&argv).await;
        assert_eq!(code, 0, "{argv:?}: {out}");
    }
}

/// Parses a CSV export: it must start with a byte-order mark and every record must have the
/// header's width (the reader refuses anything else). Returns the header and the rows.
/// `path` as the reader gets it from `app`: the status and the body.
async fn read(app: &gevinst_tests::TestApp, path: String) -> (u16, String) {
    let response = app.client().get(app.url(&path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The targets of the links in `page` that start with `prefix`, in the page's order.
fn links(page: &str, prefix: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(page);
    let link = scraper::Selector::parse(&format!("a[href^='{prefix}']")).unwrap();
    html.select(&link)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = text
        .strip_prefix(BOM)
        .unwrap_or_else(|| panic!("no byte-order mark: {text:.200}"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(false)
        .from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert!(header.len() > 1, "more than one field: {header:?}");
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

both_backends!(
    every_report_gives_csv_a_danish_spreadsheet_opens,
    |t: TestStore| async move {
        scenario(&t).await;
        let report = |args: &[&str]| {
            let mut argv = vec!["report"];
            argv.extend_from_slice(args);
            argv.extend_from_slice(&["--as-of", AS_OF, "--format", "csv"]);
            argv.into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        for args in [
            report(&["portfolio"]),
            report(&["goals"]),
            report(&["late"]),
            report(&["committee-status"]),
            report(&["realisation", "BC01"]),
            report(&["proposal", "BC01"]),
        ] {
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, out) = t.gevinst(&argv).await;
            assert_eq!(code, 0, "{argv:?}: {out}");
            assert!(!out.contains('{'), "CSV, never JSON: {argv:?}: {out:.300}");
            let (_, rows) = parse_csv(&out);
            assert!(!rows.is_empty(), "{argv:?}: {out}");
        }
        let file = budget_2025_path();
        let (code, out) = t
            .gevinst(&[
                "baseline",
                "check",
                file.to_str().unwrap(),
                "--format",
                "csv",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let (header, rows) = parse_csv(&out);
        assert_eq!(header[..3], ["Årsag nr.", "Årsag", "Forslag"], "{out:.300}");
        assert!(rows.iter().all(|r| r.len() == header.len()));
        // Grouped by root cause: the numbers never go back, and each heads its own rows.
        let causes: Vec<u32> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
        assert!(causes.windows(2).all(|w| w[0] <= w[1]), "{causes:?}");
        assert_eq!(causes.first(), Some(&1));
        assert!(rows[0][1].starts_with("BC01 · sum:"), "{:?}", rows[0]);

        // The portfolio: one row per committee and "I alt", Danish decimals, the totals the
        // JSON report has.
        let (_, json) = t
            .gevinst(&["report", "portfolio", "--as-of", AS_OF, "--format", "json"])
            .await;
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let (_, out) = t
            .gevinst(&["report", "portfolio", "--as-of", AS_OF, "--format", "csv"])
            .await;
        let (header, rows) = parse_csv(&out);
        assert_eq!(
            rows.len(),
            json["committees"].as_array().unwrap().len() + 1,
            "{out}"
        );
        let total = rows.last().unwrap();
        assert_eq!(total[0], "I alt");
        // A decimal comma, the value the JSON report has.
        let danish = |cell: &str| -> Decimal {
            assert!(!cell.contains('.'), "no decimal point: {cell}");
            cell.replace(',', ".").parse().unwrap()
        };
        let plain = |v: &serde_json::Value| -> Decimal { v.as_str().unwrap().parse().unwrap() };
        for (name, key) in [
            ("Investering i alt (1.000 kr.)", "investment"),
            ("Investering i alt (mio. kr.)", "investment_mio"),
            (
                "Effektiviseringer ved fuld indfasning (1.000 kr.)",
                "savings_full_phase_in",
            ),
            (
                "Prognose ved fuld indfasning (1.000 kr.)",
                "forecast_full_phase_in",
            ),
        ] {
            assert_eq!(
                danish(&total[column(&header, name)]),
                plain(&json["total"][key]),
                "{name}"
            );
        }
        assert!(
            total[column(&header, "Investering i alt (mio. kr.)")].contains(','),
            "a decimal comma: {total:?}"
        );
        assert_eq!(
            total[column(&header, "Realiseret til dato (1.000 kr.)")],
            "-1234,5",
            "the recorded saving, with a decimal comma and its sign: {out}"
        );

        // The note `=1+1` comes out as text, never as a formula.
        let (_, out) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC01",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
            ])
            .await;
        let (header, rows) = parse_csv(&out);
        let g1 = rows
            .iter()
            .find(|r| r[column(&header, "Id")] == "g1")
            .unwrap();
        assert_eq!(g1[column(&header, "Seneste note")], "'=1+1", "{out}");
        assert!(
            rows.iter()
                .flatten()
                .all(|cell| !cell.starts_with(['=', '+', '@', '\t', '\r'])),
            "no cell a spreadsheet would evaluate: {out}"
        );

        // --output writes the same bytes to a file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("maal.csv");
        let (code, said) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC01",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
                "--output",
                path.to_str().unwrap(),
            ])
            .await;
        assert_eq!(code, 0, "{said}");
        assert!(said.starts_with("Skrev "), "{said}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), out);
    }
);

/// Whether Python can open workbooks with openpyxl here (it must when `GEVINST_TEST_OPENPYXL`
/// is set).
fn openpyxl_available() -> bool {
    let available = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("GEVINST_TEST_OPENPYXL").is_none(),
            "GEVINST_TEST_OPENPYXL is set but python3 cannot import openpyxl"
        );
        eprintln!(
            "python3 cannot import openpyxl: the XLSX files are not opened \
             (scripts/test.sh installs it with pip install --user openpyxl)"
        );
    }
    available
}

/// Opens every workbook in `dir` with openpyxl and checks it as a controller would see it.
const OPENPYXL_CHECK: &str = r#"
import json, sys
from openpyxl import load_workbook

dir, expected = sys.argv[1], json.loads(sys.argv[2])
for name, want in expected.items():
    path = f"{dir}/{name}"
    wb = load_workbook(path)
    cached = load_workbook(path, data_only=True)
    assert wb.sheetnames == [want["sheet"]], (name, wb.sheetnames)
    ws, ws_cached = wb.active, cached.active
    assert ws.freeze_panes == "A3", (name, ws.freeze_panes)
    assert str(ws["A1"].value).startswith(want["title"]), (name, ws["A1"].value)
    header = [c.value for c in ws[2]]
    assert header[0] == want["first_header"], (name, header)
    rows = list(ws.iter_rows(min_row=3))
    assert len(rows) == want["rows"], (name, len(rows))
    for col, fmt in want.get("numbers", {}).items():
        i = header.index(col)
        body = rows[:-1] if want.get("total") else rows
        values = [r[i].value for r in body if r[i].value is not None]
        assert values, (name, col)
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values), (name, col, values)
        assert all(r[i].number_format == fmt for r in body if r[i].value is not None), (name, col, [r[i].number_format for r in body])
    if want.get("total"):
        total = rows[-1]
        assert total[0].value == "I alt", (name, total[0].value)
        for col in want["total"]:
            i = header.index(col)
            formula = total[i].value
            assert isinstance(formula, str) and formula.startswith(("=SUM(", "=ROUND(")), (name, col, formula)
            cached_value = ws_cached.cell(row=total[i].row, column=i + 1).value
            if formula.startswith("=SUM("):
                summed = sum(r[i].value or 0 for r in rows[:-1])
                assert abs(cached_value - summed) < 1e-6, (name, col, cached_value, summed)
    for col, value in want.get("stated_total", {}).items():
        # The document's own total, written as it states it: a number, never a formula.
        cell = rows[-1][header.index(col)]
        assert cell.data_type == "n" and abs(cell.value - float(value)) < 1e-9, (name, col, cell.value, value)
    for col, row_key, value in want.get("text", []):
        i = header.index(col)
        key_col, key = row_key
        k = header.index(key_col)
        cell = next(r[i] for r in rows if r[k].value == key)
        assert cell.data_type == "s" and cell.value == value, (name, col, cell.data_type, cell.value)
print("ok", len(expected))
"#;

both_backends!(
    xlsx_exports_open_with_numbers_formulas_and_a_frozen_header,
    |t: TestStore| async move {
        scenario(&t).await;
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

        // From the command line …
        for (args, file) in [
            (vec!["portfolio"], "portfolio.xlsx"),
            (vec!["realisation", "BC01"], "realisation.xlsx"),
            (vec!["late"], "late.xlsx"),
        ] {
            let path = out(file);
            let mut argv = vec!["report"];
            argv.extend(args);
            argv.extend(["--as-of", AS_OF, "--format", "xlsx", "--output", &path]);
            let (code, said) = t.gevinst(&argv).await;
            assert_eq!(code, 0, "{argv:?}: {said}");
            assert!(said.contains("XLSX"), "{said}");
            assert!(std::fs::read(&path).unwrap().starts_with(b"PK"), "{file}");
        }
        let (code, said) = t
            .gevinst(&["report", "portfolio", "--format", "xlsx"])
            .await;
        assert_eq!(code, 1, "XLSX needs a file: {said}");
        assert!(said.contains("--output"), "{said}");
        let (code, said) = t
            .gevinst(&["report", "late", "--format", "json", "--output", &out("x")])
            .await;
        assert_eq!(code, 1, "--output is for the exports: {said}");
        assert!(!Path::new(&out("x")).exists());

        // … and from the server, as the dashboard links them.
        let app = t.spawn_app().await;
        let links = |page: String| -> Vec<String> {
            let html = scraper::Html::parse_document(&page);
            let a = scraper::Selector::parse("nav.downloads a[href]").unwrap();
            html.select(&a)
                .filter_map(|e| e.value().attr("href").map(str::to_string))
                .collect()
        };
        let page = links(
            gevinst_tests::get(app.url(&format!("/?as_of={AS_OF}")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        for link in [
            "/exports/portfolio.xlsx?as_of=2025-12-31",
            "/exports/goals.csv?as_of=2025-12-31",
            "/exports/committee-status.xlsx?as_of=2025-12-31",
            "/exports/late.xlsx?as_of=2025-12-31",
        ] {
            assert!(
                page.iter().any(|l| l == link),
                "the overview links {link}: {page:?}"
            );
        }
        let page = links(
            gevinst_tests::get(app.url(&format!("/proposals/BC01?as_of={AS_OF}")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        assert!(
            page.iter()
                .any(|l| l == "/exports/realisation.xlsx?as_of=2025-12-31&proposal=BC01"),
            "the proposal page links its realisation: {page:?}"
        );
        for (path, file, attachment) in [
            (
                "goals.xlsx?proposal=BC01",
                "goals.xlsx",
                "maal-og-milepaele-BC01-2025-12-31.xlsx",
            ),
            (
                "committee-status.xlsx",
                "committee-status.xlsx",
                "status-til-udvalgene-2025-12-31.xlsx",
            ),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let response =
                gevinst_tests::get(app.url(&format!("/exports/{path}{sep}as_of={AS_OF}")))
                    .await
                    .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let headers = response.headers().clone();
            assert_eq!(
                headers["content-type"],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            );
            assert_eq!(
                headers["content-disposition"],
                format!("attachment; filename=\"{attachment}\"").as_str()
            );
            assert_eq!(headers["gevinst-as-of"], AS_OF);
            std::fs::write(out(file), response.bytes().await.unwrap()).unwrap();
        }
        let csv = gevinst_tests::get(app.url(&format!("/exports/portfolio.csv?as_of={AS_OF}")))
            .await
            .unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let (_, served) = t
            .gevinst(&["report", "portfolio", "--as-of", AS_OF, "--format", "csv"])
            .await;
        let served_body = csv.text().await.unwrap();
        assert_eq!(
            served_body, served,
            "the same file from the CLI and the server"
        );
        for (path, status) in [
            ("/exports/realisation.xlsx", 400),
            ("/exports/realisation.xlsx?proposal=BC99", 404),
            ("/exports/nothing.xlsx", 404),
            ("/exports/portfolio.pdf", 404),
            ("/exports/portfolio.csv?as_of=31-12-2025", 400),
        ] {
            let response = gevinst_tests::get(app.url(path)).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
        }

        if !openpyxl_available() {
            return;
        }
        let stated_total = json_of(&t, &["portfolio"]).await["total"]["stated"].clone();
        assert!(stated_total.is_object(), "Bilag 7 states its total");
        let expected = serde_json::json!({
            "portfolio.xlsx": {
                "sheet": "Portefølje",
                "title": "Tabel 1.",
                "first_header": "Udvalg",
                "rows": committees(&t).await + 1,
                "numbers": {
                    "Antal forslag": "0",
                    "Investering i alt (1.000 kr.)": "#,##0",
                    "Investering i alt (mio. kr.)": "#,##0.0",
                    "Investering i alt, bilagets Tabel 1 (mio. kr.)": "#,##0.0",
                },
                "stated_total": {
                    "Investering i alt, bilagets Tabel 1 (mio. kr.)":
                        stated_total["investment_mio"],
                    "Effektiviseringer ved fuld indfasning, bilagets Tabel 1 (mio. kr.)":
                        stated_total["savings_full_phase_in_mio"],
                },
                "total": [
                    "Antal forslag",
                    "Investering i alt (1.000 kr.)",
                    "Investering i alt (mio. kr.)",
                    "Realiseret til dato (1.000 kr.)",
                ],
            },
            "realisation.xlsx": {
                "sheet": "Realisering BC01",
                "title": "BC01",
                "first_header": "År",
                "rows": realisation_years(&t).await + 1,
                "numbers": {"År": "0", "Plan": "#,##0", "Realiseret": "#,##0"},
                "total": ["Plan", "Realiseret", "Afvigelse"],
            },
            "late.xlsx": {
                "sheet": "Forsinket",
                "title": "Forsinket",
                "first_header": "Forslag",
                "rows": late_items(&t).await + 1,
                "total": ["Mangler (1.000 kr.)"],
            },
            "goals.xlsx": {
                "sheet": "Mål og milepæle",
                "title": "Opfølgningsmål",
                "first_header": "Forslag",
                "rows": goal_rows(&t).await,
                "text": [["Seneste note", ["Id", "g1"], "=1+1"]],
            },
            "committee-status.xlsx": {
                "sheet": "Status til udvalgene",
                "title": "Status til udvalgene",
                "first_header": "Forslag",
                "rows": 12,
            },
        });
        let check = Command::new("python3")
            .args([
                "-c",
                OPENPYXL_CHECK,
                dir.path().to_str().unwrap(),
                &expected.to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "openpyxl: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "ok 5");
    }
);

async fn json_of(t: &TestStore, args: &[&str]) -> serde_json::Value {
    let mut argv = vec!["report"];
    argv.extend_from_slice(args);
    argv.extend(["--as-of", AS_OF]);
    t.json(&argv).await
}

async fn realisation_years(t: &TestStore) -> usize {
    json_of(t, &["realisation", "BC01"]).await["years"]
        .as_array()
        .unwrap()
        .len()
}

async fn committees(t: &TestStore) -> usize {
    json_of(t, &["portfolio"]).await["committees"]
        .as_array()
        .unwrap()
        .len()
}

async fn late_items(t: &TestStore) -> usize {
    json_of(t, &["late"]).await.as_array().unwrap().len()
}

async fn goal_rows(t: &TestStore) -> usize {
    json_of(t, &["goals", "--proposal", "BC01"])
        .await
        .as_array()
        .unwrap()
        .len()
}

both_backends!(
    a_download_refused_to_a_browser_is_a_danish_page_and_to_a_client_a_problem,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        let get = |client: reqwest::Client, path: &str, accept: Option<&str>| {
            let mut request = client.get(app.url(path));
            if let Some(accept) = accept {
                request = request.header(reqwest::header::ACCEPT, accept);
            }
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let kind = response.headers()[reqwest::header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .to_string();
                (status, kind, response.text().await.unwrap())
            }
        };
        // A link to a file that is not there, followed in a browser: the error page.
        let (status, kind, body) = get(app.client(), "/exports/budget.csv", Some(browser)).await;
        assert_eq!((status, kind.as_str()), (404, "text/html; charset=utf-8"));
        assert!(body.contains("<html lang=\"da\">"), "{body}");
        assert!(body.contains("<h1>Findes ikke</h1>"), "{body}");
        assert!(
            body.contains("der er ingen download ved navn «budget.csv»"),
            "{body}"
        );
        // Saying who is signed in, as every page does.
        assert!(body.contains("Logget ind som <strong>"), "{body}");
        // The same address asked by a client: the problem, as before.
        let (status, kind, body) = get(app.client(), "/exports/budget.csv", None).await;
        assert_eq!((status, kind.as_str()), (404, "application/problem+json"));
        assert!(body.contains("urn:gevinst:problem:not-found"), "{body}");
        // One kind of refusal, one heading: on a page, on a refused download's page and in
        // the problem's title.
        let heading = |html: &str| {
            let start = html.find("<h1>").expect("a heading") + "<h1>".len();
            html[start..start + html[start..].find("</h1>").unwrap()].to_string()
        };
        let title = |json: &str| {
            serde_json::from_str::<serde_json::Value>(json).unwrap()["title"]
                .as_str()
                .unwrap()
                .to_string()
        };
        for (status, page, download) in [
            (404, "/proposals/XX99", "/exports/budget.csv"),
            (400, "/late?kind=xyz", "/exports/late.csv?kind=xyz"),
        ] {
            let (page_status, _, page) = get(app.client(), page, Some(browser)).await;
            let (refused_status, _, refused) = get(app.client(), download, Some(browser)).await;
            let (problem_status, _, problem) = get(app.client(), download, None).await;
            assert_eq!(
                (page_status, refused_status, problem_status),
                (status, status, status)
            );
            assert_eq!(heading(&page), heading(&refused), "{status}");
            assert_eq!(heading(&page), title(&problem), "{status}");
        }
        // Signed out in a browser: to the login page, and back to the file once signed in; a
        // signed-in browser still gets the file.
        let signed_out = gevinst_tests::without_redirects();
        let response = signed_out
            .get(app.url("/exports/late.csv?as_of=2025-12-31"))
            .header(reqwest::header::ACCEPT, browser)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(
            response.headers()[reqwest::header::LOCATION],
            "/login?next=%2Fexports%2Flate.csv%3Fas_of%3D2025-12-31"
        );
        let (status, kind, body) = get(
            reqwest::Client::new(),
            "/exports/late.csv?as_of=2025-12-31",
            None,
        )
        .await;
        assert_eq!(
            (status, kind.as_str()),
            (401, "application/problem+json"),
            "{body}"
        );
        let (status, kind, _) = get(
            app.client(),
            "/exports/late.csv?as_of=2025-12-31",
            Some(browser),
        )
        .await;
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    }
);

both_backends!(
    a_list_narrowed_to_one_committee_downloads_that_committees_proposals,
    |t: TestStore| async move {
        scenario(&t).await;
        let app = t.spawn_app().await;
        let text = |path: String| read(&app, path);
        // The page narrowed to SUD links its files with the committee.
        let (status, page) = text(format!("/committee-status?as_of={AS_OF}&committee=SUD")).await;
        assert_eq!(status, 200);
        assert_eq!(
            links(&page, "/exports/committee-status.csv"),
            [format!(
                "/exports/committee-status.csv?as_of={AS_OF}&committee=SUD"
            )]
        );
        for file in ["committee-status.csv", "late.csv"] {
            let (_, all) = text(format!("/exports/{file}?as_of={AS_OF}")).await;
            let (header, all) = parse_csv(&all);
            let shared = header
                .iter()
                .position(|h| h == "Udvalg med andel")
                .expect("the committees column");
            // The proposals' rows, without the total.
            let proposals = |rows: Vec<Vec<String>>| {
                rows.into_iter()
                    .filter(|r| r[0] != "I alt")
                    .collect::<Vec<_>>()
            };
            let all = proposals(all);
            let with = |code: &str| {
                all.iter()
                    .filter(|r| r[shared].split(", ").any(|c| c == code))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            // The committee with a share in the fewest of the rows (at least one).
            let code = all
                .iter()
                .flat_map(|r| r[shared].split(", ").map(str::to_string))
                .min_by_key(|c| with(c).len())
                .expect("a committee");
            let (status, narrowed) =
                text(format!("/exports/{file}?as_of={AS_OF}&committee={code}")).await;
            assert_eq!(status, 200, "{file}: {narrowed}");
            let narrowed = proposals(parse_csv(&narrowed).1);
            // Every row that committee has a share of, and no other.
            assert_eq!(narrowed, with(&code), "{file}, {code}");
            assert!(
                narrowed.len() < all.len(),
                "{file}, {code}: {} of {}",
                narrowed.len(),
                all.len()
            );
        }
        // A committee no document declares is refused, naming those that are.
        let (status, refused) =
            text(format!("/exports/late.csv?as_of={AS_OF}&committee=XYZ")).await;
        assert_eq!(status, 400);
        assert!(refused.contains("«XYZ» er ikke et udvalg"), "{refused}");
    }
);

both_backends!(
    the_late_page_links_its_files_with_its_filters_and_they_hold_its_rows,
    |t: TestStore| async move {
        scenario(&t).await;
        let app = t.spawn_app().await;
        let text = |path: String| read(&app, path);
        let mut tried = 0;
        for kind in ["", "saving", "goal", "missing_report", "milestone"] {
            let filter = if kind.is_empty() {
                String::new()
            } else {
                format!("&kind={kind}")
            };
            let (status, page) = text(format!("/late?as_of={AS_OF}{filter}")).await;
            assert_eq!(status, 200, "{page}");
            let html = scraper::Html::parse_document(&page);
            let cells = scraper::Selector::parse("#forsinket-tabel tbody tr > *").unwrap();
            let cells: Vec<String> = html
                .select(&cells)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect();
            // Both files, with the page's date and kind.
            for extension in ["xlsx", "csv"] {
                assert_eq!(
                    links(&page, &format!("/exports/late.{extension}")),
                    [format!("/exports/late.{extension}?as_of={AS_OF}{filter}")]
                );
            }
            // The file has the page's rows, in its order: proposal, committee, type, what.
            let (status, csv) = text(format!("/exports/late.csv?as_of={AS_OF}{filter}")).await;
            assert_eq!(status, 200, "{csv}");
            let (_, rows) = parse_csv(&csv);
            let page_rows: Vec<&[String]> = cells.chunks(6).map(|r| &r[..4]).collect();
            // The file's total row ("I alt") aside.
            let rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r[0] != "I alt").collect();
            let file_rows: Vec<&[String]> = rows.iter().map(|r| &r[..4]).collect();
            assert_eq!(file_rows, page_rows, "kind «{kind}»");
            if !kind.is_empty() && !rows.is_empty() {
                tried += 1;
                let label = gevinst_api::labels::late_kind_label(kind);
                assert!(rows.iter().all(|r| r[2] == label), "{kind}: {rows:?}");
            }
        }
        assert!(tried >= 2, "at least two kinds had rows at {AS_OF}");
        // A kind the list does not have is refused, naming those it has.
        let (status, refused) = text(format!("/exports/late.csv?as_of={AS_OF}&kind=xyz")).await;
        assert_eq!(status, 400);
        assert!(
            refused.contains("«xyz» er ikke en art på listen"),
            "{refused}"
        );
        for kind in gevinst_projections::reports::LATE_KINDS {
            let named = format!("{kind} ({})", gevinst_api::labels::late_kind_label(kind));
            assert!(refused.contains(&named), "{named} in {refused}");
        }
    }
);
