//! The syntax tree of a metasum script. Every node carries the [`Span`] of
//! the text it came from; `Display` prints canonical query text.

use crate::span::Span;

/// A whole script: statements in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The statements, without the empty ones.
    pub statements: Vec<Statement>,
}

/// One statement: a query, or a `let` binding a query's result to a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What the statement does.
    pub kind: StatementKind,
    /// `save "table2.csv"`: the file its result is written to, if named.
    pub save: Option<Save>,
    /// The statement's text (its `save` clause included), without its `;`
    /// or comment.
    pub span: Span,
}

/// `save "table2.csv"` at the end of a statement: its result goes to a file
/// of its own, in the format the file's extension names.
#[derive(Debug, Clone, PartialEq)]
pub struct Save {
    /// The file's path as written (unescaped).
    pub path: String,
    /// From `save` to the closing quote.
    pub span: Span,
    /// The quoted path.
    pub path_span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `findings where fes > 30`
    Query(Query),
    /// `let good = studies where quality != low`
    Let {
        /// The name bound.
        name: Ident,
        /// The query whose result it is bound to.
        query: Query,
    },
    /// `plot fes findings where perspective = worker`: a figure of the
    /// query's findings (all findings when there is no query).
    Plot(Plot),
}

/// `plot FIGURE [query] [title "..."] [caption "..."]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Which figure.
    pub figure: Figure,
    /// Where the figure's name was written.
    pub span: Span,
    /// The findings to draw.
    pub query: Option<Query>,
    /// `title "..."`: the figure's title instead of its own.
    pub title: Option<Quoted>,
    /// `caption "..."`: a caption under the figure.
    pub caption: Option<Quoted>,
}

/// A text written in double quotes after a word that names it
/// (`title "Recipients' view"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Quoted {
    /// The text, unescaped.
    pub text: String,
    /// From the word naming it to the closing quote.
    pub span: Span,
}

/// The figures `plot` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Bar chart of FES per finding, grouped by perspective.
    Fes,
    /// Heatmap of the study x finding matrix.
    Matrix,
    /// Dot chart of each finding's FES with all studies beside its FES
    /// without the studies of declared quality concern.
    Sensitivity,
    /// The search flow diagram (PRISMA-style), from `search.csv`.
    Flow,
}

impl Figure {
    /// Every figure, in the order they are listed.
    pub const ALL: [Figure; 4] = [
        Figure::Fes,
        Figure::Matrix,
        Figure::Sensitivity,
        Figure::Flow,
    ];

    /// The figure's name in queries.
    pub fn name(self) -> &'static str {
        match self {
            Figure::Fes => "fes",
            Figure::Matrix => "matrix",
            Figure::Sensitivity => "sensitivity",
            Figure::Flow => "flow",
        }
    }

    /// The figure a name (in any case) names.
    pub fn from_name(name: &str) -> Option<Figure> {
        Figure::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether it draws findings of a query (`flow` draws the search).
    pub fn takes_query(self) -> bool {
        self != Figure::Flow
    }
}

/// `source [among set] [where expr] [count by ...] [sort by ...] [limit n] [show ...]`
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The table read: `findings`, `studies`, ... or a `let` name.
    pub source: Source,
    /// `among SET`: the rows of the other table that n, fes and intensity
    /// are computed among.
    pub among: Option<Set>,
    /// `where EXPR`.
    pub filter: Option<Expr>,
    /// `count by COLUMN, ...` (empty without the clause).
    pub count_by: Vec<Ident>,
    /// `sort by COLUMN [asc|desc], ...` (empty without the clause).
    pub sort_by: Vec<SortKey>,
    /// `limit N`.
    pub limit: Option<Limit>,
    /// `show COLUMN, ...` (empty: every column).
    pub show: Vec<Ident>,
    /// The whole query's text.
    pub span: Span,
}

/// A name: a column, a `let` name, a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// The table a query reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Which table.
    pub kind: SourceKind,
    /// Where the table's name was written.
    pub span: Span,
}

