//! People, not typed-in names, over HTTP on both backends: who writes comes from the token or
//! the session, the policy decides what they may do (before the body is read), four eyes
//! compares logins, cookie sign-ins need their CSRF token, revoked tokens stop working, a retry
//! with the same `Idempotency-Key` returns the first outcome, and a stale `If-Match` is 412.

use gevinst_projections::PROPOSAL;
use gevinst_tests::{both_backends, TestApp, TestStore};
use serde_json::{json, Value};

const SAVING: &str = r#"{"year": 2025, "amount": "-149", "plan_line": "l1", "date": "2025-06-30"}"#;

async fn post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, json)
}

fn problem(headers: &reqwest::header::HeaderMap, body: &Value, code: &str) {
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(
        body["type"],
        format!("urn:gevinst:problem:{code}"),
        "{body}"
    );
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
}

async fn events(t: &TestStore, id: &str) -> usize {
    t.service.store().stream(PROPOSAL, id).await.unwrap().len()
}

both_backends!(
    writes_need_a_sign_in_and_a_grant_for_that_proposal,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let rita = t.user("rita@kk.dk", &[("revisor", None)]).await;
        let before = (events(&t, "BC01").await, events(&t, "BC02").await);

        // Not signed in: 401, for writes and reads alike.
        let (status, headers, body) =
            post(&app, None, "/api/proposals/BC01/savings", SAVING, &[]).await;
        assert_eq!(status, 401, "{body}");
        problem(&headers, &body, "unauthenticated");
        assert!(headers.contains_key("www-authenticate"));
        let read = reqwest::get(app.url("/api/portfolio")).await.unwrap();
        assert_eq!(read.status().as_u16(), 401);

        // BC01's owner writes BC01 …
        let (status, headers, body) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            SAVING,
            &[],
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["proposal"], "BC01");
        assert_eq!(body["event_type"], "SavingRealised");
        let sequence = body["last_sequence"].as_i64().unwrap();
        assert_eq!(
            headers["location"],
            format!("/api/proposals/BC01/events/{sequence}").as_str()
        );
        let stored = t.service.store().stream(PROPOSAL, "BC01").await.unwrap();
        let last = stored.last().unwrap();
        assert_eq!(
            (last.actor.as_str(), last.role.as_str()),
            ("anna@kk.dk", "project_owner")
        );

        // … but not BC02, and "not allowed" comes before "malformed".
        for body in [SAVING, "not json at all"] {
            let (status, headers, answer) =
                post(&app, Some(&anna), "/api/proposals/BC02/savings", body, &[]).await;
            assert_eq!(status, 403, "{answer}");
            problem(&headers, &answer, "forbidden");
        }
        // A malformed body on her own proposal is 400, a broken rule 422.
        let (status, headers, answer) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            "{\"year\": \"x\"}",
            &[],
        )
        .await;
        assert_eq!(status, 400, "{answer}");
        problem(&headers, &answer, "bad-request");
        let positive =
            r#"{"year": 2025, "amount": "149", "plan_line": "l1", "date": "2025-06-30"}"#;
        let (status, headers, answer) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            positive,
            &[],
        )
        .await;
        assert_eq!(status, 422, "{answer}");
        problem(&headers, &answer, "rule-broken");

        // An auditor reads everything and writes nothing.
        let (status, _, answer) = post(
            &app,
            Some(&rita),
            "/api/proposals/BC01/savings",
            SAVING,
            &[],
        )
        .await;
        assert_eq!(status, 403, "{answer}");
        let verify = reqwest::Client::new()
            .get(app.url("/api/verify"))
            .bearer_auth(&rita)
            .send()
            .await
            .unwrap();
        assert_eq!(verify.status().as_u16(), 200);
        let verify = reqwest::Client::new()
            .get(app.url("/api/verify"))
            .bearer_auth(&anna)
            .send()
            .await
            .unwrap();
        assert_eq!(
            verify.status().as_u16(),
            403,
            "only auditors and administrators walk the log"
        );

        assert_eq!(
            (events(&t, "BC01").await, events(&t, "BC02").await),
            (before.0 + 1, before.1),
            "exactly the one allowed write was stored"
        );
    }
);

