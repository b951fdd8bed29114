"""Seed inputs for the `load` and `import` fuzz targets (fuzz_targets/).

`seeds.py OUT [WORKBOOK...]` (load): one input per dataset folder under
tests/data and datasets/: a 0 byte, then studies.csv, findings.csv,
evidence.csv, papers.csv and dataset.toml joined by 0xFF bytes; and one
per workbook given on the command line: a 1 byte, then the workbook.

`seeds.py --import OUT` (import): one input per reference file under
tests/data/import, its first byte picking its format (0 RIS, 1 BibTeX, 2
CSL JSON), and the same with 252-254, the bytes that import it too.

`seeds.py --qda OUT` (qda): each program's fixture under tests/data/qda
zipped as a .qdpx (first byte 0, and 240 to import it too), its project
XML alone (1, 241), and the guide's project.qde.
"""

import pathlib
import sys

FILES = ["studies.csv", "findings.csv", "evidence.csv", "papers.csv", "dataset.toml"]
ROOT = pathlib.Path(__file__).resolve().parents[3]


FORMATS = {".ris": 0, ".bib": 1, ".json": 2}


def references(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "tests" / "data" / "import").iterdir()):
        form = FORMATS.get(path.suffix)
        if form is None:
            continue
        for first in (form, 252 + form):
            (out / f"{path.stem}-{first}").write_bytes(bytes([first]) + path.read_bytes())


def projects(out: pathlib.Path) -> None:
    import io
    import zipfile

    out.mkdir(parents=True, exist_ok=True)
    fixtures = ROOT / "tests" / "data" / "qda"
    for folder in sorted(p for p in fixtures.iterdir() if p.is_dir()):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.name != "README.md":
                    z.write(path, path.relative_to(folder).as_posix())
        for first in (0, 240):
            (out / f"{folder.name}-qdpx-{first}").write_bytes(bytes([first]) + buffer.getvalue())
        qde = next(folder.glob("*.qde"))
        for first in (1, 241):
            (out / f"{folder.name}-qde-{first}").write_bytes(bytes([first]) + qde.read_bytes())
    guide = (ROOT / "docs" / "guide" / "project.qde").read_bytes()
    (out / "guide-qde-241").write_bytes(bytes([241]) + guide)


def main() -> None:
    if sys.argv[1] == "--qda":
        projects(pathlib.Path(sys.argv[2]))
        return
    if sys.argv[1] == "--import":
        references(pathlib.Path(sys.argv[2]))
        return
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
