"""Consent decisions are never lost by the browser, and histories are joined only by the
browser that made them: the runtime keeps a decision in localStorage until the server has it
(retrying with backoff, and on every page load), and proves each link to the decision it
replaced with a secret kept in the consent cookie."""

import hashlib
import re

import pytest

from tests.conftest import wait_for

pytestmark = pytest.mark.browser

CONSENT = re.compile(r"/tm/consent$")
NO_TAGS = {"triggers": {}, "tags": []}


def outbox(v, key: str) -> list[dict]:
    """The decisions the runtime still has to deliver, as it keeps them."""
    return v.js(f"JSON.parse(localStorage['tm_consent_outbox.{key}'] || '[]')")


class Server:
    """Answers the consent POSTs in the browser's place with ``status`` (None: let them
    through to the live server), readable by the page unless ``cors`` is false."""

    def __init__(self, v, origin: str, status: int | None = 503, cors: bool = True):
        self.status, self.cors, self.origin = status, cors, origin
        self.bodies: list[str] = []
        v.context.route(CONSENT, self._answer)

    def _answer(self, route):
        self.bodies.append(route.request.post_data)
        if self.status is None:
            route.continue_()
        elif self.status == 0:
            route.abort()  # a network error
        else:
            # (Playwright adds a missing CORS header itself: another origin's keeps it out.)
            allowed = self.origin if self.cors else "https://elsewhere.example"
            headers = {"Access-Control-Allow-Origin": allowed}
            route.fulfill(status=self.status, headers=headers, json={"error": "test"})


def test_a_decision_made_while_the_server_fails_arrives_once_it_recovers(containers, visit, site):
    from tagmanager.models import ConsentRecord

    shop = containers.create(NO_TAGS)
    v = visit()
    server = Server(v, site.origin, status=503)
    v.open(containers.page(shop))
    v.click("accept-all")
    decision = v.wait_consent("accept_all")
    # Retried within the page (after about a second) ...
    v.until(lambda: len(server.bodies) >= 2, message="a retry")
    assert [i["b"]["consent_id"] for i in outbox(v, shop.key)] == [decision["consent_id"]]
    # ... and on every page load, while the server still fails.
    for _ in range(2):
        sent = len(server.bodies)
        v.reload(banner=False)
        v.until(lambda: len(server.bodies) > sent, message="a resend on page load")  # noqa: B023
        assert len(outbox(v, shop.key)) == 1
    assert not ConsentRecord.objects.exists()
    # Every copy is the same decision: same id, same proof.
    assert len(set(server.bodies)) == 1

    server.status = None  # the server recovers
    v.reload(banner=False)
    record = wait_for(lambda: ConsentRecord.objects.first(), timeout=10)
    assert record is not None, "the decision never arrived"
    assert str(record.consent_id) == decision["consent_id"]
    assert record.action == "accept_all" and record.categories["marketing"] is True
    v.until(lambda: outbox(v, shop.key) == [], message="the outbox to empty")
    v.reload(banner=False)
    v.settle(1500)  # a pending retry timer of the earlier page has fired by now, if any
    assert ConsentRecord.objects.count() == 1
    assert v.js("localStorage.length") == 0


@pytest.mark.parametrize(
    ("status", "cors", "kept"),
    [
        (400, True, False),
        (403, True, False),
        (404, True, False),
        (409, True, False),
        (408, True, True),
        (429, True, True),
        (500, True, True),
        (503, True, True),
        (0, True, True),  # network error
        (400, False, True),  # a refusal the page cannot read may be a proxy's: retried
    ],
)
def test_only_a_readable_refusal_for_good_drops_a_decision(
    containers, visit, site, status, cors, kept
):
    shop = containers.create(NO_TAGS)
    v = visit()
    server = Server(v, site.origin, status=status, cors=cors)
    v.open(containers.page(shop))
    v.click("reject-all")
    decision = v.wait_consent("reject_all")
    if kept:
        v.until(lambda: len(server.bodies) >= 2, message="a retry")
        assert [i["b"]["consent_id"] for i in outbox(v, shop.key)] == [decision["consent_id"]]
    else:
        v.until(lambda: outbox(v, shop.key) == [], message="the decision to be dropped")
        v.settle(2000)  # longer than the first retry could wait
        assert len(server.bodies) == 1


def test_retries_back_off_exponentially_with_jitter_up_to_five_minutes(containers, visit, site):
    shop = containers.create(NO_TAGS)
    v = visit()
    # Each wait is recorded, then cut short (the page has no other timers with a delay: no
    # tags; the banner's focus waits for no time). The jitter's random numbers come from a
    # fixed cycle.
    v.context.add_init_script(
        """(() => {
            const wait = window.setTimeout, cycle = [0.5, 0, 0.999];
            let n = 0;
            Math.random = () => cycle[n++ % 3];
            window.__waits = [];
            window.setTimeout = (f, ms) =>
                ms === undefined
                    ? wait(f)
                    : (window.__waits.push(ms), wait(f, window.__waits.length < 14 ? 0 : 1e9));
        })();"""
    )
    server = Server(v, site.origin, status=503)
    v.open(containers.page(shop))
    v.click("accept-all")
    v.until(lambda: len(v.js("window.__waits")) >= 14, message="14 retries")
    factors = [1.0, 0.5, 1.499]
    expected = [min(300_000, 1000 * 2**n) * factors[n % 3] for n in range(14)]
    assert v.js("window.__waits") == pytest.approx(expected)
    assert len(server.bodies) == 14


