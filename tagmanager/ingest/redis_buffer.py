"""A Redis list as the ingestion buffer, drained in bulk.

A request appends its beacon with one RPUSH (a fraction of a millisecond) and answers. A drain
task claims up to ``INGEST_DRAIN_BATCH`` beacons at a time, stores them in one transaction and
then deletes its claim. A claim is a list of its own with a lease: if the drainer dies (killed
worker, lost database) the claim outlives its lease and the next drain puts the beacons back,
so nothing is lost; storing is idempotent, so nothing is counted twice.

A push wakes a drainer (a Celery task) only when none is awake; an awake drainer lingers a
moment when the buffer runs dry, so that steady traffic is stored by one task in batches
rather than by a task per beacon. The beat task drains whatever a lost wake-up left behind.

Keys (prefix ``INGEST_REDIS_KEY``): ``<prefix>:buffer`` (the waiting beacons: JSON, or for
``POST /tm/collect`` a JSON head and the request body as it came, see ``_decode``),
``<prefix>:claim:<id>`` (beacons being stored), ``<prefix>:leases`` (claims by lease expiry),
``<prefix>:awake`` (a drainer is running or has been woken).
"""

import contextlib
import json
import logging
import os
import time
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tagmanager.conf import get_setting
from tagmanager.ingest import BufferUnavailable, IngestBuffer

DRAIN_TASK = "tagmanager.fire_events_drain"

logger = logging.getLogger(__name__)

# Move up to ARGV[1] beacons from the buffer to a new claim list, leased until ARGV[2].
CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""
# Put a claim's beacons back at the head of the buffer and forget the claim.
RELEASE = """
local items = redis.call('LRANGE', KEYS[2], 0, -1)
if #items > 0 then redis.call('LPUSH', KEYS[1], unpack(items)) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], KEYS[2])
return #items
"""


def redis_url() -> str:
    """The buffer's Redis: INGEST_REDIS_URL, else the Celery broker when that is Redis."""
    url = get_setting("INGEST_REDIS_URL") or getattr(settings, "CELERY_BROKER_URL", "") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "RedisBuffer needs TAGMANAGER['INGEST_REDIS_URL'] or a redis:// CELERY_BROKER_URL."
        )
    return url


def _decode(item: bytes) -> dict:
    """A buffered beacon: JSON (``push``), or JSON without its events, a newline and the body
    the events came in (``push_body``; the head's JSON has no raw newline, the body may).
    The request bounded the body's nesting before it parsed it, so this cannot recurse deep."""
    head, newline, body = item.partition(b"\n")
    if not newline:
        beacon = json.loads(item)
    else:
        beacon = json.loads(head)
        beacon["e"] = json.loads(body)["events"]
    if not isinstance(beacon, dict) or not isinstance(beacon.get("e"), list):
        raise ValueError("not a beacon (an object with a list of events)")
    return beacon


