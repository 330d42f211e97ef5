//! The processes a test environment starts, and the guarantee that none outlives it.
//!
//! A watchdog shell is started first, in a process group of its own, and every process is
//! started in that group. The watchdog waits for the test process to end — however it ends:
//! passing, panicking, killed — then stops the group (TERM, then KILL), removes the
//! temporary directory and whatever else it was told to clean up (network namespaces).

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::TestEnvError;

/// The watchdog and the processes started in its group.
#[derive(Debug)]
pub struct Processes {
    dir: PathBuf,
    watchdog: Child,
    children: Mutex<Vec<(String, Child)>>,
}

/// Shell-quotes a string for the watchdog's script.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Processes {
    /// Starts the watchdog for the test process; on its end it removes `dir` and runs each
    /// command of `cleanup` (shell lines, e.g. `ip netns del NAME`).
    pub fn new(dir: &Path, cleanup: &[String]) -> Result<Self, TestEnvError> {
        let script = format!(
            "trap '' TERM INT HUP\n\
             while kill -0 {pid} 2>/dev/null; do sleep 0.3; done\n\
             kill -TERM 0 2>/dev/null\n\
             sleep 2\n\
             {cleanup}\n\
             rm -rf {dir}\n\
             kill -KILL 0\n",
            pid = std::process::id(),
            dir = quote(&dir.display().to_string()),
            cleanup = cleanup.join("\n"),
        );
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(TestEnvError::io("starting the watchdog (sh)"))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            watchdog,
            children: Mutex::new(Vec::new()),
        })
    }

    /// The process group every child joins.
    fn group(&self) -> i32 {
        self.watchdog.id() as i32
    }

    /// The log file of process `name`.
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    /// Starts `program args` as `name`, output to `name.log` in the directory.
    pub fn spawn(&self, name: &str, program: &Path, args: &[String]) -> Result<(), TestEnvError> {
        let log = File::create(self.log_path(name))
            .map_err(TestEnvError::io(format!("creating the log of {name}")))?;
        let err = log
            .try_clone()
            .map_err(TestEnvError::io(format!("creating the log of {name}")))?;
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .process_group(self.group())
            .spawn()
            .map_err(TestEnvError::io(format!("starting {}", program.display())))?;
        self.children
            .lock()
            .expect("process list")
            .push((name.to_string(), child));
        Ok(())
    }

    /// Whether `name` is still running; `Err` with its exit status if it has ended.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let mut children = self.children.lock().expect("process list");
        for (n, child) in children.iter_mut() {
            if n == name
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("{name} exited ({status})"));
            }
        }
        Ok(())
    }

    /// The last `lines` lines of `name`'s log.
    pub fn tail(&self, name: &str, lines: usize) -> String {
        let text = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops `name` (TERM, then KILL after `grace`) and waits for it.
    pub fn stop(&self, name: &str, grace: Duration) {
        let mut children = self.children.lock().expect("process list");
        for (n, child) in children.iter_mut().filter(|(n, _)| n == name) {
            terminate(child, grace);
            tracing::debug!(process = %n, "stopped");
        }
        children.retain(|(n, _)| n != name);
    }

    /// Stops every process (the watchdog's cleanup then runs when the test process ends).
    pub fn stop_all(&self) {
        let mut children = self.children.lock().expect("process list");
        for (_, child) in children.iter_mut().rev() {
            terminate(child, Duration::from_secs(3));
        }
        children.clear();
    }
}

fn terminate(child: &mut Child, grace: Duration) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = std::time::Instant::now() + grace;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A free TCP port on 127.0.0.1 (bound then released; the caller binds it soon after).
pub fn free_port() -> Result<u16, TestEnvError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(TestEnvError::io("finding a free port"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(TestEnvError::io("finding a free port"))
}
