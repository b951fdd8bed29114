//! Text made safe for where it goes: a spreadsheet (no formulas), a
//! terminal (no control sequences), Markdown (no markup), JSON, XML and
//! HTML.

use std::fmt::Write;

/// What a spreadsheet reads a cell starting with as a formula.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text that a spreadsheet will not read as a formula: a leading `'` before
/// `=`, `+`, `-`, `@`, tab or carriage return (cells and column names alike:
/// a dataset column may be named `=cmd|calc`). The loader reads it back as
/// the text it guards.
pub(crate) fn formula_safe(text: String) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text
    }
}

/// Text as it was before [`formula_safe`] guarded it: a leading `'`
/// before a formula's first character dropped (as every reader of
/// metasum's files and spreadsheets takes it).
pub(crate) fn formula_unguarded(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// Text for a terminal: a character that would act on it (an escape
/// sequence, a carriage return, a direction override that reorders the
/// line) is shown as U+FFFD instead.
pub(crate) fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| if acts_on_display(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Text of a message (a problem, a warning, a note) as a terminal or a
/// log shows it: every character that would act on the display (an escape
/// sequence, a bell, a carriage return, a direction override) shown as
/// U+FFFD, as tables show it; line ends kept. One rule for every message
/// that quotes the data: a year cell holding `ESC ] 52` wrote to the
/// clipboard, an RIS DOI retitled and cleared the terminal.
pub fn message_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && acts_on_display(c)) {
        return text.into();
    }
    (text.chars())
        .map(|c| {
            if c != '\n' && acts_on_display(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// Control characters and the bidirectional overrides and isolates.
fn acts_on_display(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for XML and HTML content and attributes (SVG figures, the HTML
/// report): markup characters as references.
///
/// A character XML 1.0 does not allow at all (control characters but tab
/// and line ends, U+FFFE, U+FFFF), which no escape can carry, becomes
/// U+FFFD: a finding name holding one made `plot fes` write a file no SVG
/// reader would open.
pub fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown table cell: ASCII punctuation that Markdown (and
/// pandoc, which manuscripts go through) would read as markup is
/// backslash-escaped, the backslash first (`a\|b` stays one cell, `<b>`
/// stays text, `$5 and $10` is no formula, `@smith` no citation); line
/// breaks become spaces and other control characters U+FFFD.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '$' | '^' | '@' => {
                out.push('\\');
                out.push(c);
            }
            // `Walker & Bryant` stays as written (a manuscript shows a
            // backslash); only an `&` that starts an entity (`&amp;`) is
            // escaped, or Markdown would turn it into its character.
            '&' if starts_entity(&text[at..]) => out.push_str("\\&"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if acts_on_display(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether `text` (from an `&`) is an HTML entity or character reference:
/// `&amp;`, `&#38;`, `&#x26;`.
fn starts_entity(text: &str) -> bool {
    let Some(end) = text.find(';') else {
        return false;
    };
    let body = &text[1..end];
    match body.strip_prefix('#') {
        Some(hex) if hex.starts_with(['x', 'X']) => {
            hex.len() > 1 && hex[1..].chars().all(|c| c.is_ascii_hexdigit())
        }
        Some(digits) => !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()),
        None => {
            body.starts_with(|c: char| c.is_ascii_alphabetic())
                && body.chars().all(|c| c.is_ascii_alphanumeric())
        }
    }
}

/// Appends `s` as a JSON string (quoted, escaped).
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_escapes_markup_and_what_xml_cannot_carry() {
        assert_eq!(markup("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
        assert_eq!(
            markup("bell\u{7}\u{0}\u{FFFF}"),
            "bell\u{FFFD}\u{FFFD}\u{FFFD}"
        );
    }
    use crate::present::format::{Format, render};
    use polars::prelude::*;

    #[test]
    fn column_names_are_formula_safe_in_csv() {
        let frame = DataFrame::new(1, vec![Column::new("=cmd|calc".into(), [1i64])]).unwrap();
        assert_eq!(render(&frame, Format::Csv).unwrap(), "'=cmd|calc\n1\n");
    }

    #[test]
    fn markdown_cells_keep_their_text_whatever_it_holds() {
        let frame = DataFrame::new(
            1,
            vec![Column::new(
                "a|b".into(),
                ["a\\|b <b>bold</b> $5 and $10 @smith\r\nnext *x* \u{1b}[2J"],
            )],
        )
        .unwrap();
        insta::assert_snapshot!(render(&frame, Format::Markdown).unwrap(), @r"
        | a\|b |
        | --- |
        | a\\\|b \<b\>bold\</b\> \$5 and \$10 \@smith  next \*x\* �\[2J |
        ");
    }

    /// `&` is text in Markdown unless it starts an entity: `Walker &
    /// Bryant` pastes as written, `&amp;` stays those five characters.
    #[test]
    fn an_ampersand_is_escaped_only_where_it_starts_an_entity() {
        for (text, cell) in [
            ("Walker & Bryant", "Walker & Bryant"),
            // Shaped like an entity: escaped, whether or not HTML names it.
            ("R&D; Q&A", "R\\&D; Q&A"),
            ("&amp; &#38; &#x26;", "\\&amp; \\&#38; \\&#x26;"),
            ("&x", "&x"),
            ("& ;", "& ;"),
        ] {
            assert_eq!(markdown_text(text), cell, "{text}");
        }
    }

    #[test]
    fn terminal_control_characters_never_reach_the_terminal() {
        let frame = DataFrame::new(
            1,
            vec![Column::new(
                "name\u{1b}]0;title\u{7}".into(),
                ["\u{1b}[31mred\u{1b}[0m \u{202e}txt.exe\r"],
            )],
        )
        .unwrap();
        let table = render(&frame, Format::Table).unwrap();
        assert!(!table.chars().any(acts_on_display_or_is_bell), "{table:?}");
        assert!(table.contains("�[31mred�[0m �txt.exe�"), "{table}");
    }

    fn acts_on_display_or_is_bell(c: char) -> bool {
        c != '\n' && acts_on_display(c)
    }
}
