//! docs/GUIDE.md, run: every `sh` block of the guide, in order, in a copy
//! of docs/guide/, with this build's metasum first on the PATH; each must
//! succeed, and what the guide shows must be what a reviewer gets (the
//! figures checked by hand from docs/guide/matrix.csv: T1.1 is marked in
//! 3 of the 4 studies, FES 75.0; each study holds 2 of the 4 findings).

use crate::util::*;

/// The `sh` blocks of a Markdown text, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    for line in markdown.lines() {
        match (&mut block, line.trim_end()) {
            (None, "```sh") => block = Some(String::new()),
            (Some(_), "```") => blocks.extend(block.take()),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
#[cfg_attr(
    windows,
    ignore = "the guide's commands are sh blocks, and Windows has no sh (they are the same commands in PowerShell)"
)]
fn every_command_of_the_guide_runs_as_it_says() {
    let guide = std::fs::read_to_string(root().join("docs/GUIDE.md")).unwrap();
    let blocks = sh_blocks(&guide);
    assert!(blocks.len() >= 6, "{}", blocks.len());
    let dir = tempfile::tempdir().unwrap();
    for file in std::fs::read_dir(root().join("docs/guide")).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), dir.path().join(file.file_name())).unwrap();
    }
    let bin = crate::util::binary();
    let bin = bin.parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut printed = String::new();
    for block in &blocks {
        let out = std::process::Command::new("sh")
            .args(["-e", "-c", block])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("METASUM_DATA")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{block}\n{stderr}");
        assert!(!stderr.contains("error"), "{block}\n{stderr}");
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    for shown in [
        "4 studies, 5 papers, 4 findings, 8 evidence links: valid",
        "id,name,n,fes\nT1.1,Access depends on a reliable connection,3,75.0\n",
        "id,papers,n,intensity\nBerg2017,2,2,50.0\nDubois2023,1,2,50.0\nNguyen2019,1,2,50.0\nOkafor2020,1,2,50.0\n",
        // The coded project gives the matrix's figures (checked by hand
        // from docs/guide/project.qde: the passages of each code by paper).
        "id,theme,name,n,fes\nF1,access,Access depends on a reliable connection,3,75.0\nF2,access,Older adults value seeing a familiar clinician,2,50.0\nF3,delivery,Clinicians worry about missing non-verbal cues,2,50.0\nF4,delivery,Carers act as technical helpers,1,25.0\n",
        "Berg2017,characters 48-90,He trusts the nurse he has seen for years.,Ines\n",
        "all,5,2,1,0.613\n",
    ] {
        assert!(printed.contains(shown), "{shown}\n{printed}");
    }
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert!(
        String::from_utf8(read("t1.1.md"))
            .unwrap()
            .starts_with("# Worksheet: finding T1.1")
    );
    let report = String::from_utf8(read("report.html")).unwrap();
    assert!(report.contains("Telehealth for older adults"));
    assert!(read("my-review.xlsx").starts_with(b"PK"));
    let worksheet = String::from_utf8(read("f2.md")).unwrap();
    assert!(worksheet.contains("> It was good to see Dr Lam again, she knows me."));
    let coded = String::from_utf8(read("coded-report.html")).unwrap();
    assert!(coded.contains("Table 7. Extracts"));
}
