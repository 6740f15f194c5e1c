//! `gevinst --help` in Danish. The descriptions are the Danish doc comments on the clap structs;
//! this module translates the words clap adds itself: the headings ("Brug:", "Kommandoer:",
//! "Argumenter:", "Tilvalg:"), the `-h`/`--help` and `-V`/`--version` flags, the generated
//! `help` subcommand, `[OPTIONS]` and `<COMMAND>` in the usage line, and the defaults,
//! environment variables and possible values clap appends to an argument's help.
//!
//! clap 4 has no translation hook, so this walks the derived [`Command`] tree once before
//! parsing: it turns clap's own help flag off and adds a Danish one, gives every argument a
//! Danish heading, hides clap's English `[default: …]`, `[env: …]` and `[possible values: …]`
//! and writes the same facts into the help text in Danish. After [`Command::build`] (which adds
//! the `help` subcommands) it renames what the build added. clap's usage errors have no hook
//! either; [`usage_error`] writes them in Danish from the error's context (kind, argument,
//! value, suggestion), and the binary prints that instead.

use clap::builder::PossibleValue;
use clap::{Arg, ArgAction, Command};

/// The layout of every command's help: clap's default with the usage heading in Danish.
const TEMPLATE: &str = "{before-help}{about-with-newline}\nBrug: {usage}\n\n{all-args}{after-help}";

/// Heading of the positional arguments.
const ARGUMENTS: &str = "Argumenter";
/// Heading of the flags and options.
const OPTIONS: &str = "Tilvalg";

/// `command` (the derived top-level command) with clap's own words in Danish, built.
#[must_use]
pub fn danish(command: Command) -> Command {
    let mut command = before_build(command).disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("Vis versionen")
            .help_heading(OPTIONS),
    );
    command.build();
    after_build(command)
}

/// The Danish help flag, headings, template and argument texts, on `command` and every
/// subcommand below it.
fn before_build(command: Command) -> Command {
    let ids: Vec<clap::Id> = command
        .get_arguments()
        .map(|a| a.get_id().clone())
        .collect();
    let mut command = command
        .help_template(TEMPLATE)
        .subcommand_help_heading("Kommandoer")
        .subcommand_value_name("KOMMANDO")
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Vis hjælp (kort med -h, udførlig med --help)")
                .help_heading(OPTIONS),
        );
    for id in ids {
        command = command.mut_arg(id, danish_arg);
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, before_build);
    }
    command
}

/// One argument: a Danish heading, and clap's bracketed facts in Danish in its help.
fn danish_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        ARGUMENTS
    } else {
        OPTIONS
    };
    let mut facts = Vec::new();
    let takes_values = arg.get_action().takes_values();
    let values: Vec<PossibleValue> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    if takes_values && !values.is_empty() && !arg.is_hide_possible_values_set() {
        let names: Vec<&str> = values.iter().map(PossibleValue::get_name).collect();
        facts.push(format!("mulige værdier: {}", names.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_values && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        facts.push(format!("standard: {}", defaults.join(", ")));
    }
    if let Some(env) = arg.get_env() {
        if !arg.is_hide_env_set() {
            facts.push(format!("miljøvariabel: {}", env.to_string_lossy()));
        }
    }
    let suffix: String = facts.iter().map(|f| format!(" [{f}]")).collect();
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    // The possible values' own descriptions (e.g. `--format`'s), which clap lists under an
    // English heading in the long help.
    let described: Vec<String> = values
        .iter()
        .filter_map(|v| Some(format!("  - {}: {}", v.get_name(), v.get_help()?)))
        .collect();
    let long_help = match (arg.get_long_help(), described.is_empty()) {
        (Some(long), _) => Some(format!("{long}{suffix}")),
        (None, false) => Some(format!(
            "{help}{suffix}\n\nMulige værdier:\n{}",
            described.join("\n")
        )),
        (None, true) => None,
    };
    let has_env = arg.get_env().is_some();
    let mut arg = arg.help_heading(heading).help(format!("{help}{suffix}"));
    if takes_values {
        arg = arg.hide_possible_values(true).hide_default_value(true);
    }
    if has_env {
        arg = arg.hide_env(true);
    }
    if let Some(long) = long_help {
        arg = arg.long_help(long);
    }
    arg
}

/// What [`Command::build`] added, in Danish: each `help` subcommand, and the usage lines.
fn after_build(command: Command) -> Command {
    let usage = command
        .clone()
        .render_usage()
        .to_string()
        .trim_start_matches("Usage: ")
        .replace("[OPTIONS]", "[TILVALG]")
        .replace("\n       ", "\n      ");
    let mut command = command.override_usage(usage);
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = if name == "help" {
            command.mut_subcommand(name, help_subcommand)
        } else {
            command.mut_subcommand(name, after_build)
        };
    }
    command
}

