//! The CPU time of the whole process (every thread), as the kernel accounts it: what a burst of
//! runs cost in processor time, apart from the time it waited for a core.
//!
//! On a machine shared with other work, a run's wall time includes the moments its threads were
//! runnable but another process had the core; its CPU time does not. So the two differ exactly by
//! the contention, which is why the upgrade check records both per burst. The whole process is
//! counted rather than the calling thread because ONNX Runtime runs a session on a pool of
//! intra-op threads; that also counts what those threads spend spinning while they wait for
//! work, which is part of the runtime's cost.
//!
//! On Linux the time is the sum of each thread's scheduler clock (`clock_gettime` on the CPU
//! clock of every thread in `/proc/self/task`). `getrusage(RUSAGE_SELF)` and the process CPU
//! clock add up the threads' accounted runtime, which for a thread running on another core at
//! that moment is only brought up to date at the next scheduler tick (4 ms at 250 Hz): as much as
//! a whole short burst. A thread's own clock is brought up to date when it is read. Elsewhere
//! (macOS) `getrusage(RUSAGE_SELF)` is used.

use std::time::Duration;

/// CPU time of this process so far, every thread's; `None` where the OS does not report it
/// (only Unix systems are supported).
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        if let Some(time) = threads_cpu_time() {
            return Some(time);
        }
    }
    #[cfg(unix)]
    {
        rusage_cpu_time()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The sum of the scheduler clocks of the threads in `/proc/self/task`.
#[cfg(target_os = "linux")]
fn threads_cpu_time() -> Option<Duration> {
    let mut total = Duration::ZERO;
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let Some(tid) = entry
            .ok()
            .and_then(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        // The kernel's encoding of a thread's CPU clock (MAKE_THREAD_CPUCLOCK with
        // CPUCLOCK_SCHED): the complemented thread id shifted by 3, per-thread flag 4, clock 2.
        let clock = ((!tid) << 3) | 6;
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the timespec it is given; a thread that exited since the
        // listing makes it fail, and that thread no longer counts.
        if unsafe { libc::clock_gettime(clock, &mut time) } == 0 {
            total += Duration::new(time.tv_sec.max(0) as u64, time.tv_nsec.max(0) as u32);
        }
    }
    Some(total)
}

/// User plus system time of the process from `getrusage`.
#[cfg(unix)]
fn rusage_cpu_time() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given when it returns
    // 0, and only then is the value read.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let time =
        |t: libc::timeval| Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1000);
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

/// CPU time of the calling thread so far (its scheduler clock, brought up to date when read);
/// `None` where the OS does not report it.
pub fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the timespec it is given, and it is read only on success.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) } != 0 {
            return None;
        }
        Some(Duration::new(
            time.tv_sec.max(0) as u64,
            time.tv_nsec.max(0) as u32,
        ))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether [`process_cpu_time`] works on this system.
pub fn available() -> bool {
    process_cpu_time().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn every_thread_has_a_clock() {
        // This thread's own clock is one of those summed, so the sum is at least it.
        let own = thread_cpu_time().expect("Linux has thread CPU clocks");
        assert!(threads_cpu_time().unwrap() >= own);
    }

    #[test]
    #[cfg(unix)]
    fn rusage_time_only_grows() {
        // The rusage total keeps the time of threads that exited, so other tests' threads
        // ending in between cannot make it shrink.
        let before = rusage_cpu_time().unwrap();
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        std::hint::black_box(x);
        assert!(rusage_cpu_time().unwrap() >= before);
        assert!(available());
    }
}
