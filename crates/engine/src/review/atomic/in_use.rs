//! A file another program holds open, named: on Windows a program that
//! has a file open (Excel, always, while the workbook is shown) may let no
//! one else write, replace or remove it, and the system's own message
//! ("being used by another process") names neither the file nor the
//! program.

use std::io;
use std::path::Path;

/// `ERROR_ACCESS_DENIED`: what replacing a file another program holds
/// open without sharing its deletion gives.
pub const ACCESS_DENIED: i32 = 5;
/// `ERROR_SHARING_VIOLATION`: what opening it gives.
pub const SHARING_VIOLATION: i32 = 32;
/// `ERROR_LOCK_VIOLATION`: a part of it locked by another program.
const LOCK_VIOLATION: i32 = 33;

/// `error`, from writing or replacing `path`, told as the file being open
/// in another program (named where Windows can tell which) when that is
/// why; otherwise `error` as it was.
pub fn explained(error: io::Error, path: &Path) -> io::Error {
    let read_only = || std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
    if cfg!(windows) && error.raw_os_error() == Some(ACCESS_DENIED) && read_only() {
        return io::Error::other("the file is read-only (its Properties say so)");
    }
    match holder(&error, path) {
        Some(which) => io::Error::other(format!(
            "it is open in {which}, which lets no other program change it: close it there and try again (it was not changed)"
        )),
        None => error,
    }
}

/// Who holds `path` open (`EXCEL.EXE`, or `another program (Excel?)`
/// when Windows cannot tell), when `error`, from writing, replacing or
/// removing it, is Windows refusing because a program does; else `None`.
pub fn holder(error: &io::Error, path: &Path) -> Option<String> {
    let code = error.raw_os_error()?;
    if !cfg!(windows) || ![ACCESS_DENIED, SHARING_VIOLATION, LOCK_VIOLATION].contains(&code) {
        return None;
    }
    let programs = holders(path);
    if programs.is_empty() && code == ACCESS_DENIED {
        // Not known to be held: a folder's permissions, or the like.
        return None;
    }
    Some(match programs.as_slice() {
        [] => "another program (Excel?)".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    })
}

/// The names of the programs that hold `path` open, as the Restart
/// Manager (what Windows' installers ask) knows them: none when it
/// cannot tell.
#[cfg(windows)]
fn holders(path: &Path) -> Vec<String> {
    use std::os::windows::ffi::OsStrExt;
    // The Restart Manager knows files by their full paths.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    use windows_sys::Win32::Foundation::ERROR_SUCCESS;
    use windows_sys::Win32::System::RestartManager::{
        CCH_RM_SESSION_KEY, RM_PROCESS_INFO, RmEndSession, RmGetList, RmRegisterResources,
        RmStartSession,
    };
    let wide: Vec<u16> = (path.as_os_str().encode_wide())
        .chain(std::iter::once(0))
        .collect();
    let mut session = 0u32;
    let mut key = [0u16; CCH_RM_SESSION_KEY as usize + 1];
    let mut names = Vec::new();
    // SAFETY: every pointer is to a live buffer of the length given, the
    // file name is NUL-terminated, and the session is ended before return.
    unsafe {
        if RmStartSession(&mut session, 0, key.as_mut_ptr()) != ERROR_SUCCESS {
            return names;
        }
        let files = [wide.as_ptr()];
        if RmRegisterResources(
            session,
            1,
            files.as_ptr(),
            0,
            std::ptr::null(),
            0,
            std::ptr::null(),
        ) == ERROR_SUCCESS
        {
            // More than 16 holders answer ERROR_MORE_DATA, and no names.
            let mut infos = vec![RM_PROCESS_INFO::default(); 16];
            let (mut needed, mut count, mut reasons) = (0u32, infos.len() as u32, 0u32);
            let got = RmGetList(
                session,
                &mut needed,
                &mut count,
                infos.as_mut_ptr(),
                &mut reasons,
            );
            if got == ERROR_SUCCESS {
                let count = (count as usize).min(infos.len());
                for info in &infos[..count] {
                    let name = &info.strAppName;
                    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
                    let name = String::from_utf16_lossy(&name[..end]);
                    if !name.is_empty() && !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        RmEndSession(session);
    }
    names
}

#[cfg(not(windows))]
fn holders(_: &Path) -> Vec<String> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_on_windows_is_retold() {
        let path = Path::new("table2.csv");
        let other = explained(io::Error::from(io::ErrorKind::NotFound), path);
        assert_eq!(other.kind(), io::ErrorKind::NotFound);
        let shared = explained(io::Error::from_raw_os_error(SHARING_VIOLATION), path).to_string();
        assert_eq!(shared.contains("it is open in"), cfg!(windows), "{shared}");
    }
}
