"""Deterministic generator of believable Russian incident cards, seeded with ``random.Random``.

It produces the wire form (plain JSON-ready dicts) of the mock API, so it
never depends on the bridge's own types.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple

from mocks import texts

PLATFORM_WEIGHTS = {
    "vk": 45,
    "ok": 20,
    "telegram": 20,
    "instagram": 4,
    "youtube": 3,
    "forum": 4,
    "facebook": 1,
    "twitter": 1,
    "other": 2,
}
IMPORTANCE_WEIGHTS = {"normal": 80, "high": 10, "private": 10}
#: Share of messages of each kind; "repeat" needs an earlier incident to refer to.
KIND_WEIGHTS = {"normal": 85, "repeat": 9, "obscene": 3, "threat": 3}

TELEGRAM_CHANNELS = ("elets_news", "adm_elets", "lipetsk_online", "podslushano_elets")
VK_GROUPS = (48473617, 110372552, 27918455, 165432871)

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "sch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


class EarlierCard(NamedTuple):
    """What a "repeat" message takes from the earlier incident it refers to.

    Its author too: about half the repeats come from the same person on the same platform.
    """

    topic_group: str
    topic: str
    municipality: str
    number: str
    platform: str = "vk"
    author: dict[str, Any] | None = None
    created_at: str | None = None

    @classmethod
    def of(cls, card: dict[str, Any]) -> EarlierCard:
        """The fields of a card in wire form that a later repeat may borrow."""
        return cls(
            card["topic_group"], card["topic"], card["municipality"], card["number"],
            card["platform"], dict(card["author"]), card["created_at"],
        )  # fmt: skip


def translit(text: str) -> str:
    """Latin spelling of a Russian word, good enough for a made-up user name."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower()).replace("_", "")


