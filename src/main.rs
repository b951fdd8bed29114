//! The `metasum` binary: command line, REPL and script runner around one
//! [`executor::Executor`].

mod cli;
mod dot;
mod executor;
mod kept;
mod limits;
mod output;
mod render;
mod repl;
mod save;
mod schema;
mod serve;
mod source;
mod target;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use metasum_engine::{Dataset, Format, Session, check};

use cli::{Cli, Command};
use executor::Executor;
use output::{Sink, errln, error};
use target::{FileKind, Target};

fn main() -> ExitCode {
    if let Err(e) = limits::prepare() {
        error!("{e}");
        return ExitCode::from(1);
    }
    // An interrupted run (Ctrl-C, SIGTERM) leaves no temporary file behind;
    // what it was writing stays as it was.
    let _ = ctrlc::set_handler(|| {
        metasum_engine::atomic::remove_unfinished();
        std::process::exit(130);
    });
    let mut cli = Cli::parse();
    if cli.query.is_some() && cli.command.is_some() {
        cli::refuse(
            ErrorKind::ArgumentConflict,
            "-c cannot be combined with a subcommand",
        );
    }
    if let Some(Command::Import {
        files,
        studies_by,
        positions,
        line_ends,
    }) = &cli.command
    {
        let options = metasum_engine::import::qda::Options {
            studies_by: *studies_by,
            unit: *positions,
            line_ends: *line_ends,
        };
        return import(&cli, files, &options);
    }
    cli.find_data();
    refuse_export_onto_its_data(&cli);
    let dataset = match load(&cli) {
        Ok(ds) => ds,
        Err(e) => {
            error!("{e}");
            return ExitCode::from(1);
        }
    };
    match &cli.command {
        Some(Command::Export { target }) => return export(&dataset, target),
        Some(Command::Serve {
            port,
            open,
            address,
            scripts,
            timeout,
        }) => {
            // A review kept as one workbook has its scripts beside it.
            let folder = (cli.data.as_ref()).map(|d| match d.is_file() {
                true => d.parent().unwrap_or(Path::new(".")).to_path_buf(),
                false => d.clone(),
            });
            let csv_cells = match cli.raw {
                true => metasum_engine::format::CsvCells::Raw,
                false => metasum_engine::format::CsvCells::Guarded,
            };
            let options = serve::Options {
                address: *address,
                port: *port,
                open: *open,
                scripts: scripts.clone().or_else(|| Some(folder?.join("queries"))),
                scripts_named: scripts.is_some(),
                timeout: std::time::Duration::from_secs(*timeout),
                files: metasum_engine::format::Options {
                    csv_cells,
                    dpi: cli.dpi,
                    ..Default::default()
                },
            };
            let mut session = Session::new(dataset);
            session.set_threshold(cli.threshold);
            return serve::serve(session, &options);
        }
        Some(Command::Report) => return document(&cli, dataset, Document::Report),
        Some(Command::Worksheet { finding }) => {
            return document(&cli, dataset, Document::Worksheet(finding));
        }
        _ => {}
    }
    let to_stdout = cli.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    if let (Some(format), true) = (cli.format.filter(|f| f.is_binary()), to_stdout) {
        cli::refuse(
            ErrorKind::MissingRequiredArgument,
            format!(
                "--format {0} needs --output FILE.{0}: it is a binary file",
                format.name()
            ),
        );
    }
    if let Some(Command::Check) = cli.command {
        return check(&dataset);
    }
    statements(&cli, dataset)
}

