//! The CPU time of the whole process (user plus system, every thread), as the kernel accounts
//! it: what a burst of runs cost in processor time, apart from the time it waited for a core.
//!
//! On a machine shared with other work, a run's wall time includes the moments its threads were
//! runnable but another process had the core; its CPU time does not. So the two differ exactly by
//! the contention, which is why the upgrade check records both per burst. The process's figure
//! (`RUSAGE_SELF`) is used rather than the calling thread's (`RUSAGE_THREAD`) because ONNX
//! Runtime runs a session on a pool of intra-op threads; it also counts what those threads spend
//! spinning while they wait for work, which is part of the runtime's cost.

use std::time::Duration;

/// User plus system CPU time of this process so far; `None` where the OS does not report it
/// (only Unix systems are supported).
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
        // SAFETY: getrusage writes a whole `rusage` into the pointer it is given when it
        // returns 0, and only then is the value read.
        let usage = unsafe {
            if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
                return None;
            }
            usage.assume_init()
        };
        let time = |t: libc::timeval| {
            Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1000)
        };
        Some(time(usage.ru_utime) + time(usage.ru_stime))
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
    #[cfg(unix)]
    fn cpu_time_only_grows() {
        let before = process_cpu_time().unwrap();
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        std::hint::black_box(x);
        assert!(process_cpu_time().unwrap() >= before);
        assert!(available());
    }
}
