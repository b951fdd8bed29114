//! What a review keeps on disk, defined once: each file of a dataset
//! folder (a sheet of the same name in a workbook), and for the tables the
//! loader reads with typed columns (studies, papers, findings, evidence)
//! those columns, the ones metasum computes instead, and the ids they
//! reference. Loading, import, export, `save`'s protection, the lock and
//! the workbook reader derive their lists from [`ReviewFile::ALL`]; the
//! query registry adds what each column means and the computed tables.

use metasum_query::ast::SourceKind;

use super::csvfile::{ColumnSpec, Kind};

/// How a review's files are kept, for the messages that name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Files of a folder (or given in memory as files): `studies.csv`.
    Folder,
    /// Sheets of a workbook: `sheet studies`.
    Workbook,
}

/// A file a review keeps, in the order problems are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewFile {
    /// `dataset.toml`: title, citation, codes, published totals.
    Meta,
    /// `studies.csv`.
    Studies,
    /// `papers.csv`.
    Papers,
    /// `findings.csv`.
    Findings,
    /// `evidence.csv`: which finding each study contains.
    Evidence,
    /// `claims.csv`: statements of the review's text.
    Claims,
    /// `citations.csv`: author-year citations in the text.
    Citations,
    /// `search.csv`: the search and selection flow.
    Search,
    /// `cerqual.csv`: GRADE-CERQual assessments.
    Cerqual,
    /// `coding.csv`: each coder's own links.
    Coding,
    /// `extracts.csv`: the coded passages that support each finding.
    Extracts,
    /// A study x finding matrix, in place of findings and evidence: a
    /// workbook's sheet only.
    Matrix,
}

/// The column of studies, papers, findings and extracts that ties a row
/// to the QDA project it was imported from (the project's GUID of its
/// source, case, code or coding): what importing the project again
/// recognises.
pub const QDA_GUID: &str = "qda_guid";

/// Which table's ids a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A study id (`studies.id`, `evidence.study`, a `studies` list).
    Study,
    /// A finding id.
    Finding,
    /// A paper id.
    Paper,
}

impl Entity {
    /// The file whose rows these ids name.
    pub fn file(self) -> ReviewFile {
        match self {
            Entity::Study => ReviewFile::Studies,
            Entity::Finding => ReviewFile::Findings,
            Entity::Paper => ReviewFile::Papers,
        }
    }
}

