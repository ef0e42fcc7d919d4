"""The APA citation parser on the seed page's citations and on constructed shapes."""

from __future__ import annotations

import re

import pytest

from explorer.citation import looks_like_citation, parse_authors, parse_citation, parse_editors
from explorer.records import Citation


def _seed_citation_lines(seed_text: str) -> list[str]:
    return [line for line in seed_text.splitlines() if looks_like_citation(line)]


def test_seed_has_five_citation_lines(seed_text):
    assert len(_seed_citation_lines(seed_text)) == 5


def test_every_seed_citation_parses_completely(seed_text):
    for line in _seed_citation_lines(seed_text):
        c = parse_citation(line)
        assert c.authors and c.year and c.title and c.journal, line
        assert re.fullmatch(r"(19|20)\d\d", c.year)


def test_seed_empathic_accuracy(seed_text):
    line = next(x for x in _seed_citation_lines(seed_text) if x.startswith("Stolowicz"))
    c = parse_citation(line)
    assert c.authors == ["Stolowicz-Melman, D.", "Lazarus, G.", "Atzil-Slonim, D."]
    assert c.year == "2023"
    assert c.title.startswith("Is empathic accuracy enough? The role of therapists")
    assert c.title.endswith("session outcome")
    assert c.journal == "Journal of Counseling Psychology"
    assert (c.volume, c.issue, c.pages) == ("70", "6", "682–690")
    assert c.doi == "10.1037/cou0000708"


def test_seed_advance_online(seed_text):
    line = next(x for x in _seed_citation_lines(seed_text) if x.startswith("Alfonsson"))
    c = parse_citation(line)
    assert c.authors[-1] == "Tyrberg, M. J."
    assert c.journal == "Psychotherapy"
    assert c.status == "advance online publication"
    assert c.volume is None
    assert "termination—A qualitative" in c.title
    assert c.doi == "10.1037/pst0000503"


def test_seed_et_al_and_article_number(seed_text):
    line = next(x for x in _seed_citation_lines(seed_text) if x.startswith("McQuaid"))
    c = parse_citation(line)
    assert c.authors == ["McQuaid, A.", "Sanatinia, R.", "Farquharson, L."]
    assert (c.journal, c.volume, c.pages) == ("BMC Psychiatry", "21", "578")
    assert c.doi == "10.1186/s12888-021-03588-2"


def test_seed_no_doi_no_issue(seed_text):
    line = next(x for x in _seed_citation_lines(seed_text) if x.startswith("Lin, T."))
    c = parse_citation(line)
    assert (c.volume, c.issue, c.pages, c.doi) == ("58", None, "449–459", None)
    assert c.title.startswith("Zoom-in to zone-out")


