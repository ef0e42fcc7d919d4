"""The one suggest-input check: every entry point (model, API, CLI) answers alike."""

from __future__ import annotations

import pytest

from explorer.tagger.features import DocFields
from explorer.tagger.suggest_input import SuggestInputError, read_input


@pytest.mark.parametrize("field", ["title", "text", "journal"])
@pytest.mark.parametrize("value", [5, ["a"], {"x": 1}, 2.5])
def test_a_field_that_is_not_text_is_named(field, value):
    kwargs = {"title": "A title", "text": "", "journal": None} | {field: value}
    with pytest.raises(SuggestInputError, match=f"'{field}' must be a string"):
        read_input(**kwargs)


@pytest.mark.parametrize("title,text", [("", ""), ("  ", "\n\t"), (None, None), (None, " ")])
def test_blank_input_is_refused(title, text):
    with pytest.raises(SuggestInputError, match="nothing to suggest from"):
        read_input(title, text)


def test_good_input_comes_back_as_fields_with_blanks_normalised():
    assert read_input("T", None, "") == DocFields("T", "", None)
    assert read_input(None, "body", "J. Couns.") == DocFields("", "body", "J. Couns.")


def test_the_error_is_a_value_error_so_old_callers_still_catch_it():
    assert issubclass(SuggestInputError, ValueError)
