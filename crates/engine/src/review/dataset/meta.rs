//! `dataset.toml`: what the dataset is, and what its coded values mean.

use serde::Deserialize;

use crate::problem::Problem;

/// The findings column that groups them when `dataset.toml` names none:
/// the column metasum required before the grouping could be declared.
pub(crate) const FIRST_GROUPING: &str = "perspective";

/// The descriptive part of a dataset, read from `dataset.toml`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
pub struct Meta {
    /// Title of the review.
    pub title: String,
    /// How to cite the review the data come from.
    pub citation: String,
    /// Free notes on how the data were made.
    pub notes: String,
    /// The findings column that groups them (`group_findings_by`): Table 2,
    /// the figures and the report group by it. Without it, `perspective`
    /// when findings.csv has such a column (the loader decides), else none.
    pub group_by: Option<String>,
    /// Allowed codes of the grouping column and their labels (`[groups]`,
    /// or its first spelling `[perspectives]`), in file order; empty means
    /// any value is accepted.
    pub groups: Vec<(String, String)>,
    /// The participant groups (`[participants]`): count columns of
    /// studies.csv, summed per finding, with what each counts, in file
    /// order. See [`Meta::participant_groups`] for the default.
    pub participants: Vec<(String, String)>,
    /// What the review's own columns hold (`[columns]`), by column name,
    /// for `.schema`, the report and the worksheet.
    pub columns: Vec<(String, String)>,
    /// Allowed `quality` codes and their meaning, in file order; empty means
    /// any value is accepted.
    pub quality: Vec<(String, String)>,
    /// The `quality` codes that are concerns (`quality_concerns`): the
    /// studies the sensitivity analysis leaves out. Each is one of
    /// `quality`; empty when the dataset declares none.
    pub quality_concerns: Vec<String>,
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
    group_findings_by: Option<toml::Spanned<String>>,
    #[serde(default)]
    groups: Option<toml::Spanned<toml::Table>>,
    #[serde(default)]
    perspectives: Option<toml::Spanned<toml::Table>>,
    #[serde(default)]
    participants: toml::Table,
    #[serde(default)]
    columns: toml::Table,
    #[serde(default)]
    quality: toml::Table,
    #[serde(default)]
    quality_concerns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    published_totals: toml::Table,
}

impl Meta {
    /// Parses `dataset.toml`; problems carry line and column.
    pub fn parse(file: &str, text: &str) -> Result<Meta, Box<Problem>> {
        let located = |message: String, at: Option<std::ops::Range<usize>>| {
            let mut p = Problem::file(file, message);
            if let Some(span) = at {
                let (line, col) = line_col(text, span.start);
                p.line = Some(line);
                p.col = Some(col);
            }
            Box::new(p)
        };
        let raw: RawMeta =
            toml::from_str(text).map_err(|e| located(e.message().to_string(), e.span()))?;
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
        let quality = labels(raw.quality, "quality")?;
        distinct_in_any_case(file, &quality, "quality")?;
        // A concern must be a declared code: quality cells are then checked
        // against the codes, so a concern spelt one way in the data and
        // another here cannot leave its studies silently in.
        let codes: Vec<&str> = quality.iter().map(|(k, _)| k.as_str()).collect();
        let mut concerns = Vec::new();
        for concern in &raw.quality_concerns {
            // Named in any case, kept as [quality] writes it.
            let lower = concern.get_ref().to_lowercase();
            if let Some(code) = codes.iter().find(|c| c.to_lowercase() == lower) {
                concerns.push(code.to_string());
            } else {
                let why = if codes.is_empty() {
                    "quality_concerns needs a [quality] table that defines every code".to_string()
                } else {
                    format!(
                        "`{}` is not a [quality] code (defined: {})",
                        concern.get_ref(),
                        codes.join(", ")
                    )
                };
                return Err(located(why, Some(concern.span())));
            }
        }
        let groups = match (raw.groups, raw.perspectives) {
            (Some(_), Some(second)) => {
                let why = "[perspectives] is the first name of [groups]: keep one of them";
                return Err(located(why.to_string(), Some(second.span())));
            }
            (Some(groups), None) => labels(groups.into_inner(), "groups")?,
            (None, Some(groups)) => labels(groups.into_inner(), "perspectives")?,
            (None, None) => Vec::new(),
        };
        distinct_in_any_case(file, &groups, "groups")?;
        Ok(Meta {
            title: raw.title,
            citation: raw.citation,
            notes: raw.notes.trim().to_string(),
            group_by: raw.group_findings_by.map(toml::Spanned::into_inner),
            groups,
            participants: labels(raw.participants, "participants")?,
            columns: labels(raw.columns, "columns")?,
            quality_concerns: concerns,
            quality,
            published_totals,
        })
    }
}

