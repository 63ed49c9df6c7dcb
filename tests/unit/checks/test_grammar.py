"""Grammar rules: each fires on its error and stays silent on correct prose.

The rules run as in the product, with the draft checker's syntax model (``models``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from incident_bridge.checks.grammar import check_grammar
from incident_bridge.checks.language_models import LanguageModels, SyntaxToken
from incident_bridge.checks.report import DraftChecker

OFFICIAL_PROSE = Path(__file__).with_name("data_official_prose.txt")


@pytest.fixture(scope="module")
def models(checker: DraftChecker) -> LanguageModels:
    """The session checker's syntax model (loaded once, on first use)."""
    return checker.models


def rules(text: str, models: LanguageModels) -> list[tuple[str, str]]:
    return [(e.rule, text[e.start : e.end]) for e in check_grammar(text, models).errors]


@pytest.mark.parametrize(
    ("text", "rule", "span", "suggestion"),
    [
        ("Работы выполнят в течении недели.", "v_techenie", "в течении", "в течение"),
        ("Ответ дадим в течении 10 дней.", "v_techenie", "в течении", "в течение"),
        ("Мусор вывезут в течении двух суток.", "v_techenie", "в течении", "в течение"),
        ("Ремонт закончат в течении текущего года.", "v_techenie", "в течении", "в течение"),
        ("По окончанию работ двор уберут.", "po_okonchanii", "По окончанию", "По окончании"),
        ("По завершению ремонта Вам сообщат.", "po_okonchanii", "По завершению", "По завершении"),
        ("По приезду бригады Вам позвонят.", "po_okonchanii", "По приезду", "По приезде"),
        ("Машину отправят по прибытию техники.", "po_okonchanii", "по прибытию", "по прибытии"),
        ("По истечению срока договор продлят.", "po_okonchanii", "По истечению", "По истечении"),
        ("Мусор вывозят согласно графика.", "dative_after", "согласно графика", "согласно графику"),
        (
            "Согласно постановления администрации работы перенесены.",
            "dative_after",
            "Согласно постановления",
            "Согласно постановлению",
        ),
        ("Согласно приказа ремонт начат.", "dative_after", "Согласно приказа", "Согласно приказу"),
        (
            "Благодаря своевременного ремонта дорога цела.",
            "dative_after",
            "Благодаря своевременного",
            "Благодаря своевременному",
        ),
        ("Ремонт будет проводится в мае.", "tsya", "проводится", "проводиться"),
        ("Работы должны завершится к пятнице.", "tsya", "завершится", "завершиться"),
        ("Уборка может начатся завтра.", "tsya", "начатся", "начаться"),
        ("Нужно сделатся.", "tsya", "сделатся", "сделаться"),
        ("Работы проводиться ежегодно.", "tsya", "проводиться", "проводится"),
        ("Дорога ремонтироваться каждое лето.", "tsya", "ремонтироваться", "ремонтируется"),
        ("Новый дорога отремонтирована.", "agreement", "Новый дорога", None),
        ("Мы установили новую скамейки.", "agreement", "новую скамейки", None),
        ("Мы проверили большой дома на улице.", "agreement", "большой дома", None),
        # A head of its own, not coordinated adjectives: «пешеходных дорожек».
        (
            "Выполнен ремонт проезжей части и пешеходной дорожек.",
            "agreement",
            "пешеходной дорожек",
            None,
        ),
        ("Установлена новый скамейка во дворе.", "agreement", "новый скамейка", None),
        ("Работы работы выполнены.", "repeat", "Работы работы", "Работы"),
        ("Мусор вывезен в в понедельник.", "repeat", "в в", "в"),
        ("Работы выполнены. дорога открыта.", "lowercase_start", "д", "Д"),
        ("работы выполнены.", "lowercase_start", "р", "Р"),
        ("Работы выполнены! теперь проезд свободен.", "lowercase_start", "т", "Т"),
        ("Ответ дан в доме 5. дорога открыта.", "lowercase_start", "д", "Д"),
        ("Работы завершены в срок. подрядчик уехал.", "lowercase_start", "п", "П"),
        ("Дорoга отремонтирована.", "homoglyph", "Дорoга", "Дорога"),
        ("Мусор вывезен с плoщaдки.", "homoglyph", "плoщaдки", "площадки"),
        ("Скачайте приложение «Госуслуги.", "unbalanced", "«", None),
        ("Приложение Госуслуги» работает.", "unbalanced", "»", None),
        ("Подробности (см. сайт администрации.", "unbalanced", "(", None),
        ("Приложение «Госуслуги» и «Решаем вместе работает.", "unbalanced", "«", None),
        ("Положение о «Благоустройстве»» утверждено.", "unbalanced", "»", None),
        ('Приложение "Госуслуги работает.', "unbalanced", '"', None),
        ("Мы благодарим вас за обращение.", "polite_you", "вас", "Вас"),
        (
            "Здравствуйте! Ваше обращение передано, о результатах сообщим вам позже.",
            "polite_you",
            "вам",
            "Вам",
        ),
        ("Спасибо за ваш вопрос.", "polite_you", "ваш", "Ваш"),
    ],
)
def test_rule_finds_its_error(
    text: str, rule: str, span: str, suggestion: str | None, models: LanguageModels
) -> None:
    errors = [e for e in check_grammar(text, models).errors if e.rule == rule]
    assert [text[e.start : e.end] for e in errors] == [span]
    assert errors[0].message
    if suggestion is not None:
        assert errors[0].suggestion == suggestion


