"""What the search page says about the search it shows: the corrected words in the
heading, the order actually used, advice that fits the empty result, and a page number
that does not exist.
"""

from __future__ import annotations

import re
from html import unescape


def heading(html: str) -> str:
    h1 = re.search(r'<h1 id="results-heading"[^>]*>(.*?)</h1>', html, re.S)
    assert h1
    return " ".join(unescape(re.sub(r"<[^>]+>", "", h1.group(1))).split())


def test_a_corrected_search_names_the_words_it_searched(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/?q=allaince").get_data(as_text=True)
    assert "Showing results for" in page
    assert heading(page).endswith("for alliance")
    assert "<title>alliance · Search" in page
    # asked not to correct: the typed words, as typed
    page = client.get("/?q=allaince&correct=0").get_data(as_text=True)
    assert heading(page).endswith("for allaince")


def test_a_search_of_filters_only_says_it_is_newest_first(client, summaries) -> None:  # type: ignore[no-untyped-def]
    year = min(int(s.citation.year) for s in summaries)
    page = client.get(f"/?q=year:{year}-{year + 3}").get_data(as_text=True)
    assert re.search(r'<option value="newest" selected>Newest first</option>', page)
    assert not re.search(r'<option value="[^"]*" selected>Relevance', page)
    api = client.get(f"/api/search?q=year:{year}-{year + 3}").get_json()
    months = [h["published"] for h in api["hits"]]
    assert months == sorted(months, reverse=True) and len(months) > 1
    # words to rank by: relevance, as before
    page = client.get("/?q=alliance").get_data(as_text=True)
    assert re.search(r'<option value="" selected>Relevance</option>', page)


def test_spelling_advice_only_when_there_are_words(client) -> None:  # type: ignore[no-untyped-def]
    filters = "topic=Empathy&topic=Anxiety+Disorders&type=Meta-analysis&from=2015&to=2015"
    page = client.get(f"/?{filters}").get_data(as_text=True)
    assert "Nothing matches with these filters" in page
    assert "Check the spelling" not in page and "Search without filters" in page
    page = client.get(f"/?q=zzqxv&{filters}").get_data(as_text=True)
    assert "Check the spelling" in page


def test_a_page_number_below_one_is_explained(client) -> None:  # type: ignore[no-untyped-def]
    for value in ("-1", "0"):
        page = client.get(f"/?page={value}").get_data(as_text=True)
        assert f"There is no page {value}, so page 1 is shown." in unescape(page)
    assert "There is no page" not in client.get("/?page=1").get_data(as_text=True)


def test_a_very_long_query_is_shortened_in_the_heading_not_in_the_box(client) -> None:  # type: ignore[no-untyped-def]
    words = " ".join(f"word{i}" for i in range(100))  # about 690 characters
    page = client.get("/", query_string={"q": words}).get_data(as_text=True)
    shown = heading(page)
    assert shown.endswith("…") and len(shown) < 200
    assert f'value="{words}"' in page  # the search box keeps every word
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and len(title.group(1)) < 120
