//! Running statements against a loaded dataset: check names, plan as polars
//! lazy operations, run. A session keeps the `let` names bound so far.

mod planning;
mod run;

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::exact::Points;

use crate::col;

use metasum_query::Span;
use metasum_query::ast::{Query, SetKind, SourceKind, Statement, StatementKind};

use crate::error::{QueryError, polars_error};
use crate::query::plan::{
    AfterCollect, Lists, Pending, Planned, Scope, Source, Step, plan_lists, plan_show, plan_sort_by,
};
use crate::query::table::{ColumnType, TableInfo, TableKind, did_you_mean};
use crate::{Dataset, count::views, query::filter, query::keyed, query::pushdown};
use run::in_id_order;

/// The column `count by` puts its counts in.
const COUNT: &str = "count";

/// A result bound by `let`: its rows and the table they come from.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The table the rows come from.
    pub kind: TableKind,
    /// The rows, as computed when the name was bound.
    pub frame: DataFrame,
    /// For a `count by` result: the table whose rows were counted (its id
    /// columns keep their names).
    pub counted: Option<TableKind>,
}

/// What a statement produced.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A query's rows.
    Rows(QueryResult),
    /// A figure, as SVG.
    Figure(String),
    /// A `let` bound its rows to this name.
    Bound(String),
}

/// The rows a statement produced.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Which table the rows are of.
    pub kind: TableKind,
    /// The rows, with computed columns at full precision.
    pub frame: DataFrame,
    /// What a reader of the rows must know (e.g. why the concern columns
    /// of `profile` are empty); for the person at the terminal, not part of
    /// the rows.
    pub notes: Vec<String>,
}

/// The rows a source gives: their kind, and the frame (or why it could
/// not be built).
type SourceRows = (TableKind, PolarsResult<LazyFrame>);

/// A dataset plus the names bound so far: the state shared by the REPL,
/// `-c`, stdin and scripts. A clone shares the dataset (and its frames'
/// buffers) and copies the names: `metasum serve` runs each request on a
/// clone, so that one that runs too long can be abandoned.
#[derive(Clone)]
pub struct Session {
    dataset: std::sync::Arc<Dataset>,
    lets: BTreeMap<String, Binding>,
    /// Percentage points of FES drop that flag a finding in `profile`.
    threshold: Points,
}

impl Session {
    /// A session on `dataset` with no names bound.
    pub fn new(dataset: Dataset) -> Session {
        Session {
            dataset: std::sync::Arc::new(dataset),
            lets: BTreeMap::new(),
            threshold: crate::analyses::profile::DEFAULT_THRESHOLD,
        }
    }

    /// Sets the FES drop (percentage points) that flags a finding in `profile`.
    pub fn set_threshold(&mut self, threshold: Points) {
        self.threshold = threshold;
    }

    /// The FES drop (percentage points) that flags a finding in `profile`.
    pub fn threshold(&self) -> Points {
        self.threshold
    }

    /// How many decimals a number compared with a percentage may have
    /// here: the review's largest table (of either version compared)
    /// decides ([`crate::exact::exact_decimals`]).
    fn exact_decimals(&self) -> u32 {
        let ds = &self.dataset;
        let mut rows = ds.studies.height().max(ds.findings.height());
        if let Some(previous) = &ds.previous {
            let old = &previous.dataset;
            rows = rows.max(old.studies.height()).max(old.findings.height());
        }
        crate::exact::exact_decimals(rows)
    }

    /// The dataset queries run on.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Keeps the dataset until the process ends, not freed when the
    /// session is: a run that ends with its session need not free a large
    /// review's rows and ids one by one (100,000 text ids: some 10 ms of a
    /// 70 ms run), which the operating system reclaims at once.
    pub fn keep_dataset_to_exit(&self) {
        std::mem::forget(std::sync::Arc::clone(&self.dataset));
    }

    /// The names bound by `let`, in name order.
    pub fn lets(&self) -> &BTreeMap<String, Binding> {
        &self.lets
    }