class RedisBuffer(IngestBuffer):
    def __init__(self, *, store, bury):
        super().__init__(store=store, bury=bury)
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        timeout = get_setting("INGEST_REDIS_TIMEOUT")
        # No retries: a dead or hung Redis must cost a request one timeout, not ten.
        self.client = redis.Redis.from_url(
            redis_url(),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self.errors = (redis.RedisError, OSError)
        prefix = get_setting("INGEST_REDIS_KEY")
        self.buffer, self.leases, self.claim_prefix, self.awake = (
            f"{prefix}:buffer",
            f"{prefix}:leases",
            f"{prefix}:claim:",
            f"{prefix}:awake",
        )
        self._idle: list = []  # push connections not in use (see _push_connection_take)
        self._idle_pid = os.getpid()
        self._claim = self.client.register_script(CLAIM)
        self._release = self.client.register_script(RELEASE)

    # --- the request side ---------------------------------------------------------------------

    def push(self, beacon: dict) -> None:
        self._append(json.dumps(beacon, separators=(",", ":")).encode())

    def push_body(self, beacon: dict, body: bytes) -> None:
        # The events stay as the request sent them: no second encoding on the request path
        # (about a sixth of a collect request's CPU). See ``_decode``.
        head = {key: value for key, value in beacon.items() if key != "e"}
        self._append(json.dumps(head, separators=(",", ":")).encode() + b"\n" + body)

    def _append(self, item: bytes) -> None:
        """RPUSH the beacon and SET the awake key if nobody holds it, in one round trip. Wake a
        drainer when nobody was awake (the key, kept by the drainer, expires after the lease)
        or when a full batch more is waiting (one more drainer for a backlog)."""
        lease = int(get_setting("INGEST_LEASE_SECONDS") * 1000)
        commands = [("RPUSH", self.buffer, item), ("SET", self.awake, b"1", "NX", "PX", lease)]
        connection = self._push_connection_take()
        try:
            connection.send_packed_command([b"".join(connection.pack_commands(commands))])
            waiting, nobody_awake = connection.read_response(), connection.read_response()
        except BaseException as exc:
            # Whatever broke off the exchange (an error reply, a cut, a worker's timeout), an
            # answer may still be on its way: this connection is not used again.
            with contextlib.suppress(Exception):
                connection.disconnect()
            if isinstance(exc, self.errors):
                raise BufferUnavailable(f"Redis: {type(exc).__name__}: {exc}") from exc
            raise
        self._idle.append(connection)
        if nobody_awake or waiting % get_setting("INGEST_DRAIN_BATCH") == 0:
            self.wake()

    def _push_connection_take(self):
        """A connection for one push, used by nobody else meanwhile: an idle one of this
        process, else a new one (redis-py's, made as the pool makes them). Cheaper than the
        pool and a pipeline (about a sixth of a collect request's CPU); ``_append`` gives it
        back only after a complete exchange, so it is never out of step. ``list.pop`` and
        ``append`` are atomic: threads (or an ASGI server's thread per request) share the
        idle connections without a lock, and no more exist than pushes ran at once."""
        if self._idle_pid != os.getpid():  # forked: the parent's sockets are not this process's
            self._idle, self._idle_pid = [], os.getpid()
        try:
            connection = self._idle.pop()
        except IndexError:
            pool = self.client.connection_pool
            return pool.connection_class(**pool.connection_kwargs)
        with contextlib.suppress(Exception):  # (raised when the server closed it)
            if not connection.can_read():  # an idle connection has nothing to say ...
                return connection
        # ... unless the server closed it (a restart, its idle timeout): connect afresh.
        connection.disconnect()
        return connection

    def wake(self) -> None:
        """Send a drain task (it takes what waits; beat sends one now and then anyway)."""
        from celery import current_app

        try:
            current_app.send_task(DRAIN_TASK, retry=False, ignore_result=True)
        except Exception as exc:  # the beacon is safe in Redis; beat will drain it
            logger.info("Could not wake a drainer: %r", exc)

    # --- the worker side ----------------------------------------------------------------------

    def reclaim(self, *, now: float | None = None) -> int:
        """Return the beacons of claims whose lease expired to the buffer; how many."""
        expired = self.client.zrangebyscore(self.leases, "-inf", now or time.time())
        returned = 0
        for claim in expired:
            n = self._release(keys=[self.buffer, claim, self.leases])
            if n:
                logger.warning("Returned %d beacons of an expired claim to the buffer", n)
            returned += n
        return returned

    def claim(self, *, batch: int, lease_until: float) -> tuple[str, list[bytes]]:
        """Move up to ``batch`` waiting beacons to a new claim leased until ``lease_until``
        (seconds since 1970); the claim's key and its items. Until the claim is deleted, or
        its lease runs out and ``reclaim`` returns it, no other drainer sees them."""
        claim = f"{self.claim_prefix}{uuid.uuid4().hex}"
        items = self._claim(keys=[self.buffer, claim, self.leases], args=[batch, lease_until])
        return claim, items

    def _take(self, batch: int, lease: float) -> int:
        """Claim up to ``batch`` beacons and store them; how many (0: the buffer is empty)."""
        claim, items = self.claim(batch=batch, lease_until=time.time() + lease)
        if not items:
            return 0
        try:
            beacons, undecodable = [], []
            for item in items:
                try:
                    beacons.append(_decode(item))
                except (ValueError, KeyError, TypeError, RecursionError) as exc:
                    undecodable.append((item, f"{type(exc).__name__}: {exc}"))
            if undecodable:  # kept as dead letters: one bad item must not hold up the others
                self.bury(undecodable)
                # Buried: out of the claim, so that a failed store cannot return them.
                pipe = self.client.pipeline(transaction=False)
                for item, _ in undecodable:
                    pipe.lrem(claim, 1, item)
                pipe.execute()
            if beacons:
                self.store(beacons)
        except BaseException:
            # Give them back now rather than after the lease (the database may be back by the
            # next drain); if even that fails, the lease brings them back.
            with contextlib.suppress(*self.errors):
                self._release(keys=[self.buffer, claim, self.leases])
            raise
        pipe = self.client.pipeline()
        pipe.delete(claim)
        pipe.zrem(self.leases, claim)
        pipe.execute()
        return len(items)

    def drain(self, *, max_seconds: float) -> int:
        self.reclaim()
        batch, lease = get_setting("INGEST_DRAIN_BATCH"), get_setting("INGEST_LEASE_SECONDS")
        linger = get_setting("INGEST_DRAIN_LINGER")
        deadline = time.monotonic() + max_seconds
        drained, idle_since = 0, None
        try:
            while time.monotonic() < deadline:
                self.client.set(self.awake, "1", px=int(lease * 1000))
                taken = self._take(batch, lease)
                drained += taken
                if taken:
                    idle_since = None
                    continue
                # Dry: wait a little for more before going back to sleep.
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= linger:
                    break
                time.sleep(min(0.05, linger))
        finally:
            # Whoever pushes from now on wakes a new drainer; what came in between the last
            # claim and this moment is taken here.
            with contextlib.suppress(*self.errors):
                self.client.delete(self.awake)
        return drained + self._take(batch, lease)

    def status(self) -> dict:
        return {
            "waiting": self.client.llen(self.buffer),
            "claims": self.client.zcard(self.leases),
            "expired_claims": self.client.zcount(self.leases, "-inf", time.time()),
        }
