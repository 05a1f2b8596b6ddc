"""The host project deploys as the README documents: ``check --deploy`` has nothing to say with
the production environment, ``spectacular`` writes the API's schema, and a host without
drf-spectacular's schema class still gets a schema of the API."""

import json
import os
import secrets
import subprocess
import sys

import pytest
import yaml
from django.test import override_settings

from project import envconfig
from tests.conftest import ROOT

# The security part of README's "Production" section.
PRODUCTION = {
    "ALLOWED_HOSTS": "tags.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://tags.example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "TAGMANAGER_CLIENT_IP_HEADER": "X-Real-IP",
}


def manage(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    # A production environment: not the test run's own (DEBUG, or the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
    leave_out = ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION)
    environ = {k: v for k, v in os.environ.items() if k not in leave_out}
    environ.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        TAGMANAGER_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=secrets.token_urlsafe(64),
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_names_what_production_must_set(tmp_path):
    """Without the production settings the same check fails, naming each of them."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode != 0
    for check_id in ("W004", "W008", "W012", "W016"):
        assert f"security.{check_id}" in result.stderr, result.stderr
    assert "tagmanager.W005" in result.stderr  # rate limits counted per process


def test_spectacular_writes_the_schema_the_api_serves(tmp_path, client, db):
    path = tmp_path / "schema.yaml"
    result = manage(
        "spectacular", "--file", str(path), "--validate", "--fail-on-warn", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "tagmanager API"
    assert "/tm/api/containers/" in schema["paths"]
    served = json.loads(client.get("/tm/api/schema/?format=json").content)
    assert schema == served


def test_a_host_without_drf_spectacular_settings_gets_the_schema():
    """DRF's own schema class and drf-spectacular's plain generator (a host that set neither):
    the schema and docs views stay out of the schema instead of failing its generation."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    host = override_settings(REST_FRAMEWORK={}, SPECTACULAR_SETTINGS={})
    with host, GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/tm/api/containers/" in schema["paths"]
    assert not {"/tm/api/schema/", "/tm/api/docs/", "/tm/api/"} & set(schema["paths"])


def test_https_settings_are_off_unless_the_environment_sets_them():
    assert envconfig.security(envconfig.make_env({})) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert envconfig.security(envconfig.make_env(dict(PRODUCTION))) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    }


@pytest.mark.parametrize("value", ["X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO", ",https"])
def test_a_malformed_proxy_header_is_refused(value):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        envconfig.security(envconfig.make_env({"SECURE_PROXY_SSL_HEADER": value}))


def test_rate_limits_and_the_client_header_from_the_environment():
    environ = {
        "TAGMANAGER_RATE_LIMIT_CONSENT_CLIENT": "10/minute",
        "TAGMANAGER_API_THROTTLE_USER": "off",
        "TAGMANAGER_CLIENT_IP_HEADER": "X-Real-IP",
    }
    conf = envconfig.tagmanager(envconfig.make_env(environ))
    assert conf["RATE_LIMIT_CONSENT_CLIENT"] == "10/minute"
    assert conf["API_THROTTLE_USER"] is None
    assert conf["CLIENT_IP_HEADER"] == "X-Real-IP"
    assert "RATE_LIMIT_COLLECT_CLIENT" not in envconfig.tagmanager(envconfig.make_env({}))
