"""The Governor's posts watch use cases on the in-memory unit of work (Leningrad)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from incident_bridge.checks.report import DraftChecker
from incident_bridge.domain.errors import IllegalTransition, NotFound, PermissionDenied
from incident_bridge.domain.regulations import Profile
from incident_bridge.services import watch
from incident_bridge.services.actors import actor_for
from incident_bridge.services.context import Context
from tests.unit.services.fakes import Cast, FakeUnitOfWork

PUBLISHED = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 10:00 in St Petersburg
NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def leningrad(profiles: Callable[[str], Profile], checker: DraftChecker) -> Context:
    return Context.build(profiles("leningrad"), checker=checker)


def _register(uow: FakeUnitOfWork, ctx: Context, people: Cast) -> int:
    post = watch.register_post(
        uow, ctx, actor_for(people.curator), url="https://vk.com/wall-1_2",
        account="Губернатор", published_at=PUBLISHED, subdivision_ids=[people.roads.id], now=NOW,
    )  # fmt: skip
    return post.id


def test_a_refused_tick_changes_nothing(
    uow: FakeUnitOfWork, leningrad: Context, people: Cast
) -> None:
    post_id = _register(uow, leningrad, people)
    post = uow.watch.get(post_id)
    assert post is not None and len(post.tasks) == 9 and len(post.events) == 2
    continuous, check = post.tasks[0], post.tasks[1]
    with pytest.raises(PermissionDenied):
        watch.tick(uow, leningrad, actor_for(people.housing_executor), continuous.id,
                   new_comments=1, note=None, now=NOW)  # fmt: skip
    with pytest.raises(IllegalTransition):
        watch.tick(uow, leningrad, actor_for(people.roads_executor), check.id,
                   new_comments=1, note=None, now=NOW)  # fmt: skip
    assert continuous.done_at is None and len(post.events) == 2 and uow.rolled_back == 2

    watch.tick(uow, leningrad, actor_for(people.roads_executor), continuous.id,
               new_comments=2, note="  ", now=NOW)  # fmt: skip
    assert (continuous.done_at, continuous.new_comments, continuous.note) == (NOW, 2, None)
    assert post.events[-1].data["late"] is False


def test_a_body_added_late_gets_only_the_tasks_not_yet_due(
    uow: FakeUnitOfWork, leningrad: Context, people: Cast
) -> None:
    post_id = _register(uow, leningrad, people)
    later = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)  # Tuesday 10:30
    watch.change_bodies(uow, leningrad, actor_for(people.admin), post_id, people.housing.id,
                        add=True, now=later)  # fmt: skip
    post = uow.watch.get(post_id)
    assert post is not None
    housing = [t for t in post.tasks if t.subdivision_id == people.housing.id]
    assert [t.due_at for t in housing][0] == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # Tue 12:00
    assert all(t.due_at > later for t in housing) and len(housing) == 5


def test_a_profile_without_the_watch_refuses_with_its_reason(
    uow: FakeUnitOfWork, ctx: Context, people: Cast
) -> None:
    with pytest.raises(NotFound, match="положение не предусматривает"):
        _register(uow, ctx, people)
