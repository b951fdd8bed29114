//! Planning a query: its source (a view, the profile, a matrix, stored or
//! bound rows), its scope (`among`), then each clause as a step with its
//! columns resolved. Collects nothing ([`crate::query::plan`]).

use super::*;

impl Session {
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
            let lead = self.dataset.meta.matrix_lead();
            planned.info = crate::query::table::matrix_info(&planned.info, &lead, &[]);
            planned.after.push(AfterCollect::Widen);
        }
        Ok(planned)
    }

    /// `where`: the condition, less the `has` terms the links answered.
    fn plan_filter(&self, q: &Query, planned: &mut Planned) -> Result<(), QueryError> {
        if let Some(cond) = &q.filter {
            filter::check_decimals(&planned.info, cond, self.exact_decimals())?;
            let kind = planned.info.kind;
            filter::check_codes(&planned.info, cond, |c| self.codes_of(kind, c))?;
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
        let mut info = self.info_of(kind, &source, span)?;
        // Stored rows carry a pending list only when the links answered
        // their `has` terms.
        if let (Some(Pending { list, .. }), Source::Rows(_)) = (&pending, &source) {
            // Stored rows whose `has` terms the links answered: queries
            // see the list column (never built) where the view has it.
            let (name, _, _) = list.names();
            let at = (info.columns.iter())
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
            // In id order, as the view lists them (the file may not be).
            return Ok((kind, Source::Rows(in_id_order(kind, rows)), Scope::All));
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

    /// The columns of `source`'s rows, known without building them: the
    /// columns do not depend on the scope, nor on when a list comes.
    fn info_of(
        &self,
        kind: TableKind,
        source: &Source,
        span: Span,
    ) -> Result<TableInfo, QueryError> {
        let ds = &self.dataset;
        let schema = match source {
            Source::View { list, .. } => views::view_schema(ds, *list, false),
            Source::Matrix(_) => views::view_schema(ds, views::ListOf::StudiesOfFindings, false),
            Source::Profile => crate::analyses::profile::profile_schema(ds),
            Source::Rows(rows) => rows.clone().collect_schema().map(|s| (*s).clone()),
        };
        let schema = schema.map_err(|e| polars_error(span, e))?;
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

    /// The codes `dataset.toml` declares for `column` of rows of `kind`:
    /// `[quality]` for studies' quality, `[groups]` for the column that
    /// groups findings.
    fn codes_of(&self, kind: TableKind, column: &str) -> Option<Vec<&str>> {
        let meta = &self.dataset.meta;
        let codes = match kind {
            TableKind::Studies if column == "quality" => &meta.quality,
            TableKind::Findings | TableKind::Profile | TableKind::Matrix
                if meta.group_by.as_deref() == Some(column) =>
            {
                &meta.groups
            }
            _ => return None,
        };
        (!codes.is_empty()).then(|| codes.iter().map(|(c, _)| c.as_str()).collect())
    }

    /// [`pushdown::stored_set`], its condition's codes checked first (the
    /// set is never planned).
    fn stored_set(&self, inner: &Query) -> Result<Option<(TableKind, LazyFrame)>, QueryError> {
        let Some((kind, ids)) = pushdown::stored_set(&self.dataset, inner) else {
            return Ok(None);
        };
        if let Some(cond) = &inner.filter {
            let stored = match kind {
                TableKind::Findings => &self.dataset.findings,
                _ => &self.dataset.studies,
            };
            let info = TableInfo::new(kind, stored.schema());
            filter::check_codes(&info, cond, |c| self.codes_of(kind, c))?;
        }
        Ok(Some((kind, ids)))
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
            SetKind::Query(inner) => match self.stored_set(inner)? {
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
