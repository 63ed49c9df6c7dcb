"""The completeness check: every question of the message is answered by the draft."""

from __future__ import annotations

import statistics
import time

import pytest

from incident_bridge.checks.completeness import check_completeness
from incident_bridge.checks.language_models import LanguageModels
from tests.conftest import shared_checker

# Message/draft pairs with a person's per-question verdicts, in the order the questions
# appear in the message.
GREETING_ONLY = (
    "Здравствуйте! Благодарим Вас за обращение. С уважением, администрация города Ельца."
)

CASES: list[tuple[str, str, list[bool]]] = [
    # 1. One «когда» question, answered with a month.
    (
        "Здравствуйте! Когда отремонтируют дорогу на улице Садовой? Ямы по колено.",
        "Здравствуйте, Ольга! Ремонт дорожного покрытия на ул. Садовой включён в план на июнь 2025 года.",
        [True],
    ),
    # 2. Same question, greeting-only draft.
    (
        "Здравствуйте! Когда отремонтируют дорогу на улице Садовой? Ямы по колено.",
        GREETING_ONLY,
        [False],
    ),
    # 3. Paraphrase: «асфальт» in the question, «ямочный ремонт» and a term in the answer.
    (
        "Сколько можно ждать, когда заасфальтируют наш переулок?",
        "Добрый день! Ямочный ремонт в переулке Речном выполнит подрядчик в течение двух недель.",
        [True],
    ),
    # 4. «когда» answered evasively: no date.
    (
        "Когда наконец починят фонари на Советской? Вечером ничего не видно.",
        "Здравствуйте! Ваше обращение рассмотрено, вопрос взят на контроль.",
        [False],
    ),
    # 5. Lighting: answered by a done statement.
    (
        "Не горят фонари на улице Мира уже неделю. Когда включат освещение?",
        "Здравствуйте! Неисправность уличного освещения на ул. Мира устранена, светильники заменены.",
        [True],
    ),
    # 6. Off-topic draft: snow instead of lighting.
    (
        "Не горят фонари на улице Мира уже неделю. Когда включат освещение?",
        "Здравствуйте! Уборка снега на улице Мира будет проведена до 20 января.",
        [False],
    ),
    # 7. Garbage: why + when, both answered.
    (
        "Почему третью неделю не вывозят мусор с площадки у дома 5 по ул. Гагарина? Когда вывезут?",
        "Здравствуйте! Вывоз ТКО задерживался из-за поломки мусоровоза регионального оператора. "
        "Контейнерная площадка будет очищена 14 марта.",
        [True, True],
    ),
    # 8. Garbage: only «when» answered, «why» missing.
    (
        "Почему третью неделю не вывозят мусор с площадки у дома 5 по ул. Гагарина? Когда вывезут?",
        "Здравствуйте! Контейнеры на площадке у дома 5 будут вывезены завтра.",
        [False, True],
    ),
    # 9. Implicit request without «?», answered with an action.
    (
        "Прошу принять меры: у дома 12 на Лесной разлилась канализация, запах невыносимый.",
        "Здравствуйте! Аварийная бригада МУП «Водоканал» прочистила канализационный колодец у дома 12.",
        [True],
    ),
    # 10. Implicit request, draft is thanks only.
    (
        "Прошу принять меры: у дома 12 на Лесной разлилась канализация, запах невыносимый.",
        "Спасибо за Ваше сообщение о засоре канализации. С уважением, администрация.",
        [False],
    ),
    # 11. Who is responsible: answered with a body.
    (
        "Кто должен убирать снег во дворе дома 7 на Октябрьской?",
        "Здравствуйте! Уборку снега на придомовой территории дома 7 обязана выполнять управляющая "
        "компания ООО «Уют».",
        [True],
    ),
    # 12. Who: answered with something unrelated to who.
    (
        "Кто должен убирать снег во дворе дома 7 на Октябрьской?",
        "Здравствуйте! Снег во дворе будет убран в ближайшее время.",
        [False],
    ),
    # 13. How much: answered with a number.
    (
        "Сколько стоит проезд в автобусе №5 после повышения тарифа?",
        "Здравствуйте! С 1 января стоимость проезда в городских автобусах составляет 35 рублей.",
        [True],
    ),
    # 14. Yes/no: will the bus route be restored?
    (
        "Будет ли восстановлен автобусный маршрут №12 до села Пушкино?",
        "Здравствуйте! Маршрут №12 будет восстановлен с 1 апреля, перевозчик определён.",
        [True],
    ),
    # 15. Yes/no, draft talks about roads instead.
    (
        "Будет ли восстановлен автобусный маршрут №12 до села Пушкино?",
        "Здравствуйте! Дорога до села Пушкино будет отремонтирована в этом году.",
        [False],
    ),
    # 16. Heating: request with «помогите» and «когда дадут тепло».
    (
        "Помогите! В квартире +14, батареи холодные. Когда дадут отопление?",
        "Здравствуйте! Теплоснабжение дома по ул. Школьной, 3 восстановлено 12 октября после замены "
        "задвижки в тепловом узле.",
        [True, True],
    ),
    # 17. Heating: draft only promises to look into it.
    (
        "Помогите! В квартире +14, батареи холодные. Когда дадут отопление?",
        "Здравствуйте! Ваша информация передана в управляющую компанию.",
        [False, False],
    ),
    # 18. No question at all: a complaint, answered substantively.
    (
        "На остановке «Школа» разбит павильон, стекла валяются на тротуаре.",
        "Здравствуйте! Осколки стекла у остановки «Школа» убраны, остановочный павильон будет "
        "заменён до 30 мая.",
        [True],
    ),
    # 19. No question at all: a complaint, greeting-only draft.
    (
        "На остановке «Школа» разбит павильон, стекла валяются на тротуаре.",
        GREETING_ONLY,
        [False],
    ),
    # 20. Water outage, two questions, both answered (paraphrase: «подача воды»).
    (
        "Третий день нет воды на улице Заречной! Почему отключили и когда дадут?",
        "Здравствуйте! Водоснабжение было прекращено в связи с порывом на магистральном водопроводе. "
        "Подача воды будет восстановлена сегодня до 18:00.",
        [True, True],
    ),
    # 21. Water outage, answer gives only the reason.
    (
        "Третий день нет воды на улице Заречной! Почему отключили и когда дадут?",
        "Здравствуйте! Подача воды прекращена из-за аварии на водопроводе.",
        [True, False],
    ),
    # 22. Stray dogs: request via «разберитесь».
    (
        "У школы №3 бегает стая бродячих собак, дети боятся. Разберитесь!",
        "Здравствуйте! Отлов безнадзорных животных у школы №3 проведён 5 февраля, отловлено 4 собаки.",
        [True],
    ),
    # 23. Stray dogs: off-topic draft about the school roof.
    (
        "У школы №3 бегает стая бродячих собак, дети боятся. Разберитесь!",
        "Здравствуйте! Ремонт кровли школы №3 запланирован на летние каникулы.",
        [False],
    ),
    # 24. «Хотелось бы узнать, когда…»
    (
        "Добрый день. Хотелось бы узнать, когда будет заменена детская площадка во дворе на Мира, 10.",
        "Здравствуйте! Замена игрового оборудования на детской площадке по ул. Мира, 10 предусмотрена "
        "в третьем квартале 2025 года.",
        [True],
    ),
    # 25. Where question answered with an address.
    (
        "Где можно получить справку о составе семьи?",
        "Здравствуйте! Справку о составе семьи можно получить в МФЦ по адресу: ул. Ленина, 4.",
        [True],
    ),
    # 26. Where question, no place in the answer.
    (
        "Где можно получить справку о составе семьи?",
        "Здравствуйте! Справка о составе семьи выдаётся бесплатно в день обращения.",
        [False],
    ),
    # 27. Three questions, two answered.
    (
        "Когда уберут сугробы у подъезда? Кто будет посыпать дорожки песком? "
        "Почему дворник не приходит?",
        "Здравствуйте! Вывоз снега от подъездов дома запланирован на 15 января. "
        "Посыпку дорожек противогололедным материалом выполняет управляющая компания «Дом-Сервис».",
        [True, True, False],
    ),
    # 28. Rhetorical «сколько можно ждать» answered with a term.
    (
        "Яма на перекрёстке Ленина и Мира уже полгода! Сколько можно ждать?",
        "Здравствуйте! Выбоина на перекрёстке улиц Ленина и Мира будет заделана до 1 июня.",
        [True],
    ),
    # 29. Rhetorical «куда смотрит администрация» answered with an action.
    (
        "Весь берег реки завален мусором. Куда смотрит администрация?",
        "Здравствуйте! Субботник по уборке берега реки проведён 20 апреля, вывезено 3 тонны мусора.",
        [True],
    ),
    # 30. Transport: interval question, answered by schedule.
    (
        "Почему автобус №7 ходит раз в час? Когда увеличат количество рейсов?",
        "Здравствуйте! Интервал движения увеличен из-за нехватки водителей у перевозчика. С 1 марта на "
        "маршрут №7 выйдут два дополнительных автобуса.",
        [True, True],
    ),
    # 31. Tree: implicit request «просим спилить», answered.
    (
        "Просим спилить аварийный тополь у дома 3 по ул. Победы, он наклонился над детской площадкой.",
        "Здравствуйте! Аварийный тополь у дома 3 по ул. Победы будет спилен специализированной "
        "организацией до 10 мая.",
        [True],
    ),
    # 32. Tree request, draft says only «передано».
    (
        "Просим спилить аварийный тополь у дома 3 по ул. Победы, он наклонился над детской площадкой.",
        "Здравствуйте! Ваше обращение направлено в профильный отдел.",
        [False],
    ),
    # 33. Ice: «обращаю внимание» + «когда посыпят».
    (
        "Обращаю внимание на гололёд на тротуаре у поликлиники. Когда посыпят?",
        "Здравствуйте! Тротуар у поликлиники обработан песчано-соляной смесью сегодня утром.",
        [True, True],
    ),
    # 34. Ice, off-topic draft about lighting.
    (
        "Обращаю внимание на гололёд на тротуаре у поликлиники. Когда посыпят?",
        "Здравствуйте! Освещение у поликлиники восстановлено.",
        [False, False],
    ),
    # 35. Imperative addressed to the administration.
    (
        "Уберите наконец свалку за гаражами на Северной!",
        "Здравствуйте! Несанкционированная свалка за гаражами на ул. Северной ликвидирована 3 июля.",
        [True],
    ),
    # 36. «требую» + explicit question, only one answered.
    (
        "Требую отремонтировать крышу, у нас течёт с потолка. Когда начнётся капремонт дома?",
        "Здравствуйте! Управляющая компания устранила протечку кровли над квартирой 15.",
        [True, False],
    ),
    # 37. Sewage question with paraphrase «откачка».
    (
        "Когда откачают канализацию во дворе дома 2? Невозможно пройти.",
        "Здравствуйте! Засор канализационного колодца будет устранён МУП «Водоканал» 5 августа.",
        [True],
    ),
    # 38. Gas: yes/no question, answer with a decision (negative).
    (
        "Планируется ли газификация деревни Ивановка?",
        "Здравствуйте! Газификация д. Ивановка региональной программой на 2025–2026 годы не "
        "предусмотрена.",
        [True],
    ),
    # 39. Why question, no reason.
    (
        "Почему на улице Космонавтов до сих пор не установили светофор?",
        "Здравствуйте! Светофор на улице Космонавтов будет установлен.",
        [False],
    ),
    # 40. Why question, reason given.
    (
        "Почему на улице Космонавтов до сих пор не установили светофор?",
        "Здравствуйте! Установка светофора отложена, так как проект не прошёл согласование в ГИБДД.",
        [True],
    ),
    # 41. Mixed: greeting, thanks, two topics, one answered.
    (
        "Здравствуйте. Когда отремонтируют дорогу на Полевой? И когда заменят лампы в фонарях?",
        "Здравствуйте! Благодарим за обращение. Ремонт дороги на ул. Полевой выполнят в июле.",
        [True, False],
    ),
    # 42. Same, both answered.
    (
        "Здравствуйте. Когда отремонтируют дорогу на Полевой? И когда заменят лампы в фонарях?",
        "Здравствуйте! Ремонт дороги на ул. Полевой выполнят в июле. Замена светильников уличного "
        "освещения на этой улице запланирована на август.",
        [True, True],
    ),
    # 43. Medicine: when will there be a doctor.
    (
        "Когда в ФАП села Петровка назначат фельдшера? Полгода нет приёма.",
        "Здравствуйте! Фельдшер приступит к работе в ФАП с. Петровка с 1 сентября.",
        [True],
    ),
    # 44. Kindergarten place: yes/no with «можно ли».
    (
        "Можно ли получить место в детском саду до 3 лет?",
        "Здравствуйте! Место в детском саду для детей до 3 лет предоставляется при наличии свободных "
        "мест в группах, очередь формируется по дате заявления.",
        [True],
    ),
    # 45. No question, complaint; off-topic draft.
    (
        "Во дворе дома 15 уже месяц не работает освещение, ходим в темноте.",
        "Здравствуйте! Вывоз мусора во дворе дома 15 осуществляется по графику.",
        [False],
    ),
    # 46. No question, complaint; answered by a paraphrase.
    (
        "Во дворе дома 15 уже месяц не работает освещение, ходим в темноте.",
        "Здравствуйте! Электрики заменили лампы в светильниках у дома 15, двор освещён.",
        [True],
    ),
    # 47. Lowercase question sentence, no capitals.
    (
        "когда уже починят трубу на зеленой? вода течет по дороге",
        "Здравствуйте! Порыв водопровода на ул. Зелёной устранён 2 ноября.",
        [True],
    ),
    # 48. Playground question answered with a refusal and a reason.
    (
        "Почему снесли горку на детской площадке и поставят ли новую?",
        "Здравствуйте! Горка демонтирована в связи с аварийным состоянием. Установка новой горки "
        "запланирована на май.",
        [True, True],
    ),
    # 49. Snow request answered only by greeting and a promise without a term.
    (
        "Дорогу на кладбище замело, не проехать. Когда расчистят?",
        "Здравствуйте! Расчистка будет произведена.",
        [False],
    ),
    # 50. Snow request answered with «завтра».
    (
        "Дорогу на кладбище замело, не проехать. Когда расчистят?",
        "Здравствуйте! Расчистка подъезда к кладбищу будет выполнена завтра, техника выделена.",
        [True],
    ),
    # 51. «Доколе» rhetorical, answered by a term.
    (
        "Доколе будем ходить по грязи? Тротуара на Первомайской нет уже десять лет!",
        "Здравствуйте! Строительство тротуара по ул. Первомайской включено в план на 2026 год.",
        [True],
    ),
    # 52. Noise complaint, yes/no, answered with an action by police.
    (
        "Можно ли что-то сделать с ночным шумом из кафе «Ромашка»?",
        "Здравствуйте! Информация о нарушении тишины передана участковому уполномоченному полиции, "
        "проведена проверка, владельцу кафе вынесено предупреждение.",
        [True],
    ),
]

