//! The README cannot drift: every `gevinst …` line in its `sh` code blocks runs here, in order,
//! against a fresh store on each backend, and must exit 0. Relative paths in a command are taken
//! from the repository's root, as a user who cloned it would type them. `gevinst serve` runs as
//! a real server on a random port (the README's `--bind` is replaced by `127.0.0.1:0`) and must
//! answer `/healthz`.
//!
//! The two set-up commands (`cargo run --release -- serve` and `./scripts/test.sh`) are what
//! CI itself runs, and the server they start is the one checked here.

use std::io::Write;
use std::path::{Path, PathBuf};

use gevinst_tests::{both_backends, TestStore};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Every `gevinst …` command in README's `sh` blocks, comments removed, split into words.
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
        if let Some(rest) = command.strip_prefix("gevinst ") {
            commands.push(rest.split_whitespace().map(str::to_string).collect());
        }
    }
    commands
}

/// An argument naming a file of the repository (it has a `/`), made absolute.
fn from_root(arg: &str) -> String {
    let path = repository().join(arg);
    if arg.contains('/') && !Path::new(arg).is_absolute() && path.exists() {
        path.to_string_lossy().into_owned()
    } else {
        arg.to_string()
    }
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

async fn serve(t: &TestStore, args: &[String]) {
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
    // The signing key goes beside the test's store, not into the working folder.
    let key = std::env::temp_dir().join(format!("gevinst-readme-{}.key", uuid::Uuid::new_v4()));
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
        let _ = gevinst_api::cli::run(cli, &mut out).await;
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
    let health = reqwest::get(format!("{address}/healthz")).await.unwrap();
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
        for command in &commands {
            if command.first().map(String::as_str) == Some("serve") {
                serve(&t, &command[1..]).await;
                continue;
            }
            let args: Vec<String> = command.iter().map(|a| from_root(a)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, out) = t.gevinst(&args).await;
            assert_eq!(code, 0, "gevinst {}:\n{out}", command.join(" "));
            assert!(
                !out.trim().is_empty(),
                "gevinst {} printed nothing",
                command.join(" ")
            );
        }
    }
);