impl Meta {
    /// The participant groups: the `[participants]` columns, or without
    /// that table the columns `[published_totals]` gives totals of (a
    /// published total is of participants).
    pub fn participant_groups(&self) -> Vec<&str> {
        if self.participants.is_empty() {
            (self.published_totals.iter())
                .map(|(c, _)| c.as_str())
                .collect()
        } else {
            (self.participants.iter())
                .map(|(c, _)| c.as_str())
                .collect()
        }
    }

    /// The stored columns findings lead with wherever they are listed:
    /// `id`, the column that groups them (when there is one), `name`.
    pub fn finding_lead(&self) -> Vec<&str> {
        let mut lead = vec!["id"];
        lead.extend(self.group_by.as_deref());
        lead.push("name");
        lead
    }

    /// The matrix's own columns, beside one per study: the findings' lead,
    /// `n` and `fes`.
    pub fn matrix_lead(&self) -> Vec<&str> {
        let mut lead = self.finding_lead();
        lead.extend(["n", "fes"]);
        lead
    }

    /// What the dataset says `column` holds (`[columns]`), when it says.
    pub fn describes(&self, column: &str) -> Option<&str> {
        described(&self.columns, column)
    }

    /// Who the participant group `column` counts (`[participants]`:
    /// `patients = "older adults receiving telehealth"`), when it says.
    pub fn counts_whom(&self, column: &str) -> Option<&str> {
        described(&self.participants, column)
    }
}

/// The text `pairs` give `key`, unless empty.
fn described<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    (pairs.iter().find(|(k, _)| k == key))
        .map(|(_, d)| d.as_str())
        .filter(|d| !d.is_empty())
}

/// Refuses two codes of `[table]` that differ only in case: codes are
/// named in any case (in the data and in queries), so they would be one.
fn distinct_in_any_case(
    file: &str,
    codes: &[(String, String)],
    table: &str,
) -> Result<(), Box<Problem>> {
    for (k, (code, _)) in codes.iter().enumerate() {
        let lower = code.to_lowercase();
        if let Some((twin, _)) = codes[..k].iter().find(|(c, _)| c.to_lowercase() == lower) {
            return Err(Box::new(Problem::file(
                file,
                format!(
                    "[{table}] `{twin}` and `{code}` differ only in case (codes are named in any case); keep one"
                ),
            )));
        }
    }
    Ok(())
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
            meta.groups,
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

    #[test]
    fn quality_concerns_are_declared_codes() {
        let meta = Meta::parse(
            "dataset.toml",
            "quality_concerns = [\"serious concerns\"]\n[quality]\n\"no concerns\" = \"\"\n\"serious concerns\" = \"\"\n",
        )
        .unwrap();
        assert_eq!(meta.quality_concerns, ["serious concerns"]);
        let err = Meta::parse(
            "dataset.toml",
            "quality_concerns = [\"low\", \"serius\"]\n[quality]\nlow = \"\"\nhigh = \"\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "dataset.toml:1:28: `serius` is not a [quality] code (defined: low, high)"
        );
        let err = Meta::parse("dataset.toml", "quality_concerns = [\"low\"]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dataset.toml:1:21: quality_concerns needs a [quality] table that defines every code"
        );
    }
}
