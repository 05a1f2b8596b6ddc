"""The loader as served: built once per published version, kept in the cache.

A warm request reads one cache entry and touches no database. Publishing refreshes the entry,
and the runtime's own fingerprint is part of the cache key, so an upgrade never serves an old
runtime.
"""

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import brotli

from tagmanager.cache import cache_get, cache_set, local_delete, local_get, local_set
from tagmanager.conf import get_setting
from tagmanager.loader.build import loader_source, runtime_fingerprint
from tagmanager.loader.config import config_served


@dataclass(frozen=True)
class LoaderPayload:
    etag: str  # quoted, strong
    body: bytes
    gzipped: bytes
    brotli: bytes = b""


# Cached, briefly, in place of a payload, so unknown keys stay cheap.
UNKNOWN = "unknown"
UNPUBLISHED = "unpublished"


def cache_key(key: str) -> str:
    return f"tagmanager:loader:{runtime_fingerprint()}:{key}"


def loader_payload_build(config: dict) -> LoaderPayload:
    body = loader_source(config_served(config)).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return LoaderPayload(
        etag=etag,
        body=body,
        gzipped=gzip.compress(body, 9, mtime=0),
        brotli=brotli.compress(body, quality=11),
    )


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
        cache_set(cache_key(key), config, get_setting("LOADER_MISSING_CACHE_TIMEOUT"))
        local_delete(cache_key(key))
        return config
    payload = loader_payload_build(config)
    cache_set(cache_key(key), payload, get_setting("LOADER_CACHE_TIMEOUT"))
    local_set(cache_key(key), payload)
    return payload


def loader_payload_cached(*, key: str) -> LoaderPayload | str | None:
    """What the caches hold for ``key`` (the process's memory first), or None."""
    name = cache_key(key)
    cached = local_get(name)
    if cached is None:
        cached = cache_get(name)
        if cached is not None:
            local_set(name, cached, None if isinstance(cached, LoaderPayload) else 0)
    return cached


def loader_payload_get(*, key: str) -> LoaderPayload | str:
    cached = loader_payload_cached(key=key)
    if cached is not None:
        return cached
    return loader_cache_refresh(key=key)


def loader_http(
    payload: LoaderPayload, *, if_none_match: str, accept_encoding: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for a loader request; shared by the view and the WSGI path."""
    headers = [
        ("ETag", payload.etag),
        (
            "Cache-Control",
            f"public, max-age={get_setting('LOADER_MAX_AGE')}, "
            f"stale-while-revalidate={get_setting('LOADER_STALE_WHILE_REVALIDATE')}",
        ),
        ("Vary", "Accept-Encoding"),
    ]
    if etag_matches(if_none_match, payload.etag):
        return 304, headers, b""
    body = payload.body
    # Most clients send "gzip, deflate, br" or similar: parsed once per distinct header.
    accepted = encodings_accepted(accept_encoding)
    if payload.brotli and "br" in accepted:
        body = payload.brotli
        headers.append(("Content-Encoding", "br"))
    elif "gzip" in accepted:
        body = payload.gzipped
        headers.append(("Content-Encoding", "gzip"))
    headers += [("Content-Type", JS), ("Content-Length", str(len(body)))]
    return 200, headers, body


JS = "application/javascript; charset=utf-8"


@lru_cache(maxsize=64)
def encodings_accepted(header: str) -> frozenset[str]:
    """The content codings an Accept-Encoding header accepts: those listed without ``q=0``
    (``*`` stands for both of ours)."""
    accepted, refused = set(), set()
    for item in header.lower().split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        (accepted if quality > 0 else refused).add(coding)
    if "*" in accepted:
        accepted |= {"br", "gzip"} - refused
    return frozenset(accepted)


def etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
