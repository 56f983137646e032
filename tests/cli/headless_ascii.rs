//! `--ascii` and a locale that is not UTF-8 reach the headless summary too:
//! no Braille elbow, no arrows or warning signs a C-locale terminal would
//! garble; the data itself is left alone.

use std::process::Command;

fn summary(extra: &[&str], env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.args(["--no-tui", "samples/customers_en.csv", "--out"])
        .arg(&out)
        .args(extra)
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("LANG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn braille(text: &str) -> usize {
    text.chars()
        .filter(|c| ('\u{2800}'..='\u{28ff}').contains(c))
        .count()
}

fn assert_ascii_summary(text: &str) {
    assert_eq!(braille(text), 0, "{text}");
    for symbol in ['⚠', '→', '≥', '≤', '·', '—', '…', '×'] {
        assert!(!text.contains(symbol), "{symbol:?} in\n{text}");
    }
    // The elbow is still drawn, in stars.
    let elbow = text.split("Elbow curve").nth(1).expect("an elbow curve");
    assert!(elbow.matches('*').count() >= 10, "{elbow}");
    // The sample's data is ASCII, so the whole summary is.
    assert!(text.is_ascii(), "{text}");
}

#[test]
fn ascii_flag_draws_the_summary_in_ascii() {
    let text = summary(&["--ascii"], &[("LANG", "en_US.UTF-8")]);
    assert_ascii_summary(&text);
}

#[test]
fn a_c_locale_draws_the_summary_in_ascii() {
    let text = summary(&[], &[("LC_ALL", "C")]);
    assert_ascii_summary(&text);
}

#[test]
fn a_utf8_locale_keeps_the_braille_elbow() {
    let text = summary(&[], &[("LANG", "en_US.UTF-8")]);
    assert!(braille(&text) > 10, "{text}");
}

#[test]
fn data_is_left_as_it_is() {
    let text = custseg::headless::ascii_symbols("客户 ≥ 5 → 高 ⚠ ⣿⠀");
    assert_eq!(text, "客户 >= 5 -> 高 ! * ");
}
