"""The one check of what a draft must be before the tagger ranks topics for it.

The editor, the API, `pprnet suggest` (single and batch) and `TopicModel.suggest` itself
all take a title, a text and maybe a journal from outside. They used to check them each
in their own words; now they call `read_input` (is it text, is there anything at all),
and the callers that tick suggestions ask `assess` (is there enough text, and text the
archive knows) so a wrong input gets the same message wherever it comes in.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from explorer.tagger.features import DocFields, cap_fields
from explorer.textproc import analyze

if TYPE_CHECKING:
    from explorer.tagger.model import TopicModel

MIN_WORDS = 25
MIN_KNOWN_SHARE = 0.2  # below this share of known words the text is "unlike the archive"
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class SuggestInputError(ValueError):
    """The draft cannot be ranked at all: not text, or empty. The message says which."""


def read_input(title: object = "", text: object = "", journal: object = None) -> DocFields:
    """The draft as `DocFields`, or `SuggestInputError` when a field is not text or both
    the title and the text are blank (None counts as blank)."""
    for name, value in (("title", title), ("text", text), ("journal", journal)):
        if value is not None and not isinstance(value, str):
            raise SuggestInputError(f"'{name}' must be a string")
    title_, text_ = title or "", text or ""
    assert isinstance(title_, str) and isinstance(text_, str)  # narrowed above
    if not title_.strip() and not text_.strip():
        raise SuggestInputError("nothing to suggest from: give a title or some text")
    return DocFields(title_, text_, journal if isinstance(journal, str) and journal else None)


def assess(model: TopicModel, fields: DocFields) -> str | None:
    """A notice for the editor when the input is too short or unlike the archive, else None."""
    capped, _ = cap_fields(fields)
    words = _WORD_RE.findall(f"{capped.title}\n{capped.text}")
    terms = analyze(f"{capped.title}\n{capped.text}")
    known = sum(1 for term in terms if term in model.space.text.index)
    if words and not known:
        return ("none of these words occur in the archive's summaries, so nothing is "
                "suggested")
    if len(words) < MIN_WORDS:
        plural = "word" if len(words) == 1 else "words"
        return (f"too little text to suggest: {len(words)} {plural}; at least {MIN_WORDS} "
                "needed (the ranking below is only a hint)")
    if terms and known / len(terms) < MIN_KNOWN_SHARE:
        return (f"only {known} of {len(terms)} words occur in the archive's summaries: "
                "the ranking below is only a hint")
    return None