/// `metasum export TARGET`.
fn export(dataset: &Dataset, target: &Path) -> ExitCode {
    match metasum_engine::export::export(dataset, target) {
        Ok(()) => {
            errln!("wrote {}", target.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            error!("{e}");
            ExitCode::from(1)
        }
    }
}

/// `metasum check`: the review against itself, on stdout.
fn check(dataset: &Dataset) -> ExitCode {
    match check::check(dataset) {
        Ok(report) => match output::print_stdout(&report.to_string()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                error!("could not write the report: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            error!("could not compute the report: {e}");
            ExitCode::from(1)
        }
    }
}

/// Statements run on `dataset`: the shell on a terminal, else `-c`,
/// `run FILE...`, `diff` or a script on stdin, their results to stdout or
/// the --output file.
fn statements(cli: &Cli, dataset: Dataset) -> ExitCode {
    let interactive =
        cli.query.is_none() && cli.command.is_none() && std::io::stdin().is_terminal();
    let file = (cli.output.as_deref()).filter(|p| p.as_os_str() != "-");
    // Results written over the data they came from would lose the review.
    let inputs = dataset_inputs(cli);
    let scripts: &[PathBuf] = match &cli.command {
        Some(Command::Run { files }) => files,
        _ => &[],
    };
    refuse_output_over_its_inputs(file, scripts, &inputs);
    let kind = file.map(FileKind::of);
    let format = output_format(cli, file, kind);
    let opened = if interactive {
        Sink::shell_output(cli.output.as_deref())
    } else {
        Sink::output(cli.output.as_deref())
    };
    let sink = match opened {
        Ok(sink) => sink,
        Err(e) => {
            let path = cli.output.as_deref().unwrap_or(Path::new("-"));
            error!("cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let mut session = Session::new(dataset);
    session.set_threshold(cli.threshold);
    let mut executor = Executor::new(session, format, sink, cli.keep_going);
    if let Some(dir) = &cli.output_dir {
        if let Err(code) = make_save_dir(dir) {
            return code;
        }
        executor.set_save_dir(Some(dir.clone()));
    }
    executor.protect_inputs(&inputs);
    executor.protect_scripts(scripts);
    executor.dpi = cli.dpi;
    executor.cache_folder = cli.cache_folder();
    if cli.raw {
        executor.set_csv_cells(metasum_engine::format::CsvCells::Raw);
    }
    if let (Some(kind), false) = (kind, interactive) {
        let _ = executor.set_target(Some(Target::new(kind)));
    }
    if interactive {
        repl::run(executor);
        return ExitCode::SUCCESS;
    }
    batch(cli, executor)
}

/// `--output FILE` naming a script the run reads or a file of its
/// dataset: a usage error before anything runs.
fn refuse_output_over_its_inputs(file: Option<&Path>, scripts: &[PathBuf], inputs: &[PathBuf]) {
    if let Some(path) = file.filter(|p| save::names_one_of(p, scripts)) {
        cli::refuse(
            ErrorKind::ArgumentConflict,
            format!(
                "--output {} is the script this run reads: results would replace the script",
                path.display()
            ),
        );
    }
    if let Some(path) = file.filter(|p| save::names_one_of(p, inputs)) {
        cli::refuse(
            ErrorKind::ArgumentConflict,
            format!(
                "--output {} is a file of the dataset this run reads (--data, --compare): results would replace the data",
                path.display()
            ),
        );
    }
}

/// The format results are written in: --format, else the one the output
/// file's extension names, else a table on a terminal and CSV elsewhere.
/// A --format the file contradicts, or given for a figure's file, is a
/// usage error.
fn output_format(cli: &Cli, file: Option<&Path>, kind: Option<FileKind>) -> Format {
    match (cli.format, kind.and_then(FileKind::format)) {
        (Some(chosen), Some(named)) if chosen != named => {
            let (path, kind) = (
                file.unwrap_or(Path::new("-")),
                kind.unwrap_or(FileKind::Other),
            );
            cli::refuse(
                ErrorKind::ArgumentConflict,
                format!(
                    "--format {} contradicts --output {}, {}: leave --format out, or change the file's extension",
                    chosen.name(),
                    path.display(),
                    kind.name()
                ),
            );
        }
        (Some(chosen), _) if kind.is_some_and(FileKind::holds_one_figure) => {
            let kind = kind.unwrap_or(FileKind::Other);
            cli::refuse(
                ErrorKind::ArgumentConflict,
                format!(
                    "--format {} does not apply to {}, which holds one figure: leave --format out",
                    chosen.name(),
                    kind.name()
                ),
            );
        }
        (Some(chosen), _) => chosen,
        (None, Some(named)) => named,
        (None, None) if cli.output.is_none() && std::io::stdout().is_terminal() => Format::Table,
        (None, None) => Format::Csv,
    }
}

/// `--output-dir DIR` made if missing; `Err` with the exit code when it is
/// a file (a usage error) or cannot be made.
fn make_save_dir(dir: &Path) -> Result<(), ExitCode> {
    if dir.exists() && !dir.is_dir() {
        error!("--output-dir {} is a file, not a folder", dir.display());
        return Err(ExitCode::from(2));
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        error!("cannot make the folder {}: {}", dir.display(), e.kind());
        return Err(ExitCode::from(1));
    }
    Ok(())
}

/// A batch run: `-c`, `run FILE...`, `diff` or a script on stdin, its JSON
/// one document written when it ends; exit 0, 1 (a statement failed) or
/// 2 (a usage error).
fn batch(cli: &Cli, mut executor: Executor) -> ExitCode {
    executor.one_json_document();
    let ok = match (&cli.query, &cli.command) {
        (Some(query), _) => executor.run_source("-c", query, 1),
        (None, Some(Command::Run { files })) => executor.run_files(files),
        (None, Some(Command::Diff { .. })) => {
            let ok = executor.run_source("diff", "changes; fes_changes", 1);
            match metasum_engine::diff::summary(executor.session.dataset(), cli.threshold) {
                Ok(summary) => errln!("{summary}"),
                Err(e) => error!("{e}"),
            }
            ok
        }
        _ => executor.run_file(Path::new("-")),
    };
    let ok = ok && executor.target_complete();
    let usage_error = executor.usage_error();
    if executor.finish(ok) {
        ExitCode::SUCCESS
    } else if usage_error {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// `metasum export TARGET` onto the dataset the run reads, however it is
/// spelled: a usage error before anything is read.
fn refuse_export_onto_its_data(cli: &Cli) {
    let Some(Command::Export { target }) = &cli.command else {
        return;
    };
    // Written over the dataset it reads, an export would drop what
    // metasum does not read back (a workbook's own sheets, the
    // comments of dataset.toml): as `--output` and `save`, refused.
    let mut read_from = dataset_inputs(cli);
    read_from.extend(cli.data.iter().chain(&cli.compare).cloned());
    if save::names_one_of(target, &read_from) {
        cli::refuse(
            ErrorKind::ArgumentConflict,
            format!(
                "export {} is a dataset this run reads (--data, --compare): it would be replaced by metasum's copy, losing what metasum does not read (your own sheets, comments); export to a new folder or workbook",
                target.display()
            ),
        );
    }
}

/// The files the run reads its datasets from (`--data`, `--compare`, or
/// `diff`'s two), which nothing it writes may replace.
fn dataset_inputs(cli: &Cli) -> Vec<PathBuf> {
    let paths: Vec<&PathBuf> = match &cli.command {
        Some(Command::Diff { old, new }) => vec![old, new],
        _ => cli.data.iter().chain(&cli.compare).collect(),
    };
    paths
        .into_iter()
        .flat_map(|p| save::dataset_files(p))
        .collect()
}

/// The dataset named by `--data` / `METASUM_DATA` (the NEW of `diff`),
/// else the embedded seed; compared with `--compare OLD` (the OLD of
/// `diff`) when given.
fn load(cli: &Cli) -> metasum_engine::Result<Dataset> {
    let (data, compare) = match &cli.command {
        Some(Command::Diff { old, new }) => (Some(new), Some(old)),
        _ => (cli.data.as_ref(), cli.compare.as_ref()),
    };
    let cache = cli.cache_folder();
    let dataset = match data {
        Some(dir) => Dataset::load_cached(dir, cache.as_deref())?,
        None => Dataset::seed()?,
    };
    // A folder's evidence links are read when a statement first needs
    // them; the commands that use every file read them now, so that their
    // problems are told as a dataset's that cannot be loaded.
    if cli.command.as_ref().is_some_and(Command::reads_every_file) {
        dataset.load_links()?;
    }
    Ok(match compare {
        Some(old) => {
            let old = Dataset::load_cached(old, cache.as_deref())?;
            old.load_links()?;
            metasum_engine::diff::compare(
                dataset,
                metasum_engine::diff::Previous {
                    dataset: old,
                    crossing: cli.crossing,
                },
            )
        }
        None => dataset,
    })
}

/// A document a subcommand writes whole: the review's report (HTML) or a
/// finding's worksheet (Markdown).
enum Document<'a> {
    /// `metasum report`.
    Report,
    /// `metasum worksheet FINDING`.
    Worksheet(&'a str),
}

impl Document<'_> {
    /// The kind of file it goes into, and what the file's name must end in.
    fn kind(&self) -> (FileKind, &'static str) {
        match self {
            Document::Report => (
                FileKind::Html,
                "the report is an HTML page: --output {} must end in .html",
            ),
            Document::Worksheet(_) => (
                FileKind::Rows(Format::Markdown),
                "the worksheet is Markdown: --output {} must end in .md",
            ),
        }
    }

    /// Its name in messages.
    fn name(&self) -> &'static str {
        match self {
            Document::Report => "report",
            Document::Worksheet(_) => "worksheet",
        }
    }
}

/// `metasum report` and `metasum worksheet`: a document to stdout, or
/// written whole to an --output file whose name says its kind (or a device
/// or pipe, such as /dev/stdout).
fn document(cli: &Cli, dataset: Dataset, document: Document) -> ExitCode {
    let name = document.name();
    if let Some(format) = cli.format {
        cli::refuse(
            ErrorKind::ArgumentConflict,
            format!(
                "--format {} does not apply to {name}, which is one document",
                format.name()
            ),
        );
    }
    let file = (cli.output.as_deref()).filter(|p| p.as_os_str() != "-");
    if let Some(path) = file {
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let (kind, must) = document.kind();
        if FileKind::of(path) != kind && !special {
            cli::refuse(
                ErrorKind::InvalidValue,
                must.replace("{}", &path.display().to_string()),
            );
        }
    }
    // Opened first: a path that cannot be written is told before the work.
    let mut sink = match Sink::output(file) {
        Ok(sink) => sink,
        Err(e) => {
            let path = file.unwrap_or(Path::new("-"));
            error!("cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let mut session = Session::new(dataset);
    session.set_threshold(cli.threshold);
    let made = match document {
        Document::Report => metasum_engine::report::report(&mut session),
        Document::Worksheet(finding) => metasum_engine::worksheet::worksheet(&mut session, finding),
    };
    let text = match made {
        Ok(text) => text,
        Err(e) => {
            error!("could not make the {name}: {e}");
            return ExitCode::from(1);
        }
    };
    match sink.write(&text).and_then(|()| sink.commit()) {
        Ok(()) => {
            if let Some(path) = file {
                errln!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let path = file.unwrap_or(Path::new("-"));
            error!("could not write {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

/// `metasum import FILE...`: references, or a QDA project, added to the
/// --data folder.
fn import(
    cli: &Cli,
    files: &[std::path::PathBuf],
    options: &metasum_engine::import::qda::Options,
) -> ExitCode {
    use metasum_engine::import::qda;
    let Some(folder) = &cli.data else {
        cli::refuse(
            ErrorKind::MissingRequiredArgument,
            "import adds to a dataset folder: give it with --data DIR (made when missing)",
        );
    };
    let projects = files.iter().filter(|f| qda::is_project(f)).count();
    let qda_options =
        options.studies_by.is_some() || options.unit.is_some() || options.line_ends.is_some();
    match (projects, files.len()) {
        (1, 1) => {
            return imported(qda::import_project(folder, &files[0], options).map(|done| {
                print_project_import(folder, &done);
            }));
        }
        (0, _) if qda_options => cli::refuse(
            ErrorKind::ArgumentConflict,
            "--studies-by, --positions and --line-ends are for a QDA project (.qdpx, .qde, .qdc)",
        ),
        (0, _) => {}
        _ => cli::refuse(
            ErrorKind::ArgumentConflict,
            "import reads one QDA project (.qdpx, .qde, .qdc) at a time, without reference files",
        ),
    }
    imported(metasum_engine::import::import(folder, files).map(|done| {
        print_reference_import(folder, &done);
    }))
}

/// What a QDA project import did, on stderr.
fn print_project_import(folder: &Path, done: &metasum_engine::import::qda::QdaImported) {
    use metasum_engine::format::count_of;
    for note in &done.notes {
        errln!("{note}");
    }
    // The first ids, and how many more: 200,000 codes are no line to read.
    let ids = |rows: &[(String, String)]| {
        let ids: Vec<&str> = rows.iter().take(20).map(|(id, _)| id.as_str()).collect();
        match rows.len() {
            n if n > 20 => format!("{}, and {} more", ids.join(", "), n - 20),
            _ => ids.join(", "),
        }
    };
    for (rows, one, many) in [
        (&done.studies, "study", "studies"),
        (&done.papers, "paper", "papers"),
        (&done.findings, "finding", "findings"),
    ] {
        if !rows.is_empty() {
            errln!("added {}: {}", count_of(rows.len(), one, many), ids(rows));
        }
    }
    for (n, one, many) in [
        (done.links, "evidence link", "evidence links"),
        (done.extracts, "extract", "extracts"),
        (done.coding, "coder's link", "coders' links"),
    ] {
        if n > 0 {
            errln!("added {}", count_of(n, one, many));
        }
    }
    if !done.changed.is_empty() {
        errln!("changed in the project (the folder keeps them as they were):");
        for line in &done.changed {
            errln!("  {line}");
        }
    }
    if !done.vanished.is_empty() {
        errln!(
            "no longer in the project (kept in the folder; remove them there if they should go):"
        );
        for line in &done.vanished {
            errln!("  {line}");
        }
    }
    match done.wrote() {
        true => errln!("wrote {}", folder.display()),
        false => errln!(
            "nothing to add: everything the project holds is in {} already",
            folder.display()
        ),
    }
}

/// What a reference import did, on stderr.
fn print_reference_import(folder: &Path, done: &metasum_engine::import::Imported) {
    for (at, paper, how) in &done.present {
        errln!("{at}: already present as paper {paper} ({how}), not added");
    }
    for (paper, study) in &done.joined {
        errln!("added paper {paper} to study {study} (its `study:` keyword)");
    }
    let keys: Vec<&str> = done.added.iter().map(|(k, _)| k.as_str()).collect();
    match keys.len() {
        0 if !done.joined.is_empty() => {}
        0 => errln!(
            "nothing to add: every record is in {} already",
            folder.display()
        ),
        n => errln!(
            "added {} to {}: {}",
            metasum_engine::format::count_of(n, "study", "studies"),
            folder.display(),
            keys.join(", ")
        ),
    }
}

/// An import's exit: its problems told, each on its line.
fn imported(done: Result<(), metasum_engine::import::ImportError>) -> ExitCode {
    use metasum_engine::import::ImportError;
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(ImportError::Problems(problems)) => {
            for p in &problems {
                error!("{p}");
            }
            errln!("nothing was written");
            ExitCode::from(1)
        }
        Err(e) => {
            error!("{e}");
            ExitCode::from(1)
        }
    }
}
