"""Style (Leningrad cl.11): bureaucratese, unjustified redirection, the network's format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from incident_bridge.checks import morph
from incident_bridge.checks.tokens import Token, words
from incident_bridge.domain.model import Platform

Severity = Literal["error", "warning"]

# The longest reply per network is the incident system's contract (``Platform.reply_limit``);
# a Telegram reply with a photo or video is its caption, which Telegram keeps to 1024.
TELEGRAM_CAPTION_LIMIT = 1024
_ALIASES = {
    "vkontakte": "vk", "вконтакте": "vk", "вк": "vk", "tg": "telegram", "телеграм": "telegram",
    "odnoklassniki": "ok", "одноклассники": "ok", "ок": "ok", "fb": "facebook", "ig": "instagram",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class StyleError:
    """One style finding; warnings are reported but do not make the style check fail."""

    rule: str
    start: int
    end: int
    message: str
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class StyleResult:
    """The outcome of :func:`check_style`: ``ok`` is false only when there is an error."""

    ok: bool
    errors: list[StyleError] = field(default_factory=list)


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (keeps long lists compact)."""
    return frozenset(words.split())


_REDIRECT_RE = re.compile(
    r"(?:рекомендуем|предлагаем|советуем|просим|необходимо|нужно|следует|вам\s+надо|можете|вправе)?"
    r"\s*(?:вам\s+)?(?:обратитесь|обращайтесь|обратиться|обращаться|направьте|адресуйте)"
    r"\s+(?:с\s+(?:этим|данным|вашим)\s+\w+\s+)?(?:в|к|на)\s+[\w«\"-]+"
    r"|(?:не\s+входит\s+в\s+компетенцию|не\s+относится\s+к\s+компетенции|вне\s+компетенции)",
    re.IGNORECASE,
)
# Verbs that show the body did something itself before pointing elsewhere.
_ACTION_LEMMAS = _wordset(
    "передать направить переслать проверить выполнить устранить отремонтировать провести "
    "осмотреть вывезти установить заменить восстановить связаться запросить поручить включить "
    "выехать организовать потребовать обследовать убрать очистить починить засыпать заделать "
    "покрасить демонтировать спилить вывезти нанести прочистить откачать отловить составить "
    "выдать рассмотреть договориться согласовать обязать предупредить уведомить известить"
)
_PHOTO_RE = re.compile(
    r"(?:фото|фотографи\w*|снимк\w*|видео|фотоотч[её]т\w*|скриншот\w*)\s+(?:прилага\w+|во\s+вложении|приложен\w*)"
    r"|(?:прилага\w+|направляем|высылаем)\s+(?:\w+\s+)?(?:фото\w*|снимк\w*|видео\w*|фотоотч[её]т\w*)"
    r"|см\.\s*(?:фото|видео|вложени\w+)|\(\s*фото\s*\)|на\s+(?:фото|снимк\w+)\s+(?:видно|ниже)"
    r"|(?:фото|видео)\s*(?:прилагается|прилагаются|ниже)",
    re.IGNORECASE,
)


def check_style(
    text: str, *, platform: str | None = None, has_attachments: bool = False
) -> StyleResult:
    """Find bureaucratese (warnings), unjustified redirection and format problems (errors)."""
    tokens = words(text)
    errors = [
        *_bureaucratese(tokens),
        *_redirection(text, tokens),
        *_format(text, platform, has_attachments),
    ]
    errors.sort(key=lambda e: (e.start, e.rule))
    return StyleResult(ok=all(e.severity != "error" for e in errors), errors=errors)


@cache
def _phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    """Bureaucratese phrases as lemma tuples (longest first) with a plainer wording."""
    path = resources.files("incident_bridge.checks") / "data" / "bureaucratese.txt"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, _, hint = line.partition(" | ")
            out.append(
                (tuple(morph.lemma(w) for w in re.findall(r"[\w-]+", phrase.lower())), hint.strip())
            )
    return tuple(sorted(out, key=lambda p: -len(p[0])))


