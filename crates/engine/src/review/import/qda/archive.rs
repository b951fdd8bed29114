//! A QDA project file opened for reading: a `.qdpx` (a zip holding
//! `project.qde` and the sources under `sources/`) or a bare `.qde` or
//! `.qdc`. Nothing is extracted to disk: the project and each source's
//! text are read from the archive into memory, each bounded as read (a
//! declared size is not trusted), and only names inside `sources/` are
//! ever looked up.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use crate::problem::Problem;

/// The largest `project.qde` read: a review's project of 500 papers with
/// their codings is a few MB; this is 50 times the largest seen.
pub const MAX_PROJECT_BYTES: u64 = 256 * 1024 * 1024;
/// The largest source text read: a long book is 5 MB.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;
/// The most text read from one archive in all.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024 * 1024;
/// The most entries an archive may list (the sources of a review are
/// hundreds; a zip of millions of entries is not a project).
pub const MAX_ENTRIES: usize = 100_000;

/// An opened project.
pub struct Opened {
    /// How messages name it (the path as given).
    pub name: String,
    /// How messages name the project's XML (`x.qdpx: project.qde`).
    pub xml_name: String,
    /// The project's XML.
    pub xml: String,
    archive: Option<zip::ZipArchive<Box<dyn ReadSeek>>>,
    /// The archive's file names, by their name in lower case (zip tools
    /// differ in the case they keep).
    names: std::collections::HashMap<String, String>,
    read_so_far: u64,
}

/// What an archive is read from: a file, or bytes in memory.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Reads at most `limit` bytes of `reader`; `None` when there are more.
fn bounded(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    reader.take(limit + 1).read_to_end(&mut out)?;
    Ok((out.len() as u64 <= limit).then_some(out))
}

/// `bytes` as text: UTF-8 (a byte order mark dropped) or UTF-16 with its
/// byte order mark, as programs save text sources.
pub fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|p| match le {
                true => u16::from_le_bytes([p[0], p[1]]),
                false => u16::from_be_bytes([p[0], p[1]]),
            })
            .collect();
        rest.len()
            .is_multiple_of(2)
            .then(|| String::from_utf16(&units).ok())
            .flatten()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => String::from_utf8(bytes.to_vec()).ok(),
    }
}

impl Opened {
    /// Opens `path` by its extension (`.qdpx`, `.qde`, `.qdc`).
    pub fn open(path: &Path) -> Result<Opened, Box<Problem>> {
        let name = path.display().to_string();
        let refuse = |why: String| Box::new(Problem::file(&name, why));
        let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(refuse("is not a file".into()));
        }
        let file = File::open(path).map_err(|e| refuse(format!("cannot be read: {e}")))?;
        Opened::read(name, Box::new(file))
    }

    /// Opens the project `name` (its extension says what it is) read from
    /// `file`.
    pub fn read(name: String, file: Box<dyn ReadSeek>) -> Result<Opened, Box<Problem>> {
        let refuse = |why: String| Box::new(Problem::file(&name, why));
        let extension = (Path::new(&name).extension().and_then(|e| e.to_str()))
            .unwrap_or("")
            .to_ascii_lowercase();
        if extension != "qdpx" {
            let bytes = bounded(file, MAX_PROJECT_BYTES)
                .map_err(|e| refuse(format!("cannot be read: {e}")))?
                .ok_or_else(|| refuse(too_big("it", MAX_PROJECT_BYTES)))?;
            let xml =
                decode(&bytes).ok_or_else(|| refuse("is not UTF-8 (or UTF-16) text".into()))?;
            return Ok(Opened {
                xml_name: name.clone(),
                name,
                xml,
                archive: None,
                names: Default::default(),
                read_so_far: 0,
            });
        }
        let mut archive = zip::ZipArchive::new(file).map_err(|e| {
            refuse(format!(
                "is not a REFI-QDA project archive (a zip file): {e}"
            ))
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(refuse(format!(
                "lists {} files; a project archive holds at most {MAX_ENTRIES}",
                archive.len()
            )));
        }
        let names: Vec<String> = (archive.file_names())
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        let qde = project_entry(&names).ok_or_else(|| {
            refuse("holds no project.qde: is it a REFI-QDA project (.qdpx)?".into())
        })?;
        let xml_name = format!("{name}: {qde}");
        let fail = |why: String| Box::new(Problem::file(&xml_name, why));
        let entry = (archive.by_name(&qde)).map_err(|e| fail(format!("cannot be read: {e}")))?;
        let bytes = bounded(entry, MAX_PROJECT_BYTES)
            .map_err(|e| fail(format!("cannot be read: {e}")))?
            .ok_or_else(|| fail(too_big("it", MAX_PROJECT_BYTES)))?;
        let xml = decode(&bytes).ok_or_else(|| fail("is not UTF-8 (or UTF-16) text".into()))?;
        Ok(Opened {
            name,
            xml_name,
            xml,
            archive: Some(archive),
            names: (names.into_iter()).map(|n| (n.to_lowercase(), n)).collect(),
            read_so_far: 0,
        })
    }

    /// The text of the archive's `sources/NAME` (`internal://NAME`), or
    /// why it cannot be had.
    pub fn source_text(&mut self, internal: &str) -> Result<String, String> {
        let Some(archive) = self.archive.as_mut() else {
            return Err(format!(
                "its text is internal://{internal}, in a .qdpx archive: import the .qdpx, not the bare project.qde"
            ));
        };
        let plain = !internal.is_empty()
            && !internal.starts_with(['/', '\\'])
            && !internal.contains(':')
            && internal
                .split(['/', '\\'])
                .all(|part| part != ".." && part != "." && !part.is_empty());
        if !plain {
            return Err(format!(
                "its text path internal://{internal} leads outside the archive's sources/ folder: not read"
            ));
        }
        let wanted = format!("sources/{}", internal.replace('\\', "/"));
        // Zip tools differ in the case they keep; the name is otherwise exact.
        let found = (self.names.get(&wanted.to_lowercase()))
            .cloned()
            .ok_or_else(|| format!("its text, {wanted}, is not in the archive"))?;
        let left = MAX_TEXT_BYTES.saturating_sub(self.read_so_far);
        let entry = archive
            .by_name(&found)
            .map_err(|e| format!("{found} cannot be read: {e}"))?;
        let limit = left.min(MAX_SOURCE_BYTES);
        let bytes = bounded(entry, limit)
            .map_err(|e| format!("{found} cannot be read: {e}"))?
            .ok_or_else(|| match limit < MAX_SOURCE_BYTES {
                true => too_big("the archive's texts together", MAX_TEXT_BYTES),
                false => too_big(&found, MAX_SOURCE_BYTES),
            })?;
        self.read_so_far += bytes.len() as u64;
        decode(&bytes).ok_or_else(|| format!("{found} is not UTF-8 (or UTF-16) text"))
    }
}

/// `project.qde` at the archive's root, else its only `.qde` file.
fn project_entry(names: &[String]) -> Option<String> {
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case("project.qde")) {
        return Some(n.to_string());
    }
    let qde: Vec<&String> = (names.iter())
        .filter(|n| !n.contains('/') && n.to_ascii_lowercase().ends_with(".qde"))
        .collect();
    match qde.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn too_big(what: &str, limit: u64) -> String {
    format!(
        "{what} is larger than {} MB, more than a project holds: not read",
        limit / 1024 / 1024
    )
}
