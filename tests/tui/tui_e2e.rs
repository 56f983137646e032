//! End to end in a pseudo-terminal: a real process draws the TUI into a pty,
//! a `vt100` parser keeps the screen, and the test types keys and waits for
//! text to appear.
//!
//! Most tests run this test binary itself, re-run with `CUSTSEG_TUI_PTY_CHILD`
//! set: its `pty_child_entry` test then calls `custseg::tui::run_tui` as
//! `main.rs` does (so a panic can be provoked). The `real_binary_*` tests
//! run the `custseg` binary: Load -> Map -> Clean, and the whole way from
//! Load to Export, checking the files written.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn nz(n: u16) -> std::num::NonZero<u16> {
    std::num::NonZero::new(n).expect("a terminal has rows and columns")
}

const CHILD_ENV: &str = "CUSTSEG_TUI_PTY_CHILD";
const TIMEOUT: Duration = Duration::from_secs(30);
/// Milliseconds the child's jobs pause after each progress report.
const PAUSE_ENV: &str = "CUSTSEG_TUI_PTY_PAUSE_MS";

/// A process running in a pseudo-terminal, with the screen it has drawn.
struct Pty {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Pty {
    fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        Self::spawn_in(cmd, Path::new(env!("CARGO_MANIFEST_DIR")), cols, rows)
    }

    /// [`Pty::spawn`] with `cwd` as the working folder.
    fn spawn_in(mut cmd: CommandBuilder, cwd: &Path, cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_CTYPE");
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        {
            let parser = parser.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => parser.lock().unwrap().process(&buf[..n]),
                    }
                }
            });
        }
        Pty {
            master: pair.master,
            child,
            writer,
            parser,
        }
    }

    /// The test binary itself, running `pty_child_entry` on `input`.
    fn spawn_child_entry(input: &str, cols: u16, rows: u16) -> Pty {
        Self::spawn_child_entry_paused(input, cols, rows, 0)
    }

    /// [`Pty::spawn_child_entry`] with the child's jobs pausing `pause_ms`
    /// after each progress report, so they are still running when keys come.
    fn spawn_child_entry_paused(input: &str, cols: u16, rows: u16, pause_ms: u64) -> Pty {
        let exe = std::env::current_exe().unwrap();
        // The test's name in this binary: its path without the crate's name
        // (the module is one of several in the `tui` test binary).
        let entry = concat!(module_path!(), "::pty_child_entry");
        let entry = entry
            .split_once("::")
            .expect("a module of the test crate")
            .1;
        let mut cmd = CommandBuilder::new(exe);
        cmd.args([entry, "--exact", "--nocapture", "--test-threads=1"]);
        cmd.env(CHILD_ENV, input);
        cmd.env(PAUSE_ENV, pause_ms.to_string());
        cmd.env("RUST_BACKTRACE", "0");
        Pty::spawn(cmd, cols, rows)
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // A lone ESC must not merge with what follows into an Alt- sequence.
        std::thread::sleep(Duration::from_millis(60));
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "waited {TIMEOUT:?} for {text:?}; the screen is:\n{}",
            self.screen()
        );
    }

    fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if !self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "{text:?} still on screen after {TIMEOUT:?}:\n{}",
            self.screen()
        );
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        self.parser.lock().unwrap().set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread take in the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        panic!(
            "the process did not exit; the screen is:\n{}",
            self.screen()
        );
    }

    /// After exit: main screen back, cursor visible.
    fn assert_restored(&self) {
        let p = self.parser.lock().unwrap();
        assert!(
            !p.screen().alternate_screen(),
            "still on the alternate screen"
        );
        assert!(!p.screen().hide_cursor(), "the cursor is still hidden");
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

const ESC: &str = "\x1b";
const ENTER: &str = "\r";

/// Load the customers fixture, go to Map, use help, on to Clean, resize,
/// back, and quit.
fn load_then_map(mut pty: Pty) {
    pty.wait_for("30 rows");
    pty.wait_for("CustomerID");
    pty.send(ENTER);
    // CreditScore is profile only: the table has Recency, Frequency and Monetary.
    pty.wait_for("12 columns: 7 feature, 3 profile, 2 ignored");
    // j to Age and Space: left out (ignored).
    pty.send("j");
    pty.send(" ");
    pty.wait_for("12 columns: 6 feature");
    pty.send("?");
    pty.wait_for("Help: Map columns");
    pty.send(ESC);
    pty.wait_gone("Help: Map columns");
    pty.send(ENTER);
    pty.wait_for("Cleaned: 30 rows in, 30 out");
    pty.resize(50, 15);
    pty.wait_for("Terminal too small");
    pty.resize(80, 24);
    pty.wait_for("Max missing");
    pty.send(ESC);
    pty.wait_for("12 columns: 6 feature");
    pty.send(ESC);
    pty.wait_for("Files in");
    // Age was left out and nothing exported: q asks first.
    pty.send("q");
    pty.wait_for("y quit");
    assert!(pty.screen().contains("exported"), "{}", pty.screen());
    pty.send("y");
    let status = pty.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored();
}

#[test]
fn pty_load_then_map_quit_restores_the_terminal() {
    load_then_map(Pty::spawn_child_entry(
        "tests/fixtures/tui/customers.csv",
        80,
        24,
    ));
}

/// A million-row file loads in the background: help opens, q asks, Esc
/// cancels, all while the worker is busy.
#[test]
fn pty_keys_answer_while_a_million_rows_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "CustomerID,Age,Gender,Balance,TxnCount,LastTxnDate").unwrap();
        for i in 0..1_000_000u32 {
            writeln!(
                f,
                "C{i:07},{},{},{}.25,{},2024-{:02}-{:02}",
                20 + i % 60,
                if i % 2 == 0 { 'M' } else { 'F' },
                (i * 37) % 100_000,
                i % 90,
                1 + i % 12,
                1 + i % 28
            )
            .unwrap();
        }
    }
    // However fast the machine, the load must still be running while the
    // keys arrive: each progress report holds it for a moment.
    let mut pty = Pty::spawn_child_entry_paused(path.to_str().unwrap(), 80, 24, 400);
    pty.wait_for("Loading big.csv");
    pty.send("?");
    pty.wait_for("Help: Load");
    let screen = pty.screen();
    assert!(
        screen.contains("Loading big.csv"),
        "help opened while the progress bar runs:\n{screen}"
    );
    pty.send(ESC);
    pty.wait_gone("Help: Load");
    pty.send("q");
    pty.wait_for("Quit anyway?");
    pty.send("n");
    pty.wait_gone("Quit anyway?");
    pty.wait_for("% reading big.csv");
    pty.send(ESC);
    pty.wait_for("Loading big.csv cancelled");
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored();
}

