//! The parent's handle on one worker process: spawn it, exchange messages, and when it fails,
//! say which side, which requirement, and what it printed last.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::provisioning::OrtRequirement;

use super::protocol::{Request, Response, read_message, write_message};
use super::{Side, UpgradeError};

/// Lines of the worker's stderr kept for error messages.
const STDERR_LINES: usize = 20;

/// The hidden subcommand that runs [`super::worker::serve`].
pub const WORKER_SUBCOMMAND: &str = "upgrade-worker";

/// A running worker.
pub struct WorkerProcess {
    side: Side,
    requirement: OrtRequirement,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    stderr_thread: Option<JoinHandle<()>>,
}

impl WorkerProcess {
    /// Starts `exe upgrade-worker` for `side`. The worker gets no `ORT_DYLIB_PATH` or
    /// `EPBENCH_ORT`: it loads exactly the requirement it is sent.
    pub fn spawn(
        exe: &Path,
        side: Side,
        requirement: &OrtRequirement,
    ) -> Result<Self, UpgradeError> {
        let mut child = Command::new(exe)
            .arg(WORKER_SUBCOMMAND)
            .env_remove("ORT_DYLIB_PATH")
            .env_remove("EPBENCH_ORT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| UpgradeError::Spawn {
                side,
                exe: exe.to_path_buf(),
                source,
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            unreachable!("all three streams were requested as pipes");
        };
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        let stderr_thread = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == STDERR_LINES {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        Ok(WorkerProcess {
            side,
            requirement: requirement.clone(),
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            stderr_tail,
            stderr_thread: Some(stderr_thread),
        })
    }

    /// Which side this worker measures.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Sends a request without waiting for the answer (so both workers can work at once).
    pub fn send(&mut self, request: &Request) -> Result<(), UpgradeError> {
        let result = match self.stdin.as_mut() {
            Some(stdin) => write_message(stdin, request).map_err(|e| e.to_string()),
            None => Err("its input is closed".into()),
        };
        result.map_err(|reason| self.failure(format!("cannot send a request: {reason}")))
    }

    /// Waits for the answer to the last request.
    pub fn receive(&mut self) -> Result<Response, UpgradeError> {
        match read_message::<Response>(&mut self.stdout) {
            Ok(Some(response)) => Ok(response),
            Ok(None) => {
                let status = self.wait_briefly();
                Err(self.failure(format!("the worker exited unexpectedly ({status})")))
            }
            Err(reason) => Err(self.failure(reason)),
        }
    }

    /// Sends a request and waits for its answer.
    pub fn request(&mut self, request: &Request) -> Result<Response, UpgradeError> {
        self.send(request)?;
        self.receive()
    }

    /// Asks the worker to exit and waits for it.
    pub fn quit(mut self) {
        self.stop();
    }

    /// Asks the worker to exit and waits for it, keeping the handle (whose drop then finds the
    /// process gone); a worker that does not exit within two seconds is killed by the drop.
    pub fn stop(&mut self) {
        let _ = self.send(&Request::Quit);
        self.stdin = None;
        let _ = self.wait_briefly();
    }

    /// An error for this side with `reason` and the end of the worker's stderr.
    pub fn failure(&mut self, reason: String) -> UpgradeError {
        UpgradeError::Worker {
            side: self.side,
            requirement: self.requirement.to_string(),
            reason,
            stderr: self.stderr_tail(),
        }
    }

    fn stderr_tail(&mut self) -> String {
        // After an exit the reader thread ends with the pipe; give it the last lines.
        if let Ok(Some(_)) = self.child.try_wait()
            && let Some(thread) = self.stderr_thread.take()
        {
            let _ = thread.join();
        }
        let tail = self.stderr_tail.lock().unwrap_or_else(|p| p.into_inner());
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// The exit status, waiting up to two seconds for the worker to finish exiting.
    fn wait_briefly(&mut self) -> String {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.to_string(),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return format!("status unknown: {e}"),
            }
        }
        "still running".into()
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        // A worker left behind by an error path must not outlive the check.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
