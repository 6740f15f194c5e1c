//! The two migration trees (`migrations/postgres`, `migrations/sqlite`) must define the same
//! schema: the same tables with the same columns in the same order, the same nullability, the
//! same primary and unique keys, the same indexes, and the same append-only rules. Types differ
//! by backend only along the documented pairs in [`SAME_TYPE`].
//!
//! Each backend's schema is read back from a freshly migrated database (not from the SQL text),
//! so what is compared is what the migrations really built.

use std::collections::{BTreeMap, BTreeSet};

use gevinst_store::{Db, StoreConfig};
use gevinst_tests::{Backend, TestStore};
use sqlx::Row;

/// SQLite's declared type beside the PostgreSQL type it stands for.
const SAME_TYPE: &[(&str, &str)] = &[
    ("INTEGER", "bigint"),
    ("BIGINT", "bigint"),
    ("INTEGER", "integer"),
    ("BOOLEAN", "boolean"),
    ("TEXT", "text"),
    ("TEXT", "uuid"),
    ("TEXT", "jsonb"),
    ("TEXT", "date"),
    ("TEXT", "timestamp with time zone"),
];

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// (name, type as the backend names it, not null)
    columns: Vec<(String, String, bool)>,
    primary_key: Vec<String>,
    unique: BTreeSet<Vec<String>>,
    /// (index name, columns) of plain indexes.
    indexes: BTreeSet<(String, Vec<String>)>,
    /// Row operations a trigger refuses (UPDATE, DELETE).
    refused: BTreeSet<String>,
}

type Schema = BTreeMap<String, Table>;

async fn sqlite_schema(db: &Db) -> Schema {
    let Db::Sqlite(pool) = db else { unreachable!() };
    let mut schema = Schema::new();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        let name: String = t.get("name");
        let mut table = Table::default();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&name)
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let column: String = c.get("name");
            let key: i64 = c.get("pk");
            // SQLite lets an INTEGER PRIMARY KEY be NULL on paper; it never is (it is the rowid).
            let not_null = c.get::<i64, _>("notnull") == 1 || key > 0;
            table
                .columns
                .push((column.clone(), c.get("type"), not_null));
            if key > 0 {
                pk.push((key, column));
            }
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        for i in sqlx::query("SELECT name, origin FROM pragma_index_list(?)")
            .bind(&name)
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let index: String = i.get("name");
            let origin: String = i.get("origin");
            let columns: Vec<String> =
                sqlx::query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get("name"))
                    .collect();
            match origin.as_str() {
                "u" => {
                    table.unique.insert(columns);
                }
                "c" => {
                    table.indexes.insert((index, columns));
                }
                _ => {} // "pk": already read from table_info
            }
        }
        for trigger in
            sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap()
        {
            let sql: String = trigger.get("sql");
            assert!(sql.contains("RAISE(ABORT"), "a trigger that refuses: {sql}");
            for op in ["UPDATE", "DELETE"] {
                if sql.contains(&format!("BEFORE {op} ON")) {
                    table.refused.insert(op.to_string());
                }
            }
        }
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let Db::Postgres(pool) = db else {
        unreachable!()
    };
    let mut schema = Schema::new();
    let tables = sqlx::query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        let name: String = t.get("name");
        let mut table = Table::default();
        for c in sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let nullable: String = c.get("nullable");
            table
                .columns
                .push((c.get("name"), c.get("type"), nullable == "NO"));
        }
        // Keys and indexes from pg_index: primary, unique, and the rest.
        for i in sqlx::query(
            "SELECT ic.relname::text AS index, ix.indisprimary AS primary, ix.indisunique AS unique, \
                    array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n) \
                          JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
                          ORDER BY k.n) AS columns \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid \
             JOIN pg_class tc ON tc.oid = ix.indrelid \
             WHERE tc.relname = $1 AND tc.relnamespace = 'public'::regnamespace",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let columns: Vec<String> = i.get("columns");
            if i.get::<bool, _>("primary") {
                table.primary_key = columns;
            } else if i.get::<bool, _>("unique") {
                table.unique.insert(columns);
            } else {
                table.indexes.insert((i.get("index"), columns));
            }
        }
        for trigger in sqlx::query(
            "SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t \
             JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = $1 AND NOT t.tgisinternal",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let def: String = trigger.get("def");
            assert!(
                def.contains("refuse_history_change"),
                "a trigger that refuses: {def}"
            );
            // TRUNCATE has no SQLite counterpart (SQLite has no TRUNCATE; a DELETE without a
            // WHERE clause is refused by the DELETE trigger), so only row operations compare.
            for op in ["UPDATE", "DELETE"] {
                if def.contains(op) {
                    table.refused.insert(op.to_string());
                }
            }
        }
        schema.insert(name, table);
    }
    schema
}

