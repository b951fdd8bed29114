//! The tables a query can read, defined once: the name queries use (from
//! [`metasum_query::ast::TABLES`]), what a row is, and what each known
//! column means. Name resolution, `.tables`, `.schema`, completion and the
//! error hints all read this list.

use metasum_query::ast::SourceKind;

use crate::review::dataset::files::ReviewFile;
use polars::prelude::{DataFrame, DataType, IntoColumn, PlSmallStr, PolarsResult, StringChunked};

use crate::Dataset;
use crate::query::table::TableKind;
use crate::review::dataset::frames as text_tables;

pub use crate::review::dataset::files::Entity;

/// One table.
#[derive(Debug)]
pub struct TableDef {
    /// The rows' kind.
    pub kind: TableKind,
    /// Its name in queries.
    pub source: SourceKind,
    /// What one row is.
    pub row: &'static str,
    /// The columns it always has (stored or computed), with their meaning;
    /// a dataset may add its own.
    pub columns: &'static [(&'static str, &'static str)],
    /// The table whose columns this one shows too (profile and matrix rows
    /// are findings): a column not described here is described there.
    pub built_from: Option<TableKind>,
    /// The columns that hold ids, and whose (a list column holds several):
    /// shown as the reviewer wrote them, and named so in conditions.
    pub ids: &'static [(&'static str, Entity)],
    /// How its rows are made.
    pub(crate) rows: Rows,
}

/// How a table's rows are made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    /// Counted by a view of its own from the stored tables.
    Computed,
    /// As the dataset holds them (ids as numbers): a stored table, or one
    /// the review's text gives.
    Stored(fn(&Dataset) -> PolarsResult<DataFrame>),
}

impl Rows {
    /// The rows of a table the dataset holds or its text gives (`None` for
    /// one counted by a view), with every empty text cell missing: one rule
    /// for every table, so that `is missing` finds an empty explanation
    /// and JSON, Parquet and Arrow hold null there, never `""`.
    pub(crate) fn stored(self, ds: &Dataset) -> Option<PolarsResult<DataFrame>> {
        match self {
            Rows::Computed => None,
            Rows::Stored(make) => Some(make(ds).and_then(empty_is_missing)),
        }
    }
}

/// `frame` with each empty text cell (or one of spaces only) made missing.
fn empty_is_missing(mut frame: DataFrame) -> PolarsResult<DataFrame> {
    let names: Vec<PlSmallStr> = (frame.columns().iter())
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.name().clone())
        .collect();
    for name in names {
        let texts = frame.column(&name)?.str()?;
        if !texts.iter().any(|t| t.is_some_and(|t| t.trim().is_empty())) {
            continue;
        }
        let kept: StringChunked = (texts.iter())
            .map(|t| t.filter(|t| !t.trim().is_empty()))
            .collect();
        frame.with_column(kept.with_name(name).into_column())?;
    }
    Ok(frame)
}

/// The file a table is read from, when it is one the review keeps
/// (studies, papers, ..., claims, cerqual, coding).
pub fn file_of(kind: TableKind) -> Option<ReviewFile> {
    let source = &def(kind)?.source;
    (ReviewFile::ALL.into_iter()).find(|f| f.source().as_ref() == Some(source))
}

/// Every table, in the order of [`metasum_query::ast::TABLES`].
pub static TABLES: [&TableDef; 18] = [
    &FINDINGS,
    &STUDIES,
    &PAPERS,
    &EVIDENCE,
    &PROFILE,
    &MATRIX,
    &CLAIMS,
    &CITATIONS,
    &SEARCH,
    &CERQUAL,
    &SOQF,
    &EVIDENCE_PROFILE,
    &CODING,
    &AGREEMENT,
    &DISAGREEMENTS,
    &CHANGES,
    &FES_CHANGES,
    &INTENSITY_CHANGES,
];

/// The `Findings` table.
static FINDINGS: TableDef = TableDef {
    kind: TableKind::Findings,
    source: SourceKind::Findings,
    row: "an abstracted finding",
    columns: &[
        ("id", "the finding's id"),
        (
            "perspective",
            "whose experience the finding is (codes in dataset.toml)",
        ),
        ("name", "the abstracted finding"),
        (
            "n",
            "computed: studies containing the finding (among the scope)",
        ),
        (
            "fes",
            "computed: frequency effect size, 100 * n / studies in scope",
        ),
        (
            "studies",
            "computed: ids of the studies containing the finding",
        ),
        (
            "reported_fes",
            "the FES the paper printed, to compare against",
        ),
    ],
    built_from: None,
    ids: &[("id", Entity::Finding), ("studies", Entity::Study)],
    rows: Rows::Computed,
};

