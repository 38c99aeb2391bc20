"""Run the real OpenID provider of provider.mjs (npm's oidc-provider, pinned in package-lock.json) for a test.

`.ci/test-services` installs node, npm and the package (`npm ci` here). The provider listens on a free loopback
port; its accounts (keyed by `sub`) are a JSON file the tests rewrite. `ProviderBrowser` plays a person's browser at
the provider (its cookies are the provider's session): the login and consent forms of its development pages.
"""

import json
import re
import shutil
import socket
import subprocess
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

HERE = Path(__file__).parent
CLIENT_ID = "rupn-test"
CLIENT_SECRET = "secret-du-client-rupn-de-test"
# ProConnect's claims, as an Éducation nationale agent's would come (invented person).
PROCONNECT_CLAIMS = {
    "given_name": "Camille",
    "usual_name": "Martin",
    "uid": "cmartin",
    "siret": "13002161500016",  # an académie's SIRET
    "idp_id": "fia1v2",
    "organizational_unit": "Collège Les Lentillères",
    "belonging_population": "agent",
    "phone": "0380000000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    def __init__(self, folder: Path, *, rp_urls: list[str], session_ttl: int = 3600):
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
            pytest.fail(
                "The OpenID provider needs node and `npm ci` in tests/oidc_provider (.ci/test-services does it)"
            )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.accounts_file = folder / "accounts.json"
        self.accounts: dict[str, dict] = {}
        self.save_accounts()
        clients = [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{url}/oidc/retour/" for url in rp_urls],
                "post_logout_redirect_uris": [f"{url}/connexion/" for url in rp_urls],
            }
        ]
        (folder / "clients.json").write_text(json.dumps(clients))
        self.log = (folder / "provider.log").open("w+")
        self.process = subprocess.Popen(
            [node, str(HERE / "provider.mjs")],
            env={
                "PORT": str(self.port),
                "CLIENTS_FILE": str(folder / "clients.json"),
                "ACCOUNTS_FILE": str(self.accounts_file),
                "SESSION_TTL": str(session_ttl),
                "PATH": "/usr/bin:/bin",
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the OpenID provider did not start:\n{self.output()}")
            time.sleep(0.2)

    def _ready(self) -> bool:
        self.log.seek(0)
        return "ready " in self.log.read()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def add_account(self, sub: str, email: str, **claims) -> None:
        self.accounts[sub] = {**PROCONNECT_CLAIMS, **claims, "email": email}
        self.save_accounts()

    def save_accounts(self) -> None:
        self.accounts_file.write_text(json.dumps(self.accounts))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class ProviderBrowser:
    """A person's browser at the provider: follows its redirects and fills its login and consent pages."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.http = requests.Session()
        self.pages: list[str] = []  # the provider's pages shown, in order: "login", "consent"

    def authorize(self, authorize_url: str, *, login: str = "", abort: bool = False) -> str:
        """Go through the provider from RUPN's authorization request; the URL it sends the browser back to."""
        url, method, data = authorize_url, "get", None
        for _step in range(12):
            response = self.http.request(method, url, data=data, allow_redirects=False, timeout=30)
            if response.status_code in (302, 303):
                url, method, data = urljoin(url, response.headers["Location"]), "get", None
                if not url.startswith(self.provider.url):
                    return url
                continue
            assert response.status_code == 200, f"{response.status_code} at {url}: {response.text[:500]}"
            html = response.text
            if abort:
                return self._follow_abort(url, html)
            action, fields = self._form(html)
            if fields.get("prompt") == "login":
                self.pages.append("login")
                fields |= {"login": login, "password": "any"}
            elif fields.get("prompt") == "consent":
                self.pages.append("consent")
            else:
                raise AssertionError(f"unexpected page at {url}: {html[:500]}")
            url, method, data = urljoin(url, action), "post", fields
        raise AssertionError("the provider did not send the browser back")

    def _follow_abort(self, url: str, html: str) -> str:
        response = self.http.get(urljoin(url, urlparse(url).path + "/abort"), allow_redirects=False, timeout=30)
        location = urljoin(url, response.headers["Location"])
        while location.startswith(self.provider.url):
            response = self.http.get(location, allow_redirects=False, timeout=30)
            location = urljoin(location, response.headers["Location"])
        return location

    @staticmethod
    def _form(html: str) -> tuple[str, dict]:
        match = FORM.search(html)
        assert match, html[:500]
        return unescape(match.group(1)), {name: unescape(value) for name, value in HIDDEN.findall(match.group(2))}

    def end_session(self, logout_url: str) -> str:
        """Follow RUPN's logout to the provider, confirm "Yes, sign me out"; the URL it sends the browser back to."""
        response = self.http.get(logout_url, allow_redirects=False, timeout=30)
        assert response.status_code == 200, response.text[:500]
        action, fields = self._form(response.text)
        response = self.http.post(
            urljoin(logout_url, action), data={**fields, "logout": "yes"}, allow_redirects=False, timeout=30
        )
        location = urljoin(logout_url, response.headers["Location"])
        while location.startswith(self.provider.url):
            response = self.http.get(location, allow_redirects=False, timeout=30)
            location = urljoin(location, response.headers["Location"])
        return location


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
