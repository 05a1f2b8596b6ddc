"""Rate limits: fixed-window request counters in Django's cache, shared by every process.

A rate is ``"<count>/<period>"``: ``"60/minute"``, ``"5/15minutes"``, ``"1000/h"`` (units
second, minute, hour, day, or their first letter); None or ``"off"`` is no limit. A request is
counted once against each limit that applies to it (its client, its container ...) and refused
when any count is over its rate; the answer says when to retry: the end of that window. Counts
reach the cache in batches, at most one round trip per request (``Counters``). The window's
number is part of the counter's key, so counters need no reset and a counter that outlives its
window is merely garbage (it expires).

The cache is allowed to fail: a request is then allowed (fail open), since a limit that takes
the endpoints down with a failing Redis would do the attacker's work.

Usage::

    from tagmanager import ratelimit

    wait = ratelimit.hit([("export:u:42", ratelimit.rate_parse("10/hour"))])
    if wait:
        ...  # 429 with Retry-After: wait
"""

import functools
import math
import re
import secrets
import threading
import time
from datetime import date, datetime
from datetime import timezone as dt_timezone
from typing import NamedTuple

from tagmanager import cache
from tagmanager.conf import get_setting
from tagmanager.payloads import ip_truncate

_RATE = re.compile(
    r"\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*", re.IGNORECASE
)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_OFF = (None, "", "off", "none")
# The public doors, in the order reports list them, with what each receives.
DOORS = (
    ("collect", "Tag fires (POST /tm/collect)"),
    ("consent", "Consent decisions (POST /tm/consent)"),
    ("pixel", "Pixel hits (GET /tm/p/<key>.gif)"),
)
# Days a container's count of refused requests waits in the cache for the roll-up task to take
# it into the database (RefusedDaily); reports add what is still waiting.
REFUSED_DAYS = 8
# A process sends its counts to the cache in batches of this share of the rate (Counters).
BATCH_SHARE = 50
_LOCAL_MAX = 10_000
_state = {"generation": "0"}  # the same in every process; reset() makes a new one


class Rate(NamedTuple):
    count: int
    seconds: int


@functools.lru_cache(maxsize=128)
def _parse(value: str) -> Rate | None:
    if value.strip().lower() in _OFF:
        return None
    match = _RATE.fullmatch(value)
    if not match:
        raise ValueError(f"not a rate: {value!r} (e.g. '60/minute', '5/15minutes', 'off')")
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3][0].lower()
    if count < 1 or multiple < 1:
        raise ValueError(f"not a rate: {value!r} (zero requests or a zero period)")
    return Rate(count, multiple * _UNITS[unit])


