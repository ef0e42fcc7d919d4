"""Exports: RIS, BibTeX and CSV text (explorer.exports) and the export routes."""

from __future__ import annotations

import csv
import io
import re

import pytest

from explorer.exports.bibtex import to_bibtex
from explorer.exports.ris import to_ris
from explorer.exports.spreadsheet import CSV_COLUMNS, to_csv
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest
from tests.web_helpers import make_app, template_site


def article(**changes) -> Summary:
    base = dict(
        id="2023-12-empathic-accuracy",
        published="2023-12",
        title="Is empathic accuracy enough?",
        body="Body text.",
        implications="Implications text.",
        citation=Citation(
            authors=["Stolowicz-Melman, D.", "Lazarus, G.", "Atzil-Slonim, D."],
            year="2023",
            title="Is empathic accuracy enough? The role of therapists' interventions",
            journal="Journal of Counseling Psychology",
            volume="70",
            issue="6",
            pages="682–690",
            doi="10.1037/cou0000708",
        ),
        topics=["Empathy", "Therapist Factors"],
        research_type="Naturalistic, observational or qualitative study",
    )
    base.update(changes)
    return Summary(**base)


def chapter() -> Summary:
    return article(
        id="2019-05-a-chapter",
        citation=Citation(
            authors=["Wampold, B. E."],
            year="2019",
            title="The common factors",
            journal="Handbook of Psychotherapy",
            editors=["Norcross, J. C.", "Lambert, M. J."],
            publisher="Oxford University Press",
            pages="10–30",
        ),
    )


def ris_records(text: str) -> list[dict[str, list[str]]]:
    records, current = [], {}
    for line in text.split("\r\n"):
        if not line.strip():
            continue
        tag, _, value = line.partition("  - ")
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(tag, []).append(value)
    return records


# --------------------------------------------------------------------------- RIS


def test_ris_article():
    text = to_ris([article()], base_url="http://example.org/")
    assert "\r\n" in text and text.endswith("ER  - \r\n")
    (rec,) = ris_records(text)
    assert rec["TY"] == ["JOUR"]
    assert rec["AU"] == ["Stolowicz-Melman, D.", "Lazarus, G.", "Atzil-Slonim, D."]
    assert rec["PY"] == ["2023"]
    assert rec["JO"] == ["Journal of Counseling Psychology"]
    assert rec["VL"] == ["70"] and rec["IS"] == ["6"]
    assert rec["SP"] == ["682"] and rec["EP"] == ["690"]
    assert rec["DO"] == ["10.1037/cou0000708"]
    assert rec["UR"] == ["https://doi.org/10.1037/cou0000708"]
    assert {"Empathy", "Therapist Factors"} <= set(rec["KW"])
    assert "http://example.org/summary/2023-12-empathic-accuracy" in rec["N1"][0]


def test_ris_chapter_and_missing_fields():
    (rec,) = ris_records(to_ris([chapter()]))
    assert rec["TY"] == ["CHAP"]
    assert rec["T2"] == ["Handbook of Psychotherapy"]
    assert rec["A2"] == ["Norcross, J. C.", "Lambert, M. J."]
    assert rec["PB"] == ["Oxford University Press"]
    assert "DO" not in rec and "VL" not in rec
    bare = article(citation=Citation())
    (rec,) = ris_records(to_ris([bare]))
    assert rec["TI"] == ["Is empathic accuracy enough?"]  # falls back to the summary title
    assert "AU" not in rec


def test_ris_many_and_none():
    assert to_ris([]) == ""
    assert len(ris_records(to_ris([article(), chapter()]))) == 2


def test_ris_values_stay_on_one_line():
    text = to_ris([article(title="Two\nlines", citation=Citation(title="A\r\nB"))])
    assert "TI  - A B" in text


# --------------------------------------------------------------------------- BibTeX


