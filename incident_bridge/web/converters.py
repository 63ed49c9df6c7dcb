"""URL converters of the bridge's pages."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: Ids are the database's 32-bit integers: a larger number cannot name anything.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<ib_id:name>``: a positive id the database can hold; anything else is a 404, never a 500."""

    def __init__(self, map: object) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, min=1, max=MAX_ID)  # type: ignore[arg-type]
