"""The password policy: long enough and not easy to guess (zxcvbn, offline), said in Russian."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from incident_bridge.domain.errors import InvalidInput

MIN_LENGTH = 12
#: zxcvbn's score (0–4): 3 is "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3
#: Longer is pointless to score and costly to hash; a hostile form may send megabytes.
MAX_LENGTH = 200

_WARNINGS = {
    "This is a top-10 common password.": "это один из самых распространённых паролей",
    "This is a top-100 common password.": "это один из самых распространённых паролей",
    "This is a very common password.": "это очень распространённый пароль",
    "This is similar to a commonly used password.": "он похож на распространённый пароль",
    "A word by itself is easy to guess.": "одно слово легко подобрать",
    "Names and surnames by themselves are easy to guess.": "имя или фамилию легко подобрать",
    "Dates are often easy to guess.": "даты легко подобрать",
    "Recent years are easy to guess.": "годы легко подобрать",
    "Sequences like abc or 6543 are easy to guess.": "последовательности вроде abc или 6543 легко подобрать",
    "Straight rows of keys are easy to guess.": "ряд клавиш подряд легко подобрать",
    "Short keyboard patterns are easy to guess.": "короткий узор на клавиатуре легко подобрать",
}


def check(password: str, *, personal: Iterable[str] = ()) -> None:
    """Refuse a weak password with the reason; ``personal`` are the login and name it must avoid."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Пароль должен быть не короче {MIN_LENGTH} знаков.")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Пароль должен быть не длиннее {MAX_LENGTH} знаков.")
    # zxcvbn refuses more than 72 characters; the strength lies in the first 72 anyway.
    result = zxcvbn(password[:72], user_inputs=[p for p in personal if p])
    if result["score"] < MIN_SCORE:
        warning = _WARNINGS.get(result["feedback"].get("warning") or "", "")
        why = f": {warning}" if warning else ""
        raise InvalidInput(
            f"Пароль слишком легко подобрать{why}. Возьмите несколько несвязанных слов, "
            "цифры и знаки, не используйте логин и имя."
        )