# Per-question agreement with a person's judgement on the case table.
MIN_ACCURACY = 0.95


def _verdicts(message: str, draft: str) -> list[bool]:
    return [q.answered for q in check_completeness(message, draft).questions]


def test_case_table_has_enough_pairs() -> None:
    assert len(CASES) >= 40


def test_accuracy_against_a_persons_judgement() -> None:
    agree = total = 0
    wrong: list[str] = []
    for message, draft, expected in CASES:
        got = _verdicts(message, draft)
        if len(got) != len(expected):
            wrong.append(f"{message!r}: {len(got)} questions found, expected {len(expected)}")
            total += len(expected)
            continue
        for g, e in zip(got, expected, strict=True):
            total += 1
            agree += g == e
            if g != e:
                wrong.append(f"{message!r} / {draft!r}: answered={g}, expected {e}")
    accuracy = agree / total
    print(f"completeness accuracy: {agree}/{total} = {accuracy:.1%}")
    assert accuracy >= MIN_ACCURACY, "\n".join(wrong)


@pytest.mark.parametrize(("message", "draft", "expected"), CASES)
def test_question_count(message: str, draft: str, expected: list[bool]) -> None:
    assert len(check_completeness(message, draft).questions) == len(expected)


def test_evidence_points_into_the_draft() -> None:
    message = "Здравствуйте! Когда отремонтируют дорогу на улице Садовой?"
    draft = (
        "Здравствуйте! Ремонт дороги на ул. Садовой выполнят в июле. С уважением, администрация."
    )
    result = check_completeness(message, draft)
    (q,) = result.questions
    assert result.ok
    assert q.kind == "when"
    assert message[q.start : q.end] == q.text == "Когда отремонтируют дорогу на улице Садовой?"
    assert q.evidence == "Ремонт дороги на ул. Садовой выполнят в июле."
    assert draft[q.evidence_start : q.evidence_end] == q.evidence
    assert q.to_dict() == {"text": q.text, "answered": True, "evidence": q.evidence}


