"""The layering rules of ../shared/ARCHITECTURE.md, checked on the real import graph.

Every module's imports are read with `ast` (lazy imports inside functions and
``TYPE_CHECKING`` blocks count too: they are dependencies all the same). A module may
import its own layer and the layers below it, never above; a few rules are sharper
(records and textproc stand alone; search and tagger take records, not files; only one
layer talks to each heavy library). The last tests run the checker on made-up modules to
show that it does catch each kind of violation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"

# Lowest first. A module's layer is that of its top-level name under ``explorer``
# (``explorer.search.index`` -> "search"); the package itself (``explorer``: the version)
# is a foundation.
LAYERS: list[set[str]] = [
    # plain records, the text pipeline and small helpers with no knowledge of the archive
    {"", "records", "textproc", "cache", "atomicfile", "frontmatter", "strict", "packaged",
     "integrity", "leftovers", "doi"},
    # the archive's files and formats
    {"citation", "citation_check", "apa", "corpus", "duplicates", "exports", "importers"},
    # derived from records: the search index and the topic model
    {"search", "tagger"},
    # putting them together for a corpus folder
    {"builder", "corpus_version"},
    {"web"},
    {"commands"},
    {"cli"},
]

# Pairs (importer layer, imported layer) that are never allowed, beyond "not upward".
FORBIDDEN: dict[str, set[str]] = {
    "records": {name for layer in LAYERS for name in layer} - {"", "records"},
    "textproc": {name for layer in LAYERS for name in layer} - {"", "textproc"},
    "search": {"tagger", "corpus"},  # search takes records and a taxonomy, not files
    "tagger": {"search", "corpus"},
}

# Third-party libraries each kept behind one layer (web never touches Whoosh or
# scikit-learn directly; NLTK only where text is stemmed).
OWNED_LIBRARIES = {"whoosh": {"search"}, "sklearn": {"tagger"}, "nltk": {"textproc"}}

# Known drift from the rules, each excused with its reason. Empty: search/ takes records.
KNOWN_DRIFT: set[tuple[str, str]] = set()


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``source`` imports (relative imports resolved against ``module``)."""
    found: set[str] = set()
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # from . import x inside explorer/search/index.py -> explorer.search
                anchor = package[: len(package) - node.level + (1 if _is_package(module) else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "explorer":  # from explorer import corpus, __version__
                found.update(f"explorer.{a.name}" if a.name != "__version__" else "explorer"
                             for a in node.names)
            else:
                found.add(base)
    return found


def _is_package(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.is_dir()


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def rank(layer: str) -> int:
    for i, names in enumerate(LAYERS):
        if layer in names:
            return i
    raise KeyError(f"explorer.{layer} is in no layer of tests/test_import_rules.py: add it")


def violations(graph: dict[str, set[str]], excused: set[tuple[str, str]] = frozenset()
               ) -> list[str]:
    """One line per import that breaks a rule (``graph``: module -> what it imports)."""
    out: list[str] = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module)
        for target in sorted(targets):
            top = target.split(".")[0]
            if top in OWNED_LIBRARIES and mine not in OWNED_LIBRARIES[top]:
                out.append(f"{module} imports {top} (only {sorted(OWNED_LIBRARIES[top])} may)")
            if top != "explorer" or (module, target) in excused:
                continue
            theirs = layer_of(target)
            if theirs == mine:
                continue
            if rank(theirs) > rank(mine):
                out.append(f"{module} imports upward: {target}")
            elif theirs in FORBIDDEN.get(mine, ()):
                out.append(f"{module} imports {target} ({mine}/ must not use {theirs})")
    return out


def package_graph() -> dict[str, set[str]]:
    return {
        module_name(path): imports_of(path.read_text(encoding="utf-8"), module_name(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


# --------------------------------------------------------------------------- the rules


def test_every_module_is_in_a_layer():
    for module in package_graph():
        rank(layer_of(module))


def test_the_package_keeps_its_layering():
    assert violations(package_graph(), KNOWN_DRIFT) == []


def test_the_graph_is_read_from_the_real_package():
    graph = package_graph()
    assert "explorer.records" in graph["explorer.exports.base"]
    assert "explorer.search.store" in graph["explorer.search.index"]
    assert any(t.startswith("whoosh") for t in graph["explorer.search.index"])
    assert "explorer.textproc" in graph["explorer.search.topic_terms"]


# --------------------------------------------------------------------------- the checker


def _graph(**sources: str) -> dict[str, set[str]]:
    graph = {}
    for dotted, source in sources.items():
        module = "explorer." + dotted.replace("__", ".")
        graph[module] = imports_of(source, module)
    return graph


@pytest.mark.parametrize(
    "sources, expected",
    [
        ({"records": "from explorer.corpus import load_corpus"}, "imports upward"),
        ({"textproc": "from explorer import records"}, "textproc/ must not use records"),
        ({"search__index": "def f():\n    from explorer.web import state"}, "imports upward"),
        ({"search__build": "from explorer.corpus import load_corpus"}, "must not use corpus"),
        ({"tagger__model": "import explorer.search.engine"}, "must not use search"),
        ({"web__api": "from explorer.commands import options"}, "imports upward"),
        ({"web__topics": "import sklearn.linear_model"}, "imports sklearn"),
        ({"web__search_page": "from whoosh import index"}, "imports whoosh"),
        ({"corpus": "import nltk"}, "imports nltk"),
        ({"builder": "from explorer.cli import main"}, "imports upward"),
    ],
)
def test_the_checker_catches_a_violation(sources, expected):
    found = violations(_graph(**sources))
    assert any(expected in line for line in found), found


def test_the_checker_lets_allowed_imports_pass():
    graph = _graph(
        web__api="from explorer.search import SearchIndex\nfrom explorer.tagger import trust",
        commands__x="from explorer.web import create_app\nfrom explorer import builder",
        search__index="from explorer import textproc\nfrom explorer.records import Summary",
        tagger__model="import sklearn\nfrom explorer.textproc import analyze",
    )
    assert violations(graph) == []


def test_known_drift_is_excused_only_for_its_own_pair():
    graph = _graph(search__index="from explorer.corpus import load_taxonomy",
                   search__engine="from explorer.corpus import load_taxonomy")
    found = violations(graph, {("explorer.search.index", "explorer.corpus")})
    assert found == ["explorer.search.engine imports explorer.corpus "
                     "(search/ must not use corpus)"]


def test_relative_imports_are_resolved():
    assert imports_of("from .store import x", "explorer.search.index") == {"explorer.search.store"}
    assert imports_of("from . import store", "explorer.search") == {"explorer.search"}
    assert imports_of("from ..corpus import y", "explorer.search.index") == {"explorer.corpus"}
