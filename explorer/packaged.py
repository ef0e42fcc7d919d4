"""Files that ship inside the package: the web templates, static files, default taxonomy.

They are found through the package (``importlib.resources``), never by walking up from
``__file__`` to a checkout, so an installed wheel works from any folder. The templates
live in the repository's top-level ``templates/`` (where the people who edit them expect
them); ``explorer/templates`` is a symbolic link to it, so an editable install reads the
live folder and a wheel carries a copy (setuptools copies through the link).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_TAXONOMY = ("data", "default_taxonomy.yaml")


def resource(*parts: str) -> Traversable:
    """A file or folder inside the installed ``explorer`` package."""
    return resources.files("explorer").joinpath(*parts)


def resource_dir(*parts: str) -> Path:
    """A packaged folder as a real path: Flask and Jinja load templates and static files
    from folders, so the package must be installed as files (a wheel or editable install,
    not a zip archive)."""
    folder = resource(*parts)
    if not isinstance(folder, Path) or not folder.is_dir():
        raise RuntimeError(
            f"packaged folder {'/'.join(parts)} not found as a directory ({folder}): "
            "reinstall PPRNet Explorer (pip install .)"
        )
    return folder


def templates_dir() -> Path:
    """The Jinja templates of the web explorer."""
    return resource_dir("templates")


def static_dir() -> Path:
    """CSS, JavaScript and icons served under ``/static``."""
    return resource_dir("web", "static")


def default_taxonomy() -> Traversable:
    """The taxonomy used for corpus folders without a ``taxonomy.yaml`` of their own."""
    return resource(*DEFAULT_TAXONOMY)
