"""A small HTTP/1.1 load generator (asyncio) for POST bodies that differ per request.

wrk cannot tell which request a response belongs to, so it cannot prove that every accepted
event was stored, and it cannot hold a fixed rate: this can.

- ``closed_loop``: N concurrent clients, each sending its next request when the previous one is
  answered, for a duration; every request's outcome is kept (so accepted ids are known).
- ``open_loop``: requests start at a fixed rate whatever the server does, and latency counts from
  the moment a request was due, not when it was sent, so a server that falls behind shows its
  queueing in the percentiles (no coordinated omission). Generator lag counts against the server.

Each request uses its own connection (``Connection: close``), as gunicorn's sync workers do.

The generator shares the machine's cores with the server it measures, so its own CPU is part of
what the server sees. ``use_loop("uvloop")`` (the ``bench`` extra; bench/run.py's default)
runs it on libuv, where at 2,000 requests/s it took about half the CPU of the standard
library's event loop (measured when it still used asyncio's streams), which it uses
otherwise. ``LOOP`` names the loop in use.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial


def post(path: str, host: str, body: bytes, headers: dict | None = None) -> bytes:
    """A POST as sendBeacon sends it: JSON in a text/plain body."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: text/plain;charset=UTF-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def get(path: str, host: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


class _Exchange(asyncio.Protocol):
    """One request on a connection of its own, without streams or a task per answer. The
    request is written when the connection is made, and the connection is closed in the very
    callback that completes the answer: gunicorn's sync workers wait for the client's FIN
    before taking the next connection, so a turn of the event loop here would hold one up."""

    __slots__ = ("raw", "done", "data", "length", "status", "transport")

    def __init__(self, raw: bytes, done):
        self.raw, self.done, self.transport = raw, done, None
        self.data, self.length, self.status = b"", -1, 0

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.raw)

    def data_received(self, data):
        self.data += data
        if self.length < 0:
            end = self.data.find(b"\r\n\r\n")
            if end < 0:
                return
            head, length = self.data[:end], 0
            try:
                self.status = int(head[9:12])
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
            except ValueError:
                self._finish(0, b"")
                return
            self.data, self.length = self.data[end + 4 :], length
        if len(self.data) >= self.length:
            self._finish(self.status, self.data[: self.length])

    def connection_lost(self, exc):
        self._finish(0, b"")  # closed before a whole answer came

    def _finish(self, status: int, body: bytes):
        if self.done is not None:
            done, self.done = self.done, None
            self.transport.close()
            done(status, body)


async def exchange(host: str, port: int, raw: bytes) -> tuple[int, bytes]:
    """Send one request on a connection of its own; (status, body), status 0 when it failed."""
    loop = asyncio.get_running_loop()
    answer = loop.create_future()
    await _connect(loop, host, port, raw, lambda status, body: answer.set_result((status, body)))
    return await answer


async def _connect(loop, host: str, port: int, raw: bytes, done) -> None:
    """Start one exchange; ``done(status, body)`` is called exactly once."""
    try:
        await loop.create_connection(lambda: _Exchange(raw, done), host, port)
    except Exception:  # refused, reset, out of file descriptors...: no answer
        done(0, b"")


LOOP = "asyncio"


def use_loop(name: str) -> str:
    """Run the generator on ``name`` ("uvloop" or "asyncio"); the name of the loop in use."""
    global LOOP
    if name == "uvloop":
        import uvloop  # noqa: F401  (ImportError: the bench extra is not installed)
    elif name != "asyncio":
        raise ValueError(f"unknown event loop {name!r}")
    LOOP = name
    return LOOP


def _run(coroutine):
    if LOOP == "uvloop":
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


@dataclass
class Outcome:
    started: float = 0.0
    finished: float = 0.0
    results: list = field(default_factory=list)  # (meta, status), closed loop
    latencies: list = field(default_factory=list)  # seconds, open loop
    statuses: Counter = field(default_factory=Counter)
    not_started: int = 0  # open loop: too many outstanding, the request was never sent
    cpu: float = 0.0  # the generator's own CPU seconds (it shares the machine with the server)
    ended: float = 0.0  # open loop: when the last answer came in
    probes: list = field(default_factory=list)  # the machine's speed around the run (bench.common)
    use: dict = field(default_factory=dict)  # CPU of the processes around the run (bench.common)

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def closed_loop(host, port, make_request, *, clients: int, seconds: float) -> Outcome:
    """``make_request(client, n)`` returns (raw request bytes, meta kept with the result)."""

    async def run():
        outcome = Outcome()
        loop = asyncio.get_running_loop()
        outcome.started = time.monotonic()
        deadline = loop.time() + seconds

        async def client(index):
            n = 0
            while loop.time() < deadline:
                raw, meta = make_request(index, n)
                status, _ = await exchange(host, port, raw)
                outcome.results.append((meta, status))
                outcome.statuses[status] += 1
                n += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
        outcome.finished = time.monotonic()
        return outcome

    return _run(run())


def open_loop(host, port, requests: list, *, rate: float, max_outstanding: int = 4000) -> Outcome:
    """Start ``requests`` (prepared bytes) at ``rate`` per second; latency from when each was due."""

    async def run():
        outcome = Outcome()
        loop = asyncio.get_running_loop()
        outstanding, tasks = 0, set()  # the loop keeps only weak references to tasks
        all_answered = loop.create_future()
        sending = True

        def answered(due, status, _body):
            nonlocal outstanding
            outcome.latencies.append(time.perf_counter() - due)
            outcome.statuses[status] += 1
            outstanding -= 1
            if not sending and not outstanding and not all_answered.done():
                all_answered.set_result(None)

        # perf_counter, not loop.time(): uvloop's clock moves in whole milliseconds.
        start = time.perf_counter() + 0.05
        outcome.started = time.monotonic() + 0.05
        for index, raw in enumerate(requests):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if outstanding >= max_outstanding:
                outcome.not_started += 1
                continue
            outstanding += 1
            task = loop.create_task(_connect(loop, host, port, raw, partial(answered, due)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        sending = False
        sent_by = time.monotonic()
        if outstanding:
            await all_answered
        outcome.finished, outcome.ended = sent_by, time.monotonic()
        return outcome

    cpu = time.process_time()
    outcome = _run(run())
    outcome.cpu = time.process_time() - cpu
    return outcome


def percentile(values: list, p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