    /// Binds `name` to `binding` (one a clone of this session bound).
    pub fn bind(&mut self, name: String, binding: Binding) {
        self.lets.insert(name, binding);
    }

    /// Runs a statement given as text (`plot fes`, `profile where id = 3`),
    /// as the documents built from statements (the report, a worksheet)
    /// do; `what` names the document in an error.
    pub fn execute_text(&mut self, statement: &str, what: &str) -> crate::Result<Outcome> {
        let script = metasum_query::parse(statement)
            .map_err(|e| crate::Error::Output(format!("{what} statement `{statement}`: {e:?}")))?;
        match script.statements.first() {
            Some(s) => self.execute(s),
            None => Err(crate::Error::Output(format!(
                "{what} statement `{statement}` is empty"
            ))),
        }
    }

    /// The rows of a statement given as text ([`Session::execute_text`]).
    pub fn rows_of_text(&mut self, statement: &str, what: &str) -> crate::Result<QueryResult> {
        match self.execute_text(statement, what)? {
            Outcome::Rows(result) => Ok(result),
            _ => Err(crate::Error::Output(format!("`{statement}` gave no rows"))),
        }
    }

    /// Runs one statement, whatever it is: the one path for queries,
    /// figures and `let`, whose outcome the front ends only write. A
    /// statement that needed the evidence links of a folder whose
    /// `evidence.csv` has problems fails with them, located, as a dataset
    /// that cannot be loaded does; one that needs no links runs.
    pub fn execute(&mut self, statement: &Statement) -> crate::Result<Outcome> {
        let _one_thread = OneThread::when(self.dataset.is_small(ONE_THREAD_ROWS));
        let failures = self.dataset.links_failures();
        let outcome = self.execute_statement(statement);
        match outcome {
            Err(e) if self.dataset.links_failures() > failures => match self.dataset.load_links() {
                Err(load) => Err(crate::Error::Load(load)),
                Ok(_) => Err(e),
            },
            outcome => outcome,
        }
    }

    fn execute_statement(&mut self, statement: &Statement) -> crate::Result<Outcome> {
        match &statement.kind {
            StatementKind::Query(q) => self.query(q).map(Outcome::Rows),
            StatementKind::Plot(plot) => Ok(Outcome::Figure(self.plot(plot)?)),
            StatementKind::Let { name, query } => {
                if matches!(SourceKind::from_word(&name.name), SourceKind::Name(_)) {
                    // Bound as planned (ids as numbers): the name is read
                    // by later queries, not by a person.
                    let (kind, frame) = self.rows(query)?;
                    let counted = match kind {
                        TableKind::Counts => self.rows_of(&query.source.kind),
                        _ => None,
                    };
                    let binding = Binding {
                        kind,
                        frame,
                        counted,
                    };
                    self.lets.insert(name.name.clone(), binding);
                    Ok(Outcome::Bound(name.name.clone()))
                } else {
                    Err(QueryError::new(
                        name.span,
                        format!("`{}` is a built-in table; choose another name", name.name),
                    )
                    .into())
                }
            }
        }
    }

    /// Runs one statement through [`Session::execute`]: a query's rows, or
    /// `None` for a `let` or a figure.
    pub fn run(&mut self, statement: &Statement) -> crate::Result<Option<QueryResult>> {
        Ok(match self.execute(statement)? {
            Outcome::Rows(result) => Some(result),
            Outcome::Figure(_) | Outcome::Bound(_) => None,
        })
    }

    /// The rows bound to `name`, as the query that bound them shows them
    /// (ids as the reviewer wrote them): what `let NAME = ... save "F"`
    /// saves, without running the query again; a failure is told at
    /// `span`, the statement's.
    pub fn bound_rows(&self, name: &str, span: Span) -> crate::Result<QueryResult> {
        let Some(b) = self.lets.get(name) else {
            return Err(crate::Error::Output(format!("`{name}` is not bound")));
        };
        Ok(self.shown(b.kind, b.counted, b.frame.clone(), span)?)
    }

    /// Plans and runs a query; ids come out as the reviewer wrote them.
    pub fn query(&self, q: &Query) -> crate::Result<QueryResult> {
        Ok(self.query_rows(q)?)
    }

