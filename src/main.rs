//! The `custseg` binary: argument parsing and exit codes. All work happens in
//! the library (`custseg::headless`, `custseg::tui`, `custseg::pipeline`).

use clap::Parser;
use custseg::cli::{Cli, Command};
use custseg::{Error, headless};

fn main() {
    // Pretty panic reports; the TUI adds terminal restoration on top of this.
    let _ = color_eyre::install();
    // A panic inside the workbook reader is caught and becomes a "damaged
    // workbook" error naming the file; no crash report for it.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !custseg::pipeline::load::excel::panic_is_contained() {
            report(info);
        }
    }));
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(()) => 0,
        Err(Error::Cancelled) => {
            eprintln!("custseg: cancelled");
            130
        }
        Err(e) => {
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
    match cli.command {
        Some(Command::Sample(args)) => headless::run_sample(&args),
        Some(Command::Score(args)) => headless::run_score(&args),
        None if cli.no_tui => {
            let config = cli.run.to_config(cli.file.as_ref())?;
            headless::run(&config, &cli.run)
        }
        None => {
            let config = cli.run.to_config(cli.file.as_ref())?;
            custseg::tui::run_tui(config, custseg::tui::UiOptions::from_env(cli.ascii))
        }
    }
}
