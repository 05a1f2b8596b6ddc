import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from tagmanager.checks import check_ingest_buffer
from tagmanager.ingest import BufferUnavailable, get_buffer
from tagmanager.ingest.celery import CeleryTaskBuffer
from tagmanager.ingest.direct import DirectBuffer


def _store(beacons):
    return None


def _bury(items):
    return None


def test_buffer_comes_from_the_setting_and_the_default_needs_no_broker(settings):
    settings.TAGMANAGER = {"INGEST_BUFFER": "tagmanager.ingest.celery.CeleryTaskBuffer"}
    assert isinstance(get_buffer(store=_store, bury=_bury), CeleryTaskBuffer)
    settings.TAGMANAGER = {}
    assert isinstance(get_buffer(store=_store, bury=_bury), DirectBuffer)


@pytest.mark.parametrize(
    "old", ["tagmanager.ingest.DirectBuffer", "tagmanager.ingest.CeleryTaskBuffer"]
)
def test_the_old_dotted_paths_still_name_the_buffers(settings, old):
    settings.TAGMANAGER = {"INGEST_BUFFER": old}
    assert type(get_buffer(store=_store, bury=_bury)).__name__ == old.rsplit(".", 1)[1]


@pytest.mark.parametrize(
    ("path", "message"),
    [("tagmanager.ingest.Nope", "cannot import"), ("tagmanager.conf.get_setting", "not an")],
)
def test_bad_buffer_setting_is_a_clear_error_and_check_e005(settings, path, message):
    settings.TAGMANAGER = {"INGEST_BUFFER": path}
    with pytest.raises(ImproperlyConfigured, match=message):
        get_buffer(store=_store, bury=_bury)
    (error,) = check_ingest_buffer()
    assert error.id == "tagmanager.E005" and path in error.msg


@pytest.mark.parametrize(
    "path",
    ["tagmanager.ingest.celery.CeleryTaskBuffer", "tagmanager.ingest.redis_buffer.RedisBuffer"],
)
@pytest.mark.parametrize("broker", ["", "memory://"])
def test_a_buffer_that_needs_a_broker_without_one_is_check_e008(
    settings, monkeypatch, path, broker
):
    from celery import current_app

    # Neither the settings, the Celery app in force nor the environment name a broker.
    monkeypatch.setattr(current_app.conf, "broker_url", broker or None)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.CELERY_BROKER_URL = broker
    settings.TAGMANAGER = {"INGEST_BUFFER": path, "INGEST_REDIS_URL": "redis://127.0.0.1:1/0"}
    assert [e.id for e in check_ingest_buffer()] == ["tagmanager.E008"]
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert "tagmanager.E008" not in [e.id for e in check_ingest_buffer()]


def test_the_default_buffer_without_a_broker_passes_the_checks(settings, monkeypatch):
    from celery import current_app

    monkeypatch.setattr(current_app.conf, "broker_url", None)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.CELERY_BROKER_URL = ""
    settings.TAGMANAGER = {}
    assert check_ingest_buffer() == []


def test_celery_buffer_turns_any_broker_failure_into_buffer_unavailable(monkeypatch):
    from celery import current_app

    def down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(current_app, "send_task", down)
    with pytest.raises(BufferUnavailable, match="connection refused"):
        CeleryTaskBuffer(store=_store, bury=_bury).push({"c": 1, "e": [], "r": 0})


def test_celery_buffer_sends_the_ingest_task_by_name(monkeypatch):
    from celery import current_app

    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, **kw: sent.append((name, kw)))
    CeleryTaskBuffer(store=_store, bury=_bury).push({"c": 1, "e": [{"x": 1}], "r": 5, "v": 2})
    (name, options) = sent[0]
    assert name == "tagmanager.fire_events_ingest"
    assert options["args"] == (1, [{"x": 1}], 5, 2)
    # ... a name the worker knows: tagmanager.tasks registers it.
    from tagmanager import tasks

    assert tasks.fire_events_ingest.name == name


@pytest.mark.django_db
def test_direct_buffer_stores_in_the_request():
    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import beacon_make, ingest_buffer

    demo = demo_container_ensure()
    buffer = ingest_buffer()
    assert isinstance(buffer, DirectBuffer)
    buffer.push(beacon_make(container_id=demo.pk, events=[{"event_id": uuid.uuid4().hex}]))
    assert FireEvent.objects.count() == 1


def test_the_ingest_package_imports_nothing_of_models_services_or_tasks():
    """Buffers sit below the services: storing and burying are handed in, tasks are sent by
    name, so there is no import circle."""
    import ast
    from pathlib import Path

    import tagmanager.ingest

    imported = set()
    for path in Path(tagmanager.ingest.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert {"tagmanager.ingest", "tagmanager.conf"} <= imported
    assert not [
        m
        for m in imported
        if m.startswith(("tagmanager.services", "tagmanager.models", "tagmanager.tasks"))
    ]
