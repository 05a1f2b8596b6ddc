import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from tagmanager.checks import check_ingest_buffer
from tagmanager.ingest import CeleryTaskBuffer, DirectBuffer, get_buffer


def test_buffer_comes_from_the_setting(settings):
    settings.TAGMANAGER = {"INGEST_BUFFER": "tagmanager.ingest.DirectBuffer"}
    assert isinstance(get_buffer(), DirectBuffer)
    settings.TAGMANAGER = {}
    assert isinstance(get_buffer(), CeleryTaskBuffer)


@pytest.mark.parametrize(
    ("path", "message"),
    [("tagmanager.ingest.Nope", "cannot import"), ("tagmanager.conf.get_setting", "not an")],
)
def test_bad_buffer_setting_is_a_clear_error_and_check_e005(settings, path, message):
    settings.TAGMANAGER = {"INGEST_BUFFER": path}
    with pytest.raises(ImproperlyConfigured, match=message):
        get_buffer()
    (error,) = check_ingest_buffer()
    assert error.id == "tagmanager.E005" and path in error.msg


def test_celery_buffer_turns_any_broker_failure_into_buffer_unavailable(monkeypatch):
    from tagmanager.ingest import BufferUnavailable
    from tagmanager.tasks import fire_events_ingest

    def down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(fire_events_ingest, "apply_async", down)
    with pytest.raises(BufferUnavailable, match="connection refused"):
        CeleryTaskBuffer().push({"c": 1, "e": [], "r": 0})


@pytest.mark.django_db
def test_direct_buffer_stores_in_the_request():
    from tagmanager.models import FireEvent
    from tagmanager.services.demo import demo_container_ensure
    from tagmanager.services.ingestion import beacon_make

    demo = demo_container_ensure()
    DirectBuffer().push(beacon_make(container_id=demo.pk, events=[{"event_id": uuid.uuid4().hex}]))
    assert FireEvent.objects.count() == 1
