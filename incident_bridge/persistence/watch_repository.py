"""The Governor's posts watch on SQLAlchemy: posts, their bodies and tasks, their comments."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.watch import normalise_url
from incident_bridge.persistence.models import (
    Incident,
    WatchBody,
    WatchedPost,
    WatchTask,
)

#: The loads of a post's page: bodies with their subdivisions, tasks, history (a few queries).
_POST_PAGE = (
    selectinload(WatchedPost.bodies).selectinload(WatchBody.subdivision),
    selectinload(WatchedPost.tasks),
    selectinload(WatchedPost.events),
)


class SqlAlchemyWatch:
    """Watched posts by id and by their normalised url, their tasks, and comment incidents."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, post_id: int) -> WatchedPost | None:
        """A post with its bodies, tasks and history."""
        return self.session.scalar(
            select(WatchedPost).where(WatchedPost.id == post_id).options(*_POST_PAGE)
        )

    def posts(self) -> list[WatchedPost]:
        """Every post, the latest published first, with bodies and tasks (constant queries)."""
        query = select(WatchedPost).order_by(WatchedPost.published_at.desc(), WatchedPost.id.desc())
        return list(self.session.scalars(query.options(*_POST_PAGE)))

    def by_urls(self, urls: Collection[str]) -> dict[str, WatchedPost]:
        """The posts of these normalised urls, by url (one query)."""
        if not urls:
            return {}
        query = select(WatchedPost).where(WatchedPost.url.in_(list(urls)))
        return {p.url: p for p in self.session.scalars(query)}

    def task(self, task_id: int) -> WatchTask | None:
        """One task, with its post's bodies (to know whether its body is still in charge)."""
        return self.session.get(WatchTask, task_id)

    def comments(self, post: WatchedPost) -> list[Incident]:
        """The incidents whose ``post_url`` is this post (normalised), newest first.

        The comments are found when the post's page is shown, so ingest stays as cheap as
        it was: a LIKE on the host and path narrows them, the normalised key decides.
        """
        bare = post.url.removeprefix("https://").partition("?")[0]
        pattern = "%" + bare.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = (
            select(Incident)
            .where(Incident.post_url.like(pattern, escape="\\"))
            .order_by(Incident.remote_created_at.desc())
        )
        return [i for i in self.session.scalars(query) if _key(i.post_url) == post.url]


def _key(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalise_url(url)
    except InvalidInput:
        return None
