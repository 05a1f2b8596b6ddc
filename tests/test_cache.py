import socket

import pytest
from django.core.cache import caches

from tagmanager import cache as tm_cache
from tagmanager.loader.serve import loader_payload_get
from tagmanager.selectors import container_ingest_meta
from tagmanager.services.demo import demo_container_ensure


@pytest.fixture
def broken_cache(settings):
    """A Redis cache on a port nobody listens on: every access fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    calls = []
    backend = caches["default"]
    original = backend.get

    def counting_get(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    backend.get = counting_get
    tm_cache.reset()
    yield calls
    tm_cache.reset()


@pytest.mark.django_db
def test_a_failing_cache_is_a_miss_and_then_left_alone(broken_cache):
    demo = demo_container_ensure()
    assert container_ingest_meta(key="demo") == {"id": demo.pk, "origins": demo.allowed_origins}
    assert len(broken_cache) == 1
    # Within CACHE_RETRY_AFTER the cache is not even asked: straight to the database.
    assert loader_payload_get(key="demo").body.startswith(b"(function")
    assert container_ingest_meta(key="nope") is None
    assert len(broken_cache) == 1


@pytest.mark.django_db
def test_collect_still_works_with_the_cache_down(broken_cache, client):
    from tagmanager.models import FireEvent

    demo_container_ensure()
    response = client.post(
        "/tm/collect",
        data='{"key": "demo", "events": [{"event_id": "abcdefgh12"}]}',
        content_type="text/plain",
        HTTP_ORIGIN="http://localhost:8000",
    )
    assert response.status_code == 204
    assert FireEvent.objects.count() == 1
