//! Numbers said in words, for messages and reports.

/// "1 study", "25 studies": `n` with the word that goes with it.
pub fn count_of(n: usize, one: &str, more: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {more}")
    }
}

/// "a, b or c": the items of a list a message offers.
pub fn one_of<S: AsRef<str>>(items: &[S]) -> String {
    match items.split_last() {
        Some((last, [])) => last.as_ref().to_string(),
        Some((last, rest)) => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} or {}", rest.join(", "), last.as_ref())
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_list_is_said_with_commas_and_a_last_or() {
        assert_eq!(super::one_of(&["a", "b", "c"]), "a, b or c");
        assert_eq!(super::one_of(&["a", "b"]), "a or b");
        assert_eq!(super::one_of(&["a"]), "a");
        assert_eq!(super::one_of::<&str>(&[]), "");
    }
}
