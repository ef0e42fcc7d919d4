"""When suggestions do not deserve to be ticked: too little text, or words the archive
does not know.

The model always ranks all topics, and the best one of any input scores something: for
"asdf qwer lorem ipsum" that is the topic whose classifier fires on the absence of topic
words (Miscellaneous, the archive's residual label). Pre-ticking such a ranking invites a
wrong tag. So the callers (editor, API, CLI) ask `assess` first: an input below
``MIN_WORDS`` words, or one with no word (or too few words) the model's vocabulary knows,
keeps its ranking for reference but gets a notice and nothing suggested (the checks
themselves live in `suggest_input`). Titles alone are still ranked: the title-only figures
in `pprnet evaluate` say how far to trust them.
"""

from __future__ import annotations

from typing import Any

from explorer.tagger.features import DocFields
from explorer.tagger.model import TopicModel
from explorer.tagger.suggest_input import MIN_WORDS, assess

__all__ = ["MIN_WORDS", "apply", "assess", "suggest_with_trust"]


def apply(result: dict, notice: str | None) -> dict:
    """Add ``notice`` to a suggestion and, when there is one, untick every topic."""
    result["notice"] = notice
    if notice:
        for item in result.get("topics", []):
            item["suggested"] = False
    return result


def suggest_with_trust(model: TopicModel, fields: DocFields, **kwargs: Any) -> dict:
    """`TopicModel.suggest` plus the notice: what the editor, the API and the CLI show.

    ``kwargs`` (limit, similar, exclude_id) go to `TopicModel.suggest`, which checks them.

    Raises `suggest_input.SuggestInputError` for input that is not text or is empty.
    """
    result = model.suggest(fields.title, fields.text, journal=fields.journal, **kwargs)
    return apply(result, assess(model, fields))