def feminine(surname: str) -> str:
    """The feminine form of a Russian surname (invariable ones stay as they are)."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    if surname.endswith("ой"):
        return surname[:-2] + "ая"
    return surname


class Generator:
    """Makes incident cards, follow-ups and author reactions from one seeded RNG."""

    def __init__(self, seed: int, municipalities: Sequence[str] | None = None) -> None:
        self.rng = random.Random(seed)
        self.municipalities = tuple(municipalities or texts.MUNICIPALITIES)

    def _pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choices(string.digits, k=n))

    def _token(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.rng.choices(alphabet, k=n))

    def author(self, platform: str) -> tuple[dict[str, Any], bool]:
        """A citizen: display name, profile link by platform; also whether she is a woman."""
        female = self.rng.random() < 0.55
        first = self.rng.choice(texts.FEMALE_NAMES if female else texts.MALE_NAMES)
        surname = self.rng.choice(texts.SURNAMES)
        surname = feminine(surname) if female else surname
        name = f"{first} {surname}" if self.rng.random() < 0.85 else f"{first} {surname[0]}."
        nick = f"{translit(first)}_{translit(surname)}{self._digits(2)}"
        profiles = {
            "vk": f"https://vk.com/id{self._digits(9).lstrip('0') or '1'}",
            "ok": f"https://ok.ru/profile/{self._digits(12)}",
            "telegram": f"https://t.me/{nick}" if self.rng.random() < 0.6 else None,
            "instagram": f"https://www.instagram.com/{nick}/",
            "youtube": f"https://www.youtube.com/@{nick}",
            "forum": f"https://forum.elets.info/members/{nick}.{self._digits(5)}/",
            "facebook": f"https://www.facebook.com/profile.php?id=1000{self._digits(11)}",
            "twitter": f"https://x.com/{nick}",
            "other": None,
        }
        return {"name": name, "profile_url": profiles[platform]}, female

    def post_url(self, platform: str, importance: str) -> str | None:
        """A link to the post or comment, shaped like each platform's real links."""
        if importance == "private" and self.rng.random() < 0.5:
            return None  # a private message has no public post to link to
        post, comment = self._digits(5), self._digits(6)
        urls = {
            "vk": f"https://vk.com/wall-{self.rng.choice(VK_GROUPS)}_{post}?reply={comment}",
            "ok": f"https://ok.ru/group/{self._digits(14)}/topic/{self._digits(15)}",
            "telegram": f"https://t.me/{self.rng.choice(TELEGRAM_CHANNELS)}/{post}?comment={comment}",
            "instagram": f"https://www.instagram.com/p/{self._token(11)}/",
            "youtube": f"https://www.youtube.com/watch?v={self._token(11)}&lc={self._token(20)}",
            "forum": f"https://forum.elets.info/threads/{post}/#post-{comment}",
            "facebook": f"https://www.facebook.com/adm.elets/posts/{self._digits(16)}",
            "twitter": f"https://x.com/adm_elets/status/{self._digits(19)}",
            "other": f"https://otzovik.com/review_{self._digits(8)}.html",
        }
        return urls[platform]

    def attachments(self, platform: str) -> list[str]:
        """Photo links on about a quarter of the messages."""
        if self.rng.random() > 0.25:
            return []
        hosts = {
            "vk": "https://sun9-{n}.userapi.com/impg/{h}.jpg",
            "ok": "https://i.mycdn.me/i?r={h}",
        }
        pattern = hosts.get(platform, "https://files.incident.local/att/{h}.jpg")
        count = self.rng.randint(1, 3)
        return [
            pattern.format(n=self.rng.randint(10, 80), h=self._token(24, "0123456789abcdef"))
            for _ in range(count)
        ]

    def _fill(self, template: str, municipality: str, female: bool, **extra: Any) -> str:
        settlement = self.rng.choice(texts.MUNICIPALITIES.get(municipality, (municipality,)))
        if settlement == "Елец":
            street = self.rng.choice(texts.YELETS_STREETS)
        else:
            street = f"{self.rng.choice(texts.VILLAGE_STREETS)} в {settlement}"
        values = {
            "street": street,
            "house": self.rng.randint(1, 120),
            "days": (days := self.rng.randint(2, 9)),
            "weeks": self.rng.randint(2, 4),
            "school": self.rng.randint(1, 24),
            "kindergarten": self.rng.randint(1, 40),
            "route": self.rng.choice(("1", "2", "5", "7", "11", "12", "104", "118")),
            "time": f"{self.rng.randint(6, 21)}:{self.rng.choice(('00', '15', '30', '45'))}",
            "settlement": settlement,
            "a": "а" if female else "",
            "prev": "",
            "org": "",
        }
        values["days_word"] = "дня" if 2 <= days % 10 <= 4 else "дней"
        values.update(extra)
        return template.format(**values)

    def text(
        self, kind: str, group: str, topic: str, municipality: str, female: bool, prev: str
    ) -> str:
        """A message of several sentences: greeting, the problem, details, questions."""
        if kind in ("obscene", "threat"):
            pool = texts.OBSCENE if kind == "obscene" else texts.THREATS
            return self._fill(self.rng.choice(pool), municipality, female)
        problems, questions, requests, org = texts.TOPICS[group][topic]
        parts = [self.rng.choice(texts.GREETINGS)]
        if kind == "repeat":
            parts.append(self.rng.choice(texts.REPEAT_OPENERS))
        parts.append(self.rng.choice(problems))
        parts += self.rng.sample(texts.DETAILS, k=self.rng.randint(0, 2))
        ask = self.rng.random()
        if ask < 0.45:
            parts += self.rng.sample(questions, k=self.rng.randint(1, len(questions)))
        elif ask < 0.75:
            parts.append(self.rng.choice(requests))
        else:
            parts += [self.rng.choice(questions), self.rng.choice(requests)]
        parts.append(self.rng.choice(texts.CLOSINGS))
        sentence = " ".join(p for p in parts if p)
        return self._fill(sentence, municipality, female, org=org, prev=prev)

    def incident(
        self, number: int, now: datetime, earlier: Sequence[EarlierCard] = ()
    ) -> tuple[dict[str, Any], str]:
        """One incident in wire form (without ``revision``) and the kind of message it is.

        ``earlier`` holds the cards a repeat may refer to; only one of them is read,
        so the caller can pass one growing list and seeding stays linear.
        """
        kind = self._pick(KIND_WEIGHTS)
        if kind == "repeat" and not earlier:
            kind = "normal"
        platform = self._pick(PLATFORM_WEIGHTS)
        importance = self._pick(IMPORTANCE_WEIGHTS)
        municipality = self.municipalities[0]
        if len(self.municipalities) > 1 and self.rng.random() < 0.4:
            municipality = self.rng.choice(self.municipalities[1:])
        group = self.rng.choice(sorted(texts.TOPICS))
        topic = self.rng.choice(sorted(texts.TOPICS[group]))
        prev = ""
        same_author: dict[str, Any] | None = None
        after: datetime | None = None
        if kind == "repeat":
            chosen = self.rng.choice(earlier)
            if chosen.created_at:
                after = datetime.fromisoformat(chosen.created_at.replace("Z", "+00:00"))
            group, topic, municipality, prev = chosen[:4]
            if chosen.author is not None and self.rng.random() < 0.5:
                platform, same_author = chosen.platform, chosen.author
        author, female = self.author(platform)
        if same_author is not None:
            author = same_author
            female = author["name"].split()[0] in texts.FEMALE_NAMES
        created = self.created_at(now)
        if after is not None and created <= after:
            # A repeat comes after the message it refers to: halfway from it to now.
            created = (after + (now - after) / 2).replace(microsecond=0)
        detected = created - timedelta(minutes=self.rng.randint(1, 40))
        card: dict[str, Any] = {
            "id": str(number),
            "number": str(number),
            "created_at": _iso(created),
            "detected_at": _iso(detected),
            "text": self.text(kind, group, topic, municipality, female, prev),
            "author": author,
            "platform": platform,
            "post_url": self.post_url(platform, importance),
            "municipality": municipality,
            "topic_group": group,
            "topic": topic,
            "importance": importance,
            "attachments": self.attachments(platform),
            "step": "new" if self.rng.random() < 0.8 else "in_progress",
            "follow_ups": [],
            "feedback": None,
            "extra": {"repeat_of": prev} if prev else {},
        }
        return card, kind

    def created_at(self, now: datetime) -> datetime:
        """When a card was created: in the working hours of the last few days, recent ones likelier.

        About a third are minutes old (a department works them on time), a sixth are
        nearly due, the rest are hours or days old (overdue), so a demo queue shows
        every state of a clock. Working hours are Moscow's weekdays 09:00–18:00.
        """
        roll = self.rng.random()
        if roll < 0.35:
            age = self.rng.randint(2, 40)
        elif roll < 0.5:
            age = self.rng.randint(40, 60)
        else:
            age = self.rng.randint(60, 9 * 60 * 3)
        return _working_minutes_before(now, age)

    def follow_up_text(self, municipality: str = "Елец") -> str:
        """A short remark the author adds in the thread."""
        return self._fill(self.rng.choice(texts.FOLLOW_UPS), municipality, self.rng.random() < 0.5)

    def next_number(self, last: int) -> int:
        """The next «Номер»: increasing, with gaps as other regions' incidents take numbers."""
        return last + self.rng.randint(1, 37)


MOSCOW = timezone(timedelta(hours=3))
_OPENS, _CLOSES = 9 * 60, 18 * 60


def _working_minutes_before(now: datetime, minutes: int) -> datetime:
    """The instant ``minutes`` of Moscow working time (weekdays 09–18) before ``now``."""
    moment = now.astimezone(MOSCOW).replace(second=0, microsecond=0)
    left = minutes
    for _ in range(60):  # at most a few weeks back
        day_start = moment.replace(hour=0, minute=0)
        if moment.weekday() < 5:
            into = moment.hour * 60 + moment.minute
            worked = max(0, min(into, _CLOSES) - _OPENS)  # working minutes of this day before now
            if worked >= left:
                end = min(into, _CLOSES)
                return (day_start + timedelta(minutes=end - left)).astimezone(UTC)
            left -= worked
        moment = day_start - timedelta(minutes=1)  # 23:59 of the day before
    return (moment - timedelta(minutes=left)).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