def rate_parse(value) -> Rate | None:
    """``"60/minute"`` -> ``Rate(60, 60)``; None, ``""`` or ``"off"`` -> None (no limit).
    ValueError for anything else (system check ``tagmanager.E009`` reports it)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a rate: {value!r} (a string such as '60/minute', or None)")
    return _parse(value)


def setting_rate(name: str) -> Rate | None:
    """The rate a setting names; a malformed one counts as no limit (the check says so)."""
    try:
        return rate_parse(get_setting(name))
    except ValueError:
        return None


def _key(name: str) -> str:
    return f"tm:rl:{_state['generation']}:{name}"


def _window(rate: Rate, now: float) -> tuple[int, int]:
    """(window number, seconds until it ends, at least 1)."""
    number = int(now // rate.seconds)
    return number, max(1, math.ceil((number + 1) * rate.seconds - now))


class Counters:
    """One process's request counts on their way to the cache.

    A round trip to Redis per request would double the cost of the collect endpoint, so a
    process sends its counts in batches (a ``BATCH_SHARE``th of the rate, at least 1) and at
    every request once its view of the count passes half the rate. Generous limits then cost
    about no round trip per request, tight ones and counts near a limit are exact, and across
    P processes a limit lets at most P batches more through than its rate.
    """

    def __init__(self):
        self._counts: dict[str, list[int]] = {}  # key -> [total known, not yet sent]
        self._lock = threading.Lock()

    def hit(self, limits: list[tuple[str, Rate | None]], *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        counted, send = [], {}
        with self._lock:
            if len(self._counts) > _LOCAL_MAX:  # bounded: mostly counts of past windows
                self._counts.clear()
            for name, rate in limits:
                if rate is None:
                    continue
                number, left = _window(rate, now)
                key = _key(f"{name}:{number}")
                count = self._counts.setdefault(key, [0, 0])
                count[1] += 1
                if count[1] >= rate.count // BATCH_SHARE or sum(count) > rate.count // 2:
                    send[key] = (count[1], rate.seconds)
                    count[0], count[1] = count[0] + count[1], 0  # in flight: known already
                # This request's place in the count: the cache's answer when it is sent.
                counted.append([rate, left, key if key in send else sum(count)])
        if send:
            totals = cache.cache_incr(send)
            returned = [None] * len(send) if totals is None else totals
            with self._lock:
                for (key, (delta, _)), total in zip(send.items(), returned, strict=True):
                    count = self._counts.get(key)
                    if count is not None:
                        count[0] = count[0] - delta if total is None else max(count[0], total)
            if totals is None:
                return 0  # the cache failed: allow (fail open)
            places = dict(zip(send, totals, strict=True))
            for entry in counted:
                if isinstance(entry[2], str):
                    entry[2] = places[entry[2]]
        waits = [left for rate, left, place in counted if place > rate.count]
        return max(waits, default=0)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


counters = Counters()


def hit(limits: list[tuple[str, Rate | None]], *, now: float | None = None) -> int:
    """Count one request against each ``(name, rate)``: 0 when every count is within its rate,
    else the seconds until the request would be allowed again. Limits whose rate is None are
    skipped; a failing cache counts as within (fail open)."""
    return counters.hit(limits, now=now)


def over(name: str, rate: Rate | None, *, now: float | None = None) -> int:
    """Without counting: the seconds to wait when ``name`` has used up ``rate`` in this
    window, else 0 (also when the cache fails). Reads the cache only: exact for rates under
    ``BATCH_SHARE``, whose counts are sent at once."""
    if rate is None:
        return 0
    now = time.time() if now is None else now
    number, left = _window(rate, now)
    count = cache.cache_get(_key(f"{name}:{number}"), 0)
    return left if isinstance(count, int) and count >= rate.count else 0


@functools.lru_cache(maxsize=4096)
def client_id(ip: str) -> str:
    """The client a limit counts: the IP truncated as stored (/24, /48), so that one network
    cannot dodge its limit by rotating addresses; ``"?"`` for anything that is not an IP (one
    shared bucket, so that a forged header buys nothing)."""
    return ip_truncate(ip) or "?"


def door_hit(door: str, *, client_ip: str, container: str) -> int:
    """Count one request at a public door (``collect``, ``consent``, ``pixel``) against the
    client's and the container's (its public key) limits: seconds to wait, or 0."""
    name = door.upper()
    return hit(
        [
            (f"{door}:c:{client_id(client_ip)}", setting_rate(f"RATE_LIMIT_{name}_CLIENT")),
            (f"{door}:k:{container}", setting_rate(f"RATE_LIMIT_{name}_CONTAINER")),
        ]
    )


def _refused_key(door: str, container_id: int, day: date) -> str:
    return _key(f"refused:{container_id}:{day.isoformat()}:{door}")


def refused_count(*, door: str, container_id: int) -> None:
    """Count a refused request for the container's reports: a cache counter per UTC day and
    door, taken into the database by the roll-up task (no database write per refusal)."""
    day = datetime.now(dt_timezone.utc).date()
    cache.cache_incr({_refused_key(door, container_id, day): (1, REFUSED_DAYS * 86400)})


def refused_pending(*, container_ids, days) -> dict[tuple[int, date, str], int]:
    """The refusals still waiting in the cache: ``{(container id, day, door): count}``."""
    keys = {
        _refused_key(door, cid, day): (cid, day, door)
        for cid in container_ids
        for day in days
        for door, _ in DOORS
    }
    found = cache.cache_get_many(list(keys))
    return {keys[k]: n for k, n in found.items() if isinstance(n, int) and n > 0}


def refused_take(*, container_id: int, day: date, door: str, count: int) -> bool:
    """Subtract ``count`` (taken into the database) from the waiting counter; False when the
    cache would not (the caller keeps the count out of the database)."""
    return cache.cache_counter_add(_refused_key(door, container_id, day), -count)


def refused_give_back(*, container_id: int, day: date, door: str, count: int) -> None:
    """Undo ``refused_take`` (the database would not take the count)."""
    cache.cache_counter_add(_refused_key(door, container_id, day), count)


def reset() -> None:
    """Start every counter afresh in this process (tests): later keys are new ones, also in
    a cache shared with other runs."""
    _state["generation"] = secrets.token_hex(6)
    counters.clear()
