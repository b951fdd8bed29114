//! Reading scripts: from files and stdin, with the place of the first byte
//! that is not UTF-8 when a script is not text.

use std::io::Read;
use std::path::Path;

/// The text of the script at `path` (`-` is stdin), or an error that names
/// what went wrong: `cannot read FILE: ...`, or `FILE:LINE:COLUMN: not
/// UTF-8 text (byte 0xFF)`.
pub fn read_script(path: &Path) -> Result<String, String> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        (name, bytes)
    };
    script_text(&name, bytes)
}

/// `bytes` as text, or an error naming the line and column (counted in
/// characters) of the first byte that is not UTF-8.
fn script_text(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // Everything before `at` is valid, so this never fails.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        format!(
            "{name}:{line}:{column}: the script is not UTF-8 text (byte 0x{:02X}); save it as UTF-8",
            bytes[at]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_passes_through() {
        assert_eq!(
            script_text("s.msq", b"findings\n".to_vec()).unwrap(),
            "findings\n"
        );
    }

    #[test]
    fn a_bad_byte_is_placed_by_line_and_character_column() {
        // Line 2; "é" is one character, so the bad byte is column 4.
        let err = script_text("s.msq", b"findings\nn\xc3\xa9 \xff x\n".to_vec()).unwrap_err();
        assert_eq!(
            err,
            "s.msq:2:4: the script is not UTF-8 text (byte 0xFF); save it as UTF-8"
        );
    }

    #[test]
    fn a_latin1_script_names_its_first_accented_letter() {
        let err =
            script_text("old.msq", b"findings where name ~ \"caf\xe9\"".to_vec()).unwrap_err();
        assert!(err.starts_with("old.msq:1:27: "), "{err}");
    }
}
