"""Turn environment variables into Django and Celery settings.

Kept apart from ``settings.py`` so that parsing can be tested with any mapping.
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured


def make_env(environ_mapping=None) -> environ.Env:
    env = environ.Env()
    if environ_mapping is not None:
        env.ENVIRON = environ_mapping
    return env


def secret_key(env: environ.Env, *, var_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once and kept in ``var/``.

    The generated key lets the demo run with zero configuration; production sets its own.
    """
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    path = var_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


def databases(env: environ.Env, *, var_dir: Path) -> dict:
    default = f"sqlite:///{var_dir / 'db.sqlite3'}"
    db = env.db_url("DATABASE_URL", default=default)
    if "." not in (db.get("ENGINE") or ""):
        raise ImproperlyConfigured(
            "DATABASE_URL: unknown database scheme; use sqlite:///path or postgres://..."
        )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not :memory:, so that a Celery worker started by the tests sees the test data.
        # Per process, so that two test runs on one machine never share it.
        db.setdefault("TEST", {})["NAME"] = str(var_dir / f"test-db-{os.getpid()}.sqlite3")
        db.setdefault("OPTIONS", {}).update(sqlite_options(db.get("OPTIONS", {})))
    else:
        # Per process too: two test runs against one server must not drop each other's database.
        db.setdefault("TEST", {}).setdefault("NAME", f"test_{db['NAME']}_{os.getpid()}")
        db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
    return {"default": db}


def sqlite_options(options: dict) -> dict:
    """SQLite options for many concurrent writers (web requests, a worker), none turned away:
    a write transaction takes the lock when it begins (IMMEDIATE), so it waits its turn for up
    to ``timeout`` seconds instead of failing with "database is locked" when it first writes;
    WAL lets reads go on beside a write."""
    return {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **options,
    }


def caches(env: environ.Env) -> dict:
    """The cache (``CACHE_URL``). A Redis cache gets short socket timeouts and no retries
    (``CACHE_TIMEOUT`` seconds): the loader and the ingestion endpoints treat a failing cache
    as a miss, which only helps if a hung Redis is given up on quickly."""
    default = env.cache_url("CACHE_URL", default="locmemcache://tagmanager")
    if default["BACKEND"].endswith("LocMemCache"):
        # Room for the rate-limit counters beside the loaders (Django's default is 300 keys).
        default.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)
    if default["BACKEND"].endswith("RedisCache"):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        timeout = env.float("CACHE_TIMEOUT", default=0.25)
        default.setdefault("OPTIONS", {}).update(
            socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
    return {"default": default}


def security(env: environ.Env) -> dict:
    """HTTPS settings. All off by default, so the demo works on plain http; production sets
    them (README, "Production") and ``manage.py check --deploy`` then has nothing to say.

    ``SECURE_PROXY_SSL_HEADER`` is ``<header>,<value>`` as Django's setting names it (e.g.
    ``HTTP_X_FORWARDED_PROTO,https``), for a proxy that terminates TLS and sets that header.
    """
    conf = {
        "SECURE_SSL_REDIRECT": env.bool("SECURE_SSL_REDIRECT", default=False),
        "SECURE_HSTS_SECONDS": env.int("SECURE_HSTS_SECONDS", default=0),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False),
        "SECURE_HSTS_PRELOAD": env.bool("SECURE_HSTS_PRELOAD", default=False),
        "SESSION_COOKIE_SECURE": env.bool("SESSION_COOKIE_SECURE", default=False),
        "CSRF_COOKIE_SECURE": env.bool("CSRF_COOKIE_SECURE", default=False),
        "SECURE_PROXY_SSL_HEADER": None,
    }
    proxy = env.str("SECURE_PROXY_SSL_HEADER", default="")
    if proxy:
        header, _, value = (part.strip() for part in proxy.partition(","))
        if not header.startswith("HTTP_") or not value:
            raise ImproperlyConfigured(
                f"SECURE_PROXY_SSL_HEADER: expected <header>,<value> such as "
                f"HTTP_X_FORWARDED_PROTO,https, not {proxy!r}"
            )
        conf["SECURE_PROXY_SSL_HEADER"] = (header, value)
    return conf


