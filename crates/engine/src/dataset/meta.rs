//! `dataset.toml`: what the dataset is, and what its coded values mean.

use serde::Deserialize;

use super::problem::Problem;

/// The descriptive part of a dataset, read from `dataset.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// Title of the review.
    pub title: String,
    /// How to cite the review the data come from.
    pub citation: String,
    /// Free notes on how the data were made.
    pub notes: String,
    /// Allowed `perspective` codes and their labels, in file order; empty
    /// means any value is accepted.
    pub perspectives: Vec<(String, String)>,
    /// Allowed `quality` codes and their meaning, in file order; empty means
    /// any value is accepted.
    pub quality: Vec<(String, String)>,
    /// Participant totals as a paper printed them, by column name.
    pub published_totals: Vec<(String, i64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    #[serde(default)]
    title: String,
    #[serde(default)]
    citation: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    perspectives: toml::Table,
    #[serde(default)]
    quality: toml::Table,
    #[serde(default)]
    published_totals: toml::Table,
}

impl Meta {
    /// Parses `dataset.toml`; problems carry line and column.
    pub fn parse(file: &str, text: &str) -> Result<Meta, Box<Problem>> {
        let raw: RawMeta = toml::from_str(text).map_err(|e| {
            let mut p = Problem::file(file, e.message().to_string());
            if let Some(span) = e.span() {
                let (line, col) = line_col(text, span.start);
                p.line = Some(line);
                p.col = Some(col);
            }
            Box::new(p)
        })?;
        let labels =
            |table: toml::Table, what: &str| -> Result<Vec<(String, String)>, Box<Problem>> {
                table
                    .into_iter()
                    .map(|(k, v)| match v {
                        toml::Value::String(s) => Ok((k, s)),
                        other => Err(Box::new(Problem::file(
                            file,
                            format!(
                                "[{what}] `{k}` must be a text label, found {}",
                                other.type_str()
                            ),
                        ))),
                    })
                    .collect()
            };
        let published_totals = raw
            .published_totals
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::Integer(n) => Ok((k, n)),
                other => Err(Box::new(Problem::file(
                    file,
                    format!(
                        "[published_totals] `{k}` must be a whole number, found {}",
                        other.type_str()
                    ),
                ))),
            })
            .collect::<Result<_, _>>()?;
        Ok(Meta {
            title: raw.title,
            citation: raw.citation,
            notes: raw.notes.trim().to_string(),
            perspectives: labels(raw.perspectives, "perspectives")?,
            quality: labels(raw.quality, "quality")?,
            published_totals,
        })
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_in_file_order() {
        let meta = Meta::parse(
            "dataset.toml",
            "title = \"T\"\n[perspectives]\nz = \"Zed\"\na = \"Ay\"\n",
        )
        .unwrap();
        assert_eq!(meta.title, "T");
        assert_eq!(
            meta.perspectives,
            vec![("z".into(), "Zed".into()), ("a".into(), "Ay".into())]
        );
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = Meta::parse("dataset.toml", "title = \"T\"\nnotes = \n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.col.is_some());
    }

    #[test]
    fn unknown_key_is_an_error() {
        let err = Meta::parse("dataset.toml", "titel = \"T\"\n").unwrap_err();
        assert!(err.message.contains("titel"), "{}", err.message);
    }
}