/// clap's generated `help` subcommand. (The copy of the command tree the build puts below it
/// serves shell completion only and keeps clap's words.)
fn help_subcommand(command: Command) -> Command {
    let has_arg = command.get_arguments().any(|a| a.get_id() == "subcommand");
    let command = command
        .about("Vis denne hjælp eller hjælpen til de givne kommandoer")
        .help_template(TEMPLATE)
        .subcommand_help_heading("Kommandoer")
        .subcommand_value_name("KOMMANDO");
    if has_arg {
        command.mut_arg("subcommand", |a| {
            a.help("Vis hjælpen til kommandoen")
                .value_name("KOMMANDO")
                .help_heading(ARGUMENTS)
        })
    } else {
        command
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;

    /// Words of the English help that used to be here (and of clap's own), none of them Danish.
    /// Flags, command names, environment variables, `code` and clap's bracketed facts are
    /// skipped, so `--proposal` or `gevinst report proposal` do not count.
    const ENGLISH: &[&str] = &[
        "the",
        "of",
        "and",
        "or",
        "to",
        "with",
        "from",
        "by",
        "its",
        "it",
        "is",
        "this",
        "that",
        "which",
        "what",
        "when",
        "why",
        "who",
        "whose",
        "an",
        "as",
        "on",
        "not",
        "print",
        "help",
        "usage",
        "options",
        "commands",
        "arguments",
        "default",
        "possible",
        "values",
        "record",
        "proposal",
        "proposals",
        "saving",
        "savings",
        "goal",
        "goals",
        "amount",
        "year",
        "date",
        "file",
        "folder",
        "committee",
        "evidence",
        "reason",
        "see",
        "more",
        "subcommand",
        "read",
        "models",
        "reports",
        "account",
        "accounts",
        "token",
        "tokens",
        "key",
        "checkpoint",
        "signing",
        "password",
        "milestone",
        "forecast",
    ];

    /// What `gevinst ARGS` prints and exits with when ARGS asks for help.
    fn help(args: &[&str]) -> String {
        let argv = std::iter::once("gevinst").chain(args.iter().copied());
        let error = Cli::try_parse_danish_from(argv).expect_err("help is printed, not run");
        assert_eq!(error.exit_code(), 0, "{args:?}: {error}");
        error.render().to_string()
    }

    /// Every command's path below `gevinst`, clap's `help` subcommand left out.
    fn paths(command: &clap::Command, path: &[String], all: &mut Vec<Vec<String>>) {
        all.push(path.to_vec());
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" {
                let mut below = path.to_vec();
                below.push(sub.get_name().to_string());
                paths(sub, &below, all);
            }
        }
    }

    /// `text` without clap's bracketed facts (`[standard: …]` …) and `code`.
    fn prose(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(['[', '`']) {
            out.push_str(&rest[..at]);
            let (open, close) = if rest[at..].starts_with('[') {
                ('[', ']')
            } else {
                ('`', '`')
            };
            let after = &rest[at + open.len_utf8()..];
            let fact = ["standard:", "mulige værdier:", "miljøvariabel:"]
                .iter()
                .any(|f| after.starts_with(f));
            match after.find(close) {
                Some(end) if open == '`' || fact => rest = &after[end + 1..],
                _ => {
                    out.push(open);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The English words in `text`, ignoring the names in `names` (commands) and flags.
    fn english(text: &str, names: &[String]) -> Vec<String> {
        let mut found = Vec::new();
        if text.contains("e.g.") {
            found.push("e.g.".to_string());
        }
        for token in prose(text).split_whitespace() {
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            let skip = token.trim_start_matches(['[', '(']).starts_with('-')
                || word.is_empty()
                || word.contains(['_', '/', ':', '@', '=', '.'])
                || names.iter().any(|n| n == word);
            if !skip && ENGLISH.contains(&word.to_lowercase().as_str()) {
                found.push(word.to_string());
            }
        }
        found
    }

    #[test]
    fn every_help_page_is_danish() {
        let command = Cli::danish_command();
        let mut all = Vec::new();
        paths(&command, &[], &mut all);
        // clap's `help` subcommand is listed by its name too.
        let names: Vec<String> = all
            .iter()
            .flatten()
            .cloned()
            .chain(["help".to_string()])
            .collect();
        assert!(all.len() > 30, "found {} commands", all.len());
        let mut english_found = Vec::new();
        for path in &all {
            for flag in ["-h", "--help"] {
                let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
                args.push(flag);
                let text = help(&args);
                assert!(text.contains("Brug: gevinst"), "{args:?}:\n{text}");
                assert!(text.contains("Tilvalg:"), "{args:?}:\n{text}");
                for word in english(&text, &names) {
                    english_found.push(format!("gevinst {}: {word}", args.join(" ")));
                }
            }
        }
        assert!(
            english_found.is_empty(),
            "English in the help:\n{}",
            english_found.join("\n")
        );
    }

    #[test]
    fn the_main_help_pages_speak_the_users_words() {
        let main = help(&["--help"]);
        for danish in [
            "forslag",
            "Brug: gevinst [TILVALG] <KOMMANDO>",
            "Kommandoer:",
            "Tilvalg:",
            "-h, --help",
            "Vis hjælp",
            "-V, --version",
            "Vis versionen",
            "Læsemodeller",
            "[miljøvariabel: DATABASE_URL]",
        ] {
            assert!(main.contains(danish), "{danish}:\n{main}");
        }
        let record = help(&["record", "--help"]);
        for danish in [
            "Registrér",
            "realiseret effektivisering",
            "kompenserende tiltag",
            "Planrevision",
            "--as <LOGIN>",
        ] {
            assert!(record.contains(danish), "{danish}:\n{record}");
        }
        let saving = help(&["record", "saving", "--help"]);
        for danish in [
            "En realiseret effektivisering (negativt beløb)",
            "Argumenter:",
            "<FORSLAG>",
            "Forslaget, fx BC01",
            "--year <ÅR>",
            "--amount <BELØB>",
            "Beløbet i 1.000 kr.",
            "effektiviseringer er negative",
            "--committee <UDVALG>",
            "--control-area <OMRÅDE>",
        ] {
            assert!(saving.contains(danish), "{danish}:\n{saving}");
        }
        let portfolio = help(&["report", "portfolio", "--help"]);
        for danish in [
            "[mulige værdier: table, json, csv, xlsx]",
            "[standard: table]",
        ] {
            assert!(portfolio.contains(danish), "{danish}:\n{portfolio}");
        }
        assert!(portfolio.contains("Mulige værdier:\n"), "{portfolio}");
        // clap's `help` subcommand shows the same page.
        assert_eq!(help(&["help", "record", "saving"]), saving);
    }

    #[test]
    fn the_danish_command_line_parses_as_the_derived_one() {
        <Cli as clap::CommandFactory>::command().debug_assert();
        Cli::danish_command().debug_assert();
        let cli = Cli::try_parse_danish_from(["gevinst", "report", "late", "--format", "json"])
            .expect("parses");
        assert!(matches!(cli.command, crate::cli::Command::Report(_)));
        let version = Cli::try_parse_danish_from(["gevinst", "-V"]).expect_err("prints");
        assert_eq!(version.exit_code(), 0);
        assert!(version.to_string().starts_with("gevinst "), "{version}");
    }
}

/// A usage error of the command line in Danish (clap writes its own errors in English, with no
/// hook to translate them): what was wrong, from the error's context, and where to read more.
/// `None` for what is not an error (help and version, which print as they are).
#[must_use]
pub fn usage_error(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(s)) => s
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        Some(ContextValue::Bool(b)) => b.to_string(),
        _ => String::new(),
    };
    let suggestion = |kind: ContextKind| {
        let s = get(kind);
        if s.is_empty() {
            String::new()
        } else {
            format!(" Mente du «{s}»?")
        }
    };
    let message = match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::MissingRequiredArgument => {
            format!("mangler: {}", get(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand => "mangler en kommando".to_string(),
        ErrorKind::UnknownArgument => format!(
            "ukendt argument «{}».{}",
            get(ContextKind::InvalidArg),
            suggestion(ContextKind::SuggestedArg)
        ),
        ErrorKind::InvalidSubcommand => format!(
            "ukendt kommando «{}».{}",
            get(ContextKind::InvalidSubcommand),
            suggestion(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            format!(
                "«{}» er ikke en mulig værdi for {}{}",
                get(ContextKind::InvalidValue),
                get(ContextKind::InvalidArg),
                if valid.is_empty() {
                    String::new()
                } else {
                    format!("; mulige værdier: {valid}")
                }
            )
        }
        ErrorKind::ValueValidation => format!(
            "«{}» kan ikke læses som {}",
            get(ContextKind::InvalidValue),
            get(ContextKind::InvalidArg)
        ),
        ErrorKind::ArgumentConflict => format!(
            "{} kan ikke bruges sammen med {}",
            get(ContextKind::InvalidArg),
            get(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("forkert antal værdier for {}", get(ContextKind::InvalidArg))
        }
        ErrorKind::NoEquals => format!(
            "{} skal skrives med «=» og en værdi",
            get(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidUtf8 => "et argument er ikke gyldig UTF-8".to_string(),
        _ => "kommandolinjen kunne ikke læses".to_string(),
    };
    Some(format!(
        "gevinst: {message}\nSe `gevinst --help` (eller `--help` efter kommandoen)."
    ))
}

#[cfg(test)]
mod usage_tests {
    use super::usage_error;
    use crate::cli::Cli;

    fn refusal(args: &[&str]) -> String {
        let error =
            Cli::try_parse_danish_from(std::iter::once("gevinst").chain(args.iter().copied()))
                .err()
                .unwrap_or_else(|| panic!("{args:?} parses"));
        usage_error(&error).unwrap_or_else(|| panic!("{args:?} is not a usage error"))
    }

    #[test]
    fn usage_errors_are_danish_and_name_what_was_wrong() {
        let missing = refusal(&["record", "--as", "anna@kk.dk", "saving", "BC01"]);
        assert!(missing.starts_with("gevinst: mangler: "), "{missing}");
        assert!(missing.contains("--year"), "{missing}");
        let unknown = refusal(&["report", "portfolio", "--yaer", "2025"]);
        assert!(unknown.contains("ukendt argument «--yaer»"), "{unknown}");
        let command = refusal(&["reprot"]);
        assert!(
            command.contains("ukendt kommando «reprot». Mente du «report»?"),
            "{command}"
        );
        let value = refusal(&["report", "portfolio", "--format", "xml"]);
        assert!(
            value.contains("«xml» er ikke en mulig værdi for --format"),
            "{value}"
        );
        assert!(value.contains("mulige værdier: table"), "{value}");
        let number = refusal(&[
            "record",
            "--as",
            "a",
            "saving",
            "BC01",
            "--year",
            "tyve",
            "--amount",
            "1",
            "--date",
            "2025-01-01",
        ]);
        assert!(
            number.contains("«tyve» kan ikke læses som --year"),
            "{number}"
        );
        for text in [missing, unknown, command, value, number] {
            assert!(
                !text.contains("error:") && !text.contains("Usage"),
                "{text}"
            );
        }
        // Help is not an error: it prints as it is.
        let help = Cli::try_parse_danish_from(["gevinst", "--help"])
            .err()
            .unwrap();
        assert!(usage_error(&help).is_none());
    }
}
