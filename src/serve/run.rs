//! A request's work (its statements, parsed and run as the shell runs
//! them; a report, a worksheet or a download drawn) done on a clone of
//! the session, on a thread of its own, waited for at most the server's
//! timeout. At most [`Slots::most`] such threads run at once (one per
//! processor, at least two); a request waits for a free one within its
//! time. A statement runs to its end (polars cannot be interrupted), but
//! a request past its time is answered at once, the statements after the
//! running one never start, and its outcome is dropped: the server goes
//! on serving, and the thread keeps its slot until it ends. `let` names a
//! request binds are kept, in the shared session, only when all of its
//! statements ran, at most [`MAX_NAMES`] of them.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use metasum_engine::{Outcome, Session};
use metasum_query::Span;
use metasum_query::ast::{Statement, StatementKind};

use super::Shared;

/// The stack of the thread that runs a request: a statement nested as
/// deep as the parser allows is lowered recursively.
const STACK: usize = 16 * 1024 * 1024;

/// The most parse errors a request is told (a megabyte of `)` has a
/// third of a million).
pub const MAX_ERRORS: usize = 50;

/// The most `let` names the server keeps: each request runs on a copy of
/// them.
pub const MAX_NAMES: usize = 100;

/// The most bytes the rows of kept `let` names may hold.
pub const MAX_KEPT_BYTES: usize = 512 << 20;

/// The bytes the rows of `session`'s names hold (polars' estimate).
fn kept_bytes(session: &Session) -> usize {
    (session.lets().values())
        .map(|b| b.frame.estimated_size())
        .sum()
}

/// The threads that do requests' work, counted.
pub struct Slots {
    running: Mutex<usize>,
    freed: Condvar,
    /// How many may run at once.
    pub most: usize,
}

impl Slots {
    /// One slot per processor, at least two.
    pub fn new() -> Slots {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Slots {
            running: Mutex::new(0),
            freed: Condvar::new(),
            most: cores.max(2),
        }
    }

    /// Takes a slot, waiting for one until `deadline`.
    fn take(self: &Arc<Slots>, deadline: Instant) -> Option<Held> {
        let mut running = self.running.lock().ok()?;
        while *running >= self.most {
            let left = deadline.checked_duration_since(Instant::now())?;
            running = self.freed.wait_timeout(running, left).ok()?.0;
        }
        *running += 1;
        Some(Held(Arc::clone(self)))
    }
}

/// A slot, given back when dropped (when its thread ends).
struct Held(Arc<Slots>);

impl Drop for Held {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.running.lock() {
            *running -= 1;
            self.0.freed.notify_one();
        }
    }
}

/// A statement that ran, and what it gave.
pub struct Done {
    /// The statement.
    pub statement: Statement,
    /// Its rows, figure or bound name.
    pub outcome: Outcome,
}

/// Why a request's statements stopped before their end.
pub enum Failed {
    /// The text does not parse: the first [`MAX_ERRORS`] errors, and how
    /// many more there are.
    Parse(Vec<metasum_query::Error>, usize),
    /// A statement could not run.
    Run {
        /// Where: the token the error is about, else the statement.
        span: Span,
        /// Why.
        message: String,
        /// What may mend it ("did you mean ...").
        hints: Vec<String>,
    },
    /// The work ran past the timeout; statements after the one running
    /// then were not started.
    TimedOut(Duration),
    /// No slot came free within the timeout.
    Busy,
}

/// What a request's statements gave: those that ran, and why the rest
/// did not, if they did not.
pub struct Ran {
    /// The statements that ran, in order.
    pub done: Vec<Done>,
    /// Why the others did not.
    pub failed: Option<Failed>,
}

/// Where a request's thread stands: running, finished, or abandoned by
/// the connection that waited for it.
const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const ABANDONED: u8 = 2;

/// Whether the connection waiting for a job has given up on it.
pub struct Stop(Arc<AtomicU8>);

impl Stop {
    /// Whether to stop: the connection no longer waits.
    pub fn asked(&self) -> bool {
        self.0.load(Ordering::SeqCst) == ABANDONED
    }
}

/// Runs `job` on a clone of the shared session, on a thread of its own,
/// waiting at most the server's timeout (for a slot and the work): its
/// answer and the clone, or why there is none.
pub fn within<T: Send + 'static>(
    shared: &Shared,
    job: impl FnOnce(&mut Session, &Stop) -> T + Send + 'static,
) -> Result<(T, Session), Failed> {
    within_until(shared, Instant::now() + shared.timeout, job)
}

/// [`within`], waiting until `deadline` (a request that does two jobs
/// gives both one deadline).
pub fn within_until<T: Send + 'static>(
    shared: &Shared,
    deadline: Instant,
    job: impl FnOnce(&mut Session, &Stop) -> T + Send + 'static,
) -> Result<(T, Session), Failed> {
    let Some(held) = shared.slots.take(deadline) else {
        return Err(Failed::Busy);
    };
    let Ok(mut session) = shared.session.lock().map(|s| s.clone()) else {
        return Err(Failed::Busy);
    };
    let state = Arc::new(AtomicU8::new(RUNNING));
    let (send, receive) = mpsc::channel();
    let stop = Stop(Arc::clone(&state));
    let worker = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let _held = held;
            let answer = job(&mut session, &stop);
            let _ = send.send((answer, session));
            let _ =
                (stop.0).compare_exchange(RUNNING, FINISHED, Ordering::SeqCst, Ordering::SeqCst);
        });
    if worker.is_err() {
        return Err(Failed::Busy);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    match receive.recv_timeout(left) {
        Ok(answer) => Ok(answer),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            match state.compare_exchange(RUNNING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => Err(Failed::TimedOut(shared.timeout)),
                // It has just finished: its answer is on its way.
                Err(_) => receive.recv().map_err(|_| Failed::TimedOut(shared.timeout)),
            }
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failed::Run {
            span: Span::new(0, 0),
            message: "the statements failed unexpectedly".into(),
            hints: Vec::new(),
        }),
    }
}