CASES = [
    # (reference, expected subset of fields)
    (
        "Bohart, A. C., & Wade, A. G. (2013). The client in psychotherapy. In M. J. Lambert "
        "(Ed.), Bergin and Garfield's handbook of psychotherapy and behavior change (6th ed., "
        "pp. 219–257). Wiley.",
        {
            "authors": ["Bohart, A. C.", "Wade, A. G."],
            "title": "The client in psychotherapy",
            "pages": "219–257",
            "publisher": "Wiley",
            "editors": ["Lambert, M. J."],
            "journal": "Bergin and Garfield's handbook of psychotherapy and behavior change (6th ed.)",
        },
    ),
    (
        "Fowler, J.C. (2012). Suicide risk assessment in clinical practice: Pragmatic guidelines "
        "for imperfect assessments. Psychotherapy, 49, 81-89. doi:10.1037/a0026148.",
        {"authors": ["Fowler, J. C."], "volume": "49", "pages": "81–89", "doi": "10.1037/a0026148"},
    ),
    (
        "Cuijpers, P., Huibers, M., Ebert, D. D., Koole, S. L., & Andersson, G. (2013). How much "
        "psychotherapy is needed to treat depression? A metaregression analysis. Journal of "
        "Affective Disorders, 149(1-3), 1-13. https://doi.org/10.1016/j.jad.2013.02.030.",
        {
            "title": "How much psychotherapy is needed to treat depression? A metaregression analysis",
            "journal": "Journal of Affective Disorders",
            "issue": "1-3",
            "pages": "1–13",
            "doi": "10.1016/j.jad.2013.02.030",
            "year": "2013",
        },
    ),
    (
        "Smith, J. (in press). Therapist effects revisited. Psychotherapy Research.",
        {
            "year": "in press",
            "status": "in press",
            "journal": "Psychotherapy Research",
            "title": "Therapist effects revisited",
        },
    ),
    (
        "Wampold, B. E. (2015). How important are the common factors in psychotherapy? An update. "
        "World Psychiatry, 14(3), 270–277.",
        {
            "title": "How important are the common factors in psychotherapy? An update",
            "journal": "World Psychiatry",
            "volume": "14",
            "issue": "3",
            "doi": None,
        },
    ),
    (
        "Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance in "
        "adult psychotherapy: A meta-analytic synthesis. Psychotherapy, 55(4), 316–340. "
        "http://dx.doi.org/10.1037/pst0000172",
        {
            "authors": ["Flückiger, C.", "Del Re, A. C.", "Wampold, B. E.", "Horvath, A. O."],
            "doi": "10.1037/pst0000172",
        },
    ),
    (
        "Lambert, M. J. (2013). The efficacy and effectiveness of psychotherapy. In M. J. Lambert "
        "(Ed.), Bergin and Garfield's handbook of psychotherapy and behavior change (pp. 169–218). "
        "John Wiley & Sons.",
        {
            "title": "The efficacy and effectiveness of psychotherapy",
            "pages": "169–218",
            "publisher": "John Wiley & Sons",
        },
    ),
    (
        "Town, J. M., Diener, M. J., Abbass, A., Leichsenring, F., Driessen, E., & Rabung, S. "
        "(2012). A meta-analysis of psychodynamic psychotherapy outcomes. Psychotherapy, 49(3), "
        "276–290. DOI: 10.1037/a0029564",
        {"doi": "10.1037/a0029564", "issue": "3"},
    ),
    (
        "Barkham, M., Lutz, W., Lambert, M. J., & Saxon, D. (2017). Therapist effects, effective "
        "therapists, and the law of variability. In L. G. Castonguay & C. E. Hill (Eds.), How and "
        "why are some therapists better than others? (pp. 13–36). American Psychological Association.",
        {
            "editors": ["Castonguay, L. G.", "Hill, C. E."],
            "pages": "13–36",
            "publisher": "American Psychological Association",
        },
    ),
    (
        "Doe, A. (2020). A title without anything else.",
        {"title": "A title without anything else", "journal": None, "volume": None},
    ),
    (
        "Kivlighan, D. M., Jr., Hill, C. E., & Gelso, C. J. (2019). Title here. Journal of "
        "Counseling Psychology, 66(2), 141-150.",
        {"year": "2019", "volume": "66", "pages": "141–150"},
    ),
    (
        "Barber, J. P.,  Zilcha-Mano, S. (2021).  Rupture   and repair. Psychotherapy\u00a0Research, "
        "31(1), 1—12. https://doi.org/10.1080/10503307.2020.1838652",
        {
            "pages": "1–12",
            "doi": "10.1080/10503307.2020.1838652",
            "journal": "Psychotherapy Research",
        },
    ),
    (
        "Hill, C. E. (2020). Helping skills (5th ed.). American Psychological Association.",
        {"year": "2020", "authors": ["Hill, C. E."]},
    ),
    (
        "Lutz, W., et al. (2022). Progress feedback in routine care. JAMA Psychiatry. Advance "
        "online publication. doi: 10.1001/jamapsychiatry.2022.1234",
        {
            "status": "advance online publication",
            "doi": "10.1001/jamapsychiatry.2022.1234",
            "authors": ["Lutz, W."],
        },
    ),
    (
        "Norcross, J. C., & Lambert, M. J. (2018). Psychotherapy relationships that work III. "
        "Psychotherapy, 55(4), 303–315. https://doi.org/10.1037/pst0000193.",
        {"doi": "10.1037/pst0000193", "title": "Psychotherapy relationships that work III"},
    ),
    (
        "Goldberg, S. B. (2017b). Do psychotherapists improve with time and experience? Journal "
        "of Counseling Psychology, 65(1), e12.",
        {"year": "2017b", "pages": "e12"},
    ),
]


@pytest.mark.parametrize("reference,expected", CASES)
def test_constructed_shapes(reference, expected):
    c = parse_citation(reference)
    for key, value in expected.items():
        assert getattr(c, key) == value, (key, getattr(c, key))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "(",
        "2020",
        "Nothing like a citation at all",
        "(2020). . . , ,",
        "Surname, (in press",
    ],
)
def test_odd_input_never_raises(text):
    parse_citation(text)


def test_parse_authors_handles_ampersand_and_et_al():
    assert parse_authors("A, B., C, D. E., & F, G. et al.") == ["A, B.", "C, D. E.", "F, G."]


def test_formatted_roundtrip_keeps_fields():
    ref = CASES[2][0]
    c = parse_citation(ref)
    again = parse_citation(c.formatted())
    assert (again.title, again.journal, again.volume, again.doi) == (
        c.title,
        c.journal,
        c.volume,
        c.doi,
    )


# --------------------------------------------------------------------------- each shape, field by field


def _fields(c) -> dict:
    return {k: v for k, v in vars(c).items() if v}


def test_reference_without_a_year_still_gives_authors_title_and_source():
    c = parse_citation("Smith, J., & Doe, A. B. Title of the work. Journal of Things, 3(2), 10-20.")
    assert _fields(c) == {
        "authors": ["Smith, J.", "Doe, A. B."], "title": "Title of the work",
        "journal": "Journal of Things", "volume": "3", "issue": "2", "pages": "10–20",
    }


