"""«Типовые формулировки»: the library's page and the list beside the draft form."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from markupsafe import escape

from incident_bridge.domain.model import DraftKind, IncidentPage
from incident_bridge.persistence.models import Phrase
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import ingest, phrases, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card

SENT = "Ваше обращение направлено в управляющую компанию."
PLANNED = "Работы запланированы на май."
HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def _add(app: Any, people: dict[str, Any], subdivision: str | None, title: str, text: str) -> int:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        subdivision_id = people[subdivision].id if subdivision else None
        phrase = phrases.add(SqlAlchemyUnitOfWork(state.db.session), actor_for(people["operator"]),
                             subdivision_id=subdivision_id, title=title, text=text,
                             now=datetime.now(UTC))  # fmt: skip
        phrase_id = phrase.id
        state.db.session.remove()
        return phrase_id


def _stored(app: Any) -> list[tuple[str, int | None, bool]]:
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        rows = [(p.title, p.subdivision_id, p.archived_at is not None)
                for p in session.query(Phrase).order_by(Phrase.id)]  # fmt: skip
        session.remove()
        return rows


def _routed(app: Any, people: dict[str, Any], draft: str | None = None) -> int:
    """A message routed to the roads subdivision, with a saved draft if ``draft`` is given."""
    with app.app_context():
        state = app.extensions["incident_bridge"]
        uow, ctx, now = SqlAlchemyUnitOfWork(state.db.session), state.context, datetime.now(UTC)
        with uow:
            (incident_id,) = ingest.ingest_page(
                uow, ctx, IncidentPage((make_card(),), (), None, False), now
            ).incident_ids
        workflow.route(uow, ctx, incident_id, actor_for(people["operator"]), people["roads"].id,
                       now=now, assignee_id=people["roads_executor"].id)  # fmt: skip
        if draft is not None:
            workflow.save_draft(uow, ctx, incident_id, actor_for(people["roads_executor"]),
                                DraftKind.ANSWER, draft, now=now)  # fmt: skip
        state.db.session.remove()
        return incident_id


def _textarea(page: str) -> str:
    match = re.search(r'<textarea[^>]*id="draft-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no draft form"
    return html.unescape(match.group(1)).strip()


def test_a_coordinator_adds_edits_and_archives_a_phrase(browser: Any, app: Any, people: Any):
    browser.login("operator")
    page = browser.get("/phrases/").get_data(as_text=True)
    assert 'id="nav-phrases"' in page and 'id="form-phrase"' in page
    done = browser.submit("/phrases/", "/phrases/", {"subdivision": people["roads"].id,
                                                     "title": "Сроки", "text": PLANNED})  # fmt: skip
    assert "Формулировка добавлена." in done.get_data(as_text=True)
    assert _stored(app) == [("Сроки", people["roads"].id, False)]
    (phrase_id,) = [int(i) for i in re.findall(r'data-phrase="(\d+)"', browser.last_page)]

    edited = browser.submit("/phrases/", f"/phrases/{phrase_id}/edit",
                            {"subdivision": "0", "title": "Сроки", "text": SENT})  # fmt: skip
    page = edited.get_data(as_text=True)
    assert "Формулировка изменена." in page
    assert _stored(app) == [("Сроки", None, False)]
    log = page[page.index('id="phrases-log"') :]
    assert "Изменена" in log and "Добавлена" in log and str(escape(PLANNED)) in log  # the old text
    assert "Operator" in log

    archived = browser.submit("/phrases/", f"/phrases/{phrase_id}/archive", {})
    page = archived.get_data(as_text=True)
    assert "перенесена в архив" in page
    assert _stored(app) == [("Сроки", None, True)]  # kept, not deleted
    assert f'data-phrase="{phrase_id}"' not in page and 'id="no-phrases"' in page


def test_a_refused_phrase_is_explained_in_russian(browser: Any, app: Any, people: Any):
    browser.login("operator")
    long_text = browser.submit("/phrases/", "/phrases/",
                               {"subdivision": "0", "title": "Длинно", "text": "а" * 4097})  # fmt: skip
    assert "Текст длиннее 4096 знаков" in long_text.get_data(as_text=True)
    _add(app, people, None, "Общая", SENT)
    twice = browser.submit("/phrases/", "/phrases/",
                           {"subdivision": "0", "title": "общая", "text": PLANNED})  # fmt: skip
    assert "уже есть" in twice.get_data(as_text=True)
    assert [t for t, _, _ in _stored(app)] == ["Общая"]


def test_an_executor_reads_but_cannot_change_the_library(browser: Any, app: Any, people: Any):
    own = _add(app, people, "roads", "Сроки ремонта", PLANNED)
    common = _add(app, people, None, "Направлено в УК", SENT)
    other = _add(app, people, "housing", "Отопление", "Отопление дадут.")
    browser.login("roads")
    page = browser.get("/phrases/").get_data(as_text=True)
    assert f'data-phrase="{own}"' in page and f'data-phrase="{common}"' in page
    assert f'data-phrase="{other}"' not in page and "Отопление дадут" not in page
    assert 'id="form-phrase"' not in page and "phrase-archive" not in page
    # Even asked by the filter, another subdivision's phrases stay hidden.
    housing = browser.get(f"/phrases/?subdivision={people['housing'].id}").get_data(as_text=True)
    assert f'data-phrase="{other}"' not in housing
    assert "Управление ЖКХ" not in housing.split("<main>", 1)[1]

    csrf = browser.token("/phrases/")
    for url, data in (
        ("/phrases/", {"subdivision": people["roads"].id, "title": "Моя", "text": SENT}),
        (f"/phrases/{own}/edit", {"subdivision": "0", "title": "Моя", "text": SENT}),
        (f"/phrases/{own}/archive", {}),
    ):
        assert browser.client.post(url, data={"csrf_token": csrf, **data}).status_code == 403
    assert _stored(app) == [
        ("Сроки ремонта", people["roads"].id, False),
        ("Направлено в УК", None, False),
        ("Отопление", people["housing"].id, False),
    ]


def test_the_filter_shows_one_subdivision_or_the_common_phrases(
    browser: Any, app: Any, people: Any
):
    roads = _add(app, people, "roads", "Сроки ремонта", PLANNED)
    common = _add(app, people, None, "Направлено в УК", SENT)
    housing = _add(app, people, "housing", "Отопление", "Отопление дадут.")
    browser.login("operator")
    everything = browser.get("/phrases/").get_data(as_text=True)
    groups = re.findall(r'data-group="([^"]+)"', everything)
    assert groups == ["common", str(people["roads"].id), str(people["housing"].id)]
    only = browser.get(f"/phrases/?subdivision={people['roads'].id}").get_data(as_text=True)
    assert re.findall(r'data-phrase="(\d+)"', only) == [str(roads)]
    shown = browser.get("/phrases/?subdivision=common").get_data(as_text=True)
    assert re.findall(r'data-phrase="(\d+)"', shown) == [str(common)]
    assert str(housing) in re.findall(r'data-phrase="(\d+)"', everything)


def test_a_hostile_phrase_is_shown_as_text(browser: Any, app: Any, people: Any):
    phrase_id = _add(app, people, "roads", HOSTILE, HOSTILE)
    incident_id = _routed(app, people)
    browser.login("operator")
    page = browser.get("/phrases/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert str(escape(HOSTILE)) in page
    browser.login("roads")
    page = browser.get(f"/incidents/{incident_id}").get_data(as_text=True)
    aid = page[page.index('id="phrases-aid"') :]
    assert "<script>alert" not in aid and "<img src=x" not in aid
    assert f'data-insert-phrase="{str(escape(HOSTILE))}"' in aid
    inserted = browser.get(f"/incidents/{incident_id}?draft_from=phrase:{phrase_id}")
    assert _textarea(inserted.get_data(as_text=True)) == HOSTILE


def test_the_draft_form_lists_the_subdivisions_phrases_and_appends_one_without_js(
    browser: Any, app: Any, people: Any
):
    own = _add(app, people, "roads", "Сроки ремонта", PLANNED)
    common = _add(app, people, None, "Направлено в УК", SENT)
    other = _add(app, people, "housing", "Отопление", "Отопление дадут.")
    archived = _add(app, people, "roads", "Старая", "Устаревшая формулировка.")
    with app.app_context():
        state = app.extensions["incident_bridge"]
        phrases.archive(SqlAlchemyUnitOfWork(state.db.session), actor_for(people["operator"]),
                        archived, now=datetime.now(UTC))  # fmt: skip
        state.db.session.remove()
    incident_id = _routed(app, people, draft="Здравствуйте, Иван!")
    url = f"/incidents/{incident_id}"
    browser.login("roads")
    page = browser.get(url).get_data(as_text=True)
    aid = page[page.index('id="phrases-aid"') : page.index("Похожие одобренные ответы")]
    assert re.findall(r'class="phrase-aid" data-phrase="(\d+)"', aid) == [str(common), str(own)]
    assert "«Вставить»" not in aid and ">Вставить</a>" in aid
    assert f"draft_from=phrase:{own}" in aid

    appended = browser.get(f"{url}?draft_from=phrase:{own}").get_data(as_text=True)
    assert _textarea(appended) == f"Здравствуйте, Иван!\n\n{PLANNED}"
    assert 'id="draft-from-note"' in appended
    # Another subdivision's phrase or an archived one is not inserted by its id either.
    for hidden in (other, archived):
        page = browser.get(f"{url}?draft_from=phrase:{hidden}").get_data(as_text=True)
        assert _textarea(page) == "Здравствуйте, Иван!"


def test_whoever_does_not_write_the_draft_sees_no_phrases_beside_it(
    browser: Any, app: Any, people: Any
):
    _add(app, people, None, "Направлено в УК", SENT)
    incident_id = _routed(app, people)
    browser.login("operator")
    assert 'id="phrases-aid"' not in browser.get(f"/incidents/{incident_id}").get_data(as_text=True)