/// Built-in tables, or a name bound by `let`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// `findings`: abstracted findings with n, fes and their studies.
    Findings,
    /// `studies`: studies with n, intensity, their findings and papers.
    Studies,
    /// `papers`: the reports, as stored.
    Papers,
    /// `evidence`: the finding-study links, as stored.
    Evidence,
    /// Findings with their evidence profile (participants, countries,
    /// low-quality share, FES among adequate studies).
    Profile,
    /// The study x finding matrix.
    Matrix,
    /// `claims`: statements of the review's text with the studies they cite.
    Claims,
    /// `citations`: author-year citations of included studies in the text.
    Citations,
    /// `search`: the stages of the search and selection flow.
    Search,
    /// `cerqual`: the GRADE-CERQual assessments as `cerqual.csv` holds them.
    Cerqual,
    /// `soqf`: the Summary of Qualitative Findings (GRADE-CERQual), from
    /// `cerqual.csv`.
    Soqf,
    /// `evidence_profile`: each finding's GRADE-CERQual judgements.
    EvidenceProfile,
    /// `coding`: each coder's own links (`coding.csv`), as stored.
    Coding,
    /// `extracts`: the coded passages (quotes) that support each finding
    /// (`extracts.csv`, from a QDA project).
    Extracts,
    /// `agreement`: how far two coders agree, per finding and pooled.
    Agreement,
    /// `disagreements`: the links one coder made and the other did not.
    Disagreements,
    /// `changes`: what changed since the version compared with.
    Changes,
    /// `fes_changes`: each finding's n and FES before and after.
    FesChanges,
    /// `intensity_changes`: each study's intensity before and after.
    IntensityChanges,
    /// A `let` name (or an unknown table, reported when names are checked).
    Name(String),
}

/// The built-in tables, in the order they are listed (`.tables`, hints,
/// completion): the one list of table names.
pub const TABLES: [SourceKind; 19] = [
    SourceKind::Findings,
    SourceKind::Studies,
    SourceKind::Papers,
    SourceKind::Evidence,
    SourceKind::Extracts,
    SourceKind::Profile,
    SourceKind::Matrix,
    SourceKind::Claims,
    SourceKind::Citations,
    SourceKind::Search,
    SourceKind::Cerqual,
    SourceKind::Soqf,
    SourceKind::EvidenceProfile,
    SourceKind::Coding,
    SourceKind::Agreement,
    SourceKind::Disagreements,
    SourceKind::Changes,
    SourceKind::FesChanges,
    SourceKind::IntensityChanges,
];

/// The `among` set: which rows of the other table count.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    /// A name or a query.
    pub kind: SetKind,
    /// The set's text (with its parentheses).
    pub span: Span,
}

/// A `let` name, or a parenthesised query.
#[derive(Debug, Clone, PartialEq)]
pub enum SetKind {
    /// `among good`
    Name(String),
    /// `among (studies where quality != low)`
    Query(Box<Query>),
}

/// A filter condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the condition tests.
    pub kind: ExprKind,
    /// The condition's text.
    pub span: Span,
}

/// The kinds of condition.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `a or b or c`: two or more terms, in order. A chain is one node,
    /// not a nested pair per `or`, so 10,000 terms nest no deeper than two
    /// (and nothing that walks the tree recurses once per term).
    Or(Vec<Expr>),
    /// `a and b and c`: two or more terms, in order (see [`ExprKind::Or`]).
    And(Vec<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `fes > 30`, `perspective = recipient`
    Compare {
        /// The column on the left.
        column: Ident,
        /// The operator.
        op: CompareOp,
        /// The value on the right.
        value: Value,
    },
    /// `perspective in (nonpeer, organisation)`; `perspective not in
    /// (worker)` is true where the value is none of them, or missing (as
    /// `!=` is).
    In {
        /// The column on the left.
        column: Ident,
        /// The values in the parentheses, in order.
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `studies has 13`
    Has {
        /// The list column.
        column: Ident,
        /// The item looked for.
        value: Value,
    },
    /// `name ~ "role model"`
    Contains {
        /// The text column.
        column: Ident,
        /// The text looked for (any case).
        pattern: Value,
    },
    /// `recipients is missing`, `recipients is not missing`
    Missing {
        /// The column tested.
        column: Ident,
        /// `is not missing`.
        negated: bool,
    },
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
}

/// A literal on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// A number or text.
    pub kind: ValueKind,
    /// Where it was written (with quotes, if any).
    pub span: Span,
}