    /// [`Session::query`], failing at a span of `q`.
    pub(crate) fn query_rows(&self, q: &Query) -> Result<QueryResult, QueryError> {
        let (resolved, unknown_ids) = self.resolved(q)?;
        let (kind, frame) = self.rows_resolved(&resolved)?;
        let counted = self.rows_of(&q.source.kind);
        let mut result = self.shown(kind, counted, frame, q.span)?;
        result.notes.extend(unknown_ids);
        Ok(result)
    }

    /// Rows of `kind` as a person reads them: id columns back to the ids
    /// as written (for a `count by` result, those of the `counted` table,
    /// whose columns it keeps), with the notes of the table; polars
    /// failures at `span`.
    fn shown(
        &self,
        kind: TableKind,
        counted: Option<TableKind>,
        frame: DataFrame,
        span: Span,
    ) -> Result<QueryResult, QueryError> {
        let rows_of = match kind {
            TableKind::Counts => counted,
            kind => Some(kind),
        };
        let frame = match rows_of {
            Some(rows_of) => {
                keyed::present(&self.dataset, rows_of, frame).map_err(|e| polars_error(span, e))?
            }
            None => frame,
        };
        self.result(kind, frame)
    }

    /// The rows of `q` as planned: ids as numbers (stand-ins for text ids).
    fn rows(&self, q: &Query) -> Result<(TableKind, DataFrame), QueryError> {
        self.rows_resolved(&self.resolved(q)?.0)
    }

    /// `q` with its values on text-id columns made numbers
    /// ([`keyed::resolve`]); done once per statement.
    /// The notes say which ids no row has.
    pub(crate) fn resolved(&self, q: &Query) -> Result<(Query, Vec<String>), QueryError> {
        keyed::resolve(&self.dataset, q, &|n| self.kind_of(n))
    }

    /// The rows of a query already [`Session::resolved`].
    pub(crate) fn rows_resolved(&self, q: &Query) -> Result<(TableKind, DataFrame), QueryError> {
        let planned = self.plan(q, Lists::Filled)?;
        let kind = planned.info.kind;
        Ok((kind, self.run_plan(planned, q.span)?))
    }

    /// The rows whose id columns a bound name holds: its table's, or for
    /// a `count by` result the counted table's.
    fn kind_of(&self, name: &str) -> Option<TableKind> {
        let b = self.lets.get(name)?;
        Some(b.counted.unwrap_or(b.kind))
    }

    /// The rows a query's source gives before any `count by`.
    fn rows_of(&self, source: &SourceKind) -> Option<TableKind> {
        keyed::rows_of(source, &|n| self.kind_of(n))
    }

