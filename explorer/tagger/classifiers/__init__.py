"""Topic classifiers, one module each, behind the interface in `classifiers.base`.

Each module defines ``NAME`` and ``fit(x, labels, options) -> LinearTopics``; the registry
(`explorer.tagger.registry`) maps names to modules, so a new classifier is one file here and
one line there, in the manner of Annif's backends.
"""