def test_bibtex_article():
    text = to_bibtex([article()])
    assert text.startswith("@article{stolowiczmelman2023empathic,")
    assert "author = {Stolowicz-Melman, D. and Lazarus, G. and Atzil-Slonim, D.}" in text
    assert "title = {{Is empathic accuracy enough? The role of therapists' interventions}}" in text
    assert "pages = {682--690}" in text
    assert "doi = {10.1037/cou0000708}" in text
    assert "number = {6}" in text
    assert text.count("{") == text.count("}")


def test_bibtex_escapes_specials_and_keys_are_unique():
    s1 = article(citation=Citation(authors=["Ng, A."], year="2020", title="Costs & 50% of $ #1"))
    s2 = article(id="x-2", citation=Citation(authors=["Ng, A."], year="2020",
                                             title="Costs & 50% of $ #1"))
    text = to_bibtex([s1, s2])
    assert r"Costs \& 50\% of \$ \#1" in text
    keys = re.findall(r"@article\{([^,]+),", text)
    assert len(keys) == 2 and len(set(keys)) == 2
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")


def test_bibtex_chapter():
    text = to_bibtex([chapter()])
    assert text.startswith("@incollection{")
    assert "booktitle = {Handbook of Psychotherapy}" in text
    assert "editor = {Norcross, J. C. and Lambert, M. J.}" in text
    assert "publisher = {Oxford University Press}" in text


# --------------------------------------------------------------------------- CSV


def test_csv_columns_and_rows():
    text = to_csv([article(), chapter()], base_url="http://example.org")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["authors"] == "Stolowicz-Melman, D.; Lazarus, G.; Atzil-Slonim, D."
    assert first["topics"] == "Empathy; Therapist Factors"
    assert first["doi"] == "10.1037/cou0000708"
    assert first["url"] == "http://example.org/summary/2023-12-empathic-accuracy"
    assert first["summary"] == "Body text."
    assert len(rows) == 3


def test_csv_defuses_formulas():
    bad = article(title="=HYPERLINK(\"http://evil\")", citation=Citation(title="+1", journal="@x"))
    rows = list(csv.reader(io.StringIO(to_csv([bad]))))
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert row["title"].startswith("'=")
    assert row["article_title"] == "'+1" and row["journal"] == "'@x"


# --------------------------------------------------------------------------- routes


@pytest.mark.parametrize(
    "fmt, mimetype",
    [("ris", "application/x-research-info-systems"), ("bib", "application/x-bibtex"),
     ("csv", "text/csv")],
)
def test_result_set_export(client, fmt, mimetype):
    params = {"q": "therapist", "sort": "newest"}
    response = client.get(f"/export.{fmt}", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert f'filename="pprnet-results.{fmt}"' in response.headers["Content-Disposition"]
    idx = SearchIndex.open(template_site().index_dir)
    total = idx.search(SearchRequest(q="therapist", sort="newest")).total
    text = response.get_data(as_text=True)
    if fmt == "ris":
        assert len(ris_records(text)) == total
    elif fmt == "bib":
        assert text.count("\n@") + text.startswith("@") == total
    else:
        assert len(list(csv.reader(io.StringIO(text)))) == total + 1


def test_result_set_export_covers_every_page_in_order(client):
    """More results than one search page: all of them, in the page order."""
    idx = SearchIndex.open(template_site().index_dir)
    first = idx.search(SearchRequest(q="", sort="oldest", per_page=100))
    text = client.get("/export.csv?sort=oldest").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[0] for r in rows] == [h.id for h in first.hits]
    assert len(rows) == first.total > 10


def test_export_respects_filters(client):
    text = client.get("/export.csv?topic=Empathy").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all("Empathy" in r["topics"].split("; ") for r in rows)


def test_export_limit(client):
    app = make_app(template_site(), EXPORT_LIMIT=3)
    text = app.test_client().get("/export.ris").get_data(as_text=True)
    assert len(ris_records(text)) == 3


def test_one_summary_export(client):
    s = template_site().summaries()[4]
    response = client.get(f"/summary/{s.id}/export.bib")
    assert response.status_code == 200
    assert f'filename="{s.id}.bib"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).count("\n@") == 0
    assert s.citation.doi in response.get_data(as_text=True)
    assert client.get(f"/summary/{s.id}/export.pdf").status_code == 404