/// A column the loader reads: `name`, its cells of `kind`, `required` or not.
const fn column(name: &'static str, kind: Kind, required: bool) -> ColumnSpec<'static> {
    ColumnSpec {
        name,
        kind,
        required,
    }
}

/// The columns of `profile` that need the studies of quality concern:
/// missing when the dataset declares none.
pub const CONCERN_COLUMNS: [&str; 6] = [
    "concern_n",
    "concern_share",
    "concern_studies",
    "fes_without_concerns",
    "drop",
    "flag",
];

/// The other columns `profile` computes beside a finding's own.
const PROFILE_COLUMNS: [&str; 2] = ["countries", "n_without"];

/// The columns of `findings.csv`.
const FINDINGS: &[ColumnSpec<'static>] = &[
    column("id", Kind::Key, true),
    column("name", Kind::Text, true),
    column("reported_fes", Kind::Float, false),
];

/// The columns of `studies.csv`.
const STUDIES: &[ColumnSpec<'static>] = &[
    column("id", Kind::Key, true),
    column("author", Kind::Text, true),
    column("year", Kind::Int, true),
    column("country", Kind::Text, false),
    column("quality", Kind::Text, false),
    column("label", Kind::Text, false),
];

/// The columns of `papers.csv`.
const PAPERS: &[ColumnSpec<'static>] = &[
    column("id", Kind::Key, true),
    column("study", Kind::Key, true),
    column("citation", Kind::Text, true),
    column("year", Kind::Int, false),
];

/// The columns of `evidence.csv`.
const EVIDENCE: &[ColumnSpec<'static>] = &[
    column("finding", Kind::Key, true),
    column("study", Kind::Key, true),
];

impl ReviewFile {
    /// Every file, in the order problems are told.
    pub const ALL: [ReviewFile; 12] = [
        ReviewFile::Meta,
        ReviewFile::Studies,
        ReviewFile::Papers,
        ReviewFile::Findings,
        ReviewFile::Evidence,
        ReviewFile::Claims,
        ReviewFile::Citations,
        ReviewFile::Search,
        ReviewFile::Cerqual,
        ReviewFile::Coding,
        ReviewFile::Extracts,
        ReviewFile::Matrix,
    ];

    /// The table a query reads it as (`None` for `dataset.toml` and the
    /// matrix sheet, which become other tables).
    pub fn source(self) -> Option<SourceKind> {
        Some(match self {
            ReviewFile::Meta | ReviewFile::Matrix => return None,
            ReviewFile::Studies => SourceKind::Studies,
            ReviewFile::Papers => SourceKind::Papers,
            ReviewFile::Findings => SourceKind::Findings,
            ReviewFile::Evidence => SourceKind::Evidence,
            ReviewFile::Claims => SourceKind::Claims,
            ReviewFile::Citations => SourceKind::Citations,
            ReviewFile::Search => SourceKind::Search,
            ReviewFile::Cerqual => SourceKind::Cerqual,
            ReviewFile::Coding => SourceKind::Coding,
            ReviewFile::Extracts => SourceKind::Extracts,
        })
    }

    /// Its sheet in a workbook (`studies`, `dataset.toml`).
    pub fn sheet(self) -> String {
        match self.source() {
            Some(source) => source.name().to_string(),
            None if self == ReviewFile::Meta => "dataset.toml".to_string(),
            None => "matrix".to_string(),
        }
    }

    /// Its file in a dataset folder (`studies.csv`, `dataset.toml`,
    /// `matrix.csv`). The one place the names are written (a test checks
    /// each is its table's name and `.csv`).
    pub const fn file(self) -> &'static str {
        match self {
            ReviewFile::Meta => "dataset.toml",
            ReviewFile::Studies => "studies.csv",
            ReviewFile::Papers => "papers.csv",
            ReviewFile::Findings => "findings.csv",
            ReviewFile::Evidence => "evidence.csv",
            ReviewFile::Claims => "claims.csv",
            ReviewFile::Citations => "citations.csv",
            ReviewFile::Search => "search.csv",
            ReviewFile::Cerqual => "cerqual.csv",
            ReviewFile::Coding => "coding.csv",
            ReviewFile::Extracts => "extracts.csv",
            ReviewFile::Matrix => "matrix.csv",
        }
    }

    /// The file as a message names it where the review is kept: `studies.csv`
    /// in a folder, `sheet studies` in a workbook.
    pub fn named(self, layout: Layout) -> String {
        match layout {
            Layout::Folder => self.file().to_string(),
            Layout::Workbook => format!("sheet {}", self.sheet()),
        }
    }

    /// Whether every dataset has the table (an export writes its file
    /// even when it has no rows); the others' files are optional.
    pub fn always(self) -> bool {
        matches!(
            self,
            ReviewFile::Studies | ReviewFile::Papers | ReviewFile::Findings | ReviewFile::Evidence
        )
    }

    /// The files a dataset folder may hold, in the order problems are told.
    pub fn folder_files() -> Vec<&'static str> {
        Self::ALL.iter().map(|f| f.file()).collect()
    }

    /// The names metasum gives the columns it computes of the table
    /// beside its stored ones, wherever a query can meet them: the views'
    /// ([`ReviewFile::computed`]) and the profile's, where a finding's
    /// columns and its participant groups' sums stand side by side.
    pub fn computed_anywhere(self) -> Vec<&'static str> {
        match self {
            // A profile row is a finding with its studies' participants:
            // both tables' names meet there.
            ReviewFile::Studies | ReviewFile::Findings => {
                let mut names = ReviewFile::Studies.computed().to_vec();
                names.extend(ReviewFile::Findings.computed());
                names.extend(PROFILE_COLUMNS);
                names.extend(CONCERN_COLUMNS);
                names
            }
            other => other.computed().to_vec(),
        }
    }

    /// The columns the loader reads with their cell types, for the tables
    /// it types (none for the others, read by their own readers).
    pub fn columns(self) -> &'static [ColumnSpec<'static>] {
        match self {
            ReviewFile::Findings => FINDINGS,
            ReviewFile::Studies => STUDIES,
            ReviewFile::Papers => PAPERS,
            ReviewFile::Evidence => EVIDENCE,
            ReviewFile::Meta
            | ReviewFile::Claims
            | ReviewFile::Citations
            | ReviewFile::Search
            | ReviewFile::Cerqual
            | ReviewFile::Coding
            | ReviewFile::Extracts
            | ReviewFile::Matrix => &[],
        }
    }

    /// The columns metasum computes for the table: a stored column of one
    /// of these names (in any case) is left out when loading.
    pub fn computed(self) -> &'static [&'static str] {
        match self {
            ReviewFile::Findings => &["n", "fes", "studies"],
            ReviewFile::Studies => &["n", "intensity", "findings", "papers"],
            ReviewFile::Meta
            | ReviewFile::Papers
            | ReviewFile::Evidence
            | ReviewFile::Claims
            | ReviewFile::Citations
            | ReviewFile::Search
            | ReviewFile::Cerqual
            | ReviewFile::Coding
            | ReviewFile::Extracts
            | ReviewFile::Matrix => &[],
        }
    }

    /// The stored columns that name rows of another table, in order: the
    /// loader resolves them and checks each against that table's ids.
    pub fn references(self) -> &'static [(&'static str, Entity)] {
        match self {
            ReviewFile::Papers => &[("study", Entity::Study)],
            ReviewFile::Evidence => &[("finding", Entity::Finding), ("study", Entity::Study)],
            // Read by readers of their own, which check their references
            // themselves; the others name no other table.
            ReviewFile::Meta
            | ReviewFile::Studies
            | ReviewFile::Findings
            | ReviewFile::Claims
            | ReviewFile::Citations
            | ReviewFile::Search
            | ReviewFile::Cerqual
            | ReviewFile::Coding
            | ReviewFile::Extracts
            | ReviewFile::Matrix => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_listed_once_in_order() {
        let mut sorted = ReviewFile::ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ReviewFile::ALL);
        assert_eq!(
            ReviewFile::folder_files(),
            [
                "dataset.toml",
                "studies.csv",
                "papers.csv",
                "findings.csv",
                "evidence.csv",
                "claims.csv",
                "citations.csv",
                "search.csv",
                "cerqual.csv",
                "coding.csv",
                "extracts.csv",
                "matrix.csv"
            ]
        );
    }

    #[test]
    fn each_file_is_its_tables_name_and_csv() {
        for file in ReviewFile::ALL {
            match file.source() {
                Some(source) => assert_eq!(file.file(), format!("{}.csv", source.name())),
                None => assert!(matches!(file, ReviewFile::Meta | ReviewFile::Matrix)),
            }
            assert!(file.file().starts_with(&file.sheet()), "{file:?}");
        }
    }

    #[test]
    fn references_are_stored_columns_of_keys() {
        for file in ReviewFile::ALL {
            for (name, _) in file.references() {
                let spec = file.columns().iter().find(|c| c.name == *name);
                assert!(
                    matches!(spec.map(|c| c.kind), Some(Kind::Key)),
                    "{file:?} {name}"
                );
            }
        }
    }
}
