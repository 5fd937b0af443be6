//! The worker: one process per ONNX Runtime (a process can load only one), started by
//! `epbench upgrade-check` as `epbench upgrade-worker` and driven over stdin/stdout.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::measure::cpu_time::process_cpu_time;
use crate::runtime::{self, EpKind};
use crate::suite::{BenchCase, Prepared, Preparer, Settings};

use super::measure::Measure;
use super::pinning::pin_current_thread;
use super::protocol::{Request, Response, WireTensor, read_message, write_message};
use super::selection::select;
use super::slowdown::Slowdown;

/// The stream the protocol is written to: a copy of the process's stdout, after which stdout
/// itself is pointed at stderr, so that anything ONNX Runtime, a provider library or a stray
/// `println!` writes lands in stderr (which the parent keeps for error messages) and cannot
/// corrupt a message.
pub fn protocol_output() -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdout().flush()?;
        let copy = std::io::stdout().as_fd().try_clone_to_owned()?;
        // SAFETY: dup2 on the process's own standard descriptors; fd 2 stays open.
        if unsafe { libc::dup2(2, 1) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(File::from(copy))
    }
    #[cfg(not(unix))]
    {
        use std::os::windows::io::AsHandle;
        Ok(File::from(
            std::io::stdout().as_handle().try_clone_to_owned()?,
        ))
    }
}

/// What a loaded worker holds.
struct Loaded {
    cases: Vec<BenchCase>,
    slowdown: Option<Slowdown>,
    /// The clock the slowdown is a fraction of.
    decided_by: Measure,
    preparer: Preparer,
    prepared: HashMap<String, Prepared>,
}

/// Answers requests from `input` on `output` until `Quit` or the end of `input`. Returns an
/// error only when the protocol itself breaks (the parent is gone or sent garbage).
pub fn serve(mut input: impl BufRead, mut output: impl Write) -> Result<(), String> {
    let mut loaded: Option<Loaded> = None;
    while let Some(request) = read_message::<Request>(&mut input)? {
        let (response, exit) = match request {
            Request::Quit => return Ok(()),
            Request::Load {
                requirement,
                ep,
                intra_threads,
                options,
                models_dir,
                pin,
                spinning,
                decided_by,
            } => match load(&requirement, ep, pin.as_deref()) {
                Ok(response) => {
                    let settings = Settings {
                        quick: false,
                        intra_threads,
                    };
                    let cases = select(ep, &settings, None)
                        .into_iter()
                        .map(|mut case| {
                            case.session = options.apply(case.session);
                            if !spinning {
                                case.session = case.session.intra_spinning(false);
                            }
                            case
                        })
                        .collect();
                    loaded = Some(Loaded {
                        cases,
                        slowdown: options.slowdown,
                        decided_by,
                        preparer: Preparer::new(models_dir),
                        prepared: HashMap::new(),
                    });
                    (response, false)
                }
                Err(reason) => (Response::Failed { reason }, true),
            },
            other => match loaded.as_mut() {
                Some(state) => (state.answer(other), false),
                None => (
                    Response::Failed {
                        reason: "no runtime loaded yet (send `load` first)".into(),
                    },
                    false,
                ),
            },
        };
        write_message(&mut output, &response).map_err(|e| format!("cannot answer: {e}"))?;
        if exit {
            return Ok(());
        }
    }
    Ok(())
}

/// Pins the worker (before ORT starts any thread) and loads the runtime.
fn load(
    requirement: &crate::provisioning::OrtRequirement,
    ep: EpKind,
    pin: Option<&[usize]>,
) -> Result<Response, String> {
    let pin_error = pin.and_then(|cores| pin_current_thread(cores).err());
    let runtime = runtime::load(requirement).map_err(|e| e.to_string())?;
    if ep != EpKind::Cpu {
        runtime
            .require(&ep.default_ep())
            .map_err(|e| e.to_string())?;
    }
    Ok(Response::Loaded {
        runtime: runtime.describe(),
        ort_version: runtime.version().to_string(),
        pin_error,
    })
}