def test_greeting_only_draft_fails_and_lists_what_is_missing() -> None:
    message = "Когда вывезут мусор? Кто отвечает за площадку?"
    result = check_completeness(message, GREETING_ONLY)
    assert not result.ok
    assert [q.text for q in result.missing] == ["Когда вывезут мусор?", "Кто отвечает за площадку?"]
    assert all(q.evidence is None for q in result.questions)


def test_message_without_questions_is_one_complaint() -> None:
    message = "  Во дворе дома 15 не работает освещение.  "
    (q,) = check_completeness(message, GREETING_ONLY).questions
    assert q.kind == "complaint"
    assert message[q.start : q.end] == q.text == message.strip()


def test_partial_answer_is_not_ok() -> None:
    message = "Почему не вывозят мусор? Когда вывезут?"
    draft = "Здравствуйте! Контейнеры будут вывезены завтра."
    result = check_completeness(message, draft)
    assert not result.ok
    assert [q.kind for q in result.missing] == ["why"]


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("прошу принять меры по уборке снега", "request"),
        ("Когда починят дорогу", "when"),
        ("Почему не вывозят мусор!", "why"),
        ("Сколько можно ждать?!", "when"),
        ("Разберитесь наконец с ямами.", "request"),
        ("Требую убрать свалку.", "request"),
        ("Помогите, топит подвал.", "request"),
        ("Просим отремонтировать крышу.", "request"),
        ("Хотелось бы узнать, когда включат отопление.", "when"),
        ("Обращаю ваше внимание на разбитый тротуар.", "request"),
        ("Примите меры к нарушителям тишины.", "request"),
        ("Доколе это будет продолжаться?", "when"),
        ("Будет ли ремонт в этом году?", "yes_no"),
        ("Уберите сугробы у подъезда.", "request"),
        ("Необходимо срочно заменить трубу.", "request"),
        ("Куда смотрит администрация?", "what"),
        ("Какие сроки ремонта?", "when"),
        ("Кому жаловаться на шум?", "who"),
        ("Где взять справку?", "where"),
    ],
)
def test_implicit_and_explicit_asks_are_found(message: str, kind: str) -> None:
    (q,) = check_completeness(message, "").questions
    assert q.kind == kind


