"""The demo (`make run`) is as safe as production where it shows: DEBUG off, the service's
own 400, 404 and 500 pages, static files and the favicon served by whitenoise, the demo
sign-ins printed at every start, and only its own embedded servers stopped."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from agencies.models import User
from oneplan import devservices
from oneplan.settings import demo as demo_settings

# The Django technical pages' tell-tales: what DEBUG would show instead of our pages.
TECHNICAL_PAGE_MARKERS = ("Using the URLconf defined in", "Traceback", "technical_500")


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail that only the server log may show")


# A URLconf for the 500 test: a page that fails.
urlpatterns = [path("boom/", _boom)]


@pytest.fixture
def demo() -> Iterator[None]:
    """The demo settings that decide what an error or a static file looks like."""
    with override_settings(
        DEBUG=demo_settings.DEBUG,
        DEMO_MODE=demo_settings.DEMO_MODE,
        # The test client's own host name, as Django's test set-up adds it.
        ALLOWED_HOSTS=[*demo_settings.ALLOWED_HOSTS, "testserver"],
        STORAGES=demo_settings.STORAGES,
        WHITENOISE_USE_FINDERS=demo_settings.WHITENOISE_USE_FINDERS,
        STATIC_ROOT=demo_settings.STATIC_ROOT,
    ):
        yield


def _assert_service_page(body: str) -> None:
    assert 'class="govuk-template"' in body
    assert '<link rel="icon" href="/favicon.ico"' in body
    for marker in TECHNICAL_PAGE_MARKERS:
        assert marker not in body


def test_demo_settings_keep_debug_off_whatever_the_environment_says() -> None:
    # Given a shell with DEBUG=true and an extra host name in it
    env = {
        **os.environ,
        "DEBUG": "true",
        "ALLOWED_HOSTS": "demo.example",
        # Only parsed, never connected to: loading settings starts no embedded server.
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    script = (
        "import json; from oneplan.settings import demo as s; "
        "print(json.dumps({'debug': s.DEBUG, 'demo': s.DEMO_MODE, 'hosts': s.ALLOWED_HOSTS}))"
    )
    # When the demo settings load there
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(devservices.BASE_DIR),
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    # Then DEBUG stays off, and the host is added to the loopback names
    assert loaded["debug"] is False
    assert loaded["demo"] is True
    assert loaded["hosts"] == ["127.0.0.1", "localhost", "[::1]", "demo.example"]


@pytest.mark.django_db
def test_family_outside_scope_answers_the_service_404_page(world, demo) -> None:
    # Given a key worker signed in to the demo, and a family of another LCG
    client = Client()
    client.force_login(world.keyworker.user)
    hidden = reverse("families:detail", args=[world.other_lcg_family.reference])
    missing = reverse("families:detail", args=["F-NOSUCH"])
    # When they ask for it, and for a family that does not exist
    hidden_response = client.get(hidden)
    missing_response = client.get(missing)
    # Then both are the service's own "Page not found", never Django's list of URL patterns
    for response in (hidden_response, missing_response):
        assert response.status_code == 404
        body = response.content.decode()
        _assert_service_page(body)
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in body
        assert "Demonstration site" in body
        assert "families/&lt;str:reference&gt;/" not in body
    assert world.other_lcg_family.reference not in hidden_response.content.decode()


@pytest.mark.django_db
def test_unknown_address_answers_the_service_404_page(world, demo) -> None:
    client = Client()
    client.force_login(world.keyworker.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_service_page(response.content.decode())


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_failing_page_answers_the_service_500_page_without_detail(demo) -> None:
    # Given a page that raises
    client = Client(raise_request_exception=False)
    # When it is asked for
    response = client.get("/boom/")
    # Then the answer is the standalone GOV.UK-style page, with nothing of the error
    assert response.status_code == 500
    body = response.content.decode()
    _assert_service_page(body)
    assert "<title>Sorry, there is a problem with the service - OnePlan</title>" in body
    assert '<link rel="stylesheet" href="/static/oneplan.css">' in body
    assert "secret detail" not in body


@pytest.mark.django_db
def test_unknown_host_answers_the_service_400_page(demo) -> None:
    response = Client().get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    body = response.content.decode()
    _assert_service_page(body)
    assert "Sorry, there is a problem with this request" in body
    assert "attacker.example" not in body


@pytest.mark.django_db
def test_demo_serves_static_files_without_collectstatic(demo) -> None:
    # No staticfiles/ directory: whitenoise finds files where the apps keep them.
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "content_type", "start"),
    [
        ("/favicon.ico", "image/x-icon", b"\x00\x00\x01\x00"),
        ("/favicon.svg", "image/svg+xml", b"<svg"),
    ],
)
def test_favicon_is_served_at_the_site_root(address: str, content_type: str, start: bytes) -> None:
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert b"".join(response.streaming_content).startswith(start)


@pytest.mark.django_db
def test_every_page_links_the_favicon(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in body
    assert '<link rel="icon" href="/favicon.svg" sizes="any" type="image/svg+xml">' in body


@pytest.mark.django_db
def test_restart_prints_the_demo_sign_ins_again() -> None:
    # Given a seeded demo in which one demo user has since been deactivated
    call_command("seed_demo", "--families", "3", stdout=io.StringIO())
    User.objects.filter(username="auditor").update(is_active=False)
    # When `make run` starts it again (seeding only an empty database)
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    # Then it seeds nothing but still says how to sign in, as those who can
    printed = out.getvalue()
    assert "leaving it as it is" in printed
    assert "Demo sign-ins:" in printed
    assert "Password for every demo sign-in: oneplan-demo-2026" in printed
    usernames = {line.split()[0] for line in printed.splitlines() if line.startswith("  ")}
    assert "pm" in usernames
    assert "sysadmin" in usernames
    assert "auditor" not in usernames


@pytest.fixture
def embedded_redis_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "redis"
    monkeypatch.setattr(devservices, "REDIS_DIR", directory)
    yield directory
    devservices.stop_redis()


def test_make_run_stops_only_the_servers_it_started(
    embedded_redis_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the database at DATABASE_URL (not ours) and no Redis running yet
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/anyone")
    monkeypatch.delenv("REDIS_URL", raising=False)
    # When the demo resolves its services twice (a second terminal)
    first = devservices.resolve(prefer_local=False)
    second = devservices.resolve(prefer_local=False)
    # Then the first started the embedded Redis and owns it; the second owns nothing
    assert first.started == ("redis",)
    assert second.started == ()
    assert first.redis_url == second.redis_url
    # And stopping what the first started stops that Redis
    assert devservices.stop(first.started) == ["redis"]
    assert not devservices._redis_answers(embedded_redis_dir / "redis.sock")


def test_services_from_the_environment_are_never_started_or_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/anyone")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    services = devservices.resolve(prefer_local=False)
    assert services.started == ()


def test_make_stop_ends_recorded_demo_processes_but_not_a_recycled_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a recorded web server, and a worker pid now used by an unrelated process
    monkeypatch.setattr(devservices, "RUN_DIR", tmp_path)
    web = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "runserver"])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    (tmp_path / "web.pid").write_text(f"{web.pid}\n")
    (tmp_path / "worker.pid").write_text(f"{other.pid}\n")
    try:
        # When `make stop` runs
        stopped = devservices.stop_recorded_processes()
        # Then the web server is ended, the other process left alone, the records gone
        assert stopped == ["runserver"]
        assert web.wait(timeout=10) == -signal.SIGTERM
        assert other.poll() is None
        assert not list(tmp_path.iterdir())
    finally:
        for process in (web, other):
            process.kill()
            process.wait()
