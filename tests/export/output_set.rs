//! The output folder as one set, signals, limits, replay and one-line
//! errors, through the real binary. Every case generates its input.
//!
//! What a user depends on: a folder holds one complete set (every file in
//! `manifest.json` with its SHA-256) or says it is incomplete; a run that is
//! stopped, killed, out of disk or beaten to the folder by another run
//! leaves the previous set as it was; `--force` never replaces anything but
//! a regular file; errors are one line with an exit code.

use custseg::pipeline::export::outset::{self, SetStatus, Target};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_custseg"));
    // The full panic report is only for CUSTSEG_BACKTRACE.
    c.env("RUST_BACKTRACE", "1").env_remove("CUSTSEG_BACKTRACE");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("custseg runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "custseg {args:?}: {}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `custseg sample` customers into `dir/name`.
fn customers(dir: &Path, name: &str, rows: usize) -> PathBuf {
    let path = dir.join(name);
    ok(&["sample", "--rows", &rows.to_string(), "--out", s(&path)]);
    path
}

/// The one line of an error run: exit code, one line, the prefix.
fn one_line_error(o: &Output, code: i32) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with('[')).collect();
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert_eq!(lines.len(), 1, "one line expected:\n{err}");
    assert!(lines[0].starts_with("custseg: error: "), "{err}");
    lines[0].to_string()
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every entry of a folder with its SHA-256 (folders as "dir").
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let what = if e.path().is_dir() {
                "dir".to_string()
            } else {
                sha256(&e.path())
            };
            (name, what)
        })
        .collect()
}

/// The folder holds exactly one complete set: the manifest lists every
/// custseg file there with its true SHA-256 and size, and the model and the
/// results agree on K. Returns K.
fn assert_complete_set(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files = m["files"].as_array().unwrap();
    for f in files {
        let name = f["name"].as_str().unwrap();
        let path = dir.join(name);
        assert_eq!(sha256(&path), f["sha256"].as_str().unwrap(), "{name}");
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            f["bytes"].as_u64().unwrap()
        );
    }
    let listed: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".custseg"),
            "leftover {name} in {}",
            dir.display()
        );
    }
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    let k = model["k"].as_u64().unwrap() as usize;
    let mut r = csv::Reader::from_path(dir.join("segmentation_results.csv")).unwrap();
    let segments: std::collections::BTreeSet<String> =
        r.records().map(|rec| rec.unwrap()[1].to_string()).collect();
    assert_eq!(segments.len(), k, "results and model disagree on K");
    assert!(listed.contains(&"model.json") && listed.contains(&"run.toml"));
    k
}

fn staging(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".custseg-stage-"))
        })
}

/// Starts a headless run whose stderr is read line by line; returns the
/// child and a receiver of those lines.
fn spawn(args: &[&str]) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: sends a signal to our own child process.
    let r = unsafe { libc::kill(child.id() as i32, sig) };
    assert_eq!(r, 0);
}

/// A folder holding the set of a K = 3 run over `rows` generated customers.
fn first_set(rows: usize) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = customers(dir.path(), "customers.csv", rows);
    let out = dir.path().join("out");
    ok(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--k",
        "3",
        "--n-init",
        "1",
    ]);
    assert_eq!(assert_complete_set(&out), 3);
    (dir, input, out)
}

fn second_run_args<'a>(input: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "--no-tui",
        s(input),
        "--out",
        s(out),
        "--force",
        "--k",
        "4",
        "--n-init",
        "1",
    ]
}

