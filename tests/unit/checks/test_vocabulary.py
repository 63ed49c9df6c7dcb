"""The municipal vocabulary and abbreviations: official words pass, misspellings of them do not."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from incident_bridge.checks.spelling import check_spelling
from incident_bridge.checks.spelling_lexicon import SpellingLexicon, generated_forms


def flagged(text: str, lexicon: SpellingLexicon) -> list[str]:
    return [e.word for e in check_spelling(text, lexicon).errors if e.kind == "spelling"]


def data_lines(name: str) -> list[str]:
    path = resources.files("incident_bridge.checks") / "data" / name
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "text",
    [
        # Municipal and housing words, in their inflections.
        "Тротуары обработаны пескосоляной смесью, пескосоляная смесь завезена.",
        "Дождеприёмные колодцы прочищены, дождеприемный колодец у дома 5 заменён.",
        "Внутридворовый проезд отремонтирован, работы на внутридворовых территориях продолжаются.",
        "Роллета на окне мусорокамеры заменена, роллеты других подъездов исправны.",
        "Ливневый ковер на проезжей части уложен заново.",
        "Выполнено оплуживание трубопроводов, оплуживанием займётся подрядчик.",
        "На техэтаже устранена протечка, доступ на техэтаж ограничен.",
        "Проведено кронирование тополей, опиловка сухостоя и окос газонов.",
        "Опрессовка системы отопления и гидроиспытания теплотрассы завершены.",
        "Жилкомсервис выполнил переподключение стояка и распломбировал водосчётчик.",
        "Вентшахта и вентканалы прочищены, дымоходы проверены.",
        "Снегоплавильный пункт работает, снегосвалка закрыта.",
        "Мусорокамера отмыта, евроконтейнеры и бункер-накопитель вывезены регоператором.",
        "Техподполье осушено, техпаспорт дома обновлён.",
        "Госжилинспекция и стройконтроль проверили капремонт кровли.",
        "Установлены антипарковочные столбики и велопарковка.",
        "Информация размещена на сайтах-отзовиках.",
        # Abbreviations before a period.
        "Работы выполнены по адресу: ул. Ленина, д. 5, кв. 3, корп. 2, стр. 1.",
        "Ремонт на пр. Мира, бульв. Новаторов, пер. Почтовом, наб. Обводного канала.",
        "Согласно пп. 3 п. 2 утв. плана проверены вентил. каналы и системы видеонабл. подъезда.",
        "Стоимость составит 15 тыс. руб. 50 коп., плата за 2 млн. кубометров и др. услуги.",
        "Звоните по тел. 8 (800) 100-20-30, доб. 123.",
        "Работы ведёт МКУ «ДЕЗ» по заказу администрации обл. и р-на.",
        # A truncation of a known word before a period.
        "Проверены канализац. выпуски и электроснабж. сети.",
        # Mixed-case abbreviations.
        "Работы выполняет ГС-СПб совместно с АБЗ-Дорстрой.",
        "СПб ГБУ «Ленсвет» и ТСЖ «Рассвет» уведомлены, МинЖКХ в курсе.",
        "ЖилКомСервис и ВТБ-Лизинг получили письма.",
    ],
)
def test_official_words_and_abbreviations_are_accepted(lexicon: SpellingLexicon, text: str) -> None:
    assert flagged(text, lexicon) == []


# Real misspellings of municipal words: the vocabulary must not swallow them.
MISSPELLINGS = [
    "тратуар",
    "асвальт",
    "кантейнер",
    "подьезд",
    "дождиприемный",
    "внутредворовый",
    "пескосаляной",
    "апрессовка",
    "кронерование",
    "ливнеприемнек",
    "мусоропровот",
    "асфальтерование",
    "благоустроиство",
    "поребрек",
    "газификацыя",
    "техпаспарт",
    "водосчечик",
    "канализацыя",
    "роллетта",
    "отмоска",
]


@pytest.mark.parametrize("word", MISSPELLINGS)
def test_misspelt_municipal_words_are_still_flagged(lexicon: SpellingLexicon, word: str) -> None:
    assert word not in lexicon.vocabulary
    assert flagged(f"Сообщаем, что {word} будет проверен.", lexicon) == [word]


@pytest.mark.parametrize(
    "text, word",
    [
        ("Работы завершим завтр. Спасибо.", "завтр"),  # a common word that lost its ending
        ("Ответ направлен сегодн. Благодарим.", "сегодн"),
        ("Проверку проведём в течени. Спасибо.", "течени"),  # ends on a vowel: no abbreviation
        ("Мы проверили тратуар.", "тратуар"),
        ("Мы проверили дождиприемн. колодцы.", "дождиприемн"),  # a truncation of no word
    ],
)
def test_a_period_does_not_excuse_a_misspelling(
    lexicon: SpellingLexicon, text: str, word: str
) -> None:
    assert flagged(text, lexicon) == [word]


@pytest.mark.parametrize("word", ["ПатамучтА", "ОрганизЬм", "НичО", "СейчасАйгуль"])
def test_capitals_in_a_slip_are_not_an_abbreviation(lexicon: SpellingLexicon, word: str) -> None:
    assert flagged(f"Мы прочли {word.lower()} и {word} в письме.", lexicon) == [word.lower()]


def test_the_vocabulary_has_a_few_thousand_lemmas_each_section_with_its_source() -> None:
    lines = data_lines("municipal_words.txt")
    lemmas = [x for x in lines if x.strip() and not x.startswith("#")]
    assert len(lemmas) >= 2_500
    assert len(set(lemmas)) == len(lemmas)
    assert all(re.fullmatch(r"[а-яё]+(?:-[а-яё]+)*|[а-яё]\.[а-яё]\.", w) for w in lemmas)
    sections = [i for i, x in enumerate(lines) if x.startswith("# === ")]
    assert len(sections) >= 10
    assert all(lines[i + 1].startswith("# Source: ") for i in sections)
    assert not any("eval" in x for x in lines if x.startswith("# Source: "))


def test_the_generated_forms_match_the_lemmas() -> None:
    # After editing municipal_words.txt, regenerate: spelling_lexicon.write_forms().
    stored = [x for x in data_lines("municipal_forms.txt") if x and not x.startswith("#")]
    assert stored == generated_forms()


def test_inflections_of_an_unknown_lemma_are_in_the_vocabulary(lexicon: SpellingLexicon) -> None:
    assert {"техэтаже", "техэтажами", "роллетой", "пескосоляную", "оплуживанием"} <= (
        lexicon.vocabulary
    )


def test_the_organisations_words_are_inflected_too() -> None:
    own = SpellingLexicon(words={"Шкуратовка"})
    assert flagged("шкуратовке и шкуратовкой уделено внимание.", own) == []