def celery(env: environ.Env) -> dict:
    """Celery options (the ``CELERY_`` namespace of Django settings).

    Without ``CELERY_BROKER_URL`` tasks run in-process. With one, every socket to the broker
    has a short timeout so a dead or hung broker cannot hold a web request for long.
    """
    broker = env.str("CELERY_BROKER_URL", default="")
    timeout = env.float("CELERY_BROKER_TIMEOUT", default=1.0)
    visibility = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    conf = {
        "CELERY_BROKER_URL": broker or "memory://",
        "CELERY_TASK_ALWAYS_EAGER": not broker,
        "CELERY_TASK_EAGER_PROPAGATES": True,
        "CELERY_RESULT_BACKEND": env.str(
            "CELERY_RESULT_BACKEND",
            default=broker if broker.startswith(("redis://", "rediss://")) else "",
        )
        or None,
        # Redelivery when a worker dies mid-task; tasks are written to be idempotent.
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": env.int(
            "CELERY_WORKER_PREFETCH_MULTIPLIER", default=4
        ),
        "CELERY_BROKER_CONNECTION_TIMEOUT": timeout,
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            # Seconds before a message a dead worker had taken is handed out again.
            "visibility_timeout": visibility,
            # ...checked for every few seconds (kombu's default sweep runs only every 100 s,
            # which would add up to 100 s to any visibility timeout).
            "unacked_restore_interval": max(1, min(10, visibility // 2)),
            "unacked_restore_throttle": 1,
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.1,
            "interval_max": 0.1,
        },
        "CELERY_TASK_PUBLISH_RETRY_POLICY": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.1,
            "interval_max": 0.1,
        },
        "CELERY_REDIS_SOCKET_TIMEOUT": timeout,
        "CELERY_REDIS_SOCKET_CONNECT_TIMEOUT": timeout,
        "CELERY_RESULT_EXPIRES": 3600,
        "CELERY_TIMEZONE": "UTC",
        # A private queue per deployment (or per test run) on a shared broker.
        "CELERY_TASK_DEFAULT_QUEUE": env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery"),
        "CELERY_BEAT_SCHEDULE": {
            # Pushes wake a drainer; this catches whatever a lost wake-up or a crash left.
            "tagmanager-ingest-drain": {
                "task": "tagmanager.fire_events_drain",
                "schedule": env.float("TAGMANAGER_DRAIN_EVERY", default=5.0),
            },
            "tagmanager-seal-consent": {
                "task": "tagmanager.consent_chains_seal",
                "schedule": env.float("TAGMANAGER_SEAL_EVERY", default=60.0),
            },
            "tagmanager-retention": {
                "task": "tagmanager.retention_run",
                "schedule": 24 * 3600.0,
            },
            "tagmanager-rollups": {
                "task": "tagmanager.rollups_refresh",
                "schedule": env.float("TAGMANAGER_ROLLUP_EVERY", default=3600.0),
            },
        },
    }
    return conf


BUFFERS = {
    "celery": "tagmanager.ingest.celery.CeleryTaskBuffer",
    "redis": "tagmanager.ingest.redis_buffer.RedisBuffer",
    "direct": "tagmanager.ingest.direct.DirectBuffer",
}


def tagmanager(env: environ.Env) -> dict:
    """The app's TAGMANAGER settings that the host project takes from the environment.

    ``TAGMANAGER_INGEST_BUFFER``: celery, redis, direct or a dotted path; by default redis when
    the broker is Redis (beacons are drained in bulk), one Celery task per beacon with another
    broker, and direct (stored in the request) with none.
    """
    broker = env.str("CELERY_BROKER_URL", default="")
    if broker.startswith(("redis://", "rediss://")):
        default = "redis"
    else:
        default = "celery" if broker else "direct"
    buffer = env.str("TAGMANAGER_INGEST_BUFFER", default=default)
    conf = {"INGEST_BUFFER": BUFFERS.get(buffer, buffer)}
    for name, cast in (
        ("INGEST_REDIS_KEY", str),
        ("INGEST_LEASE_SECONDS", int),
        ("INGEST_DRAIN_BATCH", int),
    ):
        value = env.str(f"TAGMANAGER_{name}", default="")
        if value:
            try:
                conf[name] = cast(value)
            except ValueError:
                raise ImproperlyConfigured(
                    f"TAGMANAGER_{name}: not a whole number: {value!r}"
                ) from None
    # Behind a proxy every request comes from the proxy: the header it sets names the client
    # (rate limits per client, the truncated IP of consent records).
    header = env.str("TAGMANAGER_CLIENT_IP_HEADER", default="")
    if header:
        conf["CLIENT_IP_HEADER"] = header
    # Rate limits: "<count>/<period>" or "off" (the app's system check validates them).
    from tagmanager.conf import RATE_SETTINGS

    for name in RATE_SETTINGS:
        value = env.str(f"TAGMANAGER_{name}", default="")
        if value:
            conf[name] = None if value.strip().lower() in ("off", "none") else value
    return conf