/// With no file given the bundled sample is loaded; Tab goes back to the
/// path field, where q and ? are text (not quit / help) and Ctrl-C still
/// quits at once.
#[test]
fn pty_ctrl_c_quits_from_the_path_field() {
    let mut pty = Pty::spawn_child_entry("", 80, 24);
    pty.wait_for("Loaded 3,000 rows");
    pty.send("\t");
    pty.wait_for("Ctrl-C quit");
    pty.send("\x15");
    pty.send("q?x");
    pty.wait_for("q?x");
    let screen = pty.screen();
    assert!(
        !screen.contains("Help: Load"),
        "? typed, not help:\n{screen}"
    );
    assert!(
        pty.child.try_wait().unwrap().is_none(),
        "q typed, not quit:\n{screen}"
    );
    pty.send("\x03");
    let status = pty.wait_exit();
    assert_eq!(status.exit_code(), 130, "Ctrl-C: exit status 130");
    pty.assert_restored();
}

#[test]
fn pty_a_panic_restores_the_terminal_then_reports() {
    let mut pty = Pty::spawn_child_entry("panic", 80, 24);
    // (the child runs with RUST_BACKTRACE=0 so the message stays on screen)
    let status = pty.wait_exit();
    assert!(!status.success());
    pty.assert_restored();
    let screen = pty.screen();
    assert!(screen.contains("boom in the pty test"), "{screen}");
}

#[test]
fn real_binary_load_then_map() {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.arg("tests/fixtures/tui/customers.csv");
    load_then_map(Pty::spawn(cmd, 80, 24));
}

const RIGHT: &str = "\x1b[C";
const DOWN: &str = "\x1b[B";
const CTRL_U: &str = "\x15";

