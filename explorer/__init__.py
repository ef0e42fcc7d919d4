"""PPRNet Explorer: search and topic explorer for psychotherapy research summaries.

The corpus folder is the source of truth; the index and the tagger model are derived
from it by ``pprnet build`` and can be rebuilt at any time.
"""

__version__ = "0.1.0"