impl Loaded {
    fn answer(&mut self, request: Request) -> Response {
        let result = match request {
            Request::Prepare { id } => self.prepare(&id),
            Request::Measure {
                id,
                warmup,
                iterations,
            } => self.measure(&id, warmup, iterations),
            Request::Outputs { id } => self.prepared(&id).and_then(|p| {
                let outputs = p.outputs().map_err(|e| e.to_string())?;
                Ok(Response::Outputs {
                    outputs: outputs.iter().map(WireTensor::from).collect(),
                })
            }),
            Request::Load { .. } | Request::Quit => {
                Err("a worker loads one runtime for its whole life".into())
            }
        };
        result.unwrap_or_else(|reason| Response::Failed { reason })
    }

    fn prepare(&mut self, id: &str) -> Result<Response, String> {
        let case = self
            .cases
            .iter()
            .find(|c| c.id() == id)
            .ok_or_else(|| format!("no benchmark `{id}` in this worker's selection"))?;
        // A new session replaces the old one, which goes first so that both are never held.
        self.prepared.remove(id);
        let mut prepared = self.preparer.prepare(case).map_err(|e| e.reason)?;
        let create_ms = prepared
            .session()
            .map_or(0.0, |built| built.create_time.as_secs_f64() * 1e3);
        self.prepared.insert(id.to_string(), prepared);
        Ok(Response::Prepared { create_ms })
    }

    fn prepared(&mut self, id: &str) -> Result<&mut Prepared, String> {
        self.prepared
            .get_mut(id)
            .ok_or_else(|| format!("benchmark `{id}` was not prepared"))
    }

    /// One burst: the warm-up, then the timed runs between two readings of the process's CPU
    /// time, so that the CPU time covers exactly the timed runs; then a wait until this
    /// process's threads stop spinning ([`quiesce`]) before the answer lets the other side
    /// start. A slowdown is spun inside the deciding clock (see [`Slowdown`]): after each run
    /// for a fraction of its wall time, or after the runs for a fraction of their CPU time.
    fn measure(&mut self, id: &str, warmup: u32, iterations: u32) -> Result<Response, String> {
        let (slowdown, decided_by) = (self.slowdown, self.decided_by);
        let prepared = self.prepared(id)?;
        prepared
            .time(warmup as usize, 0)
            .map_err(|e| e.to_string())?;
        let cpu_before = process_cpu_time();
        let times = prepared
            .time_with(0, iterations as usize, |run| {
                if let (Some(slowdown), Measure::Wall) = (slowdown, decided_by) {
                    slowdown.spin_wall(run);
                }
            })
            .map_err(|e| e.to_string())?;
        // The reading that sizes the spin is taken only when there is a spin to size: it reads
        // every thread's clock inside the CPU window, which every burst paid for before.
        if let (Some(slowdown), Measure::Cpu, Some(before)) = (slowdown, decided_by, cpu_before)
            && let Some(after) = process_cpu_time()
        {
            slowdown.spin_cpu(after.saturating_sub(before));
        }
        let cpu_ns = process_cpu_time()
            .zip(cpu_before)
            .map(|(after, before)| nanos(after.saturating_sub(before)));
        quiesce();
        Ok(Response::Measured {
            ns: times.into_iter().map(nanos).collect(),
            cpu_ns,
        })
    }
}

/// The longest [`quiesce`] waits.
pub const MAX_QUIESCE: Duration = Duration::from_millis(200);
/// How often [`quiesce`] looks.
const QUIESCE_STEP: Duration = Duration::from_millis(2);

/// Waits (at most [`MAX_QUIESCE`]) until this process uses less than a tenth of a core over
/// [`QUIESCE_STEP`], i.e. until ORT's intra-op threads have stopped spinning. After a run they
/// spin before they sleep (2^20 pause instructions in the worker loop of ORT's thread pool,
/// `EigenNonBlockingThreadPool.h`: tens of milliseconds), and a pool still spinning while the
/// other side measures takes a core from it: on a 2-core machine with 2 intra-op threads, the
/// side that went second in a round was then up to 4x slower.
fn quiesce() {
    let started = Instant::now();
    while started.elapsed() < MAX_QUIESCE {
        let Some(before) = process_cpu_time() else {
            return;
        };
        std::thread::sleep(QUIESCE_STEP);
        let Some(after) = process_cpu_time() else {
            return;
        };
        if after.saturating_sub(before) < QUIESCE_STEP / 10 {
            return;
        }
    }
}

fn nanos(time: Duration) -> u64 {
    u64::try_from(time.as_nanos()).unwrap_or(u64::MAX)
}
