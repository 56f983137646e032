//! What a panic (a bug) looks like from the outside: `color_eyre`'s report
//! with custseg's one line, a backtrace only when CUSTSEG_BACKTRACE asks;
//! and what an error on user data looks like: the same one-line form,
//! never a report. (The TUI case is in tui_e2e.rs.)

use std::process::{Command, Output};

fn custseg(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_custseg"));
    c.args(args)
        .env_remove("CUSTSEG_BACKTRACE")
        .env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("custseg runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const LINE_START: &str = "custseg: error: internal error: a bug at ";

#[test]
fn a_panic_is_one_line_whatever_rust_backtrace_says() {
    for rust_backtrace in ["0", "1", "full"] {
        let o = custseg(
            &["--no-tui", "x.csv"],
            &[
                ("CUSTSEG_PANIC_FOR_TEST", "a bug"),
                ("RUST_BACKTRACE", rust_backtrace),
            ],
        );
        assert_eq!(o.status.code(), Some(70));
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "RUST_BACKTRACE={rust_backtrace}:\n{err}");
        assert!(
            lines[0].starts_with(LINE_START) && lines[0].ends_with("; please report"),
            "{err}"
        );
        assert!(!err.contains("BACKTRACE"), "{err}");
    }
}

#[test]
fn custseg_backtrace_adds_the_backtrace_to_the_report() {
    let o = custseg(
        &["--no-tui", "x.csv"],
        &[
            ("CUSTSEG_PANIC_FOR_TEST", "a bug"),
            ("CUSTSEG_BACKTRACE", "1"),
        ],
    );
    assert_eq!(o.status.code(), Some(70));
    let err = stderr(&o);
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(LINE_START) && first.ends_with("; please report"),
        "{err}"
    );
    assert!(err.contains("BACKTRACE"), "{err}");
    assert!(err.lines().count() > 3, "{err}");
    // Reported once, not once more by the default hook.
    assert_eq!(err.matches("internal error").count(), 1, "{err}");
}

#[test]
fn an_error_on_user_data_stays_one_line_even_with_backtraces_on() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_file.csv");
    let out = dir.path().join("out");
    for env in [
        &[][..],
        &[("CUSTSEG_BACKTRACE", "1"), ("RUST_BACKTRACE", "full")][..],
    ] {
        let o = custseg(
            &[
                "--no-tui",
                missing.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            env,
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with('[')).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("custseg: error: ") && lines[0].contains("no_such_file.csv"),
            "{err}"
        );
        assert!(
            !err.contains("BACKTRACE") && !err.contains("internal error"),
            "{err}"
        );
    }
}
