//! A request's statements, run as the shell runs them but on a clone of
//! the session, on a thread of their own, waited for at most the
//! server's timeout. A statement runs to its end (polars cannot be
//! interrupted), but a request past its time is answered at once, the
//! statements after the running one never start, and its outcome is
//! dropped: the server goes on serving. While [`MAX_OVERDUE`] such
//! requests still run, new statements are refused (503) rather than
//! piled onto the processor. `let` names a request binds are kept, in the
//! shared session, only when all of its statements ran.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use metasum_engine::{Outcome, Session};
use metasum_query::Span;
use metasum_query::ast::Statement;

use super::Shared;

/// The most requests past their time whose statement still runs.
pub const MAX_OVERDUE: usize = 2;

/// The stack of the thread that runs a request: a statement nested as
/// deep as the parser allows is lowered recursively.
const STACK: usize = 16 * 1024 * 1024;

/// A statement that ran, and what it gave.
pub struct Done {
    /// The statement.
    pub statement: Statement,
    /// Its rows, figure or bound name.
    pub outcome: Outcome,
}

/// Why a request's statements stopped before their end.
pub enum Failed {
    /// The text does not parse.
    Parse(Vec<metasum_query::Error>),
    /// A statement could not run.
    Run {
        /// Where: the token the error is about, else the statement.
        span: Span,
        /// Why.
        message: String,
        /// What may mend it ("did you mean ...").
        hints: Vec<String>,
    },
    /// The statements ran past the timeout; those after the one running
    /// then were not started.
    TimedOut(Duration),
    /// Requests past their time still run: none is started.
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
/// waiting at most the server's timeout: its answer and the clone, or why
/// there is none.
pub fn within<T: Send + 'static>(
    shared: &Shared,
    job: impl FnOnce(&mut Session, &Stop) -> T + Send + 'static,
) -> Result<(T, Session), Failed> {
    if shared.overdue.load(Ordering::SeqCst) >= MAX_OVERDUE {
        return Err(Failed::Busy);
    }
    let Ok(mut session) = shared.session.lock().map(|s| s.clone()) else {
        return Err(Failed::Busy);
    };
    let state = Arc::new(AtomicU8::new(RUNNING));
    let (send, receive) = mpsc::channel();
    let worker = {
        let (stop, overdue) = (Stop(Arc::clone(&state)), Arc::clone(&shared.overdue));
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                let answer = job(&mut session, &stop);
                let _ = send.send((answer, session));
                finish(&stop.0, &overdue);
            })
    };
    if worker.is_err() {
        return Err(Failed::Busy);
    }
    match receive.recv_timeout(shared.timeout) {
        Ok(answer) => Ok(answer),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            abandon(shared, &state, &receive).ok_or(Failed::TimedOut(shared.timeout))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failed::Run {
            span: Span::new(0, 0),
            message: "the statements failed unexpectedly".into(),
            hints: Vec::new(),
        }),
    }
}

/// Runs `text` on a clone of the shared session; with `keep`, the names
/// it binds are kept for later requests.
pub fn run(shared: &Shared, text: &str, keep: bool) -> Ran {
    let script = match metasum_query::parse(text) {
        Ok(script) => script,
        Err(errors) => return failed(Failed::Parse(errors)),
    };
    let job =
        move |session: &mut Session, stop: &Stop| statements(session, script.statements, stop);
    match within(shared, job) {
        Ok((ran, session)) => {
            if keep && ran.failed.is_none() {
                keep_names(shared, &ran, &session);
            }
            ran
        }
        Err(why) => failed(why),
    }
}

/// Gives up waiting for a job's thread (unless it has just finished:
/// then its answer).
fn abandon<T>(shared: &Shared, state: &AtomicU8, receive: &mpsc::Receiver<T>) -> Option<T> {
    // Counted first, so that the thread, finding itself abandoned, never
    // takes back what was not yet added.
    shared.overdue.fetch_add(1, Ordering::SeqCst);
    match state.compare_exchange(RUNNING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => None,
        Err(_) => {
            shared.overdue.fetch_sub(1, Ordering::SeqCst);
            receive.recv().ok()
        }
    }
}

/// Marks a job's thread finished; an abandoned one is no longer overdue.
fn finish(state: &AtomicU8, overdue: &AtomicUsize) {
    if (state.compare_exchange(RUNNING, FINISHED, Ordering::SeqCst, Ordering::SeqCst)).is_err() {
        overdue.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `statements` in order until one fails or the request is
/// abandoned.
fn statements(session: &mut Session, statements: Vec<Statement>, stop: &Stop) -> Ran {
    let mut done = Vec::new();
    for statement in statements {
        if stop.asked() {
            break;
        }
        match session.execute(&statement) {
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
/// clone), and tells completion of them.
fn keep_names(shared: &Shared, ran: &Ran, session: &Session) {
    let Ok(mut kept) = shared.session.lock() else {
        return;
    };
    for done in &ran.done {
        if let Outcome::Bound(name) = &done.outcome
            && let Some(binding) = session.lets().get(name)
        {
            kept.bind(name.clone(), binding.clone());
        }
    }
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
