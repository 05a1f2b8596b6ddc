"""The rate-limit counters (tagmanager.ratelimit): rates, windows, Retry-After, one shared count
across processes (Redis), and a failing cache that allows rather than refuses."""

import threading
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tagmanager import cache as tm_cache
from tagmanager import ratelimit
from tagmanager.ratelimit import Rate, hit, over, rate_parse
from tests.conftest import port_open, skip_or_fail

HOUR = Rate(3, 3600)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/minute", Rate(60, 60)),
        ("60/min", Rate(60, 60)),
        ("60/m", Rate(60, 60)),
        ("5/15minutes", Rate(5, 900)),
        ("1000/hour", Rate(1000, 3600)),
        ("2/h", Rate(2, 3600)),
        ("10/second", Rate(10, 1)),
        ("100/2days", Rate(100, 172800)),
        (" 7 / day ", Rate(7, 86400)),
        (None, None),
        ("", None),
        ("off", None),
        ("None", None),
    ],
)
def test_rates_parse(text, rate):
    assert rate_parse(text) == rate


@pytest.mark.parametrize(
    "text",
    ["60", "60/", "/minute", "sixty/minute", "60/fortnight", "60/0minutes", "0/m", "-1/m", 60],
)
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError, match="not a rate"):
        rate_parse(text)


@given(st.text(max_size=30) | st.none() | st.integers() | st.lists(st.text(max_size=3)))
def test_rate_parse_raises_only_value_error(value):
    try:
        result = rate_parse(value)
    except ValueError:
        return
    assert result is None or (result.count >= 1 and result.seconds >= 1)


def test_requests_within_the_rate_pass_then_wait_for_the_window_to_end():
    start = 7200.0  # the beginning of an hour window
    assert [hit([("t:a", HOUR)], now=start + n) for n in range(3)] == [0, 0, 0]
    assert hit([("t:a", HOUR)], now=start + 600) == 3000  # seconds left in the window
    assert hit([("t:a", HOUR)], now=start + 3599.5) == 1  # never less than a second
    assert hit([("t:a", HOUR)], now=start + 3600) == 0  # a new window
    assert hit([("t:b", HOUR)], now=start + 600) == 0  # another name, its own count


def test_a_request_over_any_of_its_limits_is_refused_and_counted_in_all():
    wide, tight = Rate(3, 60), Rate(1, 3600)
    assert hit([("t:wide", wide), ("t:tight", tight)], now=0) == 0
    assert hit([("t:wide", wide), ("t:tight", tight)], now=1) == 3599  # over the tight one
    assert hit([("t:wide", wide), ("t:off", None)], now=2) == 0  # None: no limit
    assert hit([("t:wide", wide)], now=3) == 57  # the refused request counted too


def test_generous_limits_cost_about_no_round_trip_per_request(monkeypatch):
    """Counts go to the cache in batches of a fiftieth of the rate while far from it."""
    sent = []
    incr = tm_cache.cache_incr
    monkeypatch.setattr(tm_cache, "cache_incr", lambda counts: sent.append(counts) or incr(counts))
    assert {hit([("t:busy", Rate(10_000, 60))], now=0) for _ in range(1000)} == {0}
    assert len(sent) == 5 and {delta for c in sent for delta, _ in c.values()} == {200}


def test_processes_sharing_a_limit_let_through_at_most_a_batch_each_over_it():
    """Two processes (two Counters over one cache) under a rate of 1000 a minute: beyond half
    of it every request is counted at once, so together they admit 1000 and a batch each at
    most, and then both refuse."""
    first, second = ratelimit.Counters(), ratelimit.Counters()
    rate = Rate(1000, 60)
    admitted = [
        process.hit([("t:shared", rate)], now=0) == 0
        for _ in range(800)
        for process in (first, second)
    ]
    assert 1000 <= admitted.count(True) <= 1000 + 2 * (1000 // ratelimit.BATCH_SHARE)
    assert first.hit([("t:shared", rate)], now=1) == 59
    assert second.hit([("t:shared", rate)], now=1) == 59


def test_over_reads_without_counting():
    assert over("t:o", HOUR, now=0) == 0
    for _ in range(3):
        hit([("t:o", HOUR)], now=0)
    assert over("t:o", HOUR, now=10) == 3590
    assert over("t:o", HOUR, now=10) == 3590  # reading did not count
    assert over("t:o", None) == 0


def test_truncated_ip_is_the_client():
    assert ratelimit.client_id("198.51.100.7") == ratelimit.client_id("198.51.100.250")
    assert ratelimit.client_id("198.51.100.7") != ratelimit.client_id("198.51.101.7")
    assert ratelimit.client_id("2001:db8:1:2::1") == ratelimit.client_id("2001:db8:1:ffff::2")
    assert ratelimit.client_id("") == ratelimit.client_id("not an ip") == "?"


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_failing_cache_allows_every_request(monkeypatch):
    monkeypatch.setattr(tm_cache, "cache", BrokenCache())
    monkeypatch.setattr(tm_cache, "caches", {"default": BrokenCache()})
    assert [hit([("t:down", Rate(1, 60))]) for _ in range(5)] == [0] * 5
    assert over("t:down", Rate(1, 60)) == 0


def test_reset_starts_counters_afresh():
    hit([("t:r", Rate(1, 3600))], now=0)
    assert hit([("t:r", Rate(1, 3600))], now=0) == 3600
    ratelimit.reset()
    assert hit([("t:r", Rate(1, 3600))], now=0) == 0


@pytest.fixture
def redis_cache():
    url = "redis://127.0.0.1:6379/1"
    parts = urlsplit(url)
    if not port_open(parts.hostname, parts.port):
        skip_or_fail(f"no Redis at {url}")
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "tm-test-ratelimit",
        }
    }
    with override_settings(CACHES=caches):
        yield


def test_redis_counts_once_across_threads_in_one_round_trip(redis_cache, monkeypatch):
    """Concurrent requests (threads here, web processes in production) share one count:
    exactly the rate passes. Each request is one pipeline (INCR + EXPIRE per limit), not
    Django's incr (EXISTS then INCRBY, per key)."""
    from django.core.cache.backends.redis import RedisCache

    monkeypatch.setattr(RedisCache, "incr", BrokenCache().incr)
    rate, passed = Rate(50, 3600), []

    def client():
        for _ in range(40):
            passed.append(hit([("t:shared", rate), ("t:other", Rate(10_000, 60))]) == 0)

    threads = [threading.Thread(target=client) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passed.count(True) == 50 and len(passed) == 200
    name = f"tm:rl:{ratelimit._state['generation']}:t:shared:"
    from django.core.cache import caches

    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    keys = client.keys(backend.make_and_validate_key(name) + "*")
    assert [int(client.get(k)) for k in keys] == [200]
    assert 0 < client.ttl(keys[0]) <= 3600  # expires: no counter is kept forever
