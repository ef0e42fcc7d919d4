"""The ``pprnet`` command. Each sub-command lives in ``explorer/commands/``.

Every command takes ``--corpus`` and ``--index`` (defaults ``corpus/`` and ``index/``, or
``PPRNET_CORPUS`` / ``PPRNET_INDEX``) and exits non-zero with one clear line on bad input.
"""

from __future__ import annotations

import click

from explorer import __version__
from explorer.commands import (
    corpus_commands,
    search_commands,
    tag_command,
    tagger_commands,
    web_commands,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pprnet")
def main() -> None:
    """PPRNet Explorer: search, browse and tag the archive of psychotherapy research summaries."""


for command in corpus_commands.COMMANDS:
    main.add_command(command)

for command in search_commands.COMMANDS:
    main.add_command(command)

for command in tagger_commands.COMMANDS:
    main.add_command(command)

for command in tag_command.COMMANDS:
    main.add_command(command)

for command in web_commands.COMMANDS:
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