def test_no_date_is_an_empty_year_not_the_letters():
    c = parse_citation("Doe, J. (n.d.). Title here. Journal Name.")
    assert c.year is None and c.status is None
    assert (c.authors, c.title, c.journal) == (["Doe, J."], "Title here", "Journal Name")


@pytest.mark.parametrize("tail,pages", [(", pp. 12-15.", "12–15"), (", p. 12.", "12")])
def test_pages_without_a_volume(tail, pages):
    c = parse_citation(f"Doe, J. (2020). Title here. Journal Name{tail}")
    assert (c.journal, c.volume, c.issue, c.pages) == ("Journal Name", None, None, pages)


def test_group_author_is_kept_whole():
    c = parse_citation("American Psychological Association. (2020). Publication manual of the "
                       "American Psychological Association (7th ed.).")
    assert c.authors == ["American Psychological Association"]
    assert c.year == "2020"
    assert c.title == "Publication manual of the American Psychological Association (7th ed.)"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Open Science Collaboration, et al.", ["Open Science Collaboration"]),
        ("Smith, J", ["Smith, J."]),
        ("Smith, J., and Xu, L.", ["Smith, J.", "Xu, L."]),
        ("Smith, J. & Doe, A.", ["Smith, J.", "Doe, A."]),
    ],
)
def test_author_list_shapes(text, expected):
    assert parse_authors(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("A. Bergin and S. Garfield", ["Bergin, A.", "Garfield, S."]),
        ("L. G. Castonguay, C. E. Hill, & J. Doe", ["Castonguay, L. G.", "Hill, C. E.", "Doe, J."]),
        ("A. Smith,, B. Jones", ["Smith, A.", "Jones, B."]),
        ("Th. Jones", ["Jones, Th."]),
        ("American Psychiatric Association", ["American Psychiatric Association"]),
    ],
)
def test_editor_lists_come_out_surname_first(text, expected):
    assert parse_editors(text) == expected


def test_chapter_with_editors_joined_by_and_and_no_pages():
    c = parse_citation("Doe, J. (2020). The case of patient X. In A. Bergin and S. Garfield (Eds.), "
                       "Handbook of things (2nd ed.). Wiley.")
    assert _fields(c) == {
        "authors": ["Doe, J."], "year": "2020", "title": "The case of patient X",
        "editors": ["Bergin, A.", "Garfield, S."], "journal": "Handbook of things (2nd ed.)",
        "publisher": "Wiley",
    }


def test_chapter_without_a_publisher():
    c = parse_citation("Doe, J. (2020). The case of patient X. In A. Bergin (Ed.), Handbook of "
                       "things (pp. 1-2).")
    assert (c.title, c.journal, c.pages, c.publisher) == (
        "The case of patient X", "Handbook of things", "1–2", None)


@pytest.mark.parametrize(
    "reference,title,journal",
    [
        ("Doe, J. (2020). Generation X.", "Generation X", None),
        ("Doe, J. (2020). Does it work? Journal of Things, 3, 1-2.", "Does it work?",
         "Journal of Things"),
        ("Doe, J. (2020). Title here. Journal Name. https://example.org/report.pdf", "Title here",
         "Journal Name"),
        ("Doe, J. (2020). Title here. Journal Name,.", "Title here", "Journal Name"),
        ("Doe,\u00a0J. (2020). Title\u2009here  and   there. Journal Name.", "Title here and there",
         "Journal Name"),
    ],
)
def test_title_and_source_edges(reference, title, journal):
    c = parse_citation(reference)
    assert (c.authors, c.title, c.journal) == (["Doe, J."], title, journal)


def test_doi_ending_in_x_keeps_it():
    c = parse_citation("Doe, J. (2020). Title here. Studies in Generation X, 3(1), 1-9. "
                       "https://doi.org/10.1234/ABC.X")
    assert (c.journal, c.volume, c.doi) == ("Studies in Generation X", "3", "10.1234/ABC.X")


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_reference_is_an_empty_citation(text):
    assert parse_citation(text) == Citation()


@pytest.mark.parametrize(("text", "authors"), [
    ("American Psychological Association,", ["American Psychological Association"]),
    ("Studio X, et al.", ["Studio X"]),  # a group author whose name ends in a capital
    ("Team RX.", ["Team RX"]),
    ("Studio X,", ["Studio X"]),
    ("Studio, et al.,", ["Studio"]),
])
def test_group_authors_lose_only_the_trailing_punctuation(text: str, authors: list[str]) -> None:
    assert parse_authors(text) == authors


def test_only_the_first_400_characters_are_read_for_the_year():
    start = "Smith, J., "
    year = "(2020)"

    def line(at: int) -> str:  # the year's closing bracket at character `at`
        return start + "x" * (at - len(start) - len(year)) + year + ". A title."

    assert looks_like_citation(line(400))
    assert not looks_like_citation(line(401))