@pytest.mark.parametrize(
    "text",
    [
        "В течении реки много порогов.",
        "В течение недели работы будут выполнены.",
        "По окончании работ двор уберут.",
        "Меры по завершению строительства приняты.",
        "Работы по получению разрешения ведутся.",
        "Мусор вывозят согласно графику.",
        "Согласно договору работы оплачены.",
        "Ремонт может проводиться в мае.",
        "Работы проводятся ежегодно.",
        "Мы решили отказаться от этого варианта.",
        "Куда обратиться? Обратитесь в МФЦ.",
        "Как записаться: позвоните по телефону.",
        "Для того чтобы записаться, позвоните.",
        "Два новых дома построены.",
        "В целом город готов к зиме.",
        "Жители старого дома получили ответ.",
        "Т. е. работы выполнены.",
        "Работы выполнены, т. е. дорога открыта.",
        "1) ремонт дороги;\n2) уборка двора.",
        "а) ремонт; б) уборка.",
        "Работы проведены по ул. Ленина, д. 5.",
        "См. www.admin.ru/news,page и test@mail.ru.",
        "Время работы: 9:00–18:00, перерыв 13:00.",
        "Сумма составила 1,5 млн рублей.",
        "Уважаемые жители! Благодарим вас за терпение.",
        "Дорогие коллеги, спасибо вам!",
        "Работы ведёт ООО «Дорстрой» (подрядчик).",
        "Скачайте приложение «Госуслуги. Решаем вместе».",
        'Приложение "Госуслуги" работает.',
        "Подробнее… работы продолжатся.",
        "Еле-еле успели, но успели.",
        "Мы проверили 2 2-комнатные квартиры.",
        "SMS-сообщение придёт на Ваш телефон.",
        # After abbreviations, initials and dates a small letter goes on the sentence.
        "Работы выполнены в 2021г. в полном объёме.",
        "Постановлением от 01.12.2025 г. утверждён план.",
        "Ремонт ведётся по ул. ленинградской и пос. южный.",
        "Закуплены скамейки, урны и т. д. для сквера.",
        "Установлено вентил. оборудование и видеонабл. камеры.",
        "Стоимость составила 5 тыс. руб. за метр.",
        "Ответ подготовила Н.В. Петрова по поручению главы.",
        "Порядок утв. постановлением администрации.",
        "1. ремонт дороги;\n2. уборка двора.",
        # Coordinated adjectives agree with their shared head.
        "Уборка на придомовой и дворовой территориях выполнена.",
        "Установлены детская и спортивная площадки.",
        "Информация о плановых и внеплановых отключениях размещена.",
        "Ремонт муниципальной и региональной дорог завершён.",
        # Adjectives used as nouns have no noun to agree with.
        "С учётом вышеизложенного работы перенесены.",
        "В связи с вышеизложенным работы перенесены на май.",
        "Вышеуказанное будет учтено при планировании работ.",
        # Capital abbreviations repeated are a legal idiom.
        "МО МО Парголово сообщает о завершении работ.",
        "Обращение направлено в МА ВМО МО Шушары.",
        # The inner and the outer closing quotes merged (the typographic norm).
        "Утверждено «Положение о «Благоустройстве».",
        "Утверждено «Положение о «Благоустройстве»».",
        "Работы ведёт ООО «Компания «Дорстрой» по контракту.",
    ],
)
def test_correct_text_has_no_findings(text: str, models: LanguageModels) -> None:
    assert rules(text, models) == []


def test_typography_is_no_longer_grammar(models: LanguageModels) -> None:
    text = "Работы  выполнены , дорога открыта.Спасибо."
    assert rules(text, models) == []


def test_without_the_syntax_model_the_next_noun_is_the_judge() -> None:
    assert [e.rule for e in check_grammar("Новый дорога отремонтирована.").errors] == ["agreement"]
    coordinated = "Уборка на придомовой и дворовой территориях выполнена."
    assert [e.rule for e in check_grammar(coordinated).errors] == ["agreement"]


def test_only_sentences_with_a_disagreeing_pair_are_parsed(models: LanguageModels) -> None:
    class Counting(LanguageModels):
        """The shared models, remembering which sentences they were asked to parse."""

        def __init__(self) -> None:
            super().__init__()
            self.parsed: list[tuple[str, ...]] = []

        def parse(self, tokens: Sequence[str]) -> tuple[SyntaxToken, ...]:
            self.parsed.append(tuple(tokens))
            return models.parse(tokens)

    counting = Counting()
    text = "Новая дорога открыта. Уборка на придомовой и дворовой территориях выполнена."
    assert check_grammar(text, counting).ok
    assert counting.parsed == [
        ("Уборка", "на", "придомовой", "и", "дворовой", "территориях", "выполнена", ".")
    ]


def test_result_spans_and_ok(models: LanguageModels) -> None:
    text = "Работы выполнены в течении недели. дорога открыта"
    result = check_grammar(text, models)
    assert not result.ok
    assert [e.start for e in result.errors] == sorted(e.start for e in result.errors)


def test_corpus_of_correct_replies_has_no_findings(
    replies: list[str], models: LanguageModels
) -> None:
    assert len(replies) >= 40
    assert all(300 <= len(r) <= 1500 for r in replies)
    found = {
        (i, e.rule, r[e.start : e.end])
        for i, r in enumerate(replies)
        for e in check_grammar(r, models).errors
    }
    assert found == set()


def official_prose() -> list[str]:
    """The sentences of data_official_prose.txt: one a line, '#' lines are comments."""
    lines = OFFICIAL_PROSE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_official_prose_has_no_grammar_findings(models: LanguageModels) -> None:
    prose = official_prose()
    assert len(prose) >= 30
    found = [
        (line, e.rule, line[e.start : e.end])
        for line in prose
        for e in check_grammar(line, models).errors
    ]
    assert found == []
