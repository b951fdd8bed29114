#!/usr/bin/env python3
"""Writes the program-shaped REFI-QDA fixtures under tests/data/qda/.

Each fixture is a folder holding what the program's .qdpx holds (the
tests zip it): its project XML and its sources. The shapes follow what
each program writes (see each folder's README.md for the sources of each
quirk); the positions are computed here the way that program counts them.
Run it again after changing a fixture's text: python3 make_fixtures.py
"""
import os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))

def pos(text, part, crlf_one=False):
    """Code point positions of `part` in `text`, end excluded; with
    crlf_one, a \\r\\n counts as one character (ATLAS.ti, QualCoder)."""
    counted = text.replace("\r\n", "\n") if crlf_one else text
    p = part.replace("\r\n", "\n") if crlf_one else part
    i = counted.index(p)
    return i, i + len(p)

def g(n, upper=False):
    s = "%08x-0000-4000-8000-%012x" % (n, n)
    return s.upper() if upper else s

def write(folder, files):
    path = os.path.join(HERE, folder)
    for sub in ("sources", "Sources"):
        shutil.rmtree(os.path.join(path, sub), ignore_errors=True)
    for name, data in files.items():
        full = os.path.join(path, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")

# NVivo 14 (Windows): Sources/ capitalised, internal:// paths, basePath="",
# users with an id, codable parent codes, a code name repeated under two
# parents, cases exported as codes of the same GUID whose codings say
# which sources a case holds, text with \r\n counted as two characters.
def nvivo():
    t1 = "Interview 1\r\nI felt understood by peers.\r\nHope came back slowly – très lentement.\r\n"
    t2 = "Focus group\r\nStigma at work was worse than the illness.\r\nPeers showed me recovery.\r\n"
    sel = lambda n, text, part, code, user: (
        '<PlainTextSelection guid="%s" name="Reference %d" startPosition="%d" endPosition="%d" creatingUser="%s" creationDateTime="2024-03-01T10:00:00Z">'
        '<Coding guid="%s" creatingUser="%s" creationDateTime="2024-03-01T10:00:00Z"><CodeRef targetGUID="%s"/></Coding></PlainTextSelection>'
        % ((g(n), n) + pos(text, part) + (g(user), g(n + 500), g(user), g(code))))
    xml = f'''<?xml version="1.0" encoding="utf-8"?>
<Project name="Peer support synthesis" origin="NVivo 14.23.2 (Windows)" creatingUserGUID="{g(1)}" creationDateTime="2024-03-01T09:00:00Z" basePath="" xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd">
  <Users>
    <User guid="{g(1)}" name="Mary O'Neill" id="MO"/>
    <User guid="{g(2)}" name="Kofi Mensah" id="KM"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{g(10)}" name="Hope" isCodable="true" color="#00FF00">
        <Code guid="{g(11)}" name="Feeling understood" isCodable="true"/>
        <Code guid="{g(12)}" name="Other" isCodable="true"/>
      </Code>
      <Code guid="{g(13)}" name="Barriers" isCodable="true">
        <Code guid="{g(14)}" name="Stigma" isCodable="true"/>
        <Code guid="{g(15)}" name="Other" isCodable="true"/>
      </Code>
      <Code guid="{g(20)}" name="Smith 2019" isCodable="true"/>
      <Code guid="{g(21)}" name="Okafor 2021" isCodable="true"/>
    </Codes>
  </CodeBook>
  <Cases>
    <Case guid="{g(20)}" name="Smith 2019"/>
    <Case guid="{g(21)}" name="Okafor 2021"/>
  </Cases>
  <Sources>
    <TextSource guid="{g(30)}" name="Smith 2019 interviews" richTextPath="internal://{g(40)}.docx" plainTextPath="internal://{g(41)}.txt" creatingUser="{g(1)}">
      {sel(100, t1, "I felt understood by peers.", 11, 1)}
      {sel(101, t1, "I felt understood by peers.", 11, 2)}
      {sel(102, t1, "Hope came back slowly – très lentement.", 10, 1)}
      <Coding guid="{g(103)}" creatingUser="{g(1)}"><CodeRef targetGUID="{g(20)}"/></Coding>
    </TextSource>
    <TextSource guid="{g(31)}" name="Okafor 2021 focus group" richTextPath="internal://{g(42)}.docx" plainTextPath="internal://{g(43)}.txt" creatingUser="{g(2)}">
      {sel(104, t2, "Stigma at work was worse than the illness.", 14, 2)}
      {sel(105, t2, "Peers showed me recovery.", 12, 1)}
      {sel(106, t2, "Peers showed me recovery.", 15, 2)}
      <Coding guid="{g(107)}" creatingUser="{g(2)}"><CodeRef targetGUID="{g(21)}"/></Coding>
    </TextSource>
  </Sources>
</Project>
'''
    write("nvivo", {"project.qde": xml, f"Sources/{g(41)}.txt": t1, f"Sources/{g(43)}.txt": t2,
                    f"Sources/{g(40)}.docx": b"PK\x05\x06" + b"\0" * 18, f"Sources/{g(42)}.docx": b"PK\x05\x06" + b"\0" * 18})

# MAXQDA 2022: sources/ in lower case, document names without extension,
# only plainTextPath, parent codes that are codable and hold descriptions,
# a selection with a Description and no Coding (a memo), selections
# without creationDateTime, variables inside a source, nameless cases of
# one source each (variables), one coder.
def maxqda():
    t1 = "B: Wir haben uns verstanden. Die Gruppe gab mir Hoffnung.\nI: Und die Arbeit?\nB: Scham, immer noch.\n"
    t2 = "Respondent 14: peers helped me find work again; 😀 honestly.\n"
    sel = lambda n, text, part, code: (
        '<PlainTextSelection guid="%s" startPosition="%d" endPosition="%d" creatingUser="%s"><Coding guid="%s" creatingUser="%s"><CodeRef targetGUID="%s"/></Coding></PlainTextSelection>'
        % ((g(n, True),) + pos(text, part) + (g(1, True), g(n + 500, True), g(1, True), g(code, True))))
    memo = '<PlainTextSelection guid="%s" startPosition="%d" endPosition="%d" creatingUser="%s"><Description>Memo: check translation</Description></PlainTextSelection>' % ((g(199, True),) + pos(t1, "Scham") + (g(1, True),))
    xml = f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="MAXQDA 2022 (Release 22.7.0)" name="Peer support">
<Users><User guid="{g(1, True)}" name="Lena Vogel"/></Users>
<CodeBook><Codes>
<Code guid="{g(10, True)}" name="Verbundenheit" isCodable="true" color="#ff0000"><Description>Connection with peers (parent code with its own codings)</Description>
<Code guid="{g(11, True)}" name="Verstanden werden" isCodable="true" color="#ff0000"/>
</Code>
<Code guid="{g(12, True)}" name="Scham" isCodable="true" color="#0000ff"><Description>Shame and stigma</Description></Code>
<Code guid="{g(13, True)}" name="Arbeit" isCodable="true" color="#0000ff"/>
</Codes></CodeBook>
<Variables><Variable guid="{g(5, True)}" name="Land" typeOfVariable="Text"/></Variables>
<Cases>
<Case guid="{g(60, True)}"><VariableValue><VariableRef targetGUID="{g(5, True)}"/><TextValue>DE</TextValue></VariableValue><SourceRef targetGUID="{g(30, True)}"/></Case>
</Cases>
<Sources>
<TextSource guid="{g(30, True)}" name="Müller 2018" plainTextPath="internal://{g(41, True)}.txt" creatingUser="{g(1, True)}">
{sel(100, t1, "Wir haben uns verstanden.", 11)}
{sel(101, t1, "Die Gruppe gab mir Hoffnung.", 10)}
{sel(102, t1, "Scham, immer noch.", 12)}
{memo}
<VariableValue><VariableRef targetGUID="{g(5, True)}"/><TextValue>DE</TextValue></VariableValue>
</TextSource>
<TextSource guid="{g(31, True)}" name="Survey respondent 14" plainTextPath="internal://{g(43, True)}.txt" creatingUser="{g(1, True)}">
{sel(103, t2, "peers helped me find work again", 13)}
</TextSource>
</Sources>
</Project>
'''
    write("maxqda", {"project.qde": xml, f"sources/{g(41, True)}.txt": t1, f"sources/{g(43, True)}.txt": t2})

# ATLAS.ti 9 (Windows): upper-case GUIDs, the project's XML named after
# the project (Trial.qde), flat code names "Group::Code", document groups
# and variables as sets (not studies), selections named by their text,
# \r\n counted as one character, a zero-length selection, a PDF whose page
# selection and its text selection share one GUID, pages from 0.
def atlasti():
    t1 = "Smith interview\r\nOh, that was great. See you tomorrow?\r\nI felt less alone – 孤独感减少了.\r\n"
    t3 = "Peer workers reduced stigma in wards.\r\n"
    def sel(n, text, part, code, user):
        s, e = pos(text, part, crlf_one=True)
        return ('<PlainTextSelection guid="%s" name="%s" startPosition="%d" endPosition="%d" creatingUser="%s" creationDateTime="2021-05-01T10:00:00Z">'
                '<Coding guid="%s" creatingUser="%s"><CodeRef targetGUID="%s"/></Coding></PlainTextSelection>'
                % (g(n, True), esc(part.replace("\r\n", "\n")), s, e, g(user, True), g(n + 500, True), g(user, True), g(code, True)))
    zero = '<PlainTextSelection guid="%s" name="" startPosition="3" endPosition="3" creatingUser="%s"><Coding guid="%s" creatingUser="%s"><CodeRef targetGUID="%s"/></Coding></PlainTextSelection>' % (g(199, True), g(1, True), g(699, True), g(1, True), g(12, True))
    ps, pe = pos(t3, "reduced stigma", crlf_one=True)
    xml = f'''<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project name="Trial" origin="ATLAS.ti 9.1.7 (Windows)" creatingUserGUID="{g(1, True)}" xmlns="urn:QDA-XML:project:1.0">
  <Users>
    <User guid="{g(1, True)}" name="Susanne"/>
    <User guid="{g(2, True)}" name="Tomás"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{g(10, True)}" name="Hope::Less alone" isCodable="true" color="#FF0000"/>
      <Code guid="{g(11, True)}" name="Hope::Connection" isCodable="true" color="#FF0000"/>
      <Code guid="{g(12, True)}" name="Barriers::Stigma" isCodable="true" color="#0000FF"/>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{g(30, True)}" name="Smith 2019.txt" plainTextPath="internal://{g(41, True)}.txt" creatingUser="{g(1, True)}">
      {sel(100, t1, "Oh, that was great. See you tomorrow?", 11, 1)}
      {sel(101, t1, "I felt less alone – 孤独感减少了.", 10, 1)}
      {sel(102, t1, "I felt less alone – 孤独感减少了.", 10, 2)}
      {zero}
    </TextSource>
    <PDFSource guid="{g(31, True)}" name="Patel 2020.pdf" path="internal://{g(42, True)}.pdf" creatingUser="{g(2, True)}">
      <PDFSelection guid="{g(105, True)}" name="reduced stigma" page="0" firstX="100" firstY="600" secondX="300" secondY="620" creatingUser="{g(2, True)}">
        <Representation guid="{g(44, True)}" name="Patel 2020.pdf">
          <PlainTextSelection guid="{g(105, True)}" name="reduced stigma" startPosition="{ps}" endPosition="{pe}"/>
        </Representation>
        <Coding guid="{g(605, True)}" creatingUser="{g(2, True)}"><CodeRef targetGUID="{g(12, True)}"/></Coding>
      </PDFSelection>
      <Representation guid="{g(43, True)}" plainTextPath="internal://{g(43, True)}.txt"/>
    </PDFSource>
  </Sources>
  <Sets>
    <Set guid="{g(70, True)}" name="gender: female"><MemberSource targetGUID="{g(30, True)}"/><MemberSource targetGUID="{g(31, True)}"/></Set>
  </Sets>
</Project>
'''
    write("atlasti", {"Trial.qde": xml, f"sources/{g(41, True)}.txt": t1, f"sources/{g(43, True)}.txt": t3,
                      f"sources/{g(42, True)}.pdf": b"%PDF-1.4\n%%EOF\n"})

# QualCoder 3.6: text files with a byte order mark and \r\n (its "line
# endings for MAXQDA" option) while positions count its \n text; one
# selection per coding, named by its text; categories as codes that are
# not codable; the project's creatingUserGUID in no <User>; an empty
# creatingUser; a PDF's Representation before its PDFSelection; whole-file
# case links as SourceRefs.
def qualcoder():
    t1 = "Q: What helped?\nA: Talking with someone who had been through it — 그것이 도움이 됐어요.\n"
    t2 = "Peer support felt safer than clinic staff.\n"
    def sel(n, text, part, code, user):
        s, e = pos(text, part)
        u = g(user) if user else ""
        return ('<PlainTextSelection guid="%s" startPosition="%d" endPosition="%d" name="%s" creatingUser="%s" creationDateTime="2025-01-02T03:04:05Z">\n'
                '<Coding guid="%s" creatingUser="%s" >\n<CodeRef targetGUID="%s" />\n</Coding>\n</PlainTextSelection>\n'
                % (g(n), s, e, esc(part), u, g(n + 500), u, g(code)))
    xml = f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="peer.qda" origin="QualCoder 3.6" creatingUserGUID="{g(999)}" creationDateTime="2025-01-02T03:04:05Z">
<Users>
<User guid="{g(1)}" name="default" />
<User guid="{g(2)}" name="Aroha" />
</Users>
<CodeBook>
<Codes>
<Code guid="{g(9)}" name="Support" isCodable="false">
<Description>category</Description>
<Code guid="{g(10)}" name="Shared experience" isCodable="true" color="#F781F3">
<Description></Description>
</Code>
<Code guid="{g(11)}" name="Safety" isCodable="true" color="#81F7D8">
</Code>
</Code>
</Codes>
</CodeBook>
<Cases>
<Case guid="{g(20)}" name="Kim 2022">
<Description></Description>
<SourceRef targetGUID="{g(30)}"/>
<SourceRef targetGUID="{g(31)}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{g(30)}" name="kim_interview.txt" plainTextPath="internal://{g(41)}.txt" creatingUser="{g(1)}" >
{sel(100, t1, "Talking with someone who had been through it — 그것이 도움이 됐어요.", 10, 1)}{sel(101, t1, "Talking with someone who had been through it", 10, 2)}</TextSource>
<PDFSource guid="{g(31)}" path="internal://{g(42)}.pdf" name="kim_survey.pdf" creatingUser="{g(1)}">
<Representation guid="{g(43)}" plainTextPath="internal://{g(44)}.txt" creatingUser="{g(1)}" name="kim_survey.pdf">
{sel(102, t2, "felt safer than clinic staff", 11, 0)}</Representation>
</PDFSource>
</Sources>
</Project>
'''
    bom = lambda t: "\ufeff" + t.replace("\n", "\r\n")
    write("qualcoder", {"project.qde": xml, f"sources/{g(41)}.txt": bom(t1), f"sources/{g(44)}.txt": bom(t2),
                        f"sources/{g(42)}.pdf": b"%PDF-1.4\n%%EOF\n"})

if __name__ == "__main__":
    nvivo(); maxqda(); atlasti(); qualcoder()
