"""The loader as served: built once per published version, kept in the cache.

A warm request reads one cache entry and touches no database. Publishing refreshes the entry,
and the runtime's own fingerprint is part of the cache key, so an upgrade never serves an old
runtime.
"""

import gzip
import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from tagmanager.conf import get_setting
from tagmanager.loader.build import loader_source, runtime_parts


@dataclass(frozen=True)
class LoaderPayload:
    etag: str  # quoted, strong
    body: bytes
    gzipped: bytes


# Cached, briefly, in place of a payload, so unknown keys stay cheap.
UNKNOWN = "unknown"
UNPUBLISHED = "unpublished"


def _cache_key(key: str) -> str:
    head, tail = runtime_parts()
    fingerprint = hashlib.sha256((head + tail).encode()).hexdigest()[:12]
    return f"tagmanager:loader:{fingerprint}:{key}"


def loader_payload_build(config: dict) -> LoaderPayload:
    body = loader_source(config).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return LoaderPayload(etag=etag, body=body, gzipped=gzip.compress(body, 9, mtime=0))


def _live_config(key: str) -> dict | str:
    from tagmanager.models import Container

    container = Container.objects.filter(key=key).select_related("live_version").first()
    if container is None:
        return UNKNOWN
    if container.live_version is None:
        return UNPUBLISHED
    return container.live_version.config


def loader_cache_refresh(*, key: str) -> LoaderPayload | str:
    """Rebuild and store the loader for ``key``; UNKNOWN/UNPUBLISHED when there is none."""
    config = _live_config(key)
    if isinstance(config, str):
        cache.set(_cache_key(key), config, get_setting("LOADER_MISSING_CACHE_TIMEOUT"))
        return config
    payload = loader_payload_build(config)
    cache.set(_cache_key(key), payload, get_setting("LOADER_CACHE_TIMEOUT"))
    return payload


def loader_payload_get(*, key: str) -> LoaderPayload | str:
    cached = cache.get(_cache_key(key))
    if cached is not None:
        return cached
    return loader_cache_refresh(key=key)
