//! Loading work spread over every core, for datasets with millions of
//! evidence links. Small inputs stay on one thread (no start-up cost).

use std::io;
use std::ops::Range;
use std::path::Path;

/// Below this much work (bytes or rows), one thread does it all.
const MIN_PER_THREAD: usize = 1 << 20;

/// How many threads to give `work` units of work.
pub fn threads_for(work: usize) -> usize {
    cores().min(work / MIN_PER_THREAD + 1)
}

/// How many threads can run at once, asked once a run: the standard
/// library reads `/proc/self/cgroup` and two cgroup files each time
/// (nine system calls), and a load asks for each file it reads.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether `test` holds for every item, checked on several threads (a
/// failed thread counts as `false`).
pub fn all<T: Sync>(items: &[T], test: impl Fn(&T) -> bool + Sync) -> bool {
    let parts = split(items.len(), threads_for(items.len()));
    on_each(parts, |part| items[part].iter().all(&test))
        .is_some_and(|parts| parts.into_iter().all(|holds| holds))
}

/// `0..len` in at most `parts` ranges of nearly equal length.
pub fn split(len: usize, parts: usize) -> Vec<Range<usize>> {
    let per_part = len.div_ceil(parts.max(1)).max(1);
    (0..len)
        .step_by(per_part)
        .map(|first| first..(first + per_part).min(len))
        .collect()
}

/// `work` of each item, each on a thread of its own when there are more
/// than one; `None` if a thread failed (the caller then takes its slow,
/// exact way).
pub fn on_each<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Option<Vec<R>> {
    if items.len() <= 1 {
        return Some(items.into_iter().map(work).collect());
    }
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = items
            .into_iter()
            .map(|item| scope.spawn(move || work(item)))
            .collect();
        // Every thread joined before any result is looked at: the scope
        // would panic at a second failed thread left unjoined.
        let results: Vec<Option<R>> = handles.into_iter().map(|h| h.join().ok()).collect();
        results.into_iter().collect()
    })
}

/// The bytes of the file at `path`, a large file read in parallel parts.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    // A FIFO would block the run until something writes to it, and a
    // device (/dev/zero) never ends: only regular files are read.
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file (a folder, FIFO or device)",
        ));
    }
    read_open(&std::fs::File::open(path)?)
}

/// The regular file at `path`, open; `None` when there is none, or it is
/// a FIFO, device or folder (opened without waiting for a FIFO's writer).
pub fn open_regular(path: &Path) -> Option<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        rustix::fs::OFlags::NONBLOCK.bits() as i32,
    );
    let file = options.open(path).ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

/// The bytes of the open regular file `file`, from its start, a large
/// file read in parallel parts.
pub fn read_open(file: &std::fs::File) -> io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        let threads = threads_for(len);
        if threads > 1 {
            let mut bytes = vec![0u8; len];
            let per_thread = len.div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = bytes
                    .chunks_mut(per_thread)
                    .enumerate()
                    .map(|(i, part)| {
                        scope.spawn(move || file.read_exact_at(part, (i * per_thread) as u64))
                    })
                    .collect();
                handles.into_iter().try_for_each(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("a reading thread failed")))
                })
            })?;
            return Ok(bytes);
        }
        let mut bytes = vec![0u8; len];
        file.read_exact_at(&mut bytes, 0)?;
        Ok(bytes)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(io::SeekFrom::Start(0))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_agrees_with_a_plain_scan_on_any_size() {
        for n in [0, 1, 10, 3 << 20] {
            let items: Vec<u32> = (0..n).collect();
            assert!(all(&items, |x| *x < n));
            if n > 0 {
                assert!(!all(&items, |x| *x != n - 1), "{n}: the last item fails");
                assert!(!all(&items, |x| *x != 0), "{n}: the first item fails");
            }
        }
    }

    #[test]
    fn a_large_file_reads_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let bytes: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_file(&path).unwrap(), bytes);
    }
}
