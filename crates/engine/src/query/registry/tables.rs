//! Every table's entry: its name, what a row is, its columns and their
//! meaning, its id columns, how its rows are made.

use metasum_query::ast::SourceKind;

use super::{Entity, Rows, TableDef};
use crate::query::table::TableKind;
use crate::review::dataset::frames;

/// Every table, in the order of [`metasum_query::ast::TABLES`].
pub static TABLES: [&TableDef; 19] = [
    &FINDINGS,
    &STUDIES,
    &PAPERS,
    &EVIDENCE,
    &EXTRACTS,
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
pub(super) static FINDINGS: TableDef = TableDef {
    kind: TableKind::Findings,
    source: SourceKind::Findings,
    row: "an abstracted finding",
    columns: &[
        ("id", "the finding's id"),
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
pub(super) static STUDIES: TableDef = TableDef {
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
        ("quality", "appraised quality (codes in dataset.toml)"),
        ("label", "how tables and figures name the study"),
    ],
    // `papers` is a count, not a list.
    built_from: None,
    ids: &[("id", Entity::Study), ("findings", Entity::Finding)],
    rows: Rows::Computed,
};

/// The `Papers` table.
pub(super) static PAPERS: TableDef = TableDef {
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
    rows: Rows::Stored(frames::papers),
};

/// The `Evidence` table.
pub(super) static EVIDENCE: TableDef = TableDef {
    kind: TableKind::Evidence,
    source: SourceKind::Evidence,
    row: "a finding found in a study",
    columns: &[
        ("finding", "a finding ..."),
        ("study", "... found in this study"),
    ],
    built_from: None,
    ids: &[("finding", Entity::Finding), ("study", Entity::Study)],
    rows: Rows::Stored(frames::evidence),
};

/// The `Profile` table.
pub(super) static PROFILE: TableDef = TableDef {
    kind: TableKind::Profile,
    source: SourceKind::Profile,
    row: "an abstracted finding with its evidence profile",
    columns: &[
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
pub(super) static MATRIX: TableDef = TableDef {
    kind: TableKind::Matrix,
    source: SourceKind::Matrix,
    row: "an abstracted finding, one column per study (by label)",
    columns: &[],
    built_from: Some(TableKind::Findings),
    ids: &[("id", Entity::Finding)],
    rows: Rows::Computed,
};

/// The `Claims` table.
pub(super) static CLAIMS: TableDef = TableDef {
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
    rows: Rows::Stored(frames::claims),
};

/// The `Citations` table.
pub(super) static CITATIONS: TableDef = TableDef {
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
    rows: Rows::Stored(frames::citations),
};

/// The `Search` table.
pub(super) static SEARCH: TableDef = TableDef {
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
    rows: Rows::Stored(frames::search),
};

/// The `Cerqual` table.
pub(super) static CERQUAL: TableDef = TableDef {
    kind: TableKind::Cerqual,
    source: SourceKind::Cerqual,
    row: "a finding's GRADE-CERQual assessment as cerqual.csv holds it",
    columns: CERQUAL_COLUMNS,
    built_from: None,
    ids: &[("finding", Entity::Finding)],
    rows: Rows::Stored(crate::analyses::cerqual::cerqual),
};

/// The `Soqf` table.
pub(super) static SOQF: TableDef = TableDef {
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
pub(super) static EVIDENCE_PROFILE: TableDef = TableDef {
    kind: TableKind::EvidenceProfile,
    source: SourceKind::EvidenceProfile,
    row: "a finding's GRADE-CERQual evidence profile",
    columns: EVIDENCE_PROFILE_COLUMNS,
    built_from: Some(TableKind::Cerqual),
    ids: &[("finding", Entity::Finding)],
    rows: Rows::Stored(crate::analyses::cerqual::evidence_profile),
};

/// The `Coding` table.
pub(super) static CODING: TableDef = TableDef {
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
    rows: Rows::Stored(frames::coding),
};

/// The `Extracts` table.
pub(super) static EXTRACTS: TableDef = TableDef {
    kind: TableKind::Extracts,
    source: SourceKind::Extracts,
    row: "a coded passage of a paper that supports a finding (extracts.csv)",
    columns: &[
        ("finding", "the finding the passage was coded with"),
        ("paper", "the paper the passage is in"),
        ("study", "the study that paper reports"),
        (
            "place",
            "where the passage is: characters, a page, a time or a region of its source",
        ),
        ("quote", "the passage's text, as the source has it"),
        ("coder", "who coded it"),
        (
            crate::review::dataset::extracts::GUID,
            "the QDA project's coding it came from: what importing the project again recognises",
        ),
    ],
    built_from: None,
    ids: &[
        ("finding", Entity::Finding),
        ("paper", Entity::Paper),
        ("study", Entity::Study),
    ],
    rows: Rows::Stored(frames::extracts),
};

/// The `Agreement` table.
pub(super) static AGREEMENT: TableDef = TableDef {
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
pub(super) static DISAGREEMENTS: TableDef = TableDef {
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
pub(super) static CHANGES: TableDef = TableDef {
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
pub(super) static FES_CHANGES: TableDef = TableDef {
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
pub(super) static INTENSITY_CHANGES: TableDef = TableDef {
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
