//! Reads never wait for writes: an HTTP read never runs the projector; a background projector
//! per process follows what other processes wrote; a read that sends its write's position
//! (`Gevinst-Position`) is served once that position is projected.
//!
//! "Another process's write" is an event appended to the log without projecting it, as a
//! second instance would leave it for this one: a copy of a saving the command path wrote.

use std::time::Duration;

use gevinst_api::http::service::ServiceSettings;
use gevinst_api::http::POSITION_HEADER;
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::Role;
use gevinst_projections::readmodel::PROJECTOR_LOCK_KEY;
use gevinst_tests::{both_backends, client, meta, proposal, TestStore};

const REALISATION: &str = "/api/proposals/BC01/realisation?as_of=2025-12-31";
const PORTFOLIO: &str = "/api/portfolio?as_of=2025-12-31";

/// Records a saving on BC01 through the command path (projected at once).
async fn saving(t: &TestStore) {
    let mut saving = examples::saving(2025, -7);
    saving.committee = None;
    t.service
        .execute(
            &proposal("BC01"),
            ProposalCommand::RecordSaving(saving),
            meta("anna@kk.dk", Role::ProjectOwner),
        )
        .await
        .expect("a saving");
}

/// Appends a copy of BC01's last event as the next one, without projecting it; returns its
/// position.
async fn append_unprojected(t: &TestStore, key: &str) -> i64 {
    let store = t.service.store();
    store
        .append_with(&t.next_copy("BC01", key).await, None)
        .await
        .expect("appended");
    store.last_position().await.expect("the head")
}

/// On PostgreSQL, takes the projector lock as another instance's projector would, so an
/// application served afterwards follows and does not project (until [`step_down`]). None on
/// SQLite, where every process projects what it sees.
async fn another_leader(t: &TestStore) -> Option<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    let gevinst_store::Db::Postgres(pool) = &t.db else {
        return None;
    };
    let mut connection = pool.acquire().await.expect("a connection");
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(PROJECTOR_LOCK_KEY)
        .fetch_one(&mut *connection)
        .await
        .expect("the lock");
    assert!(taken, "no projector leads yet");
    Some(connection)
}

/// Gives the projector lock up again.
async fn step_down(leader: Option<sqlx::pool::PoolConnection<sqlx::Postgres>>) {
    if let Some(mut connection) = leader {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(PROJECTOR_LOCK_KEY)
            .execute(&mut *connection)
            .await
            .expect("unlocked");
    }
}

async fn serve_following_every(t: &TestStore, every: Duration) -> String {
    let (app, base) = t.bind_app().await;
    let app = app.with_service_settings(ServiceSettings {
        follow_interval: every,
        ..ServiceSettings::default()
    });
    t.serve(app, base).await.base
}

async fn body(base: &str, position: Option<&str>) -> (u16, String) {
    read(base, REALISATION, position).await
}

/// The answer to a signed-in read of `path`, sending `position` as the token when given.
async fn read(base: &str, path: &str, position: Option<&str>) -> (u16, String) {
    let mut request = client(base).get(format!("{base}{path}"));
    if let Some(p) = position {
        request = request.header(POSITION_HEADER, p);
    }
    let response = request.send().await.expect("an answer");
    (
        response.status().as_u16(),
        response.text().await.expect("a body"),
    )
}

/// Budget 2025 with a saving on BC01, served with the background projector looking every
/// `every` (once at once as the server starts); then another process's unprojected write.
/// Returns the base URL, BC01's realisation before that write, and the write's position.
async fn served_then_written_elsewhere(t: &TestStore, every: Duration) -> (String, String, i64) {
    t.import_budget_2025().await;
    let base = serve_following_every(t, every).await;
    saving(t).await;
    let (status, before) = body(&base, None).await;
    assert_eq!(status, 200, "{before}");
    let key = format!("another-instance-{}", every.as_millis());
    let position = append_unprojected(t, &key).await;
    (base, before, position)
}

both_backends!(
    a_read_shows_what_is_projected_and_waits_only_for_the_position_it_names,
    |t: TestStore| async move {
        // The background projector looks once as the server starts, then not for an hour; on
        // PostgreSQL, where an append wakes it, another instance leads, so it only follows.
        let leader = another_leader(&t).await;
        let (base, before, position) =
            served_then_written_elsewhere(&t, Duration::from_secs(3600)).await;
        // A read does not run the projector: the unprojected write is not there yet.
        let (status, stale) = body(&base, None).await;
        assert_eq!(status, 200, "{stale}");
        assert_eq!(stale, before, "a read projected the log itself");
        let checkpoint = || async {
            t.service
                .projector()
                .checkpoint()
                .await
                .expect("checkpoint")
        };
        assert!(checkpoint().await < position, "nothing projected it");
        // The portfolio as it stands, kept by the server for the position it was read at.
        let (status, portfolio_before) = read(&base, PORTFOLIO, None).await;
        assert_eq!(status, 200, "{portfolio_before}");
        // Someone not signed in is refused at once, before the position is read: a request
        // with no credentials cannot make the server wait.
        for named in [position.to_string(), "abc".to_string()] {
            let response = reqwest::Client::new()
                .get(format!("{base}{REALISATION}"))
                .header(POSITION_HEADER, named.as_str())
                .send()
                .await
                .expect("an answer");
            assert_eq!(response.status().as_u16(), 401, "{named}");
        }
        step_down(leader).await;

        // A read naming the write's position is served once it is projected, also where the
        // server keeps what it computed for the position it read at before.
        let (status, portfolio) = read(&base, PORTFOLIO, Some(&position.to_string())).await;
        assert_eq!(status, 200, "{portfolio}");
        assert_ne!(
            portfolio, portfolio_before,
            "the named write is in the portfolio"
        );
        assert_eq!(checkpoint().await, position);
        let (status, fresh) = body(&base, Some(&position.to_string())).await;
        assert_eq!(status, 200, "{fresh}");
        assert_ne!(fresh, before, "the named write is shown");
        // A position already projected costs nothing and shows the same.
        assert_eq!(body(&base, Some("1")).await, (200, fresh.clone()));

        // A position that is no number, or that the log does not hold, is a 400 problem.
        for bad in ["abc", "-1", &(position + 1_000).to_string()] {
            let (status, problem) = body(&base, Some(bad)).await;
            assert_eq!(status, 400, "{bad}: {problem}");
            assert!(problem.contains(POSITION_HEADER), "{bad}: {problem}");
        }
        let (_, beyond) = body(&base, Some(&(position + 1_000).to_string())).await;
        assert!(
            beyond.contains(&format!(
                "position {} findes ikke i hændelsesloggen (den sidste er {position})",
                position + 1_000
            )),
            "{beyond}"
        );
    }
);

