#!/usr/bin/env python3
"""A large REFI-QDA project for timing `metasum import` (BENCHMARKS.md,
"Issue 32"): SOURCES text sources of 20,000 words (about 130 KB each,
with accents, an emoji and CJK characters), CODINGS codings per source by
two coders over 200 codes, all in one line of XML as NVivo writes it.

    python3 bench/qda_project.py OUT.qdpx [SOURCES] [CODINGS]
"""
import random
import sys
import zipfile


def g(n: int) -> str:
    return "%08x-0000-4000-8000-%012x" % (n, n)


def main() -> None:
    out = sys.argv[1]
    sources = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    random.seed(1)
    words = "peer support hope recovery stigma café 😀 中文 understood group work".split()
    codes = "".join(f'<Code guid="{g(10 + i)}" name="code {i}" isCodable="true"/>' for i in range(200))
    xml_sources, texts, n = [], {}, 100000
    for s in range(sources):
        text = " ".join(random.choice(words) for _ in range(20000))
        texts[f"sources/{g(50000 + s)}.txt"] = text
        selections = []
        for k in range(per):
            a = random.randrange(0, len(text) - 50)
            b = a + random.randrange(1, 50)
            selections.append(
                f'<PlainTextSelection guid="{g(n)}" startPosition="{a}" endPosition="{b}">'
                f'<Coding guid="{g(n + 10**7)}" creatingUser="{g(1 + k % 2)}">'
                f'<CodeRef targetGUID="{g(10 + random.randrange(200))}"/></Coding></PlainTextSelection>'
            )
            n += 1
        xml_sources.append(
            f'<TextSource guid="{g(20000 + s)}" name="Author{s} {2000 + s % 20}" '
            f'plainTextPath="internal://{g(50000 + s)}.txt">{"".join(selections)}</TextSource>'
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="big" origin="NVivo 14">'
        f'<Users><User guid="{g(1)}" name="A"/><User guid="{g(2)}" name="B"/></Users>'
        f'<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{"".join(xml_sources)}</Sources></Project>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, text in texts.items():
            z.writestr(name, text)


if __name__ == "__main__":
    main()