/// The `Studies` table.
static STUDIES: TableDef = TableDef {
    kind: TableKind::Studies,
    source: SourceKind::Studies,
    row: "an included study",
    columns: &[
        ("id", "the study's id"),
        ("author", "first author"),
        ("year", "year of the (first) paper"),
        (
            "n",
            "computed: findings the study contains (among the scope)",
        ),
        ("intensity", "computed: 100 * n / findings in scope"),
        (
            "findings",
            "computed: ids of the findings the study contains",
        ),
        ("papers", "computed: papers reporting the study"),
        ("country", "where the study was done"),
        ("method", "stated method"),
        (
            "workers",
            "peer support workers taking part (empty: not reported)",
        ),
        ("staff", "nonpeer staff taking part (empty: not reported)"),
        (
            "recipients",
            "people in recovery taking part (empty: not reported)",
        ),
        ("paid", "whether peer support workers were paid"),
        ("quality", "appraised quality (codes in dataset.toml)"),
        ("notes", "transcription notes"),
        ("label", "how tables and figures name the study"),
    ],
    // `papers` is a count, not a list.
    built_from: None,
    ids: &[("id", Entity::Study), ("findings", Entity::Finding)],
    rows: Rows::Computed,
};

/// The `Papers` table.
static PAPERS: TableDef = TableDef {
    kind: TableKind::Papers,
    source: SourceKind::Papers,
    row: "a paper (report) of a study",
    columns: &[
        ("id", "the paper's id"),
        ("study", "the study the paper reports"),
        ("citation", "how the review cites the paper"),
        ("year", "year of publication"),
    ],
    built_from: None,
    ids: &[("id", Entity::Paper), ("study", Entity::Study)],
    rows: Rows::Stored(text_tables::papers),
};

/// The `Evidence` table.
static EVIDENCE: TableDef = TableDef {
    kind: TableKind::Evidence,
    source: SourceKind::Evidence,
    row: "a finding found in a study",
    columns: &[
        ("finding", "a finding ..."),
        ("study", "... found in this study"),
    ],
    built_from: None,
    ids: &[("finding", Entity::Finding), ("study", Entity::Study)],
    rows: Rows::Stored(text_tables::evidence),
};

/// The `Profile` table.
static PROFILE: TableDef = TableDef {
    kind: TableKind::Profile,
    source: SourceKind::Profile,
    row: "an abstracted finding with its evidence profile",
    columns: &[
        (
            "workers",
            "computed: workers summed over its studies (empty: none reported)",
        ),
        (
            "staff",
            "computed: staff summed over its studies (empty: none reported)",
        ),
        (
            "recipients",
            "computed: recipients summed over its studies (empty: none reported)",
        ),
        ("countries", "computed: countries of its studies"),
        (
            "concern_n",
            "computed: its studies of a declared quality concern",
        ),
        (
            "concern_share",
            "computed: percent of n of a quality concern",
        ),
        ("concern_studies", "computed: those studies, by label"),
        (
            "fes_without_concerns",
            "computed: FES among the studies of no concern",
        ),
        (
            "drop",
            "computed: fes - fes_without_concerns, percentage points",
        ),
        ("flag", "computed: drop above the threshold (--threshold)"),
    ],
    built_from: Some(TableKind::Findings),
    ids: &[("id", Entity::Finding), ("concern_studies", Entity::Study)],
    rows: Rows::Computed,
};

/// The `Matrix` table.
static MATRIX: TableDef = TableDef {
    kind: TableKind::Matrix,
    source: SourceKind::Matrix,
    row: "an abstracted finding, one column per study (by label)",
    columns: &[],
    built_from: Some(TableKind::Findings),
    ids: &[("id", Entity::Finding)],
    rows: Rows::Computed,
};

/// The `Claims` table.
static CLAIMS: TableDef = TableDef {
    kind: TableKind::Claims,
    source: SourceKind::Claims,
    row: "a statement of the review's text (claims.csv)",
    columns: &[
        ("id", "the claim's number"),
        ("section", "where in the text"),
        ("statement", "the statement, as the text words it"),
        ("studies", "the studies it cites"),
        ("finding", "the finding it reports, when one matches"),
    ],
    built_from: None,
    ids: &[("studies", Entity::Study), ("finding", Entity::Finding)],
    rows: Rows::Stored(text_tables::claims),
};