async fn migrated(backend: Backend) -> (TestStore, Schema) {
    let t = TestStore::new(backend).await;
    let schema = match t.config {
        StoreConfig::Sqlite(_) => sqlite_schema(&t.db).await,
        StoreConfig::Postgres(_) => postgres_schema(&t.db).await,
    };
    (t, schema)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_trees_define_the_same_schema() {
    let (lite_store, lite) = migrated(Backend::Sqlite).await;
    let (pg_store, pg) = migrated(Backend::Postgres).await;
    let (_keep_lite, _keep_pg) = (lite_store.keep_alive(), pg_store.keep_alive());

    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        pg.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    assert!(lite.contains_key("event") && lite.contains_key("command"));
    for (name, l) in &lite {
        let p = &pg[name];
        let names = |t: &Table| t.columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(l),
            names(p),
            "{name}: the same columns in the same order"
        );
        for (lc, pc) in l.columns.iter().zip(&p.columns) {
            assert!(
                SAME_TYPE.contains(&(lc.1.as_str(), pc.1.as_str())),
                "{name}.{}: SQLite {} and PostgreSQL {} are not the same type",
                lc.0,
                lc.1,
                pc.1
            );
            assert_eq!(lc.2, pc.2, "{name}.{}: the same nullability", lc.0);
        }
        assert_eq!(l.primary_key, p.primary_key, "{name}: the same primary key");
        assert_eq!(l.unique, p.unique, "{name}: the same unique keys");
        assert_eq!(l.indexes, p.indexes, "{name}: the same indexes");
        assert_eq!(l.refused, p.refused, "{name}: the same append-only rules");
    }
    for history in ["event", "command"] {
        assert_eq!(
            lite[history].refused,
            BTreeSet::from(["DELETE".to_string(), "UPDATE".to_string()]),
            "{history} is append-only"
        );
    }
}

/// The large JSON values (a baseline's plan: its event's payload, and the read models' baseline,
/// current plan and plan versions) are compressed with lz4 on a PostgreSQL server that has it,
/// pglz otherwise: storage only, so the schemas compared above do not show it. Asked of the
/// catalogue and of a plan as stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_json_is_compressed_with_lz4_where_postgresql_has_it() {
    let t = TestStore::new(Backend::Postgres).await;
    let _keep = t.keep_alive();
    t.import_budget_2025().await;
    let Db::Postgres(pool) = &t.db else {
        unreachable!()
    };
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(pool)
        .await
        .unwrap();
    if version < 140_000 {
        // No per-column compression before 14: the migration ran (the store opened) and kept
        // pglz.
        return;
    }
    let offered: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let lz4 = offered.iter().any(|m| m == "lz4");
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.attrelid::regclass::text, a.attname::text, a.attcompression::text \
         FROM pg_attribute a WHERE a.attrelid IN ('event'::regclass, 'rm_proposal'::regclass, \
         'rm_plan_version'::regclass) AND a.attnum > 0 AND NOT a.attisdropped \
         AND a.attcompression <> '' ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let expected: Vec<(String, String, String)> = if lz4 {
        [
            ("event", "payload"),
            ("rm_plan_version", "plan"),
            ("rm_proposal", "baseline_plan"),
            ("rm_proposal", "current_plan"),
        ]
        .iter()
        .map(|(t, c)| (t.to_string(), c.to_string(), "l".to_string()))
        .collect()
    } else {
        Vec::new()
    };
    assert_eq!(
        columns, expected,
        "the columns compressed with lz4 ({offered:?})"
    );
    // BC01's plan (18 KB of JSON) as the import stored it, in every place it is kept.
    let stored: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT pg_column_compression(baseline_plan) FROM rm_proposal WHERE proposal_id = 'BC01' \
         UNION ALL SELECT pg_column_compression(current_plan) FROM rm_proposal \
         WHERE proposal_id = 'BC01' \
         UNION ALL SELECT pg_column_compression(plan) FROM rm_plan_version \
         WHERE proposal_id = 'BC01' AND revision = 0 \
         UNION ALL SELECT pg_column_compression(payload) FROM event \
         WHERE stream_id = 'BC01' AND event_type = 'BaselineAdopted'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let method = if lz4 { "lz4" } else { "pglz" };
    assert_eq!(stored, vec![Some(method.to_string()); 4]);
    t.db.close().await;
}