@pytest.mark.parametrize(
    "statement",
    [
        "Когда идёт дождь, двор заливает.",
        "Что за безобразие творится во дворе!",
        "Здравствуйте!",
        "Заранее спасибо.",
    ],
)
def test_statements_are_not_asks(statement: str) -> None:
    message = f"{statement} У нас нет света."
    assert [q.kind for q in check_completeness(message, "").questions] == ["complaint"]


@pytest.fixture(scope="module")
def models() -> LanguageModels:
    """The session checker's embeddings (navec loads once, on first use)."""
    found: LanguageModels = shared_checker().models
    return found


# Issue 11: a statement that the matter was resolved answers a complaint without «?».
RESOLVED: list[tuple[str, str]] = [
    (
        "На стене гаражей на Вокзальной нарисовали граффити.",
        "Здравствуйте! Граффити с гаражей на ул. Вокзальной удалены.",
    ),
    (
        "Во дворе дома 3 открыт люк, дети бегают рядом.",
        "Здравствуйте! Замечание устранено.",
    ),
    (
        "Во дворе дома 3 открыт люк, дети бегают рядом.",
        "Здравствуйте! Ваше обращение рассмотрено, замечание устранено. С уважением, администрация.",
    ),
    (
        "В сквере на Мира полно клещей.",
        "Здравствуйте! Акарицидная обработка сквера на ул. Мира выполнена 3 июня.",
    ),
    (
        "Кафе на Советской каждую ночь гремит музыкой.",
        "Здравствуйте! Информация о нарушении тишины проверена полицией и не подтвердилась.",
    ),
    (
        "Сосед жжёт мусор на участке.",
        "Здравствуйте! Выезд на место проведён, изложенные факты не подтвердились.",
    ),
    (
        "Двор дома 3 по Лесной завален листвой, никто не убирает.",
        "Здравствуйте! Двор дома 3 по ул. Лесной очищен от листвы.",
    ),
    (
        "Мост через ручей в Каменке совсем прогнил.",
        "Здравствуйте! Принято решение о ремонте моста в д. Каменка, работы включены в план на июль.",
    ),
    (
        "В подъезде дома 5 на Мира выбиты окна, холодно.",
        "Здравствуйте! Окна в подъезде дома 5 по ул. Мира восстановлены.",
    ),
    (
        "Бросили машину без номеров у дома 7 на Лесной.",
        "Здравствуйте! Брошенная машина у дома 7 по ул. Лесной вывезена на штрафстоянку.",
    ),
    (
        "Опять не вывезли мусор на Полевой.",
        "Здравствуйте! При проверке нарушений не выявлено, мусор на ул. Полевой вывозится по графику.",
    ),
]