def test_at_most_twenty_decisions_wait(containers, visit, site):
    shop = containers.create(NO_TAGS)
    v = visit()
    Server(v, site.origin, status=503)
    v.open(containers.page(shop))
    ids = v.js(
        "Array.from({length: 25}, (_, i) =>"
        " (i % 2 ? tm.consent.acceptAll() : tm.consent.rejectAll(), tm.consent.get().consentId))"
    )
    waiting = outbox(v, shop.key)
    assert [i["b"]["consent_id"] for i in waiting] == ids[-20:]  # the newest
    # Each names the decision it replaced, with the proof.
    assert [i["b"]["previous_consent_id"] for i in waiting] == ids[-21:-1]
    assert all(i["b"]["previous_secret"] for i in waiting)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_browser_proves_its_links_and_the_export_follows_them(containers, visit):
    from tagmanager.models import ConsentRecord
    from tagmanager.services.export import consent_records_for_export

    shop = containers.create(NO_TAGS)
    v = visit()
    v.open(containers.page(shop))
    v.click("accept-all")
    first = v.wait_consent("accept_all")
    first_cookie = v.cookies()["tm_consent"].split(".")
    assert len(first_cookie) == 7 and re.fullmatch(r"[0-9a-f]{32}", first_cookie[6])
    assert first["previous_secret"] is None

    v.reload(banner=False)
    v.js("tm.consent.withdraw()")
    second = v.wait_consent("withdraw")
    second_cookie = v.cookies()["tm_consent"].split(".")
    assert second["previous_consent_id"] == first["consent_id"]
    assert second["previous_secret"] == first_cookie[6]  # the proof, from the cookie
    assert second_cookie[6] != first_cookie[6]  # a new secret per decision
    assert second["secret_sha256"] == sha256(second_cookie[6])
    assert first["secret_sha256"] == sha256(first_cookie[6])

    records = wait_for(lambda: ConsentRecord.objects.count() == 2, timeout=10)
    assert records, "the decisions were not stored"
    newer = ConsentRecord.objects.get(consent_id=second["consent_id"])
    exported = consent_records_for_export(container=shop.container, consent_id=newer.consent_id)
    assert [str(r.consent_id) for r in exported] == [first["consent_id"], second["consent_id"]]
    stored = str(list(ConsentRecord.objects.values()))
    assert first_cookie[6] not in stored and second_cookie[6] not in stored


def test_a_cookie_from_before_the_secret_is_still_read_and_links_unproven(containers, visit, site):
    from tagmanager.models import ConsentRecord
    from tagmanager.services.export import consent_records_for_export

    shop = containers.create(NO_TAGS)
    v = visit()
    old = v.grant(site.origin, "necessary-analytics")  # 6 fields: no secret
    v.open(containers.page(shop), banner=False)
    assert v.js("tm.consent.get()")["categories"]["analytics"] is True
    v.js("tm.consent.rejectAll()")
    decision = v.wait_consent("reject_all")
    assert decision["previous_consent_id"] == old.split(".")[1]
    assert decision["previous_secret"] is None
    assert len(v.cookies()["tm_consent"].split(".")) == 7
    record = wait_for(lambda: ConsentRecord.objects.first(), timeout=10)
    assert record is not None and record.previous_secret_sha256 == ""
    exported = consent_records_for_export(container=shop.container, consent_id=record.consent_id)
    assert [r.pk for r in exported] == [record.pk]


def test_a_gpc_record_is_proven_as_the_previous_decision(containers, visit):
    from tagmanager.models import ConsentRecord
    from tagmanager.services.export import consent_records_for_export

    shop = containers.create(NO_TAGS)
    v = visit()
    v.context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    v.open(containers.page(shop))
    gpc = v.wait_consent("gpc")
    v.reload(banner=True)  # same session: the GPC record's id and secret are remembered
    v.click("accept-all")
    accepted = v.wait_consent("accept_all")
    assert accepted["previous_consent_id"] == gpc["consent_id"]
    assert sha256(accepted["previous_secret"]) == gpc["secret_sha256"]
    assert wait_for(lambda: ConsentRecord.objects.count() == 2, timeout=10)
    exported = consent_records_for_export(
        container=shop.container, consent_id=accepted["consent_id"]
    )
    assert [str(r.consent_id) for r in exported] == [gpc["consent_id"], accepted["consent_id"]]
