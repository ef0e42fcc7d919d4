"""Name -> topic classifier module, and name -> extra topic scorer (one line each).

Adding a classifier is one module in `explorer.tagger.classifiers` with ``NAME`` and
``fit`` (see `classifiers.base.TopicClassifier`) and one line here; `TaggerConfig` accepts
its name, training calls it and `persist` saves its `LinearTopics` like any other, in the
manner of Annif's backend registry. Scorers have ``fit(text, labels)`` and
``score(text, state)`` and are blended in by weight.
"""

from __future__ import annotations

from types import ModuleType

from explorer.tagger.classifiers import ensemble, logistic, ridge, svm
from explorer.tagger.profile import ProfileScorer

CLASSIFIERS: dict[str, ModuleType] = {module.NAME: module for module in (logistic, svm, ridge,
                                                                  ensemble)}

SCORERS = {
    ProfileScorer.name: ProfileScorer,
}


def classifier(name: str) -> ModuleType:
    """The registered classifier module called ``name``; ValueError naming the choices."""
    try:
        return CLASSIFIERS[name]
    except KeyError:
        raise ValueError(f"unknown classifier {name!r}: use one of "
                         f"{tuple(CLASSIFIERS)}") from None
