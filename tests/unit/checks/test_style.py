"""Style (Leningrad cl.11): bureaucratese warns; redirection without action and format problems fail."""

from __future__ import annotations

import pytest

from incident_bridge.checks.style import check_style, platform_limit

HELLO = "Здравствуйте, Анна! "


def found(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(e.rule, text[e.start : e.end]) for e in check_style(text, **kwargs).errors]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phrase", "span"),
    [
        ("В рамках программы двор отремонтируют.", "В рамках"),
        ("Доводим до Вашего сведения, что двор отремонтируют.", "Доводим до Вашего сведения"),
        ("Довели до сведения жителей график.", "Довели до сведения"),
        ("По данному вопросу сообщаем, что двор отремонтируют.", "По данному вопросу"),
        ("Данные вопросы решаются.", "Данные вопросы"),
        ("Вывоз мусора осуществляется ежедневно.", "осуществляется"),
        ("Вывоз мусора осуществлялся ежедневно.", "осуществлялся"),
        ("В целях безопасности вход закрыт.", "В целях"),
        ("Мусор вывезен по вышеуказанному адресу.", "по вышеуказанному адресу"),
        ("В настоящее время ремонт идёт.", "В настоящее время"),
        ("На сегодняшний день ремонт идёт.", "На сегодняшний день"),
        ("Работы выполнят в кратчайшие сроки.", "в кратчайшие сроки"),
        ("Приняты необходимые меры.", "Приняты необходимые меры"),
    ],
)
def test_bureaucratese_is_a_warning(phrase: str, span: str) -> None:
    result = check_style(HELLO + phrase)
    assert ("bureaucratese", span) in found(HELLO + phrase)
    assert result.ok
    assert all(e.severity == "warning" for e in result.errors)


@pytest.mark.parametrize(
    "draft",
    [
        "Здравствуйте! По этому вопросу рекомендуем обратиться в управляющую компанию.",
        "Здравствуйте! Вам необходимо обратиться в прокуратуру.",
        "Здравствуйте! Обратитесь в полицию.",
        "Здравствуйте! С этим вопросом обращайтесь в управляющую компанию «Уют».",
        "Здравствуйте! Вы можете обратиться к участковому.",
        "Здравствуйте! Этот вопрос не входит в компетенцию администрации.",
    ],
)
def test_redirection_without_action_fails(draft: str) -> None:
    result = check_style(draft)
    assert not result.ok
    assert "unjustified_redirect" in [e.rule for e in result.errors]


@pytest.mark.parametrize(
    "draft",
    [
        "Здравствуйте! Мы передали Ваше обращение в управляющую компанию, ответ получим до пятницы. "
        "Также Вы можете обратиться в жилищную инспекцию.",
        "Здравствуйте! Яма заделана 5 мая. Если яма появится снова, обратитесь в дорожную службу.",
        "Здравствуйте! Мы проверим работу подрядчика. При повторении обращайтесь в администрацию.",
        "Здравствуйте! Мусор вывезен, площадка убрана.",
    ],
)
def test_redirection_after_action_is_fine(draft: str) -> None:
    assert "unjustified_redirect" not in [r for r, _ in found(draft)]


@pytest.mark.parametrize(
    "draft",
    [
        "Здравствуйте! Работы выполнены, фото прилагаем.",
        "Здравствуйте! Работы выполнены (см. фото).",
        "Здравствуйте! Прилагаем фотографии выполненных работ.",
        "Здравствуйте! Фотоотчёт прилагается.",
        "Здравствуйте! Фото во вложении.",
    ],
)
def test_promised_photo_needs_an_attachment(draft: str) -> None:
    assert not check_style(draft).ok
    assert "missing_attachment" in [r for r, _ in found(draft)]
    assert check_style(draft, has_attachments=True).ok


@pytest.mark.parametrize(
    ("platform", "attachments", "limit"),
    [
        ("vk", False, 4096),
        ("VK", True, 4096),
        ("вконтакте", False, 4096),
        ("telegram", False, 4096),
        ("telegram", True, 1024),
        ("ok", False, 4096),
        ("instagram", False, 2200),
        ("unknown-network", False, None),
        (None, False, None),
    ],
)
def test_platform_limits(platform: str | None, attachments: bool, limit: int | None) -> None:
    assert platform_limit(platform, attachments) == limit


def test_reply_too_long_for_the_network() -> None:
    draft = HELLO + "Мусор вывезен. " * 80
    assert check_style(draft, platform="vk").ok
    result = check_style(draft, platform="telegram", has_attachments=True)
    assert not result.ok
    assert result.errors[-1].rule == "too_long"
    assert result.errors[-1].start == 1024


def test_corpus_of_correct_replies_passes_style(replies: list[str]) -> None:
    assert all(check_style(r, platform="vk").ok for r in replies)
