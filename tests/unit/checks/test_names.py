"""Names of persons and places are never misspellings: after «ул.», «пос.», an initial, or by NER."""

from __future__ import annotations

import pytest

from incident_bridge.checks.language_models import LanguageModels
from incident_bridge.checks.report import DraftChecker
from incident_bridge.checks.spelling import check_spelling
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from incident_bridge.domain.review import Check


def flagged(text: str, lexicon: SpellingLexicon, models: LanguageModels | None = None) -> list[str]:
    errors = check_spelling(text, lexicon, models=models).errors
    return [e.word for e in errors if e.kind == "spelling"]


@pytest.fixture(scope="session")
def models(checker: DraftChecker) -> LanguageModels:
    """The session checker's Natasha models (seconds to load, so once)."""
    return checker.models


@pytest.mark.parametrize(
    "text",
    [
        "Работы ведутся в пос. Шушары и на ул. Тярлевской.",
        "Ремонт выполнен в г. Колпино, пос. Металлострой и д. Старопаново.",
        "Остановку перенесли на пр. Юнтоловский, ближе к ст. Дибуны.",
        "Проезд открыт у м. Купчино, ул. Дибуновская.",
        "Ответ подготовил И. Тагинцев.",
        "Глава администрации Лужского муниципального района\nЮ.В. Намлиев",
        "Подписал: Н.Ф. Тагинцев.",
        "Сидоренко Н. В. проверила расчёт.",
        "Ул. Шушары включена в план.",
    ],
)
def test_a_capitalised_word_after_a_place_abbreviation_or_an_initial_is_a_name(
    lexicon: SpellingLexicon, text: str
) -> None:
    assert flagged(text, lexicon) == []


def test_a_year_is_not_a_town_so_a_sentence_starts_after_it(lexicon: SpellingLexicon) -> None:
    assert flagged("Работы завершены в 2024 г. Тратуар отремонтирован.", lexicon) == ["Тратуар"]


def test_a_hyphenated_name_mid_sentence_is_a_name(lexicon: SpellingLexicon) -> None:
    assert flagged("Остановка в Усть-Ижоре перенесена.", lexicon) == []


@pytest.mark.parametrize(
    "text, name",
    [
        ("Парголово получит новую остановку в 2025 году.", "Парголово"),
        ("Левашово включено в адресную программу.", "Левашово"),
    ],
)
def test_a_place_the_entity_model_finds_is_not_flagged_at_a_sentence_start(
    lexicon: SpellingLexicon, models: LanguageModels, text: str, name: str
) -> None:
    assert any(text[e.start : e.end] == name for e in models.entities(text))
    assert flagged(text, lexicon) == [name]  # without the model: an unknown word
    assert flagged(text, lexicon, models) == []


@pytest.mark.parametrize(
    "text, word",
    [
        ("Извените за задержку ответа.", "Извените"),
        ("Абязательно проверим.", "Абязательно"),
        ("Мывключились в работу.", "Мывключились"),
    ],
)
def test_a_misspelling_the_entity_model_takes_for_a_name_is_still_flagged(
    lexicon: SpellingLexicon, models: LanguageModels, text: str, word: str
) -> None:
    assert flagged(text, lexicon, models) == [word]


def test_a_lower_case_misspelling_inside_an_organisations_name_is_flagged(
    lexicon: SpellingLexicon, models: LanguageModels
) -> None:
    text = "Обращение направлено в ГКУ «Жилищное агенство Невского района»."
    assert flagged(text, lexicon, models) == ["агенство"]


def test_the_draft_checker_gives_the_spelling_check_its_models(checker: DraftChecker) -> None:
    draft = "Здравствуйте! Парголово получит новую остановку в 2025 году."
    report = checker.check("Когда будет остановка?", draft, blocking={Check.SPELLING})
    assert report.spelling.errors == []


def test_the_models_share_one_copy_of_navecs_words_and_still_read_them(
    models: LanguageModels,
) -> None:
    """Named entities and syntax each ship navec's 250,000 words: a worker keeps one copy."""
    models.load()
    navec = models._navec.get()
    for model in (models._ner.get(), models._syntax.get()):
        assert model.infer.encoder.words_vocab.item_ids is navec.vocab.word_ids
    assert [e.kind for e in models.entities("Администрация города Ельца ответила Ивану Петрову.")]
    assert models.similarity("дорога", "улица") is not None
