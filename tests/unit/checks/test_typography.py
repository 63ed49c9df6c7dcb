"""Typography: each rule finds its slip, the fix applies them all, and nothing else changes."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from incident_bridge.checks.typography import check_typography, fix_typography
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.profile_loader import list_profiles, load_profile, load_profile_file
from incident_bridge.domain.review import Check
from tests.unit.checks.conftest import correct_replies
from tests.unit.checks.test_grammar import official_prose


@pytest.mark.parametrize(
    ("text", "rule", "span", "suggestion"),
    [
        ("Работы  выполнены.", "double_space", "  ", " "),
        ("Работы\tвыполнены.", "double_space", "\t", " "),
        ("Работы выполнены , дорога открыта.", "space_before_punct", " ,", ","),
        ("Работы выполнены .", "space_before_punct", " .", "."),
        ("Когда откроют дорогу ?", "space_before_punct", " ?", "?"),
        ("Время работы : с 9 до 18.", "space_before_punct", " :", ":"),
        ("Работы выполнены ; дорога открыта.", "space_before_punct", " ;", ";"),
        ("Работы выполнены,дорога открыта.", "space_after_punct", ",", ", "),
        ("Работы выполнены.Дорога открыта.", "space_after_punct", ".", ". "),
        ("Сроки:май и июнь.", "space_after_punct", ":", ": "),
        ("Спасибо!Работы идут.", "space_after_punct", "!", "! "),
        ("Дом 5,кв. 3.", "space_after_punct", ",", ", "),
        ("Подрядчик (ООО «Дорстрой»)выполнил работы.", "space_after_punct", ")", ") "),
        ("Приложение «Госуслуги»работает.", "space_after_punct", "»", "» "),
        ("Подрядчик ( ООО «Дорстрой») выполнил.", "space_inside_brackets", " ", ""),
        ("Приложение « Госуслуги» работает.", "space_inside_brackets", " ", ""),
        ("Приложение «Госуслуги » работает.", "space_inside_brackets", " ", ""),
        ("Итак,, работы выполнены.", "doubled_punct", ",,", ","),
        ("Срок исполнения - 10 дней.", "hyphen_as_dash", " - ", " — "),
        ("Двор убран -- спасибо.", "hyphen_as_dash", " -- ", " — "),
    ],
)
def test_rule_finds_its_slip(text: str, rule: str, span: str, suggestion: str) -> None:
    errors = [e for e in check_typography(text).errors if e.rule == rule]
    assert [text[e.start : e.end] for e in errors] == [span]
    assert errors[0].suggestion == suggestion
    assert errors[0].message.endswith(".")


# Before and after the one-click fix.
FIXES = [
    ("Работы  выполнены.", "Работы выполнены."),
    ("Работы   выполнены  ,  дорога открыта  .", "Работы выполнены, дорога открыта."),
    ("Работы выполнены .Дорога открыта.", "Работы выполнены. Дорога открыта."),
    ("Работы выполнены ,дорога открыта.", "Работы выполнены, дорога открыта."),
    ("Работы выполнены,дорога открыта.", "Работы выполнены, дорога открыта."),
    ("Сроки:май и июнь;работы:ремонт.", "Сроки: май и июнь; работы: ремонт."),
    ("Когда откроют дорогу ?Завтра !", "Когда откроют дорогу? Завтра!"),
    ("Подрядчик ( ООО «Дорстрой» )выполнил.", "Подрядчик (ООО «Дорстрой») выполнил."),
    ("Приложение « Госуслуги »работает.", "Приложение «Госуслуги» работает."),
    ("Итак,, всё;; готово.", "Итак, всё; готово."),
    ("Срок - 10 дней, уборка - ежедневно.", "Срок — 10 дней, уборка — ежедневно."),
    ("Работы по ул.Ленина, г.Липецк.", "Работы по ул. Ленина, г. Липецк."),
    ("Дом д.5,кв.3.", "Дом д.5, кв.3."),
    # Never touched: links, e-mails, numbers, abbreviations, initials, ellipses, lists.
    (
        "Сайт: https://admin.ru/news?a=1,b=2 ; пишите.",
        "Сайт: https://admin.ru/news?a=1,b=2; пишите.",
    ),
    (
        "См. www.admin.ru/page,Новости и test@mail.ru.",
        "См. www.admin.ru/page,Новости и test@mail.ru.",
    ),
    ("Почта:ivanov@mail.ru,звоните.", "Почта: ivanov@mail.ru, звоните."),
    (
        "Сумма 1,5 млн руб., рост 1.5 раза, время 10:30.",
        "Сумма 1,5 млн руб., рост 1.5 раза, время 10:30.",
    ),
    ("Ямы, люки и т.д., т. е. всё.", "Ямы, люки и т.д., т. е. всё."),
    ("Ответ подготовила Н.В.Петрова.", "Ответ подготовила Н.В.Петрова."),
    ("Подробнее... работы продолжатся… скоро.", "Подробнее... работы продолжатся… скоро."),
    ("Работы выполнены ...", "Работы выполнены ..."),
    ("- ремонт дороги;\n- уборка двора.", "- ремонт дороги;\n- уборка двора."),
    ("Приём с 9 - 18 часов, кто - то, кое - где.", "Приём с 9 - 18 часов, кто - то, кое - где."),
    ("  Отступ строки.\nВторая  строка.", "  Отступ строки.\nВторая строка."),
    ("Спасибо :) и ;) тоже.", "Спасибо :) и ;) тоже."),
    ("Звоните: 8 (47467) 2-22-22 .", "Звоните: 8 (47467) 2-22-22."),
    ("", ""),
]


@pytest.mark.parametrize(("before", "after"), FIXES)
def test_fix_typography(before: str, after: str) -> None:
    assert fix_typography(before) == after
    assert check_typography(after).ok


_LINKS_RE = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _same_letters_and_digits(a: str, b: str) -> bool:
    return [c for c in a if c.isalnum()] == [c for c in b if c.isalnum()]


# Pieces real drafts are made of: words, numbers, links, abbreviations and stray spacing.
_PIECES = [
    "работы", "Дорога", "ул.", "Ленина", "т.д.", "т. е.", "Н.В.", "1,5", "10:30", "1.5",
    "2021г.", "https://admin.ru/a,b", "test@mail.ru", "«", "»", "(", ")", ",", ".", ":", ";",
    "!", "?", "...", "…", "-", "—", " ", "  ", "\t", "\n", ",,", "кто", "то", "кое", "где",
]  # fmt: skip


def _random_texts(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40))) for _ in range(count)]


SAMPLES = [before for before, _ in FIXES] + correct_replies() + official_prose()


@pytest.mark.parametrize("text", SAMPLES + _random_texts(400))
def test_the_fix_is_idempotent_and_changes_no_letter_or_digit(text: str) -> None:
    fixed = fix_typography(text)
    assert fix_typography(fixed) == fixed
    assert check_typography(fixed).ok
    assert _same_letters_and_digits(text, fixed)
    for kept in _LINKS_RE.findall(text):
        assert kept in fixed


def test_correct_prose_has_no_typography_findings() -> None:
    found = [
        (text[:40], e.rule, text[e.start : e.end])
        for text in correct_replies() + official_prose()
        for e in check_typography(text).errors
    ]
    assert found == []


def test_findings_point_into_the_text_in_order() -> None:
    text = "Работы  выполнены , дорога открыта.Спасибо"
    result = check_typography(text)
    assert not result.ok
    assert [(e.rule, text[e.start : e.end]) for e in result.errors] == [
        ("double_space", "  "),
        ("space_before_punct", " ,"),
        ("space_after_punct", "."),
    ]


def test_no_shipped_profile_blocks_on_typography_but_a_profile_may(tmp_path: Path) -> None:
    for name in list_profiles():
        profile = load_profile(name)
        assert all(Check.TYPOGRAPHY not in profile.blocking_for(kind) for kind in DraftKind), name
    strict = tmp_path / "strict.toml"
    strict.write_text(
        'extends = "yelets"\n[blocking]\nclause = "п. 7"\n'
        'answer = ["greeting", "typography"]\ninterim = ["greeting"]\n'
        'clarification = ["greeting"]\n',
        encoding="utf-8",
    )
    profile = load_profile_file(strict)
    assert profile.blocking_for(DraftKind.ANSWER) == {Check.GREETING, Check.TYPOGRAPHY}
    assert Check.TYPOGRAPHY.label == "типографика (пробелы и знаки)"