both_backends!(
    four_eyes_compares_logins_not_how_they_are_typed,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        // Eva owns BC01 and is also a controller: she may verify savings, but not her own.
        let eva = t
            .user(
                "eva@kk.dk",
                &[("projektejer", Some("BC01")), ("controller", None)],
            )
            .await;
        let (status, _, body) =
            post(&app, Some(&eva), "/api/proposals/BC01/savings", SAVING, &[]).await;
        assert_eq!(status, 201, "{body}");
        let saving = body["last_sequence"].as_i64().unwrap().to_string();
        let verification =
            json!({"sequence": saving.parse::<u64>().unwrap(), "date": "2025-07-01"}).to_string();
        let (status, _, body) = post(
            &app,
            Some(&eva),
            "/api/proposals/BC01/saving-verifications",
            &verification,
            &[],
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("eva@kk.dk"),
            "{body}"
        );
        // The same person typed another way on the command line is still the same person.
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "EVA@KK.dk",
                "verify-saving",
                "BC01",
                "--sequence",
                &saving,
                "--date",
                "2025-07-01",
            ])
            .await;
        assert_eq!(code, 1, "{out}");
        // Another controller may.
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "carl@kk.dk",
                "verify-saving",
                "BC01",
                "--sequence",
                &saving,
                "--date",
                "2025-07-01",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let last = t.service.store().stream(PROPOSAL, "BC01").await.unwrap();
        let v = &last.last().unwrap().payload["SavingVerified"];
        assert_eq!(
            (v["verified_by"].as_str(), v["reported_by"].as_str()),
            (Some("carl@kk.dk"), Some("eva@kk.dk"))
        );
    }
);

