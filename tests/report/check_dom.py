#!/usr/bin/env python3
"""check_dom.py DOM CYCLE_JSON: checks the DOM chromium rendered from
`uptake report --html` against the cycle it reports (`uptake cycle
--json`): a board row per unit with its decision in text and colour, the
legend, a figure per metric and series with an SVG chart (role, label,
title) or a "No data" note, the training table, the findings per
severity, what changed, and the accessibility basics (lang, captions,
header scopes).  Prints every problem and exits 1 if there is any."""
import json
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
LABELS = {"go": "Go", "conditional_go": "Conditional go", "hold": "Hold",
          "recycle": "Recycle", "kill": "Kill"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all(self, tag=None, cls=None):
        for c in self.children:
            if (tag is None or c.tag == tag) and \
               (cls is None or cls in c.classes()):
                yield c
            yield from c.all(tag, cls)

    def first(self, tag=None, cls=None):
        return next(self.all(tag, cls), None)

    def text_all(self):
        return self.text + "".join(c.text_all() for c in self.children)


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        # text goes to a fresh child so text_all keeps document order
        t = Node("#text", [], self.cur)
        t.text = data
        self.cur.children.append(t)


problems = []


def expect(cond, what):
    if not cond:
        problems.append(what)
    return cond


def by_id(root, ident):
    return next((n for n in root.all() if n.attrs.get("id") == ident), None)


def check_page(root):
    html = root.first("html")
    expect(html is not None and html.attrs.get("lang"), "no <html lang>")
    expect(any(m.attrs.get("name") == "viewport" for m in root.all("meta")),
           "no viewport meta")
    expect(root.first("title") is not None, "no <title>")
    expect(root.first("script") is None, "a <script> element")
    for t in root.all("table"):
        expect(t.first("caption") is not None, "a table without <caption>")
    for th in root.all("th"):
        expect(th.attrs.get("scope") in ("col", "row"),
               "a <th> without scope: " + th.text_all()[:40])


def check_board(root, doc):
    board = root.first("table", "board")
    if not expect(board is not None, "no table.board"):
        return
    rows = list(board.first("tbody").all("tr"))
    expect(len(rows) == len(doc["units"]),
           "board: %d rows for %d units" % (len(rows), len(doc["units"])))
    for u, tr in zip(doc["units"], rows):
        head = tr.first("th")
        expect(head is not None and head.attrs.get("scope") == "row" and
               u["id"] in head.text_all(),
               "board: row for %s out of tree order" % u["id"])
        cells = [td for td in tr.all("td") if "cell" in td.classes()]
        gate = (u.get("gates") or [None])[0]
        decision = (gate["decision"] if gate else None) or "none"
        if not expect(len(cells) == 1, "board: %s has %d current cells"
                      % (u["id"], len(cells))):
            continue
        expect("dec-" + decision in cells[0].classes(),
               "board: %s not coloured as %s" % (u["id"], decision))
        expect(cells[0].text_all().strip().startswith(
            LABELS.get(decision, "No decision")),
            "board: %s does not say %s in text" % (u["id"], decision))
    legend = " ".join(ul.text_all() for ul in root.all("ul", "legend"))
    for label in LABELS.values():
        expect(label in legend, "legend: no " + label)


def check_charts(root, doc):
    figures = list(root.all("figure"))
    want = sum(1 + sum(1 for u in doc["units"]
                       if any(x["metric"] == m["metric"]
                              for x in u["metrics"]))
               for m in doc["metrics"])
    expect(len(figures) == want,
           "charts: %d figures, want %d" % (len(figures), want))
    valued = sum(1 for u in doc["units"] for x in u["metrics"]
                 if x.get("value") is not None) + \
        sum(1 for m in doc["metrics"] if m.get("value") is not None)
    svgs = 0
    for f in figures:
        svg = f.first("svg")
        if svg is None:
            expect(f.first("p", "nodata") is not None,
                   "a figure with neither chart nor 'No data'")
            continue
        svgs += 1
        # the chart's own title, not a point's
        title = next((c for c in svg.children if c.tag == "title"), None)
        expect(svg.attrs.get("role") == "img" and svg.attrs.get(
            "aria-label") and title is not None and title.text_all(),
            "an SVG chart without role, aria-label or title")
        expect(f.first("figcaption") is not None, "a chart without caption")
    expect(svgs >= valued and (svgs > 0 or not want),
           "charts: %d SVGs for %d series with a value" % (svgs, valued))


def check_sections(root, doc):
    changes = by_id(root, "changes")
    expect(changes is not None and "since cycle" in changes.text_all(),
           "no 'what changed since cycle N' section")
    training = by_id(root, "training")
    if expect(training is not None, "no training section"):
        rows = list(training.first("table").first("tbody").all("tr"))
        expect(len(rows) == len(doc["units"]),
               "training: %d rows for %d units"
               % (len(rows), len(doc["units"])))
    findings = by_id(root, "findings")
    if not expect(findings is not None, "no findings section"):
        return
    counts = {}
    for u in doc["units"]:
        for f in u["findings"]:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    captions = [c.text_all() for c in findings.all("caption")]
    for sev, n in counts.items():
        expect("Severity %s (%d)" % (sev, n) in captions,
               "findings: no 'Severity %s (%d)' table" % (sev, n))
    rows = sum(1 for t in findings.all("tbody") for _ in t.all("tr"))
    rows = rows or sum(1 for t in findings.all("table")
                       for tr in t.all("tr") if tr.first("td"))
    expect(rows == sum(counts.values()),
           "findings: %d rows for %d findings" % (rows, sum(counts.values())))


def main():
    tree = Tree()
    with open(sys.argv[1], encoding="utf-8") as f:
        tree.feed(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    root = tree.root
    check_page(root)
    check_board(root, doc)
    check_charts(root, doc)
    check_sections(root, doc)
    for p in problems:
        print("check_dom: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
