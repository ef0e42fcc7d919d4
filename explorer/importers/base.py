"""What every importer shares: the result it returns and the `Importer` record the
registry (`explorer.importers.registry`) holds.

An importer is a function from a file's text to summaries and warnings; reading the file
(size limits, encoding) and merging into the corpus are the command's job, so a new
format only has to turn text into `Summary` records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from explorer.records import Summary


@dataclass
class ImportedSummary:
    summary: Summary
    line: int  # line of the summary's heading in the source


@dataclass
class ImportResult:
    summaries: list[ImportedSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "line N: message"


@dataclass(frozen=True)
class Importer:
    """One outside format: ``read(text)`` never raises on odd text, it warns instead."""

    name: str  # what ``pprnet import --format`` takes
    suffixes: tuple[str, ...]  # lower-case file suffixes it claims, with the dot
    read: Callable[[str], ImportResult]
    description: str  # one line for ``--help``
