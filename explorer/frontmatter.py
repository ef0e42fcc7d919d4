"""Split a Markdown file into its YAML front matter and its body: the one place that
knows the ``---`` marks.

The corpus reader (strict: every problem with its line) and ``pprnet suggest`` (lenient:
front matter optional) both read such files; they used to split them each their own way.
Loading the YAML stays with the caller: the corpus reader needs the node tree for the
line of every key, the suggester only the values.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN_MARK = "---"
CLOSE_MARKS = ("---", "...")  # YAML allows "..." to end a document


class FrontMatterError(ValueError):
    """Front matter that cannot be split off (it is opened but never closed)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str  # between the marks
    body: str  # everything after the closing mark
    body_line: int  # 1-based line number of the body's first line

    # 1-based line number of the YAML text's first line (just below the opening mark)
    yaml_line = 2


def normalize_newlines(text: str) -> str:
    """``\\n`` line ends and no byte-order mark, whatever editor wrote the file."""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def split_front_matter(text: str) -> FrontMatter | None:
    """The front matter of ``text`` (already newline-normalized), or None when the first
    line is not ``---``. Raises FrontMatterError when it is opened but never closed."""
    lines = text.split("\n")
    if lines[0].strip() != OPEN_MARK:
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in CLOSE_MARKS), None)
    if end is None:
        raise FrontMatterError("front matter is not closed: add a '---' line after it", line=1)
    return FrontMatter(
        yaml_text="\n".join(lines[1:end]),
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
    )
