"""A new Django site that follows only the README's "Add it to an existing Django site" stores
every collect and pixel event, with no broker configured (even where something listens on
Celery's default broker port)."""

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.conftest import ROOT, port_open


def readme_snippet() -> dict[str, str]:
    """The README's settings.py and urls.py additions, as it prints them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Add it to an existing Django site", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(# settings\.py\n.*?)```", section, re.DOTALL).group(1)
    settings_part, urls_part = block.split("# urls.py\n")
    return {"settings.py": settings_part, "urls.py": urls_part}


SCRIPT = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from tagmanager.models import FireEvent
    from tagmanager.services.containers import container_create

    setup_test_environment()
    shop = container_create(name="Shop", allowed_origins=["https://shop.example"])
    events = [{"event_id": f"evt-{n:08d}", "event": "page_view"} for n in range(5)]
    collect = Client().post(
        "/tm/collect", json.dumps({"key": shop.key, "events": events}),
        content_type="text/plain", HTTP_ORIGIN="https://shop.example",
    )
    pixel = Client().get(f"/tm/p/{shop.key}.gif?e=email_open&id=open-00000001")
    print(json.dumps({
        "collect": collect.status_code, "pixel": pixel.status_code,
        "stored": sorted(FireEvent.objects.values_list("event_id", flat=True)),
    }))
    """
)


def run(args, cwd, env):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def something_on_the_amqp_port():
    """Where nothing listens on Celery's fallback broker port, something does now (a socket
    that accepts and never answers), as RabbitMQ would on a developer's machine."""
    if port_open("127.0.0.1", 5672):
        yield
        return
    server = socket.create_server(("127.0.0.1", 5672))
    held = []

    def accept_forever():
        try:
            while True:
                held.append(server.accept())
        except OSError:  # closed at the end of the test
            pass

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.close()


def test_a_fresh_startproject_site_following_the_readme_stores_every_event(
    tmp_path, something_on_the_amqp_port
):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_", "CACHE_", "TAGMANAGER_", "DJANGO_"))
    }
    run([sys.executable, "-m", "django", "startproject", "mysite", str(tmp_path)], ROOT, env)
    for name, addition in readme_snippet().items():
        with open(tmp_path / "mysite" / name, "a") as out:
            out.write("\n" + addition)
    env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    run([sys.executable, "manage.py", "migrate", "-v0"], tmp_path, env)
    checked = run([sys.executable, "manage.py", "check", "--database", "default"], tmp_path, env)
    assert "tagmanager." not in checked.stdout + checked.stderr  # no error, no warning
    result = json.loads(run([sys.executable, "-c", SCRIPT], tmp_path, env).stdout)
    assert result == {
        "collect": 204,
        "pixel": 200,
        "stored": [*(f"evt-{n:08d}" for n in range(5)), "open-00000001"],
    }