# Replies that do not answer: courtesy and statements about the appeal, or another matter.
NOT_ANSWERS: list[tuple[str, str]] = [
    (
        "На стене гаражей на Вокзальной нарисовали граффити.",
        "Здравствуйте! Ваше обращение рассмотрено. С уважением, администрация.",
    ),
    (
        "На стене гаражей на Вокзальной нарисовали граффити.",
        "Здравствуйте! Ремонт дороги на ул. Вокзальной выполнен.",
    ),
    (
        "Во дворе дома 3 открыт люк, дети бегают рядом.",
        "Здравствуйте! Замечание принято, информация передана в управляющую компанию.",
    ),
    (
        "Кафе на Советской каждую ночь гремит музыкой.",
        "Здравствуйте! Благодарим за обращение. Информация принята к сведению.",
    ),
    (
        "Двор дома 3 по Лесной завален листвой, никто не убирает.",
        "Здравствуйте! Во дворе дома 3 по ул. Лесной установлены новые качели.",
    ),
    (
        "В подвале дома 8 по Мира крысы, бегают по подъезду.",
        "Здравствуйте! Освещение в подъезде дома 8 по ул. Мира восстановлено.",
    ),
    (
        "Машины паркуются на газоне у дома 12, всё разворотили.",
        "Здравствуйте! Машины скорой помощи теперь приезжают быстрее.",
    ),
    (
        "Когда починят крышу? Вода течёт в квартиру.",
        "Здравствуйте! Подача воды в квартиры будет восстановлена 5 мая.",
    ),
    (
        "Бродячие собаки у поликлиники на Садовой нападают на людей.",
        "Здравствуйте! Поликлиника на ул. Садовой отремонтирована.",
    ),
]


