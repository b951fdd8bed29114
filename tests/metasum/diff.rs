//! `metasum diff OLD NEW` on the seed against a copy with two studies (and
//! their papers) added and one evidence link removed: exactly those
//! changes, each finding's FES before and after computed by hand from the
//! FES the paper printed, in every output format.

use std::path::{Path, PathBuf};

use crate::util::*;

/// The seed with studies 26 and 27 (papers 28 and 29) added and the link
/// of finding 1 to study 13 removed.
fn newer(dir: &Path) -> PathBuf {
    let new = dir.join("newer");
    std::fs::create_dir(&new).unwrap();
    for entry in std::fs::read_dir(seed()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), new.join(entry.file_name())).unwrap();
    }
    let append = |file: &str, text: &str| {
        let mut old = std::fs::read_to_string(new.join(file)).unwrap();
        old.push_str(text);
        std::fs::write(new.join(file), old).unwrap();
    };
    append(
        "studies.csv",
        "26,Zhou et al.,2021,China,Interviews,,,,true,adequate,\n27,Okafor,2022,Nigeria,Focus groups,,,,false,adequate,\n",
    );
    append(
        "papers.csv",
        "28,26,Zhou et al. (2021),2021\n29,27,Okafor (2022),2022\n",
    );
    let evidence = std::fs::read_to_string(new.join("evidence.csv")).unwrap();
    let kept: Vec<&str> = evidence.lines().filter(|l| *l != "1,13").collect();
    std::fs::write(new.join("evidence.csv"), kept.join("\n") + "\n").unwrap();
    new
}

fn diff(dir: &Path, extra: &[&str]) -> std::process::Output {
    metasum()
        .current_dir(dir)
        .arg("diff")
        .arg(seed())
        .arg(newer_path(dir))
        .args(extra)
        .output()
        .unwrap()
}

fn newer_path(dir: &Path) -> PathBuf {
    let new = dir.join("newer");
    if new.exists() { new } else { newer(dir) }
}

#[test]
fn diff_gives_exactly_the_changes_and_the_fes_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let out = diff(dir.path(), &["--crossing", "40"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (changes, fes) = stdout.split_once("\n\n").expect("two results");
    assert_eq!(
        changes,
        "change,key,name,detail\n\
         study added,26,Zhou et al. (2021),\n\
         study added,27,Okafor (2022),\n\
         paper added,28,Zhou et al. (2021),\n\
         paper added,29,Okafor (2022),\n\
         link removed,1,Low pay and few hours,study 13 (Manning & Suire (1996))"
    );
    // By hand: the paper printed each FES among 25 studies; n = FES x 25 /
    // 100. Now there are 27 studies, and finding 1 lost study 13.
    let printed: Vec<(String, f64)> = csv::Reader::from_path(seed().join("findings.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[3].parse().unwrap())
        })
        .collect();
    let mut expected: Vec<(String, i64, i64, f64, f64)> = printed
        .iter()
        .map(|(id, fes)| {
            let n = (fes * 25.0 / 100.0).round() as i64;
            let after = n - i64::from(id == "1");
            let fes_after = 100.0 * after as f64 / 27.0;
            (id.clone(), n, after, *fes, fes_after)
        })
        .collect();
    let mut rows = csv::Reader::from_reader(fes.as_bytes());
    let got: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(got.len(), 24);
    // The largest change first.
    let changes: Vec<f64> = got
        .iter()
        .map(|r| r[6].parse::<f64>().unwrap().abs())
        .collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "{changes:?}");
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    for r in &got {
        let (_, n, after, before_fes, after_fes) = expected.iter().find(|e| e.0 == r[0]).unwrap();
        let round = |x: f64| format!("{:.1}", (x * 10.0).round() / 10.0);
        assert_eq!(r[2].parse::<i64>().unwrap(), *n, "finding {}", &r[0]);
        assert_eq!(r[4].parse::<i64>().unwrap(), *after, "finding {}", &r[0]);
        assert_eq!(&r[3], round(*before_fes), "finding {}", &r[0]);
        assert_eq!(&r[5], round(*after_fes), "finding {}", &r[0]);
        let crossed = if *before_fes >= 40.0 && *after_fes < 40.0 {
            "below 40%"
        } else {
            ""
        };
        assert_eq!(&r[7], crossed, "finding {}", &r[0]);
    }
    // Finding 1: 44.0 -> 37.0 (10 of 27), crossing 40 downwards.
    assert_eq!(&got[0][0], "1");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "2 studies added; 2 papers added; 1 evidence link removed; 1 finding changed by more than 5 points: 1 (-7.0)\n"
    );
}

