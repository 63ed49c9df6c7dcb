"""Similar past approved replies, beside the draft form (read side; no writes).

The messages most like this one by their words, among those whose answer was approved:
PostgreSQL ranks Russian full text (``search_document``, GIN) with ``ts_rank``; SQLite
ranks its FTS5 index (``ib_incident_fts``, prefixes of the words) with ``bm25``. Each hit
gives the approved answer's text, to insert into the draft in one click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from incident_bridge.checks import morph

LIMIT = 5
#: Words worth matching: long enough, not a stop word.
_WORD = re.compile(r"[а-яёa-z]{3,}", re.IGNORECASE)
_MAX_WORDS = 24
_FUNCTION = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ", "PRED"})
_COURTESY = frozenset({"здравствуйте", "добрый", "спасибо", "пожалуйста", "уважаемые"})


@dataclass(frozen=True, slots=True)
class Similar:
    incident_id: int
    number: str
    topic: str
    message: str
    reply: str
    draft_id: int


def words(message: str) -> list[str]:
    """The message's content words (no function words), in order, each once."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(message.lower().replace("ё", "е")):
        parsed = morph.parses(word)
        if word in _COURTESY or (parsed and parsed[0].tag.POS in _FUNCTION):
            continue
        seen.setdefault(word, None)
    return list(seen)[:_MAX_WORDS]


_PG = """
SELECT i.id, i.number, i.topic, i.text, d.text, d.id
FROM ib_incident i
JOIN LATERAL (
    SELECT d.id, d.text FROM ib_draft d
    WHERE d.incident_id = i.id AND d.kind = 'answer' AND d.state = 'approved'
    ORDER BY d.reviewed_at DESC NULLS LAST, d.id DESC LIMIT 1
) d ON TRUE
WHERE i.search_document @@ to_tsquery('russian', :query) AND i.id <> :incident_id
ORDER BY ts_rank(i.search_document, to_tsquery('russian', :query)) DESC, i.id DESC
LIMIT :limit
"""

_SQLITE = """
SELECT i.id, i.number, i.topic, i.text, d.text, d.id
FROM ib_incident_fts f
JOIN ib_incident i ON i.id = f.rowid
JOIN ib_draft d ON d.id = (
    SELECT d2.id FROM ib_draft d2
    WHERE d2.incident_id = i.id AND d2.kind = 'answer' AND d2.state = 'approved'
    ORDER BY d2.reviewed_at DESC, d2.id DESC LIMIT 1
)
WHERE ib_incident_fts MATCH :query AND i.id <> :incident_id
ORDER BY bm25(ib_incident_fts), i.id DESC
LIMIT :limit
"""


def replies(session: Session, incident_id: int, message: str, limit: int = LIMIT) -> list[Similar]:
    """The approved answers to the messages most like ``message`` (not this one)."""
    found = words(message)
    if not found:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sql, query = _PG, " | ".join(found)
    else:
        # A prefix of each word stands in for the stem SQLite lacks («ям» finds «яма», «ямы»).
        sql, query = _SQLITE, " OR ".join(f'"{w[: max(3, len(w) - 2)]}"*' for w in found)
    rows = session.execute(text(sql), {"query": query, "incident_id": incident_id, "limit": limit})
    return [Similar(i, str(n), str(t), str(m), str(r), d) for i, n, t, m, r, d in rows]