#[test]
fn a_reexport_replaces_the_set_and_removes_only_custseg_outputs() {
    let (_dir, input, out) = first_set(800);
    assert!(out.join("balance_distribution.png").exists() && out.join("scatter.png").exists());
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    std::fs::write(out.join("scatter.png.bak"), "my copy").unwrap();
    // Without --force the folder is refused and left as it is.
    let before = snapshot(&out);
    let o = run(&["--no-tui", s(&input), "--out", s(&out), "--k", "4"]);
    let line = one_line_error(&o, 2);
    assert!(
        line.contains("not empty") && line.contains("--force"),
        "{line}"
    );
    assert_eq!(snapshot(&out), before);
    // Without a money feature there is no balance chart and no scatter:
    // the earlier ones go, the user's files stay.
    ok(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--force",
        "--k",
        "4",
        "--drop-feature",
        "Balance",
        "--drop-feature",
        "Monetary",
    ]);
    assert_eq!(assert_complete_set(&out), 4);
    assert!(!out.join("balance_distribution.png").exists());
    assert!(!out.join("scatter.png").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert!(out.join("scatter.png.bak").exists());
    match outset::inspect_target(&out).unwrap() {
        Target::Folder {
            set: SetStatus::Complete(m),
            ..
        } => assert!(m.files.iter().all(|f| f.name != "scatter.png")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn signals_stop_the_run_keep_the_previous_set_and_exit_128_plus_n() {
    let (_dir, input, out) = first_set(60_000);
    let before = snapshot(&out);
    // SIGTERM in the middle of the export: staging removed, previous set kept.
    let (mut child, _lines) = spawn(&second_run_args(&input, &out));
    wait_for("the staging folder", || staging(&out).is_some());
    signal(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert_eq!(snapshot(&out), before, "the previous set is untouched");
    assert_complete_set(&out);
    // SIGINT and SIGHUP while the run loads or clusters.
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGHUP, 129)] {
        let (mut child, lines) = spawn(&second_run_args(&input, &out));
        wait_for("a stage to start", || {
            lines.try_iter().any(|l| l.contains("started"))
        });
        signal(&child, sig);
        assert_eq!(child.wait().unwrap().code(), Some(code));
        assert_eq!(snapshot(&out), before);
    }
}

#[test]
fn a_killed_export_leaves_the_previous_set_or_says_incomplete_and_the_next_run_cleans_up() {
    let (_dir, input, out) = first_set(60_000);
    let (mut child, _lines) = spawn(&second_run_args(&input, &out));
    wait_for("a staged file", || {
        staging(&out).is_some_and(|st| std::fs::read_dir(st).is_ok_and(|mut d| d.next().is_some()))
    });
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    match outset::inspect_target(&out).unwrap() {
        // Killed before the swap: the old set, whole.
        Target::Folder {
            set: SetStatus::Complete(m),
            ..
        } => {
            for f in &m.files {
                assert_eq!(sha256(&out.join(&f.name)), f.sha256, "{}", f.name);
            }
        }
        // Killed during the swap: said so.
        Target::Folder {
            set: SetStatus::Incomplete(_),
            ..
        } => {
            let o = run(&[
                "score",
                "--model",
                s(&out.join("model.json")),
                s(&input),
                "--out",
                s(&out.join("../scored.csv")),
            ]);
            assert!(stderr(&o).contains("incomplete"), "{}", stderr(&o));
        }
        other => panic!("{other:?}"),
    }
    // The next run removes the dead run's staging folder and writes a whole set.
    ok(&second_run_args(&input, &out));
    assert_eq!(assert_complete_set(&out), 4);
}

#[test]
fn a_folder_being_written_by_another_run_is_refused_with_its_pid() {
    let (_dir, input, out) = first_set(600);
    let before = snapshot(&out);
    // Another process holds the folder's lock (here: this test).
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(out.join(".custseg.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    std::fs::write(out.join(".custseg.lock"), "4242\n").unwrap();
    let o = run(&second_run_args(&input, &out));
    let line = one_line_error(&o, 2);
    assert!(line.contains("another custseg run (pid 4242)"), "{line}");
    assert_eq!(
        snapshot(&out)
            .into_iter()
            .filter(|(n, _)| !n.starts_with('.'))
            .collect::<Vec<_>>(),
        before.into_iter().collect::<Vec<_>>()
    );
    drop(lock);
    std::fs::remove_file(out.join(".custseg.lock")).unwrap();

    // Two real runs at once, a few times: each finishes or is refused with
    // the other's pid, and the folder always ends as one whole set.
    for _ in 0..3 {
        let a = spawn(&second_run_args(&input, &out));
        let b = spawn(&second_run_args(&input, &out));
        for (mut child, lines) in [a, b] {
            let status = child.wait().unwrap();
            // Read to the end of stderr: the reader thread may not have
            // passed on the last line yet when the child has exited.
            let err: Vec<String> = lines.iter().collect();
            match status.code() {
                Some(0) => {}
                Some(2) => assert!(
                    err.iter().any(|l| l.contains("another custseg run (pid ")),
                    "{err:?}"
                ),
                other => panic!("{other:?}: {err:?}"),
            }
        }
        assert_eq!(assert_complete_set(&out), 4);
    }
}

#[test]
fn a_full_disk_leaves_the_previous_set_and_says_so() {
    let (_dir, input, out) = first_set(3000);
    let before = snapshot(&out);
    // A file-size limit (RLIMIT_FSIZE, in 512-byte blocks): the results CSV
    // cannot be written whole, as on a full disk.
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 100 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_custseg"))
        .args(second_run_args(&input, &out))
        .output()
        .unwrap();
    let line = one_line_error(&o, 1);
    assert!(
        line.contains("File too large") && line.contains("keeps its previous outputs"),
        "{line}"
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn force_never_replaces_a_fifo_a_device_or_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let input = customers(dir.path(), "c.csv", 300);
    let model_dir = dir.path().join("m");
    ok(&["--no-tui", s(&input), "--out", s(&model_dir), "--k", "3"]);
    let model = model_dir.join("model.json");
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    for (target, what) in [
        (fifo.as_path(), "FIFO"),
        (Path::new("/dev/null"), "device"),
        (folder.as_path(), "folder"),
    ] {
        let score = run(&[
            "score",
            "--model",
            s(&model),
            s(&input),
            "--out",
            s(target),
            "--force",
        ]);
        let line = one_line_error(&score, 2);
        assert!(line.contains(what), "{line}");
        let sample = run(&["sample", "--rows", "10", "--out", s(target), "--force"]);
        let line = one_line_error(&sample, 2);
        assert!(line.contains(what), "{line}");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // The output folder itself as a FIFO.
    let o = run(&["--no-tui", s(&input), "--out", s(&fifo), "--force"]);
    assert!(one_line_error(&o, 2).contains("FIFO"));
}

#[test]
fn sigterm_while_sampling_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big.csv");
    let (mut child, _lines) = spawn(&["sample", "--rows", "20000000", "--out", s(&target)]);
    wait_for("the temporary file", || {
        std::fs::read_dir(dir.path()).is_ok_and(|mut d| d.next().is_some())
    });
    signal(&child, libc::SIGTERM);
    assert_eq!(child.wait().unwrap().code(), Some(143));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn usage_and_config_errors_are_one_line_and_help_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = customers(dir.path(), "c.csv", 200);
    let out = dir.path().join("out");
    for (args, needle) in [
        (
            vec!["--no-tui", "x.csv", "--bogus"],
            "unexpected argument '--bogus'",
        ),
        (vec!["score", "--model"], "a value is required for '--model"),
        (vec!["--no-tui", "x.csv", "--k-range", "9..2"], "'9..2'"),
        (
            vec!["--no-tui", "x.csv", "--k", "many"],
            "invalid value 'many'",
        ),
        (
            vec!["--no-tui", "x.csv", "--n-init", "0"],
            "--n-init 0: restarts must be from 1 to 100",
        ),
    ] {
        let line = one_line_error(&run(&args), 2);
        assert!(line.contains(needle), "{args:?}: {line}");
    }
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).lines().count() > 20);

    // A damaged run.toml: one line with the line and column.
    let toml = dir.path().join("run.toml");
    std::fs::write(&toml, "seed = 1\n[cluster]\nk_max = \"ten\"\n").unwrap();
    let line = one_line_error(
        &run(&["--no-tui", "--config", s(&toml), "--out", s(&out)]),
        2,
    );
    assert!(line.contains("run.toml: line 3, column 9"), "{line}");

    // Runaway values: the same words from a flag and from run.toml.
    for (flag, key, problem) in [
        (
            vec!["--k-range", "2..100000"],
            "[cluster]\nk_max = 100000\n",
            "the K range can be at most 100",
        ),
        (
            vec!["--k", "5000"],
            "[cluster]\nk = 5000\n",
            "K can be at most 100",
        ),
        (
            vec!["--n-init", "1000000"],
            "[cluster]\nn_init = 1000000\n",
            "restarts must be from 1 to 100",
        ),
    ] {
        let mut args = vec!["--no-tui", s(&input), "--out", s(&out)];
        args.extend(&flag);
        let from_flag = one_line_error(&run(&args), 2);
        std::fs::write(&toml, key).unwrap();
        let from_file = one_line_error(
            &run(&[
                "--no-tui",
                s(&input),
                "--config",
                s(&toml),
                "--out",
                s(&out),
            ]),
            2,
        );
        let tail = |l: &str| l.split_once(": ").map(|x| x.1.to_string()).unwrap();
        assert!(
            from_flag.contains(problem) && from_file.contains(problem),
            "{from_flag} / {from_file}"
        );
        assert!(
            from_flag.contains(&format!("{} {}", flag[0], flag[1])),
            "{from_flag}"
        );
        assert!(from_file.contains("run.toml: cluster."), "{from_file}");
        assert_eq!(
            tail(&from_flag).rsplit(": ").next(),
            tail(&from_file).rsplit(": ").next(),
            "same problem text"
        );
    }
    assert!(!out.exists(), "nothing written by a refused run");
}

#[test]
fn k_is_capped_relative_to_the_customers() {
    let dir = tempfile::tempdir().unwrap();
    let input = customers(dir.path(), "c.csv", 20);
    let out = dir.path().join("out");
    let line = one_line_error(
        &run(&["--no-tui", s(&input), "--out", s(&out), "--k", "15"]),
        2,
    );
    assert!(
        line.contains("K=15 is too many segments for 20 customers: at most 10"),
        "{line}"
    );
    let json = ok(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--k-range",
        "2..30",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("K range capped at 2..=10"), "{warnings}");
    assert!(
        v["sweep"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["k"].as_u64().unwrap() <= 10)
    );
}

#[test]
fn a_panic_is_one_line_and_exit_code_70() {
    let o = bin()
        .args(["--no-tui", "x.csv"])
        .env("CUSTSEG_PANIC_FOR_TEST", "\u{1b}[2Jboom")
        .output()
        .unwrap();
    let line = one_line_error(&o, 70);
    assert!(
        line.starts_with("custseg: error: internal error: \\u{1b}[2Jboom at ")
            && line.ends_with("; please report"),
        "{line}"
    );
}

#[test]
fn replay_works_from_another_folder_and_warns_when_the_input_changed() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    customers(home.path(), "in.csv", 500);
    let out = home.path().join("out");
    let o = bin()
        .current_dir(home.path())
        .args(["--no-tui", "in.csv", "--out", "out", "--k", "3"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let saved = std::fs::read_to_string(out.join("run.toml")).unwrap();
    let cfg: toml::Table = toml::from_str(&saved).unwrap();
    let input = home.path().join("in.csv").canonicalize().unwrap();
    assert_eq!(cfg["input"].as_str(), input.to_str());
    assert_eq!(cfg["input_sha256"].as_str(), Some(sha256(&input).as_str()));

    let replay = |name: &str| {
        bin()
            .current_dir(elsewhere.path())
            .args([
                "--no-tui",
                "--config",
                s(&out.join("run.toml")),
                "--out",
                name,
                "--json",
            ])
            .output()
            .unwrap()
    };
    let o = replay("again");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("segmentation_results.csv")).unwrap(),
        std::fs::read(elsewhere.path().join("again/segmentation_results.csv")).unwrap()
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("has changed"));

    // Change one balance: the replay still runs, and says so.
    let text = std::fs::read_to_string(&input).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replacen(',', ",9", 1);
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let o = replay("changed");
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["warnings"]
            .to_string()
            .contains("has changed since this configuration was saved"),
        "{}",
        v["warnings"]
    );
}

#[test]
fn a_wide_generic_table_is_flagged_and_exports_quickly() {
    // 120 customers × 300 numeric columns, in copies of 10 base columns, so
    // many pairs are correlated. Must finish (the old Jacobi PCA took
    // O(d³) per sweep) and say that so many columns cannot be clustered
    // sensibly.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let (n, d) = (120, 300);
    let mut text = (0..d)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for i in 0..n {
        let row: Vec<String> = (0..d)
            .map(|j| {
                let base = ((i * 7 + (j % 10) * 13) % 17) as f64 + (i % 3) as f64 * 10.0;
                format!(
                    "{:.3}",
                    base + (j / 10) as f64 * 0.001 * ((i * j) % 5) as f64
                )
            })
            .collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let json = ok(&["--no-tui", s(&path), "--out", s(&out), "--k", "3", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("300 features for 120 customers are too many"),
        "{warnings}"
    );
    assert!(
        warnings.contains("the 100 strongest are listed"),
        "{warnings}"
    );
    assert!(
        v["hints"].to_string().contains("--select"),
        "{}",
        v["hints"]
    );
    assert_complete_set(&out);
}