/// Parses and runs `text` on a clone of the shared session; with `keep`,
/// the names it binds are kept for later requests.
pub fn run(shared: &Shared, text: &str, keep: bool) -> Ran {
    run_until(shared, text, keep, None, Instant::now() + shared.timeout)
}

/// [`run`] of the statements up to the `upto`th (from 0; all with
/// `None`), waiting until `deadline`.
pub fn run_until(
    shared: &Shared,
    text: &str,
    keep: bool,
    upto: Option<usize>,
    deadline: Instant,
) -> Ran {
    let text = text.to_string();
    let job = move |session: &mut Session, stop: &Stop| match metasum_query::parse(&text) {
        Ok(mut script) => {
            script
                .statements
                .truncate(upto.map_or(usize::MAX, |i| i + 1));
            statements(session, script.statements, stop)
        }
        Err(mut errors) => {
            if let Some(dot) = (errors.iter()).find_map(|e| dot_command(&text, e.span.start)) {
                return failed(dot);
            }
            let more = errors.len().saturating_sub(MAX_ERRORS);
            errors.truncate(MAX_ERRORS);
            failed(Failed::Parse(errors, more))
        }
    };
    match within_until(shared, deadline, job) {
        Ok((ran, session)) => {
            if keep && ran.failed.is_none() {
                keep_names(shared, &ran, session);
            }
            ran
        }
        Err(why) => failed(why),
    }
}

/// The shell's dot command (`.tables`, `.output FILE`) that a parse error
/// at `at` is about, if the error is at the start of a line that starts
/// with `.`: refused in words, since the page runs statements only (what
/// the commands show, it shows beside the box; what they write, it
/// downloads). The parser stops at each such line and resumes after it,
/// so one parse finds them all.
fn dot_command(text: &str, at: usize) -> Option<Failed> {
    let line = text.get(at..)?;
    let at_line_start = at == 0 || text[..at].ends_with('\n');
    if !(at_line_start && line.starts_with('.')) {
        return None;
    }
    let word = line.split_whitespace().next().unwrap_or(".");
    Some(Failed::Run {
        span: Span::new(at, at + word.len()),
        message: format!(
            "`{word}` is a command of the shell, not a statement: the page runs statements"
        ),
        hints: vec![
            "the review's tables are listed beside the box; a result downloads in any format"
                .into(),
        ],
    })
}

/// Runs `statements` in order until one fails or the request is
/// abandoned.
fn statements(session: &mut Session, statements: Vec<Statement>, stop: &Stop) -> Ran {
    let mut done = Vec::new();
    for statement in statements {
        if stop.asked() {
            break;
        }
        if let StatementKind::Let { name, .. } = &statement.kind
            && !session.lets().contains_key(&name.name)
            && session.lets().len() >= MAX_NAMES
        {
            let failed = Failed::Run {
                span: name.span,
                message: format!("the server keeps at most {MAX_NAMES} `let` names"),
                hints: vec!["bind one of the names already kept again".into()],
            };
            return Ran {
                done,
                failed: Some(failed),
            };
        }
        match session.execute(&statement) {
            Ok(Outcome::Bound(name)) if kept_bytes(session) > MAX_KEPT_BYTES => {
                let failed = Failed::Run {
                    span: statement.span,
                    message: format!(
                        "the names kept would hold {} MB: the server keeps at most {} MB of `let` results",
                        kept_bytes(session) >> 20,
                        MAX_KEPT_BYTES >> 20
                    ),
                    hints: vec![format!(
                        "bind `{name}` to fewer rows or columns (`show`, `limit`)"
                    )],
                };
                return Ran {
                    done,
                    failed: Some(failed),
                };
            }
            Ok(outcome) => done.push(Done { statement, outcome }),
            Err(e) => {
                let query = e.as_query();
                let failed = Failed::Run {
                    span: query.map_or(statement.span, |q| q.span),
                    message: query.map_or_else(|| e.to_string(), |q| q.message.clone()),
                    hints: query.map(|q| q.hints.clone()).unwrap_or_default(),
                };
                return Ran {
                    done,
                    failed: Some(failed),
                };
            }
        }
    }
    Ran { done, failed: None }
}

/// Keeps in the shared session the names `ran` bound (in `session`, its
/// clone), and tells completion of them (after the session's lock is
/// given back: learning a name's values reads its rows).
fn keep_names(shared: &Shared, ran: &Ran, session: Session) {
    let kept = {
        let Ok(mut kept) = shared.session.lock() else {
            return;
        };
        for done in &ran.done {
            if let Outcome::Bound(name) = &done.outcome
                && let Some(binding) = session.lets().get(name)
                && (kept.lets().contains_key(name) || kept.lets().len() < MAX_NAMES)
            {
                kept.bind(name.clone(), binding.clone());
            }
        }
        kept.clone()
    };
    if let Ok(mut helper) = shared.helper.lock() {
        helper.refresh_lets(&kept);
    }
}

fn failed(why: Failed) -> Ran {
    Ran {
        done: Vec::new(),
        failed: Some(why),
    }
}
