//! Running statements against a loaded dataset: check names, plan as polars
//! lazy operations, run. A session keeps the `let` names bound so far.

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
/// `-c`, stdin and scripts.
pub struct Session {
    dataset: Dataset,
    lets: BTreeMap<String, Binding>,
    /// Percentage points of FES drop that flag a finding in `profile`.
    threshold: Points,
}

impl Session {
    /// A session on `dataset` with no names bound.
    pub fn new(dataset: Dataset) -> Session {
        Session {
            dataset,
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

    /// The names bound by `let`, in name order.
    pub fn lets(&self) -> &BTreeMap<String, Binding> {
        &self.lets
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
    /// saves, without running the query again.
    pub fn bound_rows(&self, name: &str) -> crate::Result<QueryResult> {
        let Some(b) = self.lets.get(name) else {
            return Err(crate::Error::Output(format!("`{name}` is not bound")));
        };
        let rows_of = match b.kind {
            TableKind::Counts => b.counted,
            kind => Some(kind),
        };
        let frame = match rows_of {
            Some(rows_of) => keyed::present(&self.dataset, rows_of, b.frame.clone())?,
            None => b.frame.clone(),
        };
        Ok(self.result(b.kind, frame)?)
    }

    /// Plans and runs a query; ids come out as the reviewer wrote them.
    pub fn query(&self, q: &Query) -> crate::Result<QueryResult> {
        Ok(self.query_rows(q)?)
    }

    /// [`Session::query`], failing at a span of `q`.
    pub(crate) fn query_rows(&self, q: &Query) -> Result<QueryResult, QueryError> {
        let (resolved, unknown_ids) = self.resolved(q)?;
        let (kind, frame) = self.rows_resolved(&resolved)?;
        // A `count by` result keeps the names of the rows it counted.
        let rows_of = match kind {
            TableKind::Counts => self.rows_of(&q.source.kind),
            kind => Some(kind),
        };
        let frame = match rows_of {
            Some(rows_of) => keyed::present(&self.dataset, rows_of, frame)
                .map_err(|e| polars_error(q.span, e))?,
            None => frame,
        };
        let mut result = self.result(kind, frame)?;
        result.notes.extend(unknown_ids);
        Ok(result)
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
            info = crate::query::table::matrix_info(&info, &studies);
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

    /// Plans a query: its source and scope, then each clause as a step
    /// with its columns resolved. Collects nothing (see [`crate::query::plan`]).
    pub(crate) fn plan(&self, q: &Query, lists: Lists) -> Result<Planned, QueryError> {
        let mut planned = self.source(q)?;
        let matrix = matches!(planned.source, Source::Matrix(_));
        if matrix && let Some(c) = q.count_by.first().or(q.show.first()) {
            return Err(QueryError::new(
                c.span,
                "`matrix` takes `among`, `where`, `sort by` and `limit`, not `count by` or `show`",
            ));
        }
        self.plan_filter(q, &mut planned)?;
        self.plan_count_by(q, &mut planned)?;
        plan_sort_by(q, &mut planned)?;
        if let Some(limit) = &q.limit {
            let rows = limit.rows.min(u64::from(IdxSize::MAX)) as IdxSize;
            planned.steps.push(Step::Limit(rows));
        }
        plan_lists(q, lists, &mut planned);
        plan_show(q, &mut planned)?;
        if matrix {
            // The studies in scope become columns when the plan runs (the
            // `among` set is not run here): the info has the matrix's own
            // columns only.
            planned.info = crate::query::table::matrix_info(&planned.info, &[]);
            planned.after.push(AfterCollect::Widen);
        }
        Ok(planned)
    }

    /// `where`: the condition, less the `has` terms the links answered.
    fn plan_filter(&self, q: &Query, planned: &mut Planned) -> Result<(), QueryError> {
        if let Some(cond) = &q.filter {
            filter::check_decimals(&planned.info, cond, self.exact_decimals())?;
            let applied = |term: &_| {
                (planned.pending.as_ref())
                    .filter(|p| p.has_applied)
                    .is_some_and(|p| filter::has_item(term, p.list.names().0).is_some())
            };
            for predicate in filter::condition_without(&planned.info, cond, applied)? {
                planned.steps.push(match predicate {
                    filter::Predicate::Whole(whole) => Step::Filter(whole),
                    filter::Predicate::InParts { parts, any } => Step::FilterInParts { parts, any },
                });
            }
        }
        Ok(())
    }

    /// `count by`: one row per distinct key, with its count, most first.
    fn plan_count_by(&self, q: &Query, planned: &mut Planned) -> Result<(), QueryError> {
        if !q.count_by.is_empty() {
            let mut columns: Vec<(String, ColumnType)> = Vec::new();
            for ident in &q.count_by {
                let (name, ty) = planned.info.resolve(ident)?;
                if let ColumnType::List(_) = ty {
                    return Err(QueryError::new(
                        ident.span,
                        format!("cannot count by the list column `{name}`"),
                    ));
                }
                if name.eq_ignore_ascii_case(COUNT) {
                    return Err(QueryError::new(
                        ident.span,
                        format!(
                            "cannot count by a column named `{name}`: the counts go in a column of that name"
                        ),
                    ));
                }
                if columns.iter().any(|(c, _)| *c == name) {
                    return Err(QueryError::new(
                        ident.span,
                        format!("`{name}` is named twice in `count by`"),
                    ));
                }
                columns.push((name, ty));
            }
            let keys = columns.iter().map(|(k, _)| col(k.as_str())).collect();
            planned.steps.push(Step::CountBy { keys, count: COUNT });
            columns.push((COUNT.to_string(), ColumnType::Number));
            planned.info = TableInfo {
                kind: TableKind::Counts,
                columns,
            };
        }
        Ok(())
    }

    /// The rows a query starts from: a table (with computed columns among
    /// the `among` set) or a bound name.
    fn source(&self, q: &Query) -> Result<Planned, QueryError> {
        let span = q.source.span;
        let mut pending = None;
        let (kind, source, scope) = match &q.source.kind {
            SourceKind::Findings => self.view(q, views::ListOf::StudiesOfFindings, &mut pending)?,
            SourceKind::Studies => self.view(q, views::ListOf::FindingsOfStudies, &mut pending)?,
            SourceKind::Profile => (
                TableKind::Profile,
                Source::Profile,
                self.plan_scope(q, TableKind::Studies)?,
            ),
            SourceKind::Matrix => {
                let options = views::ViewOptions {
                    keep: pushdown::decided_by_stored(&self.dataset, q, TableKind::Findings),
                    ..Default::default()
                };
                let scope = self.plan_scope(q, TableKind::Studies)?;
                (TableKind::Findings, Source::Matrix(options), scope)
            }
            SourceKind::Name(name) => {
                let binding = self.binding(name, span)?;
                self.no_among(q)?;
                let rows = binding.frame.clone().lazy();
                (binding.kind, Source::Rows(rows), Scope::All)
            }
            stored => {
                self.no_among(q)?;
                let (kind, rows) = self.stored(stored);
                let rows = rows.map_err(|e| polars_error(span, e))?;
                (kind, Source::Rows(in_id_order(kind, rows)), Scope::All)
            }
        };
        // The columns do not depend on the scope: the frame among every
        // study or finding has them all.
        let mut frame = (self.source_frame(&source, None)).map_err(|e| polars_error(span, e))?;
        let mut info = self.info_of(kind, &mut frame, span)?;
        if let Some(Pending {
            list,
            lists_later: true,
            ..
        }) = &pending
        {
            // The list column comes last, but queries see it where it will be.
            let (name, _, _) = list.names();
            let at = info
                .columns
                .iter()
                .position(|(c, _)| c == list.follows())
                .map_or(0, |i| i + 1);
            let ty = ColumnType::List(&ColumnType::Number);
            info.columns.insert(at, (name.to_string(), ty));
        }
        Ok(Planned {
            info,
            source,
            scope,
            steps: Vec::new(),
            pending,
            after: Vec::new(),
        })
    }

    /// A table read as stored (papers, evidence) or as written in the
    /// review's text (claims, citations, search): no computed columns.
    fn stored(&self, source: &SourceKind) -> SourceRows {
        let def = crate::query::registry::of_source(source);
        let kind = def.map_or(TableKind::Counts, |d| d.kind);
        let rows = match def.and_then(|d| d.rows.stored(&self.dataset)) {
            Some(rows) => rows,
            // A table with computed columns has a view of its own.
            None => Err(polars_err!(ComputeError: "`{}` is not read as stored", source.name())),
        };
        (kind, rows.map(DataFrame::lazy))
    }

    /// The findings or studies view (the rows `list` belongs to) for `q`,
    /// built as [`pushdown::view_options`] allows; what it leaves for later
    /// goes to `pending`.
    fn view(
        &self,
        q: &Query,
        list: views::ListOf,
        pending: &mut Option<Pending>,
    ) -> Result<(TableKind, Source, Scope), QueryError> {
        let (kind, set_kind) = crate::query::table::list_tables(list);
        if let Some(linked_to) = pushdown::stored_only(&self.dataset, q, list) {
            let rows = pushdown::stored_rows(&self.dataset, list, &linked_to)
                .map_err(|e| polars_error(q.source.span, e))?;
            if !linked_to.is_empty() {
                // The `has` terms are answered: the condition checks them
                // against the list column (never built), and skips them.
                *pending = Some(Pending {
                    list,
                    lists_later: true,
                    has_applied: true,
                });
            }
            return Ok((kind, Source::Rows(rows), Scope::All));
        }
        let scope = self.plan_scope(q, set_kind)?;
        let options = pushdown::view_options(&self.dataset, q, list);
        *pending = Some(Pending {
            list,
            lists_later: options.lists_later,
            has_applied: !options.linked_to.is_empty(),
        });
        Ok((kind, Source::View { list, options }, scope))
    }

    fn info_of(
        &self,
        kind: TableKind,
        frame: &mut LazyFrame,
        span: Span,
    ) -> Result<TableInfo, QueryError> {
        let schema = frame.collect_schema().map_err(|e| polars_error(span, e))?;
        Ok(TableInfo::new(kind, &schema))
    }

    fn binding(&self, name: &str, span: Span) -> Result<&Binding, QueryError> {
        self.lets.get(name).ok_or_else(|| {
            let mut names: Vec<&str> = metasum_query::ast::TABLES
                .iter()
                .map(SourceKind::name)
                .collect();
            names.extend(self.lets.keys().map(String::as_str));
            let shown = metasum_query::error::excerpt(name);
            let mut err = QueryError::new(span, format!("unknown table or name `{shown}`")).hint(
                format!("tables and names bound so far: {}", names.join(", ")),
            );
            if let Some(best) = did_you_mean(name, &names) {
                err = err.hint(format!("did you mean `{best}`?"));
            }
            err
        })
    }

    fn no_among(&self, q: &Query) -> Result<(), QueryError> {
        match &q.among {
            Some(set) => Err(QueryError::new(
                set.span,
                format!(
                    "`among` works on findings and studies, not on `{}`",
                    q.source.kind.name()
                ),
            )),
            None => Ok(()),
        }
    }

    /// The `among` set of `q`, whose rows must be of `expected`: planned,
    /// to run when the query runs.
    pub(crate) fn plan_scope(&self, q: &Query, expected: TableKind) -> Result<Scope, QueryError> {
        let Some(set) = &q.among else {
            return Ok(Scope::All);
        };
        let (kind, has_id, scope) = match &set.kind {
            SetKind::Name(name) => {
                let b = self.binding(name, set.span)?;
                let has_id = b.frame.column("id").is_ok();
                (
                    b.kind,
                    has_id,
                    Scope::Ids {
                        frame: Box::new(b.frame.clone().lazy()),
                        span: set.span,
                    },
                )
            }
            SetKind::Query(inner) => match pushdown::stored_set(&self.dataset, inner) {
                Some((kind, ids)) => {
                    let frame = Box::new(ids);
                    (
                        kind,
                        true,
                        Scope::Ids {
                            frame,
                            span: set.span,
                        },
                    )
                }
                None => {
                    // Only the ids are used: no lists.
                    let plan = self.plan(inner, Lists::Skipped)?;
                    let has_id = plan.info.columns.iter().any(|(c, _)| c == "id");
                    let span = inner.span;
                    let plan = Box::new(plan);
                    (plan.info.kind, has_id, Scope::Query { plan, span })
                }
            },
        };
        if kind != expected {
            return Err(QueryError::new(
                set.span,
                format!(
                    "`{} among` needs a set of {}, but this is a set of {}",
                    q.source.kind.name(),
                    expected.name(),
                    kind.name()
                ),
            ));
        }
        if !has_id {
            return Err(QueryError::new(
                set.span,
                "the `among` set has no `id` column (it was cut by `show` or `count by`)",
            ));
        }
        Ok(scope)
    }
}
