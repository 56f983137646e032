//! The `custseg` binary: argument parsing and exit codes. All work happens in
//! the library (`custseg::headless`, `custseg::tui`, `custseg::pipeline`).
//!
//! Exit codes: 0 success, 1 data error, 2 usage error, 70 internal error
//! (a bug: one line from `color_eyre`'s panic hook, a backtrace only with
//! `CUSTSEG_BACKTRACE=1`; see `custseg::crash`), 128 + N stopped by signal
//! N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).

use clap::Parser;
use custseg::cli::{Cli, Command, clap_error_line};
use custseg::{Error, crash, headless, signals};

fn main() {
    // SAFETY: the first thing in main: no other thread exists yet.
    unsafe { crash::install() };
    signals::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match clap_error_line(&e) {
            Some(line) => {
                eprintln!("custseg: error: {}", custseg::escape::terminal(&line));
                std::process::exit(2);
            }
            None => e.exit(),
        },
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli)));
    let code = match (signals::received(), result) {
        (_, Err(_panic)) => crash::EXIT_CODE,
        (Some(signal), _) => {
            eprintln!("custseg: stopped by {}", signals::name(signal));
            signals::exit_code(signal)
        }
        (None, Ok(Ok(()))) => 0,
        (None, Ok(Err(Error::Cancelled))) => {
            eprintln!("custseg: cancelled");
            130
        }
        (None, Ok(Err(e))) => {
            // One line, and nothing from a file name or cell reaches the
            // terminal raw.
            eprintln!(
                "custseg: error: {}",
                custseg::escape::terminal(&custseg::cli::error_line(&e))
            );
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> custseg::Result<()> {
    #[cfg(feature = "test-hooks")]
    crash::panic_if_asked();
    // `custseg smaple`: the file slot takes any word; a missing bare word
    // is a mistyped command.
    if cli.command.is_none()
        && let Some(file) = &cli.file
    {
        custseg::shell_command::check_input_word(file)?;
    }
    match cli.command {
        Some(Command::Sample(args)) => headless::run_sample(&args),
        Some(Command::Score(args)) => headless::run_score(&args),
        Some(Command::Sql(args)) => custseg::sql_command::run_sql(&args),
        Some(Command::Pmml(args)) => custseg::pmml_command::run_pmml(&args),
        Some(Command::Compare(args)) => custseg::compare_command::run_compare(&args),
        Some(Command::Completions(args)) => custseg::shell_command::run_completions(&args),
        Some(Command::Man(args)) => custseg::shell_command::run_man(&args),
        None if cli.no_tui => {
            let config = cli.run.to_config(cli.file.as_ref())?;
            let ascii = custseg::tui::UiOptions::from_env(cli.ascii).ascii;
            headless::run(&config, &cli.run, ascii)
        }
        None => {
            let config = cli.run.to_config(cli.file.as_ref())?;
            custseg::tui::run_tui(config, custseg::tui::UiOptions::from_env(cli.ascii))
        }
    }
}