def _bureaucratese(tokens: list[Token]) -> list[StyleError]:
    found: list[StyleError] = []
    best = [morph.lemma(t.lower) for t in tokens]
    # Multi-word phrases accept any reading of a word («данные вопросы»); a single word only its
    # likeliest one, so «данные» (data) is not taken for «данный».
    every = [morph.lemmas(t.lower) for t in tokens]
    taken = -1
    for i in range(len(tokens)):
        if i <= taken:
            continue
        for phrase, hint in _phrases():
            if _matches(phrase, i, best, every):
                end = tokens[i + len(phrase) - 1].end
                said = " ".join(t.text for t in tokens[i : i + len(phrase)])
                tip = f" — лучше {hint}" if hint else ""
                found.append(
                    StyleError(
                        "bureaucratese",
                        tokens[i].start,
                        end,
                        f"Канцелярит «{said}»{tip}.",
                        "warning",
                    )
                )
                taken = i + len(phrase) - 1
                break
    return found


def _matches(phrase: tuple[str, ...], i: int, best: list[str], every: list[frozenset[str]]) -> bool:
    if len(phrase) == 1:
        return best[i] == phrase[0]
    window = every[i : i + len(phrase)]
    return len(window) == len(phrase) and all(
        lem in forms for lem, forms in zip(phrase, window, strict=True)
    )


def _redirection(text: str, tokens: list[Token]) -> list[StyleError]:
    redirects = [m for m in _REDIRECT_RE.finditer(text) if m.group().strip()]
    if not redirects or _did_something(tokens):
        return []
    return [
        StyleError(
            "unjustified_redirect",
            m.start() + len(m.group()) - len(m.group().lstrip()),
            m.end(),
            "Автора отправляют в другую организацию, а сами ничего не сделали: передайте обращение "
            "по подведомственности или ответьте по существу.",
        )
        for m in redirects
    ]


def _did_something(tokens: list[Token]) -> bool:
    """Whether the draft reports an action of its own («мы передали», «мусор вывезен», «проверим»)."""
    for t in tokens:
        for p in morph.parses(t.lower)[:2]:
            tag = p.tag
            if tag.POS == "PRTS" and "perf" in tag:
                return True  # «выполнено», «устранена», «отремонтирован»
            if p.normal_form in _ACTION_LEMMAS and (
                "past" in tag or ("futr" in tag and "1per" in tag)
            ):
                return True
    return False


def _format(text: str, platform: str | None, has_attachments: bool) -> list[StyleError]:
    errors: list[StyleError] = []
    limit = platform_limit(platform, has_attachments)
    if limit is not None and len(text) > limit:
        errors.append(
            StyleError(
                "too_long",
                limit,
                len(text),
                f"Ответ длиннее, чем позволяет {platform_name(platform)}: "
                f"{len(text)} знаков при пределе {limit}.",
            )
        )
    if not has_attachments:
        for m in _PHOTO_RE.finditer(text):
            errors.append(
                StyleError(
                    "missing_attachment",
                    m.start(),
                    m.end(),
                    "Ответ обещает фото или видео, но вложений нет.",
                )
            )
    return errors


def platform_name(platform: str | None) -> str:
    """The network as a person names it («ВКонтакте», «Telegram»), for the messages."""
    key = (platform or "").strip().lower()
    key = _ALIASES.get(key, key)
    return Platform(key).label if key in Platform._value2member_map_ else "площадка"


def platform_limit(platform: str | None, has_attachments: bool = False) -> int | None:
    """The longest reply the network accepts, or ``None`` when the platform is unknown."""
    if not platform:
        return None
    key = _ALIASES.get(platform.strip().lower(), platform.strip().lower())
    if key == "telegram" and has_attachments:
        return TELEGRAM_CAPTION_LIMIT
    if key not in Platform._value2member_map_:
        return None
    return Platform(key).reply_limit
