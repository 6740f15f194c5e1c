//! Runs the real `gevinst-verify` binary on an export it builds itself (events with real hash
//! chains, checkpoints signed with a test key), then on tampered copies of it: no database and
//! no server are involved. The export written by `gevinst audit export` from a real store is
//! checked by the workspace's integration tests (`audit::`).

use std::path::Path;
use std::process::Command;

use gevinst_verify::export::{
    ExportedEvent, CHECKPOINTS_DIR, EVENTS_FILE, GENESIS_HASH, PUBLIC_KEY_FILE,
};
use gevinst_verify::{event_leaf, merkle, Checkpoint, NoteSigner, DEFAULT_ORIGIN};

fn events() -> Vec<ExportedEvent> {
    let streams = ["BC01", "BC02", "BC01", "BC03", "BC02", "BC01"];
    let mut last: std::collections::BTreeMap<&str, (u64, String)> = Default::default();
    let mut out = Vec::new();
    for (i, s) in streams.iter().enumerate() {
        let (seq, prev) = last
            .get(s)
            .cloned()
            .unwrap_or((0, GENESIS_HASH.to_string()));
        let mut e = ExportedEvent {
            position: i as u64 + 1,
            event_id: format!("00000000-0000-4000-8000-{:012}", i + 1),
            aggregate_type: "proposal".into(),
            stream_id: (*s).into(),
            sequence: seq + 1,
            event_type: "SavingRealised".into(),
            event_version: "1".into(),
            payload: serde_json::json!({"SavingRealised": {"amount": format!("-{}", 100 + i), "year": 2025}}),
            metadata: serde_json::json!({"actor": "anna", "role": "project_owner"}),
            actor: "anna".into(),
            role: "project_owner".into(),
            effective_date: None,
            idempotency_key: format!("k{i}"),
            recorded_at: format!("2025-03-0{}T12:00:00.000000Z", i + 1),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        last.insert(s, (e.sequence, e.hash.clone()));
        out.push(e);
    }
    out
}

fn signer() -> NoteSigner {
    NoteSigner::from_seed(DEFAULT_ORIGIN, [42; 32]).unwrap()
}

/// Writes an export of `events` with checkpoints at `sizes`, computed from `anchor` (the
/// events as they were when the checkpoints were signed).
fn write_export(dir: &Path, events: &[ExportedEvent], anchor: &[ExportedEvent], sizes: &[usize]) {
    std::fs::create_dir_all(dir.join(CHECKPOINTS_DIR)).unwrap();
    let lines: String = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect();
    std::fs::write(dir.join(EVENTS_FILE), lines).unwrap();
    let leaves: Vec<_> = anchor
        .iter()
        .map(|e| event_leaf(&e.hash).unwrap())
        .collect();
    for &size in sizes {
        let c = Checkpoint {
            origin: DEFAULT_ORIGIN.into(),
            size: size as u64,
            root: merkle::root(&leaves[..size]),
            time: Some("2025-03-09T12:00:00Z".into()),
        };
        std::fs::write(
            dir.join(CHECKPOINTS_DIR).join(format!("{size:012}.txt")),
            c.sign(&signer()).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join(PUBLIC_KEY_FILE),
        signer().verifier().to_vkey() + "\n",
    )
    .unwrap();
}

fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gevinst-verify"))
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Rehashes every event of `stream` from sequence `from` on (a consistent rewrite).
fn rechain(events: &mut [ExportedEvent]) {
    let mut last: std::collections::BTreeMap<String, String> = Default::default();
    for e in events.iter_mut() {
        e.prev_hash = last
            .get(&e.stream_id)
            .cloned()
            .unwrap_or(GENESIS_HASH.to_string());
        e.hash = e.computed_hash();
        last.insert(e.stream_id.clone(), e.hash.clone());
    }
}

#[test]
fn a_sound_export_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events();
    write_export(dir.path(), &ev, &ev, &[3, 6]);
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("i orden: 6 hændelser i 3 forslag"), "{out}");
    let (code, out) = run(
        dir.path(),
        &["--key", &signer().verifier().to_vkey(), "--json"],
    );
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["checkpoints"], serde_json::json!([3, 6]));
}

#[test]
fn a_changed_event_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut ev = events();
    let anchor = ev.clone();
    ev[3].payload["SavingRealised"]["amount"] = "-999".into();
    write_export(dir.path(), &ev, &anchor, &[6]);
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("forkert hash ved position 4 (forslag BC03)"),
        "{out}"
    );
}

#[test]
fn a_truncated_export_fails() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events();
    write_export(dir.path(), &ev[..4], &ev, &[3, 6]);
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("afkortet ved position 5..6"), "{out}");
}

#[test]
fn a_consistently_rewritten_stream_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut ev = events();
    let anchor = ev.clone();
    // Rewrite BC02's second event (position 5) and recompute every hash: the chains are intact.
    ev[4].payload["SavingRealised"]["amount"] = "-999".into();
    rechain(&mut ev);
    write_export(dir.path(), &ev, &anchor, &[3, 6]);
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("omskrevet ved position 4..6 (forslag BC01, BC02, BC03)"),
        "{out}"
    );
    assert!(!out.contains("forkert hash"), "{out}");
}

#[test]
fn a_forged_checkpoint_or_a_foreign_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events();
    write_export(dir.path(), &ev, &ev, &[6]);
    let path = dir
        .path()
        .join(CHECKPOINTS_DIR)
        .join(format!("{:012}.txt", 6));
    let note = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, note.replacen("\n6\n", "\n5\n", 1)).unwrap();
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("ugyldig signatur"), "{out}");
    assert!(out.contains("intet kontrolpunkt"), "{out}");
    std::fs::write(&path, note).unwrap();
    let other = NoteSigner::from_seed(DEFAULT_ORIGIN, [1; 32]).unwrap();
    let (code, out) = run(dir.path(), &["--key", &other.verifier().to_vkey()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("har ingen signatur med nøglen"), "{out}");
}
