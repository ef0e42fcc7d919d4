"""The one DOI normaliser (explorer.doi): every dress a DOI arrives in, one key."""

from __future__ import annotations

import pytest

from explorer.doi import doi_key, find_doi, strip_doi, trim_doi

BARE = "10.1037/pst0000123"


@pytest.mark.parametrize("dressed", [
    BARE,
    "10.1037/PST0000123",
    "doi:10.1037/pst0000123",
    "DOI: 10.1037/pst0000123",
    "doi 10.1037/pst0000123",
    "https://doi.org/10.1037/pst0000123",
    "http://dx.doi.org/10.1037/pst0000123",
    "https://www.doi.org/10.1037/pst0000123",
    "doi.org/10.1037/pst0000123",
    "  10.1037/pst0000123.  ",
    "10.1037/pst0000123);",
    "https://doi.org/10.1037/pst0000123,",
])
def test_every_dress_gives_one_key(dressed: str) -> None:
    assert doi_key(dressed) == BARE
    assert find_doi(f"See Smith (2020). Title. Journal. {dressed}") == BARE


def test_trim_keeps_brackets_the_doi_opened() -> None:
    sici = "10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-R"
    assert trim_doi(f"{sici}.") == sici
    assert doi_key(f"https://doi.org/{sici}.") == sici.lower()
    assert trim_doi("10.1000/abc(12)") == "10.1000/abc(12)"  # balanced: kept
    assert trim_doi("10.1000/abc)") == "10.1000/abc"  # the sentence's bracket: dropped


def test_strip_only_undresses_a_stored_doi() -> None:
    assert strip_doi("doi:10.1037/PST0000123") == "10.1037/PST0000123"
    assert strip_doi(" https://doi.org/10.1037/PST0000123 ") == "10.1037/PST0000123"
    odd = '10.1000/x"><b>'  # kept as written: pages escape it, the key compares it
    assert strip_doi(odd) == odd and doi_key(odd) == '10.1000/x"><b'


@pytest.mark.parametrize("nothing", [None, "", "   ", "doi:", "https://doi.org/"])
def test_nothing_left_is_none(nothing: str | None) -> None:
    assert strip_doi(nothing) is None and doi_key(nothing) is None


def test_no_doi_in_ordinary_text() -> None:
    assert find_doi("alliance rupture repair 10.5 sessions") is None


def test_every_caller_uses_the_one_normaliser() -> None:
    """The corpus loader, the editor's citation, the duplicate check and the index agree."""
    from explorer.corpus import parse_citation_mapping
    from explorer.duplicates import doi_key as duplicates_key
    from explorer.records import Citation, Summary
    from explorer.search.schema import document_for

    cit = parse_citation_mapping({"doi": "http://dx.doi.org/10.1037/PST0000123"})
    assert cit.doi == "10.1037/PST0000123"
    assert duplicates_key("DOI: 10.1037/pst0000123") == BARE
    doc = document_for(Summary(id="x", published="2020-01", title="T", body="B",
                               citation=Citation(doi="https://doi.org/10.1037/PST0000123")))
    assert doc["doi"] == BARE