    /// A query's result, with what a reader must know about it.
    pub(crate) fn result(
        &self,
        kind: TableKind,
        frame: DataFrame,
    ) -> Result<QueryResult, QueryError> {
        let notes = match kind {
            TableKind::Profile => crate::analyses::profile::quality_note(&self.dataset)
                .into_iter()
                .collect(),
            TableKind::Cerqual | TableKind::Soqf | TableKind::EvidenceProfile => {
                crate::analyses::cerqual::note(&self.dataset)
                    .into_iter()
                    .collect()
            }
            TableKind::Coding | TableKind::Agreement | TableKind::Disagreements => {
                vec![crate::analyses::agreement::note(&self.dataset)]
            }
            TableKind::Extracts if self.dataset.extracts.is_empty() => vec![
                "the review has no extracts (extracts.csv): `metasum import PROJECT.qdpx` brings the coded passages of a QDA project".to_string(),
            ],
            TableKind::Changes | TableKind::FesChanges | TableKind::IntensityChanges => {
                crate::analyses::diff::note(&self.dataset)
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(QueryResult { kind, frame, notes })
    }

    /// The columns a query's result would have (for completion and `.schema`).
    pub fn columns_of(&self, q: &Query) -> crate::Result<Vec<(String, ColumnType)>> {
        let planned = self.plan(&self.resolved(q)?.0, Lists::Skipped)?;
        let mut info = planned.info;
        if info.kind == TableKind::Matrix {
            // A column per study in scope: the `among` set is run for them.
            let span = q.source.span;
            let scope = self.run_scope(planned.scope, span)?;
            let studies = self.study_ids(scope.as_ref(), span)?;
            info =
                crate::query::table::matrix_info(&info, &self.dataset.meta.matrix_lead(), &studies);
        }
        let rows_of = match info.kind {
            TableKind::Counts => self.rows_of(&q.source.kind),
            kind => Some(kind),
        };
        let mut columns = info.columns;
        if let Some(rows_of) = rows_of {
            keyed::present_types(&self.dataset, rows_of, &mut columns);
        }
        Ok(columns)
    }
}

/// A review with at most this many rows in each table (and links) runs
/// its statements on the calling thread. Handed to polars' threads, each
/// statement on the seed woke them, and they spun in `sched_yield` before
/// sleeping again: 0.69 ms a statement, half of it system time, on two
/// cores (BENCHMARKS.md, issue 35).
const ONE_THREAD_ROWS: usize = 50_000;

/// While it lives, polars runs what this thread asks of it on this thread
/// alone (its no-op pool), as its own streaming engine does for work that
/// must not re-enter the pool; dropped, the switch is as it was. The
/// switch is the thread's own: `metasum serve`'s threads each decide for
/// themselves. (Polars' no-op pool makes the thread a worker of a pool of
/// one, which a thread already in another rayon pool could not be;
/// metasum runs statements on no rayon thread.)
struct OneThread(Option<bool>);

impl OneThread {
    fn when(small: bool) -> OneThread {
        use polars_async::executor::ALLOW_RAYON_THREADS;
        OneThread(small.then(|| ALLOW_RAYON_THREADS.replace(false)))
    }
}

impl Drop for OneThread {
    fn drop(&mut self) {
        if let Some(before) = self.0 {
            polars_async::executor::ALLOW_RAYON_THREADS.set(before);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars_async::executor::ALLOW_RAYON_THREADS;

    #[test]
    fn a_small_review_runs_on_this_thread_and_the_switch_is_restored() {
        let mut session = Session::new(Dataset::seed().unwrap());
        assert!(session.dataset().is_small(ONE_THREAD_ROWS));
        assert!(ALLOW_RAYON_THREADS.get());
        {
            let _one = OneThread::when(true);
            assert!(!ALLOW_RAYON_THREADS.get());
            // Polars sees it: its pool is this thread alone (a second copy
            // of the switch, after an upgrade of one crate, would not be).
            assert_eq!(polars_core::runtime::RAYON.current_num_threads(), 1);
            // Nested (a statement the report runs inside another).
            drop(OneThread::when(true));
            assert!(!ALLOW_RAYON_THREADS.get());
        }
        assert!(ALLOW_RAYON_THREADS.get());
        drop(OneThread::when(false));
        assert!(ALLOW_RAYON_THREADS.get());
        // A failing statement restores it too.
        session
            .execute_text("findings where fes > 30", "test")
            .unwrap();
        assert!(
            session
                .execute_text("findings where nope > 1", "test")
                .is_err()
        );
        assert!(ALLOW_RAYON_THREADS.get());
    }

    /// Links counted once read, else judged by the size of evidence.csv:
    /// a link takes at least four bytes.
    #[test]
    fn small_is_judged_by_the_links_read_or_the_size_of_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("studies.csv", "id,author,year\n1,A,2001\n2,B,2002\n");
        write("findings.csv", "id,name\n1,Trust\n2,Hope\n");
        // 14 bytes of header, 4 per link: 30 bytes.
        write("evidence.csv", "finding,study\n1,1\n1,2\n2,1\n2,2\n");
        let ds = Dataset::load(dir.path()).unwrap();
        assert!(!ds.links_read());
        assert!(ds.is_small(8) && !ds.is_small(7));
        ds.links().unwrap();
        assert!(ds.is_small(4) && !ds.is_small(3));
        // Tables count too.
        assert!(!Dataset::seed().unwrap().is_small(24));
    }
}
