//! What the process may use, set up before anything runs: a file-size
//! limit (`ulimit -f`) makes a write fail rather than kill the run, and too
//! few file descriptors (`ulimit -n`) are raised when the system allows,
//! or refused with a message (polars' threads panicked with 5).

/// The fewest open files metasum runs with: its threads, the dataset's
/// files, an output and its temporary file, with room to spare.
#[cfg(unix)]
const MIN_OPEN_FILES: u64 = 32;

/// Prepares the process, or says why it cannot run.
#[cfg(unix)]
pub fn prepare() -> Result<(), String> {
    // A write past `ulimit -f` raises SIGXFSZ, which kills the process
    // (exit 153, no message, a temporary file left); ignored, the write
    // fails with EFBIG, which every writer reports and cleans up after.
    // SAFETY: setting a signal's disposition to SIG_IGN, before any thread
    // is started; no handler runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= MIN_OPEN_FILES {
        return Ok(());
    }
    let maximum = limit.maximum.unwrap_or(u64::MAX);
    if maximum >= MIN_OPEN_FILES {
        // As much room as a usual shell gives, when the hard limit allows.
        let raised = Rlimit {
            current: Some(maximum.min(1024)),
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return Ok(());
        }
    }
    Err(format!(
        "metasum needs at least {MIN_OPEN_FILES} open files, and this shell allows {current} (ulimit -n {maximum} at most): raise it with `ulimit -n {MIN_OPEN_FILES}`"
    ))
}

/// Prepares the process (nothing to do outside Unix).
#[cfg(not(unix))]
pub fn prepare() -> Result<(), String> {
    Ok(())
}
