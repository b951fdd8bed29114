//! What each column means, for `.schema`.

/// A one-line meaning of `column` in `table`.
pub fn meaning(table: &str, column: &str) -> &'static str {
    match (table, column) {
        ("findings", "id") => "finding number",
        ("findings", "perspective") => "whose experience the finding is (codes in dataset.toml)",
        ("findings", "name") => "the abstracted finding",
        ("findings", "n") => "computed: studies containing the finding (among the scope)",
        ("findings", "fes") => "computed: frequency effect size, 100 * n / studies in scope",
        ("findings", "studies") => "computed: ids of the studies containing the finding",
        ("findings", "reported_fes") => "the FES the paper printed, to compare against",
        ("studies", "id") => "study number",
        ("studies", "author") => "first author",
        ("studies", "year") => "year of the (first) paper",
        ("studies", "n") => "computed: findings the study contains (among the scope)",
        ("studies", "intensity") => "computed: 100 * n / findings in scope",
        ("studies", "findings") => "computed: ids of the findings the study contains",
        ("studies", "papers") => "computed: papers reporting the study",
        ("studies", "country") => "where the study was done",
        ("studies", "method") => "stated method",
        ("studies", "workers") => "peer support workers taking part (empty: not reported)",
        ("studies", "staff") => "nonpeer staff taking part (empty: not reported)",
        ("studies", "recipients") => "people in recovery taking part (empty: not reported)",
        ("studies", "paid") => "whether peer support workers were paid",
        ("studies", "quality") => "appraised quality (codes in dataset.toml)",
        ("studies", "notes") => "transcription notes",
        ("papers", "id") => "paper number",
        ("papers", "study") => "the study the paper reports",
        ("papers", "citation") => "how the review cites the paper",
        ("papers", "year") => "year of publication",
        ("evidence", "finding") => "a finding ...",
        ("evidence", "study") => "... found in this study",
        ("counts", "count") => "rows in the group",
        _ => "from the dataset's CSV file",
    }
}
