import pytest
from django.core.checks import run_checks
from django.test import override_settings


def ids(**kwargs):
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("tagmanager."))


def test_default_configuration_is_clean():
    assert ids() == []


@override_settings(TAGMANAGER=["not", "a", "dict"])
def test_e001_setting_not_a_dict():
    assert ids() == ["tagmanager.E001"]


@override_settings(TAGMANAGER={"TAG_TYPES": ["tagmanager.registry.tags.Missing"]})
def test_e002_type_path_cannot_be_imported():
    assert ids() == ["tagmanager.E002"]


@override_settings(TAGMANAGER={"TRIGGER_TYPES": ["tagmanager.registry.tags.ImagePixel"]})
def test_e002_type_of_the_wrong_kind():
    assert ids() == ["tagmanager.E002"]


@pytest.mark.parametrize("value", [0, -5, "90", True, None])
def test_e003_positive_integers(value):
    with override_settings(TAGMANAGER={"FIRE_EVENT_RETENTION_DAYS": value}):
        assert ids() == ["tagmanager.E003"]


@pytest.mark.parametrize("key", ["INGEST_DRAIN_BATCH", "INGEST_LEASE_SECONDS", "CACHE_RETRY_AFTER"])
def test_e003_covers_the_ingestion_settings(key):
    with override_settings(TAGMANAGER={key: 0}):
        assert ids() == ["tagmanager.E003"]


@override_settings(TAGMANAGER={"INGEST_BUFFER": "tagmanager.nowhere.Buffer"})
def test_e005_ingest_buffer():
    assert ids() == ["tagmanager.E005"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("INGEST_REDIS_TIMEOUT", 0),
        ("INGEST_REDIS_TIMEOUT", "1"),
        ("INGEST_REDIS_TIMEOUT", None),
        ("INGEST_REDIS_TIMEOUT", True),
        ("INGEST_DRAIN_LINGER", -1),
        ("INGEST_DRAIN_LINGER", "soon"),
    ],
)
def test_e006_seconds(key, value):
    with override_settings(TAGMANAGER={key: value}):
        assert ids() == ["tagmanager.E006"]


def test_zero_linger_is_fine():
    with override_settings(TAGMANAGER={"INGEST_DRAIN_LINGER": 0}):
        assert ids() == []


@override_settings(TAGMANAGER={"CONSENT_COOKIE_NAME": "bad name;"})
def test_e004_cookie_name():
    assert ids() == ["tagmanager.E004"]


@override_settings(TAGMANAGER={"FIRE_EVENTS_RETENTION_DAYS": 30})
def test_w001_unknown_key():
    messages = [m for m in run_checks() if m.id == "tagmanager.W001"]
    assert len(messages) == 1 and "FIRE_EVENTS_RETENTION_DAYS" in messages[0].msg


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_w002_dummy_cache():
    assert ids() == ["tagmanager.W002"]


def test_w003_celery_task_per_beacon_over_redis():
    with override_settings(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_TASK_ALWAYS_EAGER=False,
        TAGMANAGER={"INGEST_BUFFER": "tagmanager.ingest.CeleryTaskBuffer"},  # the old name
    ):
        assert ids() == ["tagmanager.W003"]
    with override_settings(
        CELERY_BROKER_URL="amqp://guest@localhost//",
        CELERY_TASK_ALWAYS_EAGER=False,
        TAGMANAGER={"INGEST_BUFFER": "tagmanager.ingest.CeleryTaskBuffer"},
    ):
        assert ids() == []


def test_w004_sqlite_without_immediate_transactions(settings):
    from tagmanager.checks import check_sqlite_concurrency

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
        assert [m.id for m in check_sqlite_concurrency()] == ["tagmanager.W004"]
        return
    assert check_sqlite_concurrency() == []  # the project's settings take the lock up front
    settings.DATABASES = {"default": {**db, "OPTIONS": {"timeout": 20}}}
    assert [m.id for m in check_sqlite_concurrency()] == ["tagmanager.W004"]
