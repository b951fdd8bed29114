//! The words of a parse error: the clause keyword a typo meant, what
//! stands where something else was expected, the token before.

use crate::error::excerpt;
use crate::lex;
use crate::parse::CLAUSES;

/// The clause keyword closest to `word`, if it is a likely typo.
pub(crate) fn closest_clause(word: &str) -> Option<&'static str> {
    CLAUSES
        .iter()
        .chain(["and", "or", "desc", "asc"].iter())
        // Two edits cannot bridge a longer difference (and a 1 MB word
        // would cost a 1 MB x 5 table per keyword).
        .filter(|k| word.len().abs_diff(k.len()) <= 2)
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2 && *d < k.len())
        .min()
        .map(|(_, k)| k)
}

/// Edit distance between two short words, counting a swap of two adjacent
/// letters as one edit (`srot` is one edit from `sort`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// What stands at `rest`, for "found ..." (and its length in bytes).
pub(crate) fn describe_found(rest: &str) -> (String, usize) {
    if rest.is_empty() {
        return ("end of input".into(), 0);
    }
    if rest.starts_with(['\n', '\r']) {
        return ("end of line".into(), 0);
    }
    if rest.starts_with(lex::is_word_char) || rest.starts_with('-') {
        // A word, a number, or both glued together (`30abc`).
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let len = rest[first..]
            .find(|c: char| !lex::is_word_char(c) && c != '.')
            .map_or(rest.len(), |n| n + first);
        return (format!("`{}`", excerpt(&rest[..len])), len);
    }
    if let Some(body) = rest.strip_prefix('"') {
        let len = body
            .find(['"', '\n'])
            .map_or(rest.len(), |n| n + 2)
            .min(rest.len());
        return (format!("`{}`", excerpt(&rest[..len])), len);
    }
    if let Ok((after, op)) = lex::operator(rest) {
        return (format!("`{op}`"), rest.len() - after.len());
    }
    match rest.chars().next() {
        Some(c) => (format!("`{}`", excerpt(&c.to_string())), c.len_utf8()),
        None => ("end of input".into(), 0),
    }
}

/// The token just before offset `at`, for "after `>`".
pub(crate) fn previous_token(src: &str, at: usize) -> Option<String> {
    let before = src.get(..at)?.trim_end();
    let last = before.chars().next_back()?;
    let token: String = if lex::is_word_char(last) {
        let start = before
            .trim_end_matches(|c: char| lex::is_word_char(c) || c == '-' || c == '.')
            .len();
        before[start..].to_string()
    } else if let Some(open) = (last == '"')
        .then(|| before[..before.len() - 1].rfind(['"', '\n']))
        .flatten()
        .filter(|open| before[*open..].starts_with('"'))
    {
        // A quoted text, whole (shortened when long).
        excerpt(&before[open..])
    } else if "=!<>~".contains(last) {
        let start = before.trim_end_matches(|c: char| "=!<>".contains(c)).len();
        let t = &before[start..];
        if t.is_empty() {
            last.to_string()
        } else {
            t.to_string()
        }
    } else {
        last.to_string()
    };
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("wher", "where"), 1);
        assert_eq!(edit_distance("srot", "sort"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn typos_of_clause_keywords_get_suggestions() {
        assert_eq!(closest_clause("wher"), Some("where"));
        assert_eq!(closest_clause("limt"), Some("limit"));
        assert_eq!(closest_clause("srot"), Some("sort"));
        assert_eq!(closest_clause("banana"), None);
    }

    #[test]
    fn previous_token_finds_operators_and_words() {
        assert_eq!(previous_token("fes >", 5).as_deref(), Some(">"));
        assert_eq!(previous_token("fes >= ", 7).as_deref(), Some(">="));
        assert_eq!(
            previous_token("findings where ", 15).as_deref(),
            Some("where")
        );
        assert_eq!(
            previous_token("findings save \"a.csv\" ", 22).as_deref(),
            Some("\"a.csv\"")
        );
    }
}