/// The `Citations` table.
static CITATIONS: TableDef = TableDef {
    kind: TableKind::Citations,
    source: SourceKind::Citations,
    row: "an author-year citation in the text (citations.csv)",
    columns: &[
        ("study", "the study cited"),
        ("cited_as", "the citation as the text gives it"),
        ("year", "the year the text gives"),
        ("section", "where in the text"),
    ],
    built_from: None,
    ids: &[("study", Entity::Study)],
    rows: Rows::Stored(text_tables::citations),
};

/// The `Search` table.
static SEARCH: TableDef = TableDef {
    kind: TableKind::Search,
    source: SourceKind::Search,
    row: "a stage of the search and selection flow (search.csv)",
    columns: &[
        ("stage", "the stage"),
        ("count", "records at the stage"),
        ("parent", "the stage(s) it comes from"),
        ("label", "how the flow figure names it"),
        (
            "excluded",
            "records excluded on the way into it, when search.csv gives them",
        ),
        (
            "excluded_label",
            "how the flow figure names the excluded records",
        ),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(text_tables::search),
};

/// The `Cerqual` table.
static CERQUAL: TableDef = TableDef {
    kind: TableKind::Cerqual,
    source: SourceKind::Cerqual,
    row: "a finding's GRADE-CERQual assessment as cerqual.csv holds it",
    columns: CERQUAL_COLUMNS,
    built_from: None,
    ids: &[("finding", Entity::Finding)],
    rows: Rows::Stored(crate::analyses::cerqual::cerqual),
};

/// The `Soqf` table.
static SOQF: TableDef = TableDef {
    kind: TableKind::Soqf,
    source: SourceKind::Soqf,
    row: "a review finding in the Summary of Qualitative Findings (GRADE-CERQual)",
    columns: &[
        ("finding", "the finding assessed"),
        (
            "summary",
            "the summarised review finding (its name when cerqual.csv gives none)",
        ),
        (
            "confidence",
            "the reviewers' overall confidence: high, moderate, low or very low",
        ),
        ("explanation", "why: the explanation of the confidence"),
        (
            "studies",
            "the studies contributing to the finding, by label",
        ),
    ],
    built_from: None,
    ids: &[("finding", Entity::Finding)],
    rows: Rows::Stored(crate::analyses::cerqual::soqf),
};

/// The `EvidenceProfile` table.
static EVIDENCE_PROFILE: TableDef = TableDef {
    kind: TableKind::EvidenceProfile,
    source: SourceKind::EvidenceProfile,
    row: "a finding's GRADE-CERQual evidence profile",
    columns: EVIDENCE_PROFILE_COLUMNS,
    built_from: Some(TableKind::Cerqual),
    ids: &[("finding", Entity::Finding)],
    rows: Rows::Stored(crate::analyses::cerqual::evidence_profile),
};

/// The `Coding` table.
static CODING: TableDef = TableDef {
    kind: TableKind::Coding,
    source: SourceKind::Coding,
    row: "a link one coder made on their own (coding.csv)",
    columns: &[
        ("finding", "the finding"),
        ("study", "the study the coder found it in"),
        ("coder", "who coded it"),
    ],
    built_from: None,
    ids: &[("finding", Entity::Finding), ("study", Entity::Study)],
    rows: Rows::Stored(text_tables::coding),
};

/// The `Agreement` table.
static AGREEMENT: TableDef = TableDef {
    kind: TableKind::Agreement,
    source: SourceKind::Agreement,
    row: "a finding's agreement between the two coders over all studies (and `all`, pooled)",
    columns: &[
        ("finding", "the finding (`all`: every finding pooled)"),
        ("name", "its name"),
        ("both", "studies both coders found it in"),
        ("first_only", "studies only the first coder found it in"),
        ("second_only", "studies only the second coder found it in"),
        ("neither", "studies neither found it in"),
        ("percent_agreement", "percent of studies coded alike"),
        ("kappa", "Cohen's kappa (missing when undefined: see note)"),
        ("ac1", "Gwet's AC1"),
        ("note", "why a figure is missing"),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(crate::analyses::agreement::agreement),
};

/// The `Disagreements` table.
static DISAGREEMENTS: TableDef = TableDef {
    kind: TableKind::Disagreements,
    source: SourceKind::Disagreements,
    row: "a link one coder made and the other did not",
    columns: &[
        ("finding", "the finding"),
        ("name", "its name"),
        ("study", "the study"),
        ("label", "the study's label"),
        ("coded_by", "the coder who found the finding in the study"),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(crate::analyses::agreement::disagreements),
};

/// The `Changes` table.
static CHANGES: TableDef = TableDef {
    kind: TableKind::Changes,
    source: SourceKind::Changes,
    row: "a change since the version compared with (--compare OLD)",
    columns: &[
        (
            "change",
            "study, paper or finding added, removed or changed, finding renamed, link added or removed, column added, removed or renamed",
        ),
        (
            "key",
            "the study, paper or finding, as its version writes it; a column's name",
        ),
        (
            "name",
            "the study's label or the finding's name; a column's file",
        ),
        (
            "detail",
            "what changed in a row; the old name of a renamed finding or column; the study of a link",
        ),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(crate::analyses::diff::changes),
};

/// The `FesChanges` table.
static FES_CHANGES: TableDef = TableDef {
    kind: TableKind::FesChanges,
    source: SourceKind::FesChanges,
    row: "a finding of either version, with its FES before and after",
    columns: &[
        ("finding", "the finding, as its version writes it"),
        ("name", "its name"),
        ("n_before", "its studies in the version compared with"),
        ("fes_before", "its FES there"),
        ("n_after", "its studies now"),
        ("fes_after", "its FES now"),
        ("fes_change", "fes_after - fes_before, in percentage points"),
        (
            "crossed",
            "with --crossing P: `above P%` or `below P%` when its FES crossed P",
        ),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(crate::analyses::diff::fes_changes),
};

/// The `IntensityChanges` table.
static INTENSITY_CHANGES: TableDef = TableDef {
    kind: TableKind::IntensityChanges,
    source: SourceKind::IntensityChanges,
    row: "a study of either version, with its intensity before and after",
    columns: &[
        ("study", "the study, as its version writes it"),
        ("label", "its label"),
        ("n_before", "its findings in the version compared with"),
        ("intensity_before", "its intensity there"),
        ("n_after", "its findings now"),
        ("intensity_after", "its intensity now"),
        (
            "intensity_change",
            "intensity_after - intensity_before, in percentage points",
        ),
    ],
    built_from: None,
    ids: &[],
    rows: Rows::Stored(crate::analyses::diff::intensity_changes),
};

/// The columns of `cerqual` (as cerqual.csv holds them).
const CERQUAL_COLUMNS: &[(&str, &str)] = &[
    ("finding", "the finding assessed"),
    (
        "summary",
        "the summarised review finding, as the SoQF table words it",
    ),
    (
        "methodological_limitations",
        "concerns about the methodological limitations of the contributing studies",
    ),
    ("methodological_limitations_explanation", "why"),
    ("coherence", "concerns about the coherence of the finding"),
    ("coherence_explanation", "why"),
    ("adequacy", "concerns about the adequacy of the data"),
    ("adequacy_explanation", "why"),
    ("relevance", "concerns about the relevance of the data"),
    ("relevance_explanation", "why"),
    (
        "confidence",
        "the reviewers' overall confidence: high, moderate, low or very low",
    ),
    ("confidence_explanation", "why"),
];

/// The columns of `evidence_profile`: `cerqual`'s and the studies.
const EVIDENCE_PROFILE_COLUMNS: &[(&str, &str)] = &[
    ("finding", "the finding assessed"),
    (
        "summary",
        "the summarised review finding (its name when cerqual.csv gives none)",
    ),
    (
        "studies",
        "the studies contributing to the finding, by label",
    ),
];

/// The definition of the table `kind` (`None` for a `count by` result).
/// Exhaustive: a new kind of table does not compile until it has its
/// entry here.
pub fn def(kind: TableKind) -> Option<&'static TableDef> {
    Some(match kind {
        TableKind::Findings => &FINDINGS,
        TableKind::Studies => &STUDIES,
        TableKind::Papers => &PAPERS,
        TableKind::Evidence => &EVIDENCE,
        TableKind::Profile => &PROFILE,
        TableKind::Matrix => &MATRIX,
        TableKind::Claims => &CLAIMS,
        TableKind::Citations => &CITATIONS,
        TableKind::Search => &SEARCH,
        TableKind::Cerqual => &CERQUAL,
        TableKind::Soqf => &SOQF,
        TableKind::EvidenceProfile => &EVIDENCE_PROFILE,
        TableKind::Coding => &CODING,
        TableKind::Agreement => &AGREEMENT,
        TableKind::Disagreements => &DISAGREEMENTS,
        TableKind::Changes => &CHANGES,
        TableKind::FesChanges => &FES_CHANGES,
        TableKind::IntensityChanges => &INTENSITY_CHANGES,
        TableKind::Counts => return None,
    })
}

/// The definition of the table a query names (`None` for a `let` name).
pub fn of_source(source: &SourceKind) -> Option<&'static TableDef> {
    def(TableKind::of_source(source)?)
}

/// How many rows the table `kind` has in `ds` before any condition (a
/// findings view, the profile and the matrix have one per finding); `None`
/// for the evidence links when they cannot be read (their problems are
/// told to the statement that needs them).
pub fn rows(ds: &crate::Dataset, kind: TableKind) -> Option<usize> {
    Some(match kind {
        TableKind::Findings | TableKind::Profile | TableKind::Matrix => ds.findings.height(),
        TableKind::Studies => ds.studies.height(),
        TableKind::Papers => ds.papers.height(),
        TableKind::Evidence => ds.links().ok()?.height(),
        TableKind::Claims => ds.claims.len(),
        TableKind::Citations => ds.citations.len(),
        TableKind::Search => ds.search.len(),
        TableKind::Cerqual | TableKind::Soqf | TableKind::EvidenceProfile => {
            ds.cerqual.as_ref().map_or(0, Vec::len)
        }
        TableKind::Coding => ds
            .coding
            .as_ref()
            .map_or(0, |c| c.links.iter().map(|l| l.len()).sum()),
        TableKind::Agreement => ds.coding.as_ref().map_or(0, |_| ds.findings.height() + 1),
        TableKind::Disagreements => 0,
        // Counted when asked for: comparing two versions is the work.
        TableKind::Changes | TableKind::FesChanges | TableKind::IntensityChanges => 0,
        TableKind::Counts => 0,
    })
}

/// What `column` of `table` means, when the table defines it.
pub fn meaning(kind: TableKind, column: &str) -> Option<&'static str> {
    let def = def(kind)?;
    def.columns
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(column))
        .map(|(_, m)| *m)
        .or_else(|| meaning(def.built_from?, column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use metasum_query::ast::TABLES as NAMES;

    #[test]
    fn the_references_the_loader_checks_are_id_columns_of_other_tables() {
        for def in &TABLES {
            let Some(file) = file_of(def.kind) else {
                continue;
            };
            for reference in file.references() {
                assert!(def.ids.contains(reference), "{}", def.source.name());
                assert_ne!(reference.1.file(), file, "{}", def.source.name());
            }
        }
    }

    #[test]
    fn a_typed_file_is_read_and_computed_columns_as_described_and_nothing_else() {
        let mut typed = 0;
        for def in &TABLES {
            let Some(file) = file_of(def.kind) else {
                continue;
            };
            if file.columns().is_empty() {
                continue;
            }
            typed += 1;
            let mut known: Vec<&str> = (file.columns().iter().map(|c| c.name))
                .chain(file.computed().iter().copied())
                .collect();
            let mut described: Vec<&str> = def.columns.iter().map(|(c, _)| *c).collect();
            known.sort_unstable();
            described.sort_unstable();
            assert_eq!(known, described, "{}", def.source.name());
        }
        // The four files of every dataset: studies, papers, findings, evidence.
        assert_eq!(typed, 4);
        // The loader takes its columns from there: a seed column is typed
        // as it says (year a number, not text).
        let ds = crate::Dataset::seed().unwrap();
        let year = ds.studies.column("year").unwrap();
        assert!(year.dtype().is_integer(), "{}", year.dtype());
    }

    #[test]
    fn every_file_of_a_table_is_one_tables_and_every_tables_file_is_listed() {
        for file in ReviewFile::ALL {
            let tables = TABLES
                .iter()
                .filter(|d| Some(&d.source) == file.source().as_ref());
            assert_eq!(
                tables.count(),
                usize::from(file.source().is_some()),
                "{file:?}"
            );
        }
    }

    #[test]
    fn each_kind_finds_its_own_entry_and_each_name_its_kind() {
        for t in &TABLES {
            assert!(std::ptr::eq(def(t.kind).unwrap(), *t), "{}", t.source.name());
            assert_eq!(TableKind::of_source(&t.source), Some(t.kind));
        }
        assert!(def(TableKind::Counts).is_none());
        assert_eq!(TableKind::of_source(&SourceKind::Name("x".into())), None);
    }

    #[test]
    fn the_registry_defines_every_table_the_language_names_in_its_order() {
        let sources: Vec<&SourceKind> = TABLES.iter().map(|t| &t.source).collect();
        assert_eq!(sources, NAMES.iter().collect::<Vec<_>>());
        for t in &TABLES {
            assert_eq!(t.kind.name(), t.source.name());
            assert!(
                !t.columns.is_empty() || t.built_from.is_some(),
                "{}",
                t.kind.name()
            );
        }
    }
}