both_backends!(
    sessions_need_their_csrf_token_and_tokens_can_be_revoked,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let client = gevinst_tests::without_redirects();

        // A wrong password answers the form again with a Danish message.
        let wrong = client
            .post(app.url("/login"))
            .form(&[("login", "anna@kk.dk"), ("password", "forkert")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 401);
        assert!(wrong.text().await.unwrap().contains("forkert"));

        let login = client
            .post(app.url("/login"))
            .form(&[
                ("login", "Anna@kk.dk"),
                ("password", "anna@kk.dk-password-1234"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status().as_u16(), 303);
        let set_cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
        for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Max-Age=28"] {
            assert!(set_cookie.contains(attribute), "{set_cookie}");
        }
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let me: Value = client
            .get(app.url("/api/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["login"], "anna@kk.dk");
        let csrf = me["csrf_token"].as_str().unwrap().to_string();
        // Every page says who is signed in, with the roles, and offers to log out with the
        // session's CSRF token.
        let page = client
            .get(app.url("/"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let html = scraper::Html::parse_document(&page);
        let bar = scraper::Selector::parse("header.site form.bruger").unwrap();
        let bar = html.select(&bar).next().expect("the page has a user bar");
        assert_eq!(bar.value().attr("action"), Some("/logout"));
        let text: String = bar.text().collect();
        assert!(
            text.contains("anna@kk.dk (projektejer for forslag BC01)"),
            "{text}"
        );
        let field = scraper::Selector::parse("input[name=csrf]").unwrap();
        assert_eq!(
            bar.select(&field)
                .next()
                .and_then(|i| i.value().attr("value")),
            Some(csrf.as_str())
        );

        let with_cookie = |extra: Option<&str>| {
            let mut r = client
                .post(app.url("/api/proposals/BC01/savings"))
                .header("cookie", &cookie)
                .header("content-type", "application/json")
                .body(SAVING);
            if let Some(c) = extra {
                r = r.header("x-csrf-token", c);
            }
            r.send()
        };
        let refused = with_cookie(None).await.unwrap();
        assert_eq!(refused.status().as_u16(), 403);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["type"], "urn:gevinst:problem:csrf");
        assert_eq!(
            with_cookie(Some("not-the-token"))
                .await
                .unwrap()
                .status()
                .as_u16(),
            403
        );
        assert_eq!(
            with_cookie(Some(&csrf)).await.unwrap().status().as_u16(),
            201
        );

        // Logout ends the session.
        let out = client
            .post(app.url("/logout"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status().as_u16(), 303);
        let after = client
            .get(app.url("/api/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status().as_u16(), 401);
        // A page sends a signed-out browser to the login form.
        let page = client.get(app.url("/proposals/BC01")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 303);
        assert!(page.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next="));

        // A revoked token is 401.
        let id = anna.split('_').nth(1).unwrap().to_string();
        let (code, out) = t.gevinst(&["token", "revoke", &id]).await;
        assert_eq!(code, 0, "{out}");
        let (status, headers, body) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            SAVING,
            &[],
        )
        .await;
        assert_eq!(status, 401, "{body}");
        problem(&headers, &body, "unauthenticated");
    }
);

both_backends!(
    a_retry_returns_the_first_outcome_and_a_stale_version_is_412,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let before = events(&t, "BC01").await;
        let key = [("idempotency-key", "anna-2025-06")];
        let (s1, _, first) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            SAVING,
            &key,
        )
        .await;
        let (s2, _, second) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/savings",
            SAVING,
            &key,
        )
        .await;
        assert_eq!((s1, s2), (201, 201), "{first} {second}");
        assert_eq!(first["last_position"], second["last_position"]);
        assert_eq!(first["recorded_at"], second["recorded_at"]);
        assert_eq!(second["replayed"], true);
        assert_eq!(events(&t, "BC01").await, before + 1);

        let version = (before + 1).to_string();
        let stale = format!("\"{}\"", before);
        let (status, headers, body) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/progress",
            r#"{"goal": "g1", "date": "2025-06-30", "note": "i gang"}"#,
            &[("if-match", stale.as_str())],
        )
        .await;
        assert_eq!(status, 412, "{body}");
        problem(&headers, &body, "precondition-failed");
        let current = format!("\"{version}\"");
        let (status, _, body) = post(
            &app,
            Some(&anna),
            "/api/proposals/BC01/progress",
            r#"{"goal": "g1", "date": "2025-06-30", "note": "i gang"}"#,
            &[("if-match", current.as_str())],
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
);

both_backends!(
    a_confidential_proposal_shows_nothing_beyond_its_summary_without_a_grant,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let bo = t.user("bo@kk.dk", &[("projektejer", Some("BC08"))]).await;
        let get = |token: String, path: &'static str| {
            let url = app.url(path);
            async move {
                reqwest::Client::new()
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        for path in [
            "/api/proposals/BC08",
            "/api/proposals/BC08/realisation",
            "/api/proposals/BC08/events",
            "/api/goals?proposal=BC08",
            "/proposals/BC08",
        ] {
            assert_eq!(get(anna.clone(), path).await, 403, "{path} for anna");
            assert_eq!(get(bo.clone(), path).await, 200, "{path} for BC08's owner");
        }
        assert_eq!(get(anna.clone(), "/api/proposals/BC01/events").await, 200);
        assert_eq!(
            get(anna.clone(), "/api/proposals/BC02/events").await,
            403,
            "history needs a grant"
        );
        assert_eq!(get(anna, "/api/portfolio").await, 200);
    }
);

/// Every GET in the OpenAPI `document`, asked about BC08: `{id}` is BC08, `as_of` is
/// 2025-12-31, a required number is 1, and a path that takes a `proposal` filter is asked both
/// without and with `proposal=BC08`.
fn reads_of(document: &Value) -> Vec<String> {
    let mut reads = Vec::new();
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    for (path, item) in paths {
        let Some(get) = item.get("get") else { continue };
        let mut query = Vec::new();
        let mut takes_proposal = false;
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap_or_default();
            match (parameter["in"].as_str(), name) {
                (Some("query"), "as_of") => query.push("as_of=2025-12-31".to_string()),
                (Some("query"), "proposal") => takes_proposal = true,
                (Some("query"), _) if parameter["required"] == json!(true) => {
                    query.push(format!("{name}=1"));
                }
                _ => {}
            }
        }
        let path = path.replace("{id}", "BC08");
        let with = |extra: Option<&str>| {
            let query: Vec<&str> = query.iter().map(String::as_str).chain(extra).collect();
            if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{}", query.join("&"))
            }
        };
        reads.push(with(None));
        if takes_proposal {
            reads.push(with(Some("proposal=BC08")));
        }
    }
    reads
}

both_backends!(
    what_is_recorded_on_a_confidential_proposal_reaches_no_ungranted_reader,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let bo = t.user("bo@kk.dk", &[("projektejer", Some("BC08"))]).await;
        let secret = "HEMMELIG-handling-BC08";
        let action = json!({"date": "2025-06-30", "action": secret}).to_string();
        let (status, _, body) = post(
            &app,
            Some(&bo),
            "/api/proposals/BC08/compensating-actions",
            &action,
            &[],
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let read = |token: &str, path: &str| {
            let request = reqwest::Client::new().get(app.url(path)).bearer_auth(token);
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        // Its owner finds it in the history: it was stored, and a reader could see it.
        assert!(read(&bo, "/api/proposals/BC08/events")
            .await
            .contains(secret));
        // Every read a person without a grant on BC08 can make leaves it out: every GET the
        // API's own description lists, and the pages and downloads it does not describe.
        let document: Value = serde_json::from_str(&read(&anna, "/api/openapi.json").await)
            .expect("the OpenAPI document is JSON");
        let described = reads_of(&document);
        assert!(
            described.len() >= 16, // 15 GET paths, /api/goals with and without the filter
            "the document describes only these reads: {described:?}"
        );
        let pages = [
            "/",
            "/committee-status?as_of=2025-12-31",
            "/proposals/BC08",
            "/proposals/BC08/history",
            "/proposals/BC08/register",
            "/mine",
            "/late?as_of=2025-12-31",
            "/verification-queue",
            "/verify",
            "/exports/portfolio.csv?as_of=2025-12-31",
            "/exports/goals.csv?as_of=2025-12-31",
            "/exports/goals.csv?as_of=2025-12-31&proposal=BC08",
            "/exports/late.csv?as_of=2025-12-31",
            "/exports/committee-status.csv?as_of=2025-12-31",
            "/exports/realisation.csv?as_of=2025-12-31&proposal=BC08",
            "/exports/proposal.csv?as_of=2025-12-31&proposal=BC08",
        ];
        for path in described.iter().map(String::as_str).chain(pages) {
            assert!(
                !read(&anna, path).await.contains(secret),
                "{path} shows it to anna"
            );
        }
    }
);

both_backends!(
    a_command_decided_on_what_this_process_kept_is_decided_again_when_another_process_moved_it,
    |t: TestStore| async move {
        use gevinst_domain::access::{Grant, Login, Scope};
        use gevinst_domain::proposal::{examples, ProposalCommand};
        use gevinst_projections::{CommandError, Operator, ProposalService, Request};
        // This process (`t.service`) keeps BC01 and the grants after its first command; the
        // other process is a second service on the same store.
        t.register_example("BC01").await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("bo@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let other = ProposalService::new(t.db.clone(), t.clock.clone());
        let (anna, bo, admin) = (
            Login::parse("anna@kk.dk").unwrap(),
            Login::parse("bo@kk.dk").unwrap(),
            Operator::Account(Login::parse("admin").unwrap()),
        );
        let id = gevinst_tests::proposal("BC01");
        let saving = || ProposalCommand::RecordSaving(examples::saving(2025, -1));
        let owner = || {
            Grant::new(
                gevinst_domain::Role::ProjectOwner,
                Scope::Proposal(id.clone()),
            )
        };
        let why = || gevinst_domain::Reason::parse("test").unwrap();
        let here = |login: Login| {
            let service = t.service.clone();
            let id = id.clone();
            async move {
                service
                    .execute_as(&login, &id, saving(), Request::default())
                    .await
            }
        };
        here(anna.clone()).await.expect("anna's first saving");

        // The other process writes to BC01: this one's kept BC01 is behind the log, the
        // append says so, and the command is decided again on the log's BC01.
        let theirs = other
            .execute_as(&bo, &id, saving(), Request::default())
            .await
            .expect("bo's saving in the other process");
        let ours = here(anna.clone()).await.expect("anna's saving after bo's");
        assert_eq!(ours.first_sequence, theirs.last_sequence + 1);

        // The other process revokes anna's grant: the grants this one kept still allow her,
        // but the append checks them against the log, and the command is refused.
        other
            .access()
            .grant(&admin, &anna, owner().unwrap(), true, why())
            .await
            .expect("the revocation");
        let refused = here(anna.clone()).await;
        assert!(
            matches!(refused, Err(CommandError::Denied(_))),
            "{refused:?}"
        );

        // And grants her again: the kept grants (now without her) say no, the log says yes.
        other
            .access()
            .grant(&admin, &anna, owner().unwrap(), false, why())
            .await
            .expect("the grant");
        here(anna.clone())
            .await
            .expect("anna's saving after her new grant");
        let savings = t
            .service
            .store()
            .stream(PROPOSAL, "BC01")
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event_type == "SavingRealised")
            .count();
        assert_eq!(
            savings, 4,
            "anna 3, bo 1; nothing written when she had no grant"
        );
    }
);

both_backends!(
    grants_changed_elsewhere_count_from_the_next_request,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let browser = app.session("anna@kk.dk").await;
        let saving = || {
            post(
                &app,
                Some(&anna),
                "/api/proposals/BC01/savings",
                SAVING,
                &[],
            )
        };
        let (status, _, body) = saving().await;
        assert_eq!(status, 201, "{body}");
        // The server keeps the grants it signs people in with; an administrator changes them
        // elsewhere (the command line: a process of its own, with caches of its own), and the
        // server's very next request is decided on the changed grants, each way.
        let (code, out) = t
            .gevinst(&[
                "revoke",
                "anna@kk.dk",
                "projektejer",
                "--proposal",
                "BC01",
                "--reason",
                "skifter job",
                "--as",
                "admin",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let (status, headers, body) = saving().await;
        assert_eq!(status, 403, "{body}");
        problem(&headers, &body, "forbidden");
        let (code, out) = t
            .gevinst(&[
                "grant",
                "anna@kk.dk",
                "projektejer",
                "--proposal",
                "BC01",
                "--reason",
                "tilbage igen",
                "--as",
                "admin",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let (status, _, body) = saving().await;
        assert_eq!(status, 201, "{body}");
        // A disabled account is signed out at once, by token and by session.
        let me = browser.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(me.status().as_u16(), 200);
        let (code, out) = t
            .gevinst(&["user", "disable", "anna@kk.dk", "--as", "admin"])
            .await;
        assert_eq!(code, 0, "{out}");
        let (status, _, body) = saving().await;
        assert_eq!(status, 401, "{body}");
        let me = browser.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(me.status().as_u16(), 401);
    }
);