both_backends!(
    a_command_is_read_at_once_though_another_instance_projects,
    |t: TestStore| async move {
        // On PostgreSQL another instance leads and this one's background projector only
        // follows, and it looks at start and then not for an hour; no one projects the
        // command but its own append, in its own transaction (`gevinst_store::Inline`).
        let leader = another_leader(&t).await;
        t.import_budget_2025().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.service.projector().catch_up().await.expect("caught up");
        let base = serve_following_every(&t, Duration::from_secs(3600)).await;
        let (status, before) = body(&base, None).await;
        assert_eq!(status, 200, "{before}");
        let answer = reqwest::Client::new()
            .post(format!("{base}/api/proposals/BC01/savings"))
            .bearer_auth(&anna)
            .header("idempotency-key", "read-at-once")
            .json(&serde_json::json!({
                "year": 2025, "amount": "-3", "plan_line": "l1", "date": "2025-06-30"
            }))
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status().as_u16(), 201);
        let (status, after) = body(&base, None).await;
        assert_eq!(status, 200, "{after}");
        assert_ne!(
            after, before,
            "the command is read as soon as it is answered"
        );
        assert_eq!(
            t.service
                .projector()
                .checkpoint()
                .await
                .expect("checkpoint"),
            t.service.store().last_position().await.expect("the head")
        );
        step_down(leader).await;
    }
);

both_backends!(
    the_background_projector_follows_what_another_process_wrote,
    |t: TestStore| async move {
        let (base, before, position) =
            served_then_written_elsewhere(&t, Duration::from_millis(50)).await;
        let mut shown = false;
        for _ in 0..200 {
            let (status, now) = body(&base, None).await;
            assert_eq!(status, 200, "{now}");
            if now != before {
                shown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(shown, "the write was never projected");
        assert!(
            t.service
                .projector()
                .checkpoint()
                .await
                .expect("checkpoint")
                >= position
        );
    }
);

both_backends!(
    two_instances_on_one_store_take_each_others_writes_and_agree,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let a = serve_following_every(&t, Duration::from_millis(500)).await;
        let b = serve_following_every(&t, Duration::from_millis(500)).await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        // Writes alternate between the instances on one proposal: each instance's cached
        // aggregate must take in what the other wrote, or the next write would conflict.
        let mut last = (0, 0);
        for (i, base) in [&a, &b, &a, &a, &b, &b].into_iter().enumerate() {
            let answer = reqwest::Client::new()
                .post(format!("{base}/api/proposals/BC01/savings"))
                .bearer_auth(&anna)
                .header("idempotency-key", format!("two-instances-{i}"))
                .json(&serde_json::json!({
                    "year": 2025, "amount": "-3", "plan_line": "l1", "date": "2025-06-30"
                }))
                .send()
                .await
                .expect("an answer");
            assert_eq!(answer.status().as_u16(), 201, "write {i} through {base}");
            let outcome: serde_json::Value = answer.json().await.expect("the outcome");
            let sequence = outcome["last_sequence"].as_i64().expect("a sequence");
            let position = outcome["last_position"].as_i64().expect("a position");
            if i > 0 {
                assert_eq!(sequence, last.0 + 1, "write {i} follows the one before");
            }
            last = (sequence, position);
        }
        // Each reads the other's writes (the last one was written through b), and both
        // instances' reports agree.
        let position = last.1.to_string();
        let (status, through_a) = body(&a, Some(&position)).await;
        assert_eq!(status, 200, "{through_a}");
        let (status, through_b) = body(&b, None).await;
        assert_eq!(status, 200, "{through_b}");
        assert_eq!(through_a, through_b);
        let portfolio = |base: String| async move {
            client(&base)
                .get(format!("{base}/api/portfolio?as_of=2025-12-31"))
                .send()
                .await
                .expect("an answer")
                .text()
                .await
                .expect("a body")
        };
        assert_eq!(portfolio(a.clone()).await, portfolio(b.clone()).await);
        let realisation: serde_json::Value = serde_json::from_str(&through_b).expect("JSON");
        let year = realisation["years"]
            .as_array()
            .expect("years")
            .iter()
            .find(|y| y["year"] == 2025)
            .expect("2025");
        assert_eq!(
            year["realised"]
                .as_str()
                .and_then(|r| r.parse::<f64>().ok()),
            Some(-18.0),
            "six savings of 3 t.kr. are counted: {year}"
        );
    }
);