@pytest.mark.parametrize(("message", "draft"), RESOLVED)
def test_a_resolved_matter_answers_the_complaint(message: str, draft: str) -> None:
    result = check_completeness(message, draft)
    assert result.ok, [q.to_dict() for q in result.questions]


@pytest.mark.parametrize(("message", "draft"), NOT_ANSWERS)
def test_a_reply_that_does_not_answer_stays_incomplete(
    message: str, draft: str, models: LanguageModels
) -> None:
    for result in (
        check_completeness(message, draft),
        check_completeness(message, draft, models=models),
    ):
        assert not result.ok, [q.to_dict() for q in result.questions]


def test_a_why_question_still_wants_the_reason_when_the_matter_is_resolved() -> None:
    result = check_completeness("Почему до сих пор не убрали граффити?", "Граффити удалены.")
    assert not result.ok


def test_near_synonyms_count_with_the_embeddings_only(models: LanguageModels) -> None:
    message = "Когда уберут ржавую машину со двора дома 8 на Лесной?"
    draft = "Здравствуйте! Автомобиль без владельца эвакуирован 3 мая."
    assert not check_completeness(message, draft).ok
    (q,) = check_completeness(message, draft, models=models).questions
    assert q.answered and q.evidence == "Автомобиль без владельца эвакуирован 3 мая."


def test_the_topic_table_overrules_the_embeddings(models: LanguageModels) -> None:
    # «школа» ~ «больница» score high in navec; the table puts them in different topics.
    message = "Когда откроют больницу в Сосновке?"
    draft = "Здравствуйте! Школа в с. Сосновка откроется 1 сентября."
    assert not check_completeness(message, draft, models=models).ok


@pytest.mark.parametrize("with_models", [False, True])
def test_every_verdict_rests_on_its_sentence(with_models: bool, models: LanguageModels) -> None:
    kw = {"models": models} if with_models else {}
    pairs = [(m, d) for m, d, _ in CASES] + RESOLVED + NOT_ANSWERS
    for message, draft in pairs:
        for q in check_completeness(message, draft, **kw).questions:
            if q.answered:
                assert q.evidence and q.evidence_start is not None and q.evidence_end is not None
                assert draft[q.evidence_start : q.evidence_end] == q.evidence
            else:
                assert (q.evidence, q.evidence_start, q.evidence_end) == (None, None, None)


def test_completeness_with_models_is_fast(models: LanguageModels) -> None:
    message = " ".join(m for m, _ in NOT_ANSWERS)
    draft = " ".join(d for _, d, _ in CASES)[:1500]
    check_completeness(message, draft, models=models)  # warm-up: navec, dictionary, caches
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        check_completeness(message, draft, models=models)
        times.append(time.perf_counter() - t0)
    assert statistics.quantiles(times, n=4)[0] < 0.02, f"median {statistics.median(times):.4f} s"
