"""Spelling: unknown words are flagged with suggestions; names, numbers, links, jargon are not."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from incident_bridge.checks.spelling import check_spelling
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from incident_bridge.checks.spelling_suggest import suggest


def flagged(
    text: str,
    lexicon: SpellingLexicon,
    *,
    author_name: str | None = None,
    extra_words: Iterable[str] = frozenset(),
) -> list[str]:
    result = check_spelling(text, lexicon, author_name=author_name, extra_words=extra_words)
    return [e.word for e in result.errors if e.kind == "spelling"]


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("обязательно", "обязательно"),
        ("абязательно", "обязательно"),
        ("обезательно", "обязательно"),
        ("отремантировать", "отремонтировать"),
        ("тратуар", "тротуар"),
        ("асвальт", "асфальт"),
        ("кантейнер", "контейнер"),
        ("росписание", "расписание"),
        ("подьезд", "подъезд"),
        ("обьявление", "объявление"),
        ("колектив", "коллектив"),
        ("расчитать", "рассчитать"),
        ("извените", "извините"),
        ("сдесь", "здесь"),
        ("зафтра", "завтра"),
        ("кстате", "кстати"),
        ("переодически", "периодически"),
        ("естесственно", "естественно"),
        ("следущий", "следующий"),
        ("молодеж", "молодежь"),
        ("нащет", "насчет"),
        ("хочеться", "хочется"),
        ("получаеться", "получается"),
        ("ктобы", "кто бы"),
        ("вобщем", "в общем"),
        ("незнаю", "не знаю"),
        ("небыло", "не было"),
        ("чтото", "что-то"),
        ("изза", "из-за"),
        ("потомучто", "потому что"),
        ("ооочень", "очень"),
        ("територии", "территории"),
        ("обслужевание", "обслуживание"),
    ],
)
def test_misspelling_is_flagged_with_the_right_suggestion(
    lexicon: SpellingLexicon, wrong: str, right: str
) -> None:
    text = f"Сообщаем, что {wrong} будет учтено."
    errors = [e for e in check_spelling(text, lexicon).errors if e.kind == "spelling"]
    if wrong == right:
        assert errors == []
        return
    assert [e.word for e in errors] == [wrong]
    assert right in [s.replace("ё", "е") for s in errors[0].suggestions[:3]]
    assert text[errors[0].start : errors[0].end] == wrong


def test_capitalised_misspelling_at_sentence_start_is_flagged_and_keeps_case(
    lexicon: SpellingLexicon,
) -> None:
    errors = check_spelling("Извените за задержку ответа.", lexicon).errors
    assert [e.word for e in errors] == ["Извените"]
    assert errors[0].suggestions[0] == "Извините"


@pytest.mark.parametrize(
    "text",
    [
        "Ямочный ремонт дороги выполнен, грейдирование грунтовых дорог запланировано на май.",
        "Плата за общедомовые нужды пересчитана ресурсоснабжающей организацией.",
        "Контейнерная площадка очищена, подтопление подвала устранено.",
        "Кронирование деревьев и опиловка сухостоя выполнены подрядчиком.",
        "Региональный оператор вывез крупногабаритный мусор с площадки.",
        "Ливнёвка прочищена, ливнеприёмники освобождены от листвы.",
        "Работы по догазификации и техприсоединению ведёт межрайгаз.",
        "Вызовите аварийно-диспетчерскую службу по телефону 8 (800) 100-20-30.",
        "Подробности на сайте https://admin-elets.ru/news/123 и в группе vk.com/elets_adm.",
        "Пишите на почту priemnaya@elets.ru или в Telegram @elets_admin.",
        "Обращение передано в ЖКХ, МКД № 5 включён в план, ТКО вывезены, МФЦ работает, "
        "ГИБДД уведомлена.",
        "Управляющая компания ООО «Уютный дом» выполнила работы в 2024-м году.",
        "Уборку дворов на улице Кривенкова выполняет бригада Мухаметзянова.",
        "Мы передали информацию инженеру Хабибуллину и мастеру Загоруйко.",
        "Сидоренко Н. В. проверила расчёт платы.",
        "Фотофиксация нарушений ведётся, видеонаблюдение установлено.",
        "Ремонт ведётся согласно муниципальному контракту, smart-освещение не внедряется.",
        "Ёлку установят на площади, ёлочные игрушки закуплены.",
        "Жители СНТ «Рассвет» получат ответ по e-mail.",
    ],
)
def test_correct_official_text_has_no_spelling_errors(lexicon: SpellingLexicon, text: str) -> None:
    assert flagged(text, lexicon) == []


def test_the_authors_name_is_never_flagged(lexicon: SpellingLexicon) -> None:
    text = "Уважаемый Зульфугар! Благодарим Зульфугара за обращение."
    assert flagged(text, lexicon, author_name="Зульфугар Гасанов") == []


def test_organisation_words_are_accepted(lexicon: SpellingLexicon) -> None:
    text = "Обращение передано в Липецкоблводоканал и Елецгоргаз."
    # Mid-sentence, a capitalised word is taken for a name.
    assert flagged(text, lexicon) in (["Липецкоблводоканал"], [])
    text = "липецкоблводоканал проверил сети."
    assert flagged(text, lexicon) == ["липецкоблводоканал"]
    assert flagged(text, lexicon, extra_words={"Липецкоблводоканал"}) == []


@pytest.mark.parametrize("word", ["щас", "хочим", "ложат", "фотки", "седня"])
def test_colloquial_words_are_a_separate_kind(lexicon: SpellingLexicon, word: str) -> None:
    result = check_spelling(f"Мы {word} всё проверим.", lexicon)
    assert [(e.word, e.kind) for e in result.errors] == [(word, "colloquial")]
    assert result.ok  # colloquial words are a matter of style, not spelling


def test_result_is_not_ok_with_a_misspelling(lexicon: SpellingLexicon) -> None:
    result = check_spelling("Работы будут выполнены в теччение недели.", lexicon)
    assert not result.ok


def test_corpus_of_correct_replies_has_no_spelling_errors(
    lexicon: SpellingLexicon, replies: list[str]
) -> None:
    found = {e.word for r in replies for e in check_spelling(r, lexicon).errors}
    assert found == set()


def test_suggestions_are_remembered_by_their_lexicon(lexicon: SpellingLexicon) -> None:
    found = suggest("кантейнер", lexicon)
    assert found[0] == "контейнер"
    assert suggest("кантейнер", lexicon) is found
    lexicon.clear_caches()
    assert suggest("кантейнер", lexicon) == found


def test_two_lexicons_do_not_share_words_or_answers(lexicon: SpellingLexicon) -> None:
    own = SpellingLexicon(words={"Липецкоблводоканал"})
    text = "липецкоблводоканал проверил сети."
    # Each order of asking: an answer one lexicon remembers never reaches the other.
    assert flagged(text, own) == []
    assert flagged(text, lexicon) == ["липецкоблводоканал"]
    assert flagged(text, own) == []
    assert "липецкоблводоканал" in own.vocabulary
    assert "липецкоблводоканал" not in lexicon.vocabulary
    assert len(own.suggestions) == 0 < len(lexicon.suggestions)


@pytest.mark.parametrize("word", ["что-ли", "во-многом", "гос-службы", "не-как"])
def test_a_hyphen_where_russian_writes_a_space_is_flagged_though_hunspell_joins_it(
    lexicon: SpellingLexicon, word: str
) -> None:
    assert flagged(f"Мы {word} согласны.", lexicon) == [word]


def test_the_spelling_check_takes_the_language_models_as_an_option(
    lexicon: SpellingLexicon,
) -> None:
    # Without them a capitalised unknown word at a sentence's start is flagged, as before.
    assert flagged("Парголово получит остановку.", lexicon) == ["Парголово"]
