"""Seed inputs for the `load` fuzz target (see fuzz_targets/load.rs).

Writes one input per dataset folder under tests/data and datasets/: a 0
byte, then studies.csv, findings.csv, evidence.csv, papers.csv and
dataset.toml joined by 0xFF bytes; and one per workbook given on the
command line: a 1 byte, then the workbook.
"""

import pathlib
import sys

FILES = ["studies.csv", "findings.csv", "evidence.csv", "papers.csv", "dataset.toml"]
ROOT = pathlib.Path(__file__).resolve().parents[3]


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    folders = sorted((ROOT / "tests" / "data").iterdir()) + [ROOT / "datasets" / "peer-support"]
    for folder in folders:
        if not folder.is_dir():
            continue
        parts = [(folder / f).read_bytes() if (folder / f).exists() else b"" for f in FILES]
        (out / f"csv-{folder.name}").write_bytes(b"\x00" + b"\xff".join(parts))
    for book in sys.argv[2:]:
        path = pathlib.Path(book)
        (out / f"xlsx-{path.stem}").write_bytes(b"\x01" + path.read_bytes())


if __name__ == "__main__":
    main()