#[test]
fn diff_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let json = diff(dir.path(), &["--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let results = doc.as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["statement"], "changes");
    assert_eq!(results[0]["rows"].as_array().unwrap().len(), 5);
    assert_eq!(results[1]["rows"][0]["fes_change"], -7.0);
    let md = diff(dir.path(), &["--format", "markdown"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("| study added | 26 | Zhou et al. (2021) |  |"),
        "{md}"
    );
    let out = diff(dir.path(), &["--output", "changes.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("changes.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["changes", "fes_changes"]);
    let fes = book.worksheet_range("fes_changes").unwrap();
    assert_eq!(fes.height(), 25);
    // A CSV file holds one result; diff gives two.
    let out = diff(dir.path(), &["--output", "changes.csv"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!dir.path().join("changes.csv").exists());
}

#[test]
fn the_change_tables_are_queryable_and_empty_without_a_version_to_compare() {
    let dir = tempfile::tempdir().unwrap();
    let new = newer_path(dir.path());
    let run = |args: &[&str]| metasum().args(args).output().unwrap();
    let out = run(&[
        "--data",
        new.to_str().unwrap(),
        "--compare",
        seed().to_str().unwrap(),
        "-c",
        "fes_changes where fes_change < -5 show finding; intensity_changes where intensity_change < 0 show study, intensity_change",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "finding\n1\n\nstudy,intensity_change\n13,-4.2\n"
    );
    let out = run(&["-c", "changes"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "change,key,name,detail\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to compare with"));
}

#[test]
fn a_removed_finding_loses_its_links_and_edited_rows_are_told() {
    // tests/data/author-year-review with finding T1.10 (and its one link)
    // removed, study Jones2018's country and paper P3's citation edited.
    let dir = tempfile::tempdir().unwrap();
    let old = root().join("tests/data/author-year-review");
    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    for entry in std::fs::read_dir(&old).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = match entry.file_name().to_str().unwrap() {
            "findings.csv" => text.replace("T1.10,recipient,Feeling understood\n", ""),
            "evidence.csv" => text.replace("T1.10,Smith2019a\n", ""),
            "studies.csv" => {
                text.replace("Jones2018,Jones,2018,USA,", "Jones2018,Jones,2018,Canada,")
            }
            "papers.csv" => text.replace(
                "P3,Jones2018,Jones (2020) follow-up,",
                "P3,Jones2018,Jones (2020) follow-up study,",
            ),
            _ => text,
        };
        std::fs::write(new.join(entry.file_name()), text).unwrap();
    }
    let out = metasum()
        .arg("--data")
        .arg(&new)
        .arg("--compare")
        .arg(&old)
        .args(["-c", "changes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "change,key,name,detail\n\
         study changed,Jones2018,Jones (2018),country: USA -> Canada\n\
         paper changed,P3,Jones (2020) follow-up study,citation: Jones (2020) follow-up -> Jones (2020) follow-up study\n\
         finding removed,T1.10,Feeling understood,\n\
         link removed,T1.10,Feeling understood,study Smith2019a (Smith & Lee (2019))\n"
    );
}

#[test]
fn papers_made_up_one_per_study_are_not_compared_and_no_study_means_no_fes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, files: &[(&str, &str)]| {
        let d = dir.path().join(name);
        std::fs::create_dir(&d).unwrap();
        for (f, t) in files {
            std::fs::write(d.join(f), t).unwrap();
        }
        d
    };
    // No papers.csv: one paper per study is made up, numbered by position.
    let old = write(
        "old",
        &[
            ("studies.csv", "id,author,year\nS1,A,2001\nS2,B,2002\n"),
            ("findings.csv", "id,perspective,name\nF1,p,One\n"),
            ("evidence.csv", "finding,study\nF1,S1\nF1,S2\n"),
        ],
    );
    let new = write(
        "new",
        &[
            ("studies.csv", "id,author,year\n"),
            ("findings.csv", "id,perspective,name\nF1,p,One\n"),
            ("evidence.csv", "finding,study\n"),
        ],
    );
    let out = metasum().arg("diff").arg(&old).arg(&new).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("paper"), "{stdout}");
    // With no study, F1's FES is no number: its change neither.
    assert!(stdout.ends_with("F1,One,2,100.0,0,,\n"), "{stdout}");
}

#[test]
fn columns_are_compared_as_queries_name_them_and_renames_are_told() {
    let dir = tempfile::tempdir().unwrap();
    let new = newer_path(dir.path());
    // `quality` spelt `Quality` (a query reads either) with one cell
    // changed; `method` renamed outright to `design`, every cell kept;
    // `notes` dropped.
    let studies = std::fs::read_to_string(new.join("studies.csv")).unwrap();
    let mut lines = studies.lines();
    let header = lines.next().unwrap();
    let columns: Vec<&str> = header.split(',').collect();
    let notes = columns.iter().position(|c| *c == "notes").unwrap();
    let renamed: Vec<String> = (columns.iter())
        .enumerate()
        .filter(|(i, _)| *i != notes)
        .map(|(_, c)| match *c {
            "quality" => "Quality".to_string(),
            "method" => "design".to_string(),
            c => c.to_string(),
        })
        .collect();
    let mut out = vec![renamed.join(",")];
    for line in lines {
        let mut cells: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        cells.remove(notes);
        let quality = columns.iter().position(|c| *c == "quality").unwrap();
        if cells[0] == "5" {
            cells[quality] = "low".into();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&cells).unwrap();
        out.push(
            String::from_utf8(w.into_inner().unwrap())
                .unwrap()
                .trim_end()
                .to_string(),
        );
    }
    std::fs::write(new.join("studies.csv"), out.join("\n") + "\n").unwrap();
    let done = diff(dir.path(), &[]);
    let stdout = String::from_utf8(done.stdout).unwrap();
    let stderr = String::from_utf8(done.stderr).unwrap();
    assert_eq!(done.status.code(), Some(0), "{stderr}");
    for line in [
        "column renamed,Quality,studies.csv,was: quality",
        "column renamed,design,studies.csv,was: method",
        "column removed,notes,studies.csv,",
        "study changed,5,",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    let changed = stdout
        .lines()
        .find(|l| l.starts_with("study changed,5,"))
        .unwrap();
    assert!(changed.ends_with("Quality: adequate -> low"), "{changed}");
    assert!(
        stderr.contains("2 columns renamed") && stderr.contains("1 column removed"),
        "{stderr}"
    );
}
