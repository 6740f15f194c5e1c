//! `gevinst-verify DIR [--key VKEY|--key-file FILE] [--json]`: checks an audit export offline,
//! with no database and no server. Exit 0: sound; 2: something is wrong (each problem is
//! printed with its position, proposal and kind); 1: the export could not be read.
//!
//! Hand-written argument parsing: three flags do not justify a dependency in a binary whose
//! point is to be small enough to audit.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "brug: gevinst-verify MAPPE [--key VKEY | --key-file FIL] [--json]\n\
    Kontrollerer en mappe fra `gevinst audit export` uden net og database: hver hændelses hash\n\
    og kæde, hvert signeret kontrolpunkts signatur, og at loggen stemmer med hvert kontrolpunkt.\n\
    --key VKEY / --key-file FIL  loggens offentlige nøgle fra en kilde, du stoler på (standard:\n\
                                 eksportens egen public-key.txt)\n\
    --json                       skriv rapporten som JSON";

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut key: Option<String> = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--key" => key = args.next(),
            "--key-file" => match args.next().map(std::fs::read_to_string) {
                Some(Ok(k)) => key = Some(k),
                Some(Err(e)) => {
                    eprintln!("gevinst-verify: kan ikke læse nøglefilen: {e}");
                    return ExitCode::from(1);
                }
                None => key = None,
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if dir.is_none() && !other.starts_with('-') => dir = Some(other.into()),
            other => {
                eprintln!("gevinst-verify: uventet argument «{other}»\n{USAGE}");
                return ExitCode::from(1);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("{USAGE}");
        return ExitCode::from(1);
    };
    match gevinst_verify::export::verify_dir(&dir, key.as_deref()) {
        Ok(report) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("gevinst-verify: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{report}");
            }
            if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Err(e) => {
            eprintln!("gevinst-verify: {e}");
            ExitCode::from(1)
        }
    }
}
