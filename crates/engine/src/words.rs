//! Numbers said in words, for messages and reports.

/// "1 study", "25 studies": `n` with the word that goes with it.
pub fn count_of(n: usize, one: &str, more: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {more}")
    }
}
