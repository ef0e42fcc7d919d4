"""Every importer ``pprnet import`` knows, by name and by file suffix.

A new format is one module in this package that defines an `Importer` (see
`explorer.importers.base`) plus one entry in `_ALL` below: the command's ``--format``
choices, the suffixes it picks out of a folder and its help follow from this table.
"""

from __future__ import annotations

from pathlib import Path

from explorer.importers import blog_page
from explorer.importers.base import Importer

_ALL: tuple[Importer, ...] = (
    blog_page.IMPORTER,
)

#: name -> importer; the first one is the default for a file no importer claims by suffix.
IMPORTERS: dict[str, Importer] = {importer.name: importer for importer in _ALL}
DEFAULT = _ALL[0].name


def by_name(name: str) -> Importer:
    """The importer called ``name``; ValueError naming the known ones otherwise."""
    try:
        return IMPORTERS[name]
    except KeyError:
        known = ", ".join(sorted(IMPORTERS))
        raise ValueError(f"unknown import format {name!r} (known: {known})") from None


def for_path(path: Path) -> Importer:
    """The importer claiming ``path``'s suffix, else the default one (a page saved under
    any name is still read, as before the registry)."""
    suffix = path.suffix.lower()
    for importer in IMPORTERS.values():
        if suffix in importer.suffixes:
            return importer
    return IMPORTERS[DEFAULT]


def suffixes() -> tuple[str, ...]:
    """Every suffix some importer claims, in registry order: what a folder is scanned for."""
    return tuple(dict.fromkeys(s for importer in IMPORTERS.values() for s in importer.suffixes))
