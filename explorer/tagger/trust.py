"""When suggestions do not deserve to be ticked: too little text, or words the archive
does not know.

The model always ranks all topics, and the best one of any input scores something: for
"asdf qwer lorem ipsum" that is the topic whose classifier fires on the absence of topic
words (Miscellaneous, the archive's residual label). Pre-ticking such a ranking invites a
wrong tag. So the callers (editor, API, CLI) ask `assess` first: an input below
``MIN_WORDS`` words, or one with no word (or too few words) the model's vocabulary knows,
keeps its ranking for reference but gets a notice and nothing suggested. Titles alone are
still ranked: the title-only figures in `pprnet evaluate` say how far to trust them.
"""

from __future__ import annotations

import re

from explorer.tagger.features import DocFields, cap_fields
from explorer.tagger.model import TopicModel
from explorer.textproc import analyze

MIN_WORDS = 25
MIN_KNOWN_SHARE = 0.2  # below this share of known words the text is "unlike the archive"
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


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


def apply(result: dict, notice: str | None) -> dict:
    """Add ``notice`` to a suggestion and, when there is one, untick every topic."""
    result["notice"] = notice
    if notice:
        for item in result.get("topics", []):
            item["suggested"] = False
    return result


def suggest_with_trust(model: TopicModel, fields: DocFields, **kwargs: object) -> dict:
    """`TopicModel.suggest` plus the notice: what the editor, the API and the CLI show."""
    result = model.suggest(fields.title, fields.text, journal=fields.journal, **kwargs)
    return apply(result, assess(model, fields))
