"""A signed-in test client that sends forms the way a browser does (with the CSRF token)."""

from __future__ import annotations

import re
from typing import Any

import pytest

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """Flask's test client plus the page's CSRF token on every POST."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.last_page = ""

    def get(self, url: str, **kw: Any) -> Any:
        response = self.client.get(url, **kw)
        self.last_page = response.get_data(as_text=True)
        return response

    def token(self, page_url: str) -> str:
        page = self.get(page_url).get_data(as_text=True)
        match = _CSRF.search(page)
        assert match, f"no CSRF token on {page_url}"
        return match.group(1)

    def submit(self, page_url: str, action: str, data: dict[str, Any], follow: bool = True) -> Any:
        data = {"csrf_token": self.token(page_url), **data}
        response = self.client.post(action, data=data, follow_redirects=follow)
        self.last_page = response.get_data(as_text=True)
        return response

    def login(self, login: str, password: str = "Proverka-Elets-2026") -> Any:
        return self.submit("/login", "/login", {"login": login, "password": password})


@pytest.fixture
def browser(app: Any) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def browser2(app: Any) -> Browser:
    return Browser(app.test_client())
