//! Pinning the workers to cores, where the machine has cores to spare.
//!
//! A worker's intra-op threads that migrate between cores lose their caches, and land now and
//! then on a core that another process or the kernel's interrupt handling is using. When the
//! check may use more cores than a session has threads, both workers are pinned to the same
//! highest-numbered cores (the lowest ones usually take the interrupts and the rest of the
//! system): the two sides never run at once, so sharing the cores gives them the same
//! conditions. With no spare core (2 cores and 2 intra-op threads) pinning would only stop the
//! scheduler from moving a thread away from a busy core, so the workers are left unpinned, and
//! the report says so. Linux only: macOS has no way to bind a thread to a core.

use serde::Serialize;

/// What the check does about pinning, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinPlan {
    /// The cores both workers are bound to; `None` when they are not pinned.
    pub cores: Option<Vec<usize>>,
    /// Why (or why not), for the report.
    pub reason: String,
}

/// The plan for sessions of `threads` intra-op threads when the process may use `available`
/// cores (`None`: the OS does not say, or cannot pin).
pub fn plan(available: Option<&[usize]>, threads: usize) -> PinPlan {
    let Some(available) = available else {
        return PinPlan {
            cores: None,
            reason: "not pinned: this OS cannot bind threads to cores".into(),
        };
    };
    if available.len() <= threads {
        return PinPlan {
            cores: None,
            reason: format!(
                "not pinned: {} usable cores and {threads} intra-op threads leave no spare core",
                available.len()
            ),
        };
    }
    let mut sorted = available.to_vec();
    sorted.sort_unstable();
    let cores = sorted.split_off(sorted.len() - threads);
    PinPlan {
        reason: format!(
            "both workers pinned to cores {} ({} usable cores, {threads} intra-op threads)",
            cores
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            available.len()
        ),
        cores: Some(cores),
    }
}

/// The cores this process may run on; `None` where that cannot be asked or changed.
pub fn available_cores() -> Option<Vec<usize>> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is the empty set; sched_getaffinity fills it for this
        // thread and the set is only read after it succeeded.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return None;
            }
            Some(
                (0..libc::CPU_SETSIZE as usize)
                    .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
                    .collect(),
            )
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Binds the calling thread, and every thread it starts afterwards (ORT creates its intra-op
/// pool with each session), to `cores`.
pub fn pin_current_thread(cores: &[usize]) -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: as in `available_cores`; CPU_SET is given core numbers below CPU_SETSIZE.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &cpu in cores {
                if cpu >= libc::CPU_SETSIZE as usize {
                    return Err(format!("core {cpu} is beyond what the OS can address"));
                }
                libc::CPU_SET(cpu, &mut set);
            }
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(format!(
                    "cannot pin to cores {cores:?}: {}",
                    std::io::Error::last_os_error()
                ));
            }
            Ok(())
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err(format!(
            "cannot pin to cores {cores:?}: not supported on this OS"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_spare_cores_are_used() {
        let two = plan(Some(&[0, 1]), 2);
        assert_eq!(two.cores, None);
        assert!(
            two.reason.contains("2 usable cores and 2 intra-op threads"),
            "{}",
            two.reason
        );
        let eight = plan(Some(&[7, 0, 1, 2, 3, 4, 5, 6]), 2);
        assert_eq!(eight.cores, Some(vec![6, 7]));
        assert!(eight.reason.contains("cores 6,7"), "{}", eight.reason);
        assert_eq!(plan(None, 1).cores, None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_thread_can_be_pinned_to_a_core_it_may_use() {
        let cores = available_cores().expect("Linux reports the affinity mask");
        let last = *cores.last().unwrap();
        // In a thread of its own, so the test harness's threads keep their mask.
        let result = std::thread::spawn(move || {
            pin_current_thread(&[last])?;
            Ok::<_, String>(available_cores())
        })
        .join()
        .unwrap();
        assert_eq!(result, Ok(Some(vec![last])));
    }
}