/// The real binary, the way a person uses it: load, map, clean, features,
/// the sweep, one K more, rename a segment, export into a new folder, quit.
/// Then the files are checked, and the saved run.toml says what was done.
#[test]
fn real_binary_load_to_export_writes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("segments");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.arg("tests/fixtures/tui/customers.csv");
    let mut pty = Pty::spawn(cmd, 80, 24);
    pty.wait_for("30 rows");
    pty.send(ENTER);
    pty.wait_for("12 columns: 7 feature");
    pty.send(ENTER);
    pty.wait_for("Cleaned: 30 rows in, 30 out");
    pty.send(ENTER);
    pty.wait_for("Distribution");
    pty.send(ENTER);
    // Thirty random customers have no natural groups: the gap statistic
    // says so and K is the smallest of the range (issue 15; before, the
    // SSE knee of the noise gave K=6).
    pty.wait_for("K=2: no number of segments");
    pty.send(RIGHT);
    pty.wait_for("K=3: 3 segments profiled");
    pty.send(ENTER);
    pty.wait_for("3 segments. Enter opens one");
    pty.send("e");
    pty.wait_for("Label of segment 0");
    pty.send(CTRL_U);
    pty.send("VIP");
    pty.send(ENTER);
    pty.wait_for("Segment 0 is now 'VIP'");
    pty.send("7");
    pty.wait_for("Replay:");
    pty.send("e");
    pty.send(CTRL_U);
    pty.send(out.to_str().unwrap());
    pty.wait_for("(new folder)");
    pty.send(ENTER);
    pty.wait_for("files written to");
    pty.wait_for("Written to");
    pty.send(DOWN);
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored();

    for name in [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "elbow.png",
        "segment_sizes.png",
        "segmentation_report.md",
        "model.json",
        "run.toml",
    ] {
        let path = out.join(name);
        assert!(path.is_file(), "{name} was not written");
        assert!(
            std::fs::metadata(&path).unwrap().len() > 0,
            "{name} is empty"
        );
    }
    let results = std::fs::read_to_string(out.join("segmentation_results.csv")).unwrap();
    assert_eq!(results.lines().count(), 31, "a header and 30 customers");
    assert!(results.contains("VIP"), "the new label is in the results");
    let png = std::fs::read(out.join("elbow.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let cfg = custseg::config::RunConfig::from_toml_file(&out.join("run.toml")).unwrap();
    assert_eq!(cfg.cluster.k, Some(3));
    assert_eq!(cfg.labels.overrides[&0].label.as_deref(), Some("VIP"));
    assert!(
        cfg.input
            .unwrap()
            .ends_with("tests/fixtures/tui/customers.csv")
    );
}

/// Not a test of its own: the process that the pty tests start. Does
/// nothing unless `CUSTSEG_TUI_PTY_CHILD` is set (to the input file, "" for
/// none, or "panic").
#[test]
fn pty_child_entry() {
    let Ok(input) = std::env::var(CHILD_ENV) else {
        return;
    };
    if input == "panic" {
        let session = custseg::tui::terminal::Session::enter().unwrap();
        // Only the panic hook can give the terminal back now.
        std::mem::forget(session);
        panic!("boom in the pty test");
    }
    let config = custseg::config::RunConfig {
        input: (!input.is_empty()).then(|| Path::new(&input).to_path_buf()),
        ..Default::default()
    };
    if let Ok(ms) = std::env::var(PAUSE_ENV) {
        let ms = ms.parse().expect("milliseconds");
        custseg::tui::worker::pause_after_each_report(Duration::from_millis(ms));
    }
    let ui = custseg::tui::UiOptions::from_env(false);
    let code = match custseg::tui::run_tui(config, ui) {
        Ok(()) => 0,
        // As main.rs: Ctrl-C is 130.
        Err(custseg::Error::Cancelled) => 130,
        Err(e) => {
            eprintln!("custseg: error: {e}");
            1
        }
    };
    std::process::exit(code);
}

/// The real binary, with its own hooks (`crash::install`, then the TUI's):
/// a panic while the TUI holds the terminal. The terminal comes back
/// first, then `color_eyre`'s report prints custseg's one line on the
/// restored screen (no backtrace, though RUST_BACKTRACE is set); exit 70.
#[test]
fn real_binary_panic_restores_the_terminal_then_reports_one_line() {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.arg("tests/fixtures/tui/customers.csv");
    cmd.env("CUSTSEG_PANIC_FOR_TEST", "tui:boom in the tui");
    cmd.env("RUST_BACKTRACE", "1");
    cmd.env_remove("CUSTSEG_BACKTRACE");
    let mut pty = Pty::spawn(cmd, 120, 24);
    let status = pty.wait_exit();
    assert_eq!(status.exit_code(), 70, "{}", pty.screen());
    pty.assert_restored();
    let screen = pty.screen();
    let lines: Vec<&str> = screen
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{screen}");
    assert!(
        lines[0].starts_with("custseg: error: internal error: boom in the tui at ")
            && lines[0].ends_with("; please report"),
        "{screen}"
    );
}

/// The real binary: Inspect sorts its segment table by the next column
/// (`s`, marked in the header) and reverses it (`S`); `/` with part of an
/// id lists the matches.
#[test]
fn real_binary_sorting_inspect() {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.arg("tests/fixtures/tui/customers.csv");
    let mut pty = Pty::spawn(cmd, 120, 40);
    pty.wait_for("30 rows");
    pty.send(ENTER);
    pty.wait_for("12 columns: 7 feature");
    pty.send(ENTER);
    pty.wait_for("Cleaned: 30 rows in, 30 out");
    pty.send(ENTER);
    pty.wait_for("Distribution");
    pty.send(ENTER);
    pty.wait_for("K=2: no number of segments");
    pty.send(ENTER);
    pty.wait_for("2 segments. Enter opens one");
    pty.wait_for("#▲");
    pty.send("s");
    pty.wait_for("Sorted by label");
    pty.send("s");
    pty.wait_for("Sorted by size, largest first");
    pty.wait_for("Size▼");
    pty.send("S");
    pty.wait_for("Sorted by size, smallest first");
    pty.wait_for("Size▲");
    pty.send("/");
    pty.wait_for("Find a customer");
    pty.send("C000");
    pty.send(ENTER);
    pty.wait_for("9 customers match 'C000'");
    pty.send(ESC);
    pty.wait_for("Segment sizes");
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored();
}

/// The real binary: digits go forward running what is needed (clean,
/// features, sweep, profiles) and back in one key (Export -> Map), then
/// Ctrl-C exits with status 130.
#[test]
fn real_binary_digit_jumps_then_ctrl_c_exits_130() {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.arg("tests/fixtures/tui/customers.csv");
    let mut pty = Pty::spawn(cmd, 80, 24);
    pty.wait_for("30 rows");
    pty.send("6");
    pty.wait_for("segments. Enter opens one");
    pty.send("7");
    pty.wait_for("Replay:");
    pty.send("2");
    pty.wait_for("12 columns: 7 feature");
    pty.send("5");
    pty.wait_for("no number of segments");
    pty.send("\x03");
    let status = pty.wait_exit();
    assert_eq!(status.exit_code(), 130, "{}", pty.screen());
    pty.assert_restored();
}

/// q during a sweep at the smallest size and at 80x24: the Quit? box wraps
/// its text and still shows its y / n keys; Ctrl-C from the box exits 130.
#[test]
fn pty_quit_during_a_sweep_shows_its_keys() {
    for (cols, rows) in [(60, 18), (80, 24)] {
        let mut pty =
            Pty::spawn_child_entry_paused("tests/fixtures/tui/customers.csv", cols, rows, 300);
        pty.wait_for("30 rows");
        pty.send("5");
        pty.wait_for("K sweep");
        pty.send("q");
        pty.wait_for("Quit anyway?");
        let screen = pty.screen();
        assert!(screen.contains("y quit"), "{cols}x{rows}:\n{screen}");
        assert!(screen.contains("n/Esc stay"), "{cols}x{rows}:\n{screen}");
        pty.send("\x03");
        let status = pty.wait_exit();
        assert_eq!(status.exit_code(), 130, "{}", pty.screen());
        pty.assert_restored();
    }
}

const F2: &str = "\x1bOQ";

/// Issue 17: an installed binary (no `samples/` folder near it or the
/// working folder) started with no file offers the sample built into it;
/// F2 writes it into the (empty) working folder and loads it, Map shows
/// its columns.
#[test]
fn real_binary_installed_and_started_with_no_file_offers_the_bundled_sample() {
    let install = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let exe = install.path().join("bin").join("custseg");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let built = Path::new(env!("CARGO_BIN_EXE_custseg"));
    if std::fs::hard_link(built, &exe).is_err() {
        std::fs::copy(built, &exe).unwrap();
    }
    assert_eq!(
        custseg::tui::find_sample_from(work.path(), Some(&exe)),
        None,
        "no sample on disk for this binary"
    );
    let mut pty = Pty::spawn_in(CommandBuilder::new(&exe), work.path(), 80, 24);
    pty.wait_for("F2 for the bundled sample");
    pty.wait_for("F2 writes the bundled sample (3,000 customers) to this folder");
    pty.wait_for("custseg sample --rows 100000 --out customers.csv");
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        0,
        "nothing written yet"
    );
    pty.send(F2);
    pty.wait_for("3,000 rows");
    pty.wait_for("Bundled sample written to");
    let written = work.path().join("customers_en.csv");
    let committed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/customers_en.csv"))
            .unwrap();
    assert_eq!(std::fs::read(&written).unwrap(), committed);
    pty.send(ENTER);
    pty.wait_for("10 columns:");
    for column in ["CustomerID", "AccountBalance", "LastTxnDate"] {
        pty.wait_for(column);
    }
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored();
}
