"""The quality rating of the bodies for a period (Leningrad 13), from the report's figures.

The method is the profile's ``Rating`` (its weights a setting), and the page prints it;
every component is a ratio of figures the report shows, so anyone can recount it.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_bridge.domain.regulations import Rating
from incident_bridge.reports.build import TOTAL, PersonLine

COMPONENT_LABELS = {
    "timeliness": "ответы в срок",
    "returns": "без возвратов на доработку",
    "overrides": "без одобрения вопреки проверкам",
    "feedback": "удовлетворённость авторов",
}


@dataclass(frozen=True, slots=True)
class Rated:
    """One body's place: its score (None: too few answers) and each component, 0–1."""

    name: str
    answered: int
    score: float | None
    components: dict[str, float | None]
    place: int | None = None


def components(line: PersonLine) -> dict[str, float | None]:
    """Each component of one body, 0–1; None where the body has no data for it."""
    total = line.clocks.get(TOTAL)
    answered = line.answered
    t = line.tally
    rated = t.rated
    return {
        "timeliness": total.on_time / total.count if total and total.count else None,
        "returns": max(0.0, 1 - t.returns / answered) if answered else None,
        "overrides": max(0.0, 1 - t.overrides / answered) if answered else None,
        "feedback": (t.feedback["satisfied"] + 0.5 * t.feedback["neutral"]) / rated
        if rated
        else None,
    }


def score(parts: dict[str, float | None], rule: Rating) -> float | None:
    """The weighted mean, 0–100, of the components a body has data for."""
    weights = {k: w for k, w in rule.weights.items() if w > 0 and parts.get(k) is not None}
    if not weights:
        return None
    total = sum(weights.values())
    return round(100 * sum(w * (parts[k] or 0.0) for k, w in weights.items()) / total, 1)


def rating(bodies: list[PersonLine], rule: Rating) -> list[Rated]:
    """The bodies, best first; those with fewer than ``min_answered`` answers last, unrated."""
    rows = []
    for line in bodies:
        if line.key is None:
            continue  # messages not routed to any body
        parts = components(line)
        enough = line.answered >= rule.min_answered
        rows.append(Rated(line.name, line.answered, score(parts, rule) if enough else None, parts))
    ranked = sorted(
        (r for r in rows if r.score is not None), key=lambda r: (-(r.score or 0), r.name)
    )
    unrated = sorted((r for r in rows if r.score is None), key=lambda r: r.name)
    placed = [
        Rated(r.name, r.answered, r.score, r.components, place)
        for place, r in enumerate(ranked, start=1)
    ]
    return placed + unrated


@dataclass(frozen=True, slots=True)
class Kpi:
    """An executor's timeliness for staff assessment (Sobolevo 22): their clocks' runs on time."""

    name: str
    body: str
    runs: int
    on_time: int
    returns: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.runs if self.runs else None


def staff_kpi(executors: list[PersonLine], body: str | None = None) -> list[Kpi]:
    """Each executor's finished runs of their own clocks (drafting, rework, a part) on time.

    ``body``: only that body's executors (what its responsible official sees).
    """
    rows = []
    for line in executors:
        if body is not None and line.body != body:
            continue
        runs = sum(c.count for c in line.clocks.values())
        on_time = sum(c.on_time for c in line.clocks.values())
        rows.append(Kpi(line.name, line.body, runs, on_time, line.tally.returns))
    return sorted(rows, key=lambda k: (k.body, k.name))
