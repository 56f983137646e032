//! What a shell and a packager need from the command line itself:
//! `custseg completions SHELL` (clap_complete) and `custseg man` (the man
//! pages, clap_mangen), both drawn from the one clap definition so they
//! never fall behind it; and the check that a bare word given as the input
//! file that does not exist is a mistyped command, not a file.

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::pipeline::export::write::{check_file_target, write_atomic};
use crate::pipeline::progress::NoProgress;
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for (bash, zsh, fish, elvish, powershell).
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write custseg.1 and one page per command (custseg-score.1, ...) into
    /// this folder instead of printing custseg.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace existing pages in DIR.
    #[arg(long)]
    pub force: bool,
}

/// Prints the completion script for `args.shell` on standard output.
pub fn run_completions(args: &CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "custseg", &mut out);
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Error::io("writing the completion script", e))
}

/// Prints custseg.1, or writes every page into `args.dir`.
pub fn run_man(args: &ManArgs) -> Result<()> {
    let pages = man_pages()?;
    let Some(dir) = &args.dir else {
        return std::io::stdout()
            .write_all(&pages[0].1)
            .map_err(|e| Error::io("writing the man page", e));
    };
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "{}: no such folder for the man pages",
            dir.display()
        )));
    }
    for (name, _) in &pages {
        check_file_target(&dir.join(name), args.force)?;
    }
    for (name, page) in &pages {
        let path = dir.join(name);
        write_atomic(&path, &NoProgress, |w| {
            w.write_all(page)
                .map_err(|e| Error::io_path("writing", &path, e))
        })?;
    }
    println!("wrote {} man pages to {}", pages.len(), dir.display());
    Ok(())
}

/// custseg.1 first, then custseg-<command>.1 for each command.
fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let cmd = Cli::command();
    let render = |c: clap::Command, title: &str| -> Result<Vec<u8>> {
        let mut page = Vec::new();
        clap_mangen::Man::new(c)
            .title(title.to_string())
            .render(&mut page)
            .map_err(|e| Error::io("rendering the man page", e))?;
        Ok(page)
    };
    let mut pages = vec![("custseg.1".to_string(), render(cmd.clone(), "custseg")?)];
    for sub in cmd.get_subcommands() {
        let name = format!("custseg-{}", sub.get_name());
        // Each page names itself as `custseg-score`, as man(1) looks it up.
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("custseg {}", sub.get_name()));
        let page = render(sub, &name)?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// The input file as given, unless it is a bare word (no folder, no
/// extension) that names no file: then it is a mistyped command, refused
/// with the closest command's name.
pub fn check_input_word(file: &Path) -> Result<()> {
    let word = file.to_string_lossy();
    if file.exists() || word.contains(['/', '\\', '.']) || word.is_empty() {
        return Ok(());
    }
    let cmd = Cli::command();
    let names: Vec<&str> = cmd
        .get_subcommands()
        .map(|s| s.get_name())
        .filter(|n| *n != "help")
        .collect();
    let closest = names
        .iter()
        .map(|n| (edit_distance(&word.to_lowercase(), n), *n))
        .min()
        .filter(|&(d, n)| d <= 2.max(n.len() / 3));
    let hint = match closest {
        Some((_, n)) => format!("did you mean 'custseg {n}'?"),
        None => format!("the commands are {}", names.join(", ")),
    };
    Err(Error::usage(format!(
        "'{}' is neither a command nor a file; {hint}",
        crate::pipeline::excerpt::cell(&word)
    )))
}

/// Levenshtein distance, with a swap of two neighbours counting one
/// ("smaple" is one step from "sample").
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_command_is_named_and_a_file_is_not_judged() {
        let err = check_input_word(Path::new("smaple")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(
                "'smaple' is neither a command nor a file; did you mean 'custseg sample'?"
            ),
            "{err}"
        );
        let err = check_input_word(Path::new("scroe"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'custseg score'"), "{err}");
        let err = check_input_word(Path::new("xyzzy"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the commands are score, sample, sql, pmml"),
            "{err}"
        );
        // Paths and names with an extension are files (missing ones are
        // reported by the loader); an existing bare name is a file.
        assert!(check_input_word(Path::new("smaple.csv")).is_ok());
        assert!(check_input_word(Path::new("./smaple")).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("sampel");
        std::fs::write(&bare, "a,b\n").unwrap();
        assert!(check_input_word(&bare).is_ok());
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("smaple", "sample"), 1);
        assert_eq!(edit_distance("sql", "sql"), 0);
        assert_eq!(edit_distance("pmm", "pmml"), 1);
        assert_eq!(edit_distance("", "score"), 5);
    }

    #[test]
    fn every_command_has_a_man_page() {
        let pages = man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for n in [
            "custseg.1",
            "custseg-score.1",
            "custseg-sample.1",
            "custseg-completions.1",
        ] {
            assert!(names.contains(&n), "{names:?}");
        }
        let main = String::from_utf8(pages[0].1.clone()).unwrap();
        assert!(
            main.starts_with(".ie") || main.contains(".TH custseg 1"),
            "{main}"
        );
        assert!(main.contains("no\\-tui"), "{main}");
        let score = String::from_utf8(pages[1].1.clone()).unwrap();
        assert!(score.contains(".TH custseg\\-score") || score.contains("custseg\\-score"));
    }
}
