//! Runs the custseg binary in a child process with an address-space limit
//! and a timeout, and measures its peak resident memory (from `wait4`'s
//! resource usage): how the input-safety tests and the fuzz harness check
//! "no crash, no hang, bounded memory".

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Limits of one child run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// RLIMIT_AS: allocations past this fail (calamine would abort).
    pub address_space: u64,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            address_space: 4 << 30,
            timeout: Duration::from_secs(60),
        }
    }
}

/// How one child run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// Peak resident set size, bytes.
    pub peak_rss: u64,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The last line of stderr (the error line on failure).
    pub fn last_line(&self) -> &str {
        self.stderr.trim_end().lines().last().unwrap_or("")
    }

    /// What went wrong in a way no input may cause, if anything: a crash
    /// (signal, panic exit 101), a hang, memory beyond `max_rss`, or an
    /// error that is not one clean `custseg: error:` line.
    pub fn violation(&self, max_rss: u64) -> Option<String> {
        if self.timed_out {
            return Some(format!("hang: killed after {:?}", self.elapsed));
        }
        if let Some(sig) = self.signal {
            return Some(format!("crash: killed by signal {sig}"));
        }
        if self.peak_rss > max_rss {
            return Some(format!(
                "memory: peak RSS {} MB over {} MB",
                self.peak_rss >> 20,
                max_rss >> 20
            ));
        }
        match self.code {
            Some(0) => None,
            Some(1) | Some(2) => {
                let last = self.last_line();
                if !last.starts_with("custseg: error: ") {
                    return Some(format!("error without a one-line message: {last:?}"));
                }
                if last.chars().any(|c| c.is_control()) {
                    return Some(format!("raw control character in the error: {last:?}"));
                }
                if self.stderr.contains("panicked") || self.stderr.contains("RUST_BACKTRACE") {
                    return Some("a panic report on stderr".into());
                }
                None
            }
            Some(c) => Some(format!("crash: exit code {c}: {:?}", self.last_line())),
            None => Some("no exit status".into()),
        }
    }
}

/// The binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_custseg")
}

/// Runs `custseg args...` in `cwd` under `limits`.
pub fn run<I, S>(args: I, cwd: &Path, limits: Limits) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out_path = cwd.join(".sandbox.stdout");
    let err_path = cwd.join(".sandbox.stderr");
    let stdout = std::fs::File::create(&out_path).expect("stdout file");
    let stderr = std::fs::File::create(&err_path).expect("stderr file");
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .env("NO_COLOR", "1")
        .env("MALLOC_ARENA_MAX", "2")
        .env("RUST_BACKTRACE", "0");
    let address_space = limits.address_space;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: address_space,
                rlim_max: address_space,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &core);
            Ok(())
        });
    }
    let start = Instant::now();
    // Reaped below with wait4 (for its resource usage), not Child::wait.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("spawn custseg");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            panic!("wait4: {}", std::io::Error::last_os_error());
        }
        if start.elapsed() > limits.timeout {
            timed_out = true;
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let elapsed = start.elapsed();
    let exit = std::process::ExitStatus::from_raw(status);
    let read = |p: &Path| {
        let bytes = std::fs::read(p).unwrap_or_default();
        let _ = std::fs::remove_file(p);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Outcome {
        code: exit.code(),
        signal: if timed_out { None } else { exit.signal() },
        timed_out,
        peak_rss: usage.ru_maxrss as u64 * 1024,
        elapsed,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// The names of the entries of `dir` (sorted), to check nothing was written.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
