"""Consent record writes (service and HTTP) and sealing into the hash chain, on PostgreSQL."""

import time
import uuid

from bench import loadgen
from bench.common import Processes, gunicorn, median
from bench.data import ORIGIN, consent_body, consent_records_generate, container_with_notice
from bench.data import origins_allow as allow


def _service_round(container, seconds: float) -> int:
    """consent_record_create in a loop for ``seconds``; returns records written."""
    from tagmanager.payloads import ConsentData
    from tagmanager.services.consent import consent_record_create

    version = container.live_version.number
    deadline, written = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        consent_record_create(
            container=container,
            data=ConsentData(
                consent_id=str(uuid.uuid4()),
                previous_consent_id=None,
                version=version,
                locale="en",
                categories={"necessary": True, "analytics": True, "marketing": False},
                action="custom",
                source="banner",
                gpc=False,
                page_url="https://shop.example/products/42",
            ),
            ip="203.0.113.77",
            user_agent="Mozilla/5.0 (bench)",
        )
        written += 1
    return written


def consent_writes(ctx) -> None:
    from django.db import connection

    from tagmanager.models import ConsentRecord, Container

    allow()
    ctx.redis_flush()
    container = Container.objects.select_related("live_version").get(key="demo")
    version = container.live_version.number
    seconds, rounds, clients = ctx.seconds, ctx.rounds, 8
    workers = ctx.options.web_workers
    service, http, mismatches = [], [], []
    host = "127.0.0.1"
    headers = {"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 (bench)"}
    with Processes(ctx.var_dir) as processes:
        base = gunicorn(
            processes,
            "consent-web",
            app="project.wsgi:application",
            workers=workers,
            env=ctx.env(),
            ready_path="/tm/demo.js",
        )
        port = int(base.rsplit(":", 1)[1])

        def make(client, n):
            return loadgen.post("/tm/consent", host, consent_body(version=version), headers), None

        _service_round(container, 1)  # warm up
        loadgen.closed_loop(host, port, make, clients=clients, seconds=1)
        for _ in range(rounds):  # alternate in-process and HTTP rounds
            written = _service_round(container, seconds)
            service.append(written / seconds)
            before = ConsentRecord.objects.filter(container=container).count()
            outcome = loadgen.closed_loop(host, port, make, clients=clients, seconds=seconds)
            created = outcome.statuses[201]
            http.append(created / outcome.seconds)
            stored = ConsentRecord.objects.filter(container=container).count() - before
            if stored != created or len(outcome.statuses) != 1:
                mismatches.append((dict(outcome.statuses), stored))
            connection.close()
    print(
        f"PostgreSQL, one record per call with a fresh consent id, {rounds} alternating rounds "
        f"of {seconds} s, medians. HTTP: gunicorn {workers} sync workers, {clients} concurrent "
        "clients (closed loop, bench/loadgen.py), each answer checked (201) and the records "
        "counted in the database.\n"
    )
    print("| path | records/s |\n|---|---:|")
    print(f"| `consent_record_create` in one process (sequential) | {median(service):,.0f} |")
    print(f"| `POST /tm/consent` through gunicorn | {median(http):,.0f} |")
    for statuses, stored in mismatches:
        print(f"\nWARNING: answers {statuses} but {stored} records stored in that round.")


def consent_seal(ctx) -> None:
    from django.db import connection

    from tagmanager.services.sealing import consent_chain_verify, consent_chains_seal

    rows, rounds = ctx.options.seal_rows, max(2, ctx.rounds - 1)
    consent_chains_seal()  # whatever other benchmarks left unsealed, untimed
    rates, problems = [], []
    for index in range(rounds):
        container, notice = container_with_notice(f"seal-{int(time.time())}-{index}")
        consent_records_generate(container=container, notice=notice, count=rows, sealed=False)
        started = time.monotonic()
        sealed = consent_chains_seal()
        elapsed = time.monotonic() - started
        rates.append(sealed / elapsed)
        checked, problem = consent_chain_verify(container=container)
        if sealed != rows or checked != rows or problem:
            problems.append(f"sealed {sealed}, verified {checked} of {rows}: {problem}")
        connection.close()
    print(
        f"PostgreSQL, {rows:,} unsealed records of one container, `consent_chains_seal()` "
        f"(batches of 5,000 per transaction), {rounds} rounds, median; the chain is verified "
        "afterwards (untimed).\n"
    )
    print("| what | rows/s | per round |\n|---|---:|---|")
    print(
        f"| sealing (`consent_chains_seal`) | {median(rates):,.0f} | "
        f"{', '.join(f'{r:,.0f}' for r in rates)} |"
    )
    for problem in problems:
        print(f"\nWARNING: {problem}")
