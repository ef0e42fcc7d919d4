"""Name → extra topic scorer, blended into the model's score (one line per scorer).

Adding a scorer is one module with ``fit(text, labels)`` and ``score(text, state)`` and
one line here, in the manner of Annif's backend registry.
"""

from __future__ import annotations

from explorer.tagger.profile import ProfileScorer

SCORERS = {
    ProfileScorer.name: ProfileScorer,
}
