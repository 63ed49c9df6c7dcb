"""Every rule of a regulation lives in its profile, with the clause of *that* regulation.

The tables below were read off the originals (``shared/seeds``): a clause in a
profile is either the regulation's own or «регламентом не установлено; принято
организацией» — never a clause borrowed from another regulation.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.profile_loader import list_profiles
from incident_bridge.domain.regulations import ORGANISATION_RULE, Profile
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import PERSON_ACTIONS, Action, Role

ORG = ORGANISATION_RULE

CLOCK_CLAUSES = {
    "yelets": {
        "route": ("operator", "п. 5"), "redirect": ("operator", "п. 4"),
        "draft": ("executor", "п. 6"), "review": ("operator", "п. 7"),
        "rework": ("executor", "п. 8"), "total": ("operator", "п. 3"),
        "final_after_interim": ("executor", "п. 9"), "after_clarification": ("executor", ORG),
    },
    "lipetsk": {
        "route": ("curator", "п. 6"), "redirect": ("executor", "п. 7"),
        "draft": ("executor", "п. 9"), "review": ("curator", "п. 10"),
        "rework": ("executor", "п. 11"), "publish": ("executor", "п. 12"),
        "total": ("curator", "п. 8"), "final_after_interim": ("executor", "п. 13"),
        "part": ("executor", "п. 14"), "after_clarification": ("executor", ORG),
    },
    "leningrad": {
        "redirect": ("executor", "8.2"), "draft": ("executor", "8.4"),
        "review": ("curator", "8.5"), "rework": ("executor", "8.6"),
        "publish": ("executor", "8.7"), "total": ("curator", "8.3"),
        "final_after_interim": ("executor", "8.8"), "part": ("executor", "8.9"),
        "after_clarification": ("executor", "7.3"),
    },
    "luga": {
        "redirect": ("executor", "п. 5"), "draft": ("executor", "п. 7"),
        "rework": ("executor", "п. 8"), "publish": ("executor", "п. 9"),
        "total": ("executor", "п. 6"), "final_after_interim": ("executor", "п. 10"),
        "after_clarification": ("executor", ORG), "review": ("regional_authority", ORG),
    },
    "sobolevo": {
        "route": ("curator", "п. 8"), "redirect": ("executor", "п. 9"),
        "draft": ("executor", "п. 11"), "review": ("curator", "п. 12"),
        "rework": ("executor", "п. 13"), "publish": ("executor", "п. 14"),
        "total": ("curator", "п. 10"), "final_after_interim": ("executor", "п. 15"),
        "part": ("executor", "п. 17"), "after_clarification": ("executor", ORG),
    },
}  # fmt: skip

# Who routes and who approves, and the clauses that say so.
STEPS = {
    "yelets": {"route": ("operator", "п. 5"), "approve": ("operator", "п. 7"),
               "return": ("operator", "п. 8"), "decline": ("executor", ORG)},
    "lipetsk": {"route": ("curator", "п. 6"), "approve": ("curator", "п. 10"),
                "return": ("curator", "п. 10"), "decline": ("executor", "п. 7")},
    "leningrad": {"route": ("curator", "8.1"), "approve": ("curator", "8.5"),
                  "return": ("curator", "8.5"), "decline": ("executor", "8.2")},
    "luga": {"approve": ("regional_authority", "п. 7, 9"),
             "return": ("regional_authority", "п. 8"), "decline": ("executor", "п. 5")},
    "sobolevo": {"route": ("curator", "п. 8"), "approve": ("curator", "п. 12"),
                 "return": ("curator", "п. 12"), "decline": ("executor", "п. 9")},
}  # fmt: skip

EXCLUSION_CLAUSE = {
    "yelets": None,
    "lipetsk": "п. 17",
    "leningrad": "п. 10",
    "luga": "п. 12",
    "sobolevo": "п. 20",
}

# Words that name each regulation's organisation: another profile's clauses never mention them.
NAMES = {
    "yelets": "Ел",
    "lipetsk": "Липецк",
    "leningrad": "Ленинград",
    "luga": "Луж",
    "sobolevo": "Соболев",
}


def clauses(profile: Profile) -> list[str]:
    """Every clause a profile cites."""
    found = [rule.clause for rule in profile.clocks.values()]
    found += [v.clause for rule in profile.clocks.values() for v in rule.variants.values()]
    found += [step.clause for step in profile.steps.values()]
    found += [profile.blocking_clause, profile.exclusion.clause or ""]
    return found


@pytest.mark.parametrize("name", sorted(CLOCK_CLAUSES))
def test_each_clock_names_who_answers_and_its_own_clause(
    profiles: Callable[[str], Profile], name: str
) -> None:
    profile = profiles(name)
    table = {n: (r.who.value, r.clause) for n, r in profile.clocks.items()}
    assert table == CLOCK_CLAUSES[name]


@pytest.mark.parametrize("name", sorted(STEPS))
def test_steps_say_who_routes_and_approves(profiles: Callable[[str], Profile], name: str) -> None:
    profile = profiles(name)
    assert set(profile.steps) == set(PERSON_ACTIONS)
    for action, (who, clause) in STEPS[name].items():
        step = profile.steps[Action(action)]
        assert (step.who.value, step.clause) == (who, clause)


@pytest.mark.parametrize("name", sorted(EXCLUSION_CLAUSE))
def test_exclusion_grounds_come_from_the_regulation_itself(
    profiles: Callable[[str], Profile], name: str
) -> None:
    exclusion = profiles(name).exclusion
    assert exclusion.clause == EXCLUSION_CLAUSE[name]
    if exclusion.clause is None:
        # Yelets names no grounds: the person who excludes writes them.
        assert exclusion.grounds_required and "Елец" in exclusion.grounds
    else:
        assert not exclusion.grounds_required
        assert exclusion.grounds.startswith("Не подлежат обработке и ответу сообщения")
        assert "нецензурные либо оскорбительные выражения" in exclusion.grounds


@pytest.mark.parametrize("name", sorted(NAMES))
def test_no_profile_cites_another_regulation(profiles: Callable[[str], Profile], name: str) -> None:
    cited = " ".join(clauses(profiles(name)))
    assert all(c.strip() for c in clauses(profiles(name))[:-1])  # none empty
    for other, word in NAMES.items():
        if other != name:
            assert word not in cited, f"{name} cites {other}: {cited}"
    assert "по аналогии" not in cited


def test_every_profile_blocks_every_draft_kind_with_known_checks(
    profiles: Callable[[str], Profile],
) -> None:
    for name in list_profiles():
        profile = profiles(name)
        assert set(profile.blocking) == set(DraftKind)
        for kind in DraftKind:
            assert profile.blocking_for(kind) <= set(Check)
            assert Check.GREETING in profile.blocking_for(kind)
        # Only a full answer must answer every question.
        assert Check.COMPLETENESS in profile.blocking_for(DraftKind.ANSWER)
        assert Check.COMPLETENESS not in profile.blocking_for(DraftKind.CLARIFICATION)


def test_leningrad_blocks_on_style_by_its_quality_clause(
    profiles: Callable[[str], Profile],
) -> None:
    leningrad = profiles("leningrad")
    assert Check.STYLE in leningrad.blocking_for(DraftKind.ANSWER)
    assert leningrad.blocking_clause == "п. 9, 11"


def test_roles_of_clocks_and_steps_are_the_workflows_roles(
    profiles: Callable[[str], Profile],
) -> None:
    for name in list_profiles():
        profile = profiles(name)
        named = {r.who for r in profile.clocks.values()} | {s.who for s in profile.steps.values()}
        assert named <= set(Role) - {Role.ADMIN}


def test_to_dict_carries_every_rule(profiles: Callable[[str], Profile]) -> None:
    data = profiles("leningrad").to_dict()
    part = next(c for c in data["clocks"] if c["name"] == "part")
    assert part == part | {"amount": 5, "unit": "hours", "basis": "working", "who": "executor",
                           "clause": "8.9"}  # fmt: skip
    assert data["exclusion"] == {"clause": "п. 10", "grounds": profiles("leningrad").exclusion.grounds}
    assert data["blocking"]["answer"] == ["greeting", "spelling", "grammar", "completeness", "style"]
    assert data["file"].endswith("leningrad.toml")
    assert [a["name"] for a in data["absent"]] == ["route"]
