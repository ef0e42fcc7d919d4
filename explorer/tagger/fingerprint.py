"""A stable hash of the corpus content, so a saved model knows which corpus it learnt from.

Order of the list and the files' paths do not matter (the same corpus copied elsewhere is
the same corpus); any change of text, tags or citation does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from explorer.records import Summary


def corpus_fingerprint(summaries: Iterable[Summary]) -> str:
    """sha256 over the summaries' content (without ``path``), in id order."""
    records = []
    for summary in summaries:
        data = summary.to_dict()
        data.pop("path", None)
        records.append(data)
    records.sort(key=lambda d: (d["id"], json.dumps(d, sort_keys=True, ensure_ascii=False)))
    digest = hashlib.sha256()
    for data in records:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
