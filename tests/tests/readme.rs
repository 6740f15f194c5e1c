//! The README cannot drift: every `gevinst …` and `gevinst-verify …` line in its `sh` code
//! blocks runs here, in order, against a fresh store on each backend, and must succeed.
//!
//! - Paths of the repository (`baselines/…`) are taken from its root, as a user who cloned it
//!   would type them; `data/…` (the folder beside the default store, where the signing key,
//!   checkpoints and exports go) is a temporary folder of the test's own, and the commands that
//!   use the signing key are pointed at `data/gevinst-log.key` there.
//! - `gevinst serve` runs as a real server on a random port (the README's `--bind` is replaced
//!   by `127.0.0.1:0`) and must answer `/healthz`.
//! - `gevinst-verify DIR` runs the verifier's library on the export, offline.
//!
//! Lines that set up PostgreSQL roles (`psql …`, `DATABASE_URL=… gevinst …`) need a role this
//! test does not create: `tests/tests/privilege.rs` runs that path. The two set-up commands
//! (`cargo run --release -- serve` and `./scripts/test.sh`) are what CI itself runs.

use std::io::Write;
use std::path::{Path, PathBuf};

use gevinst_tests::{both_backends, TestStore};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Every `gevinst …` and `gevinst-verify …` command in README's `sh` blocks, comments removed,
/// split into words as a shell would (the program name first).
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(repository().join("README.md")).expect("README.md");
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let command = trimmed.split(" #").next().unwrap_or_default().trim();
        if command.starts_with("gevinst ") || command.starts_with("gevinst-verify ") {
            // Split as a POSIX shell would (quotes group words), with the `shlex` crate.
            commands.push(
                shlex::split(command)
                    .unwrap_or_else(|| panic!("README: unbalanced quotes in {command}")),
            );
        }
    }
    commands
}

/// An argument naming a file of the repository (it has a `/`) made absolute, and one in
/// `data/` moved into the test's own folder.
fn resolve(arg: &str, data: &Path) -> String {
    let path = repository().join(arg);
    if let Some(rest) = arg.strip_prefix("data/") {
        data.join(rest).to_string_lossy().into_owned()
    } else if arg.contains('/') && !Path::new(arg).is_absolute() && path.exists() {
        path.to_string_lossy().into_owned()
    } else {
        arg.to_string()
    }
}

/// Commands that read or write the log's signing key (default `data/gevinst-log.key`).
fn uses_signing_key(command: &[String]) -> bool {
    matches!(
        command.get(1).map(String::as_str),
        Some("checkpoint" | "audit" | "verify" | "serve")
    )
}

/// Forwards what `serve` prints, so the test can read the address while it serves.
struct Lines(tokio::sync::mpsc::UnboundedSender<String>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn serve(t: &TestStore, args: &[String], key: &Path) {
    use clap::Parser;
    let mut argv: Vec<String> = vec![
        "gevinst".into(),
        "--database-url".into(),
        t.database_url(),
        "serve".into(),
    ];
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--bind" {
            words.next();
        } else {
            argv.push(word.clone());
        }
    }
    argv.extend([
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--signing-key".into(),
        key.to_string_lossy().into_owned(),
    ]);
    let cli = gevinst_api::cli::Cli::try_parse_from(&argv).expect("the README's serve parses");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut out = Lines(tx);
        let _ = Box::pin(gevinst_api::cli::run(cli, &mut out)).await;
    });
    let mut printed = String::new();
    let address = loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
            .await
            .expect("serve prints its address within a minute")
            .unwrap_or_else(|| panic!("serve stopped: {printed}"));
        printed.push_str(&chunk);
        if let Some(at) = printed.find("http://") {
            let rest = &printed[at..];
            if let Some(end) = rest.find([' ', '\n']) {
                break rest[..end].to_string();
            }
        }
    };
    let health = gevinst_tests::get(format!("{address}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "{printed}");
}

both_backends!(
    every_command_in_the_readme_runs,
    |t: TestStore| async move {
        let commands = readme_commands();
        assert!(
            commands.len() >= 10,
            "README shows its commands in sh blocks: found {}",
            commands.len()
        );
        let data = tempfile::tempdir().unwrap();
        let key = data.path().join("gevinst-log.key");
        for command in &commands {
            let line = command.join(" ");
            let mut args: Vec<String> = command[1..]
                .iter()
                .map(|a| resolve(a, data.path()))
                .collect();
            if command[0] == "gevinst-verify" {
                let report = gevinst_verify::export::verify_dir(Path::new(&args[0]), None)
                    .unwrap_or_else(|e| panic!("{line}: {e}"));
                assert!(report.is_ok(), "{line}: {report:?}");
                continue;
            }
            if command[1] == "serve" {
                serve(&t, &args[1..], &key).await;
                continue;
            }
            if uses_signing_key(command) && !args.iter().any(|a| a == "--signing-key") {
                args.extend([
                    "--signing-key".to_string(),
                    key.to_string_lossy().into_owned(),
                ]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, out) = t.gevinst(&args).await;
            assert_eq!(code, 0, "{line}:\n{out}");
            assert!(!out.trim().is_empty(), "{line} printed nothing");
        }
    }
);