/// Numbers, and text (quoted or a bare word: `recipient` is text, never a column).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// `30`, `2.5`
    Number(f64),
    /// `recipient`, `"role model"` (without the quotes)
    Text(String),
}

/// One `sort by` key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The column sorted on.
    pub column: Ident,
    /// `desc`.
    pub descending: bool,
    /// The key's text (with `asc`/`desc`).
    pub span: Span,
}

/// `limit N`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// At most this many rows.
    pub rows: u64,
    /// Where the number was written.
    pub span: Span,
}

/// Words with a meaning of their own in the language; a bare value that is
/// one of these must be quoted.
pub const KEYWORDS: [&str; 19] = [
    "let", "plot", "among", "where", "count", "by", "sort", "asc", "desc", "limit", "show", "and",
    "or", "not", "in", "has", "is", "missing", "save",
];

/// `name` as a query must write it: as it is when it is a word that is not
/// a keyword, else in backquotes (a backquote in it doubled).
pub fn column_text(name: &str) -> std::borrow::Cow<'_, str> {
    if is_keyword(name) {
        backquoted(name).into()
    } else {
        listed_column_text(name)
    }
}

/// `name` as a `count by`, `sort by` or `show` list writes it: there any
/// word is a column (`sort by count`), so only a name that is not a word
/// needs backquotes.
pub(crate) fn listed_column_text(name: &str) -> std::borrow::Cow<'_, str> {
    if crate::lex::word(name).is_ok_and(|(rest, _)| rest.is_empty()) {
        name.into()
    } else {
        backquoted(name).into()
    }
}

fn backquoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Whether `word` (any case) is a keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

impl Query {
    /// The query that reads `source` with no clauses (`findings`).
    pub fn of(source: Source) -> Query {
        let span = source.span;
        Query {
            source,
            among: None,
            filter: None,
            count_by: Vec::new(),
            sort_by: Vec::new(),
            limit: None,
            show: Vec::new(),
            span,
        }
    }
}

impl SourceKind {
    /// The built-in table a word names, or a `let` name.
    pub fn from_word(word: &str) -> SourceKind {
        TABLES
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(word))
            .unwrap_or_else(|| SourceKind::Name(word.to_string()))
    }

    /// The name as written in canonical text.
    pub fn name(&self) -> &str {
        match self {
            SourceKind::Findings => "findings",
            SourceKind::Studies => "studies",
            SourceKind::Papers => "papers",
            SourceKind::Evidence => "evidence",
            SourceKind::Profile => "profile",
            SourceKind::Matrix => "matrix",
            SourceKind::Claims => "claims",
            SourceKind::Citations => "citations",
            SourceKind::Search => "search",
            SourceKind::Cerqual => "cerqual",
            SourceKind::Soqf => "soqf",
            SourceKind::EvidenceProfile => "evidence_profile",
            SourceKind::Coding => "coding",
            SourceKind::Extracts => "extracts",
            SourceKind::Agreement => "agreement",
            SourceKind::Disagreements => "disagreements",
            SourceKind::Changes => "changes",
            SourceKind::FesChanges => "fes_changes",
            SourceKind::IntensityChanges => "intensity_changes",
            SourceKind::Name(n) => n,
        }
    }
}

impl CompareOp {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::NotEq => "!=",
            CompareOp::Lt => "<",
            CompareOp::LtEq => "<=",
            CompareOp::Gt => ">",
            CompareOp::GtEq => ">=",
        }
    }
}
