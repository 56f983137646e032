//! Errors as the command line words them: one line, options named by
//! their flags.

use crate::error::Error;

/// An error as the command line words it: the option it is about as its
/// flag, the message, then the remedy as a flag.
pub fn error_line(e: &Error) -> String {
    let head = match e.setting() {
        Some(setting) => format!("{}: {e}", setting.flag()),
        None => e.to_string(),
    };
    match e.remedy() {
        Some(r) => format!("{head}; {}", r.cli_phrase()),
        None => head,
    }
}

/// A command-line error as one line for `custseg: error: ...`, or `None`
/// for `--help` and `--version`, which clap prints as usual.
pub fn clap_error_line(e: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    let text = e.to_string();
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments");
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let tip = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("tip:"))
        .map(|t| format!("; {}", t.trim()))
        .unwrap_or_default();
    Some(format!(
        "{}{tip} (custseg --help lists the options)",
        crate::pipeline::excerpt::excerpt(first, 300)
    ))
}
