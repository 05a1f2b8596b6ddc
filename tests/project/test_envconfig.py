import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from project import envconfig


def env(**values):
    return envconfig.make_env(values)


def test_sqlite_file_by_default_with_a_shared_test_database(tmp_path):
    db = envconfig.databases(env(), var_dir=tmp_path)["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "db.sqlite3")
    assert db["TEST"]["NAME"] == str(tmp_path / f"test-db-{os.getpid()}.sqlite3")
    # Writers take the lock up front and wait for it, reads go on beside them (WAL).
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and db["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_from_database_url(tmp_path):
    db = envconfig.databases(
        env(DATABASE_URL="postgres://app:s3cret@db.internal:5433/tm", CONN_MAX_AGE="0"),
        var_dir=tmp_path,
    )["default"]
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "tm",
        "app",
        "s3cret",
        "db.internal",
        5433,
    )
    assert db["CONN_MAX_AGE"] == 0 and db["CONN_HEALTH_CHECKS"] is True
    assert db["TEST"]["NAME"] == f"test_tm_{os.getpid()}"


def test_no_broker_means_tasks_run_in_process():
    conf = envconfig.celery(env())
    assert conf["CELERY_TASK_ALWAYS_EAGER"] is True
    assert conf["CELERY_RESULT_BACKEND"] is None


def test_broker_gets_short_socket_timeouts():
    conf = envconfig.celery(env(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"))
    assert conf["CELERY_TASK_ALWAYS_EAGER"] is False
    assert conf["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert conf["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/0"
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 1.0
    assert conf["CELERY_TASK_PUBLISH_RETRY_POLICY"]["max_retries"] <= 1
    assert conf["CELERY_TASK_ACKS_LATE"] and conf["CELERY_TASK_REJECT_ON_WORKER_LOST"]
    slower = envconfig.celery(
        env(CELERY_BROKER_URL="amqp://guest@localhost//", CELERY_BROKER_TIMEOUT="2.5")
    )
    assert slower["CELERY_BROKER_TRANSPORT_OPTIONS"]["socket_timeout"] == 2.5
    assert slower["CELERY_RESULT_BACKEND"] is None


def test_secret_key_generated_once_and_kept(tmp_path):
    first = envconfig.secret_key(env(), var_dir=tmp_path / "var")
    assert len(first) >= 50
    assert envconfig.secret_key(env(), var_dir=tmp_path / "var") == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
    assert envconfig.secret_key(env(SECRET_KEY="given"), var_dir=tmp_path) == "given"


def test_bad_values_are_reported(tmp_path):
    with pytest.raises(ImproperlyConfigured):
        envconfig.databases(env(DATABASE_URL="nosuchdb://x"), var_dir=tmp_path)
    with pytest.raises(ValueError):
        envconfig.celery(env(CELERY_BROKER_URL="redis://x", CELERY_BROKER_TIMEOUT="soon"))


def test_cache_url():
    redis = envconfig.caches(env(CACHE_URL="redis://127.0.0.1:6379/1"))["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    # A hung Redis must be given up on quickly, without redis-py's default retries.
    options = redis["OPTIONS"]
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 0.25
    assert options["retry"].get_retries() == 0
    local = envconfig.caches(env())["default"]
    assert local["BACKEND"].endswith("LocMemCache")
    # Room for the rate-limit counters beside the loaders (Django's default: 300 keys).
    assert local["OPTIONS"] == {"MAX_ENTRIES": 10_000}


def test_ingest_buffer_follows_the_broker():
    # No broker: stored in the request, never sent to a broker nobody configured.
    assert envconfig.tagmanager(env())["INGEST_BUFFER"] == "tagmanager.ingest.direct.DirectBuffer"
    redis = envconfig.tagmanager(env(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"))
    assert redis["INGEST_BUFFER"] == "tagmanager.ingest.redis_buffer.RedisBuffer"
    amqp = envconfig.tagmanager(env(CELERY_BROKER_URL="amqp://guest@localhost//"))
    assert amqp["INGEST_BUFFER"] == "tagmanager.ingest.celery.CeleryTaskBuffer"
    chosen = envconfig.tagmanager(
        env(TAGMANAGER_INGEST_BUFFER="direct", TAGMANAGER_INGEST_LEASE_SECONDS="5")
    )
    assert chosen == {
        "INGEST_BUFFER": "tagmanager.ingest.direct.DirectBuffer",
        "INGEST_LEASE_SECONDS": 5,
    }
    with pytest.raises(ImproperlyConfigured, match="TAGMANAGER_INGEST_DRAIN_BATCH"):
        envconfig.tagmanager(env(TAGMANAGER_INGEST_DRAIN_BATCH="many"))
