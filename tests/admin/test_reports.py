import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tagmanager.services.rollups import rollups_refresh
from tests.factories import user_with
from tests.report_data import known_data, shop_create

pytestmark = pytest.mark.django_db

FIRES_ONLY = ["tagmanager.view_container", "tagmanager.view_fireevent"]
VIEW = [*FIRES_ONLY, "tagmanager.view_consentrecord"]


@pytest.fixture
def shop(today):
    shop = shop_create()
    known_data(shop, today)
    return shop


def url(container, **query):
    base = reverse("admin:tagmanager_container_reports", args=[container.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, user, container, **query):
    client.force_login(user)
    return client.get(url(container, **query))


def svg(html: str, chart_id: str) -> str:
    found = re.search(rf'<figure class="tm-figure" id="{chart_id}">(.*?)</figure>', html, re.S)
    assert found, f"no figure {chart_id}"
    return found.group(1)


def bar_titles(html: str, chart_id: str) -> list[str]:
    return re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg(html, chart_id))


def test_member_sees_charts_with_the_numbers(client, shop, today):
    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    response = page(client, member, shop.container, days=7)
    assert response.status_code == 200
    html = response.content.decode()
    d1 = today - timedelta(days=3)
    label = f"{d1:%b} {d1.day}"
    fires = bar_titles(html, "tm-chart-fires")
    assert f"{label} · GA4: 5 fires" in fires
    assert f"{label} · No tag (pixel hits): 1 fire" in fires
    assert len(fires) == 7  # GA4 on three days, Meta on two, Ads and the pixel hit on one
    consent = bar_titles(html, "tm-chart-consent")
    assert f"{label} · Accept all: 2 decisions" in consent
    assert bar_titles(html, "tm-chart-acceptance") == [
        "Preferences: 80%",
        "Analytics: 60%",
        "Marketing: 40%",
    ]
    assert bar_titles(html, "tm-chart-conversions") == [
        "spring · Meta: 150.50",
        "spring · Ads: 100",
        "autumn · Meta: 20",
    ]
    for chart in ("fires", "consent", "acceptance", "conversions"):
        figure = svg(html, f"tm-chart-{chart}")
        assert 'role="img"' in figure and "<table" in figure and "<desc" in figure
    assert "<script" not in html.split('id="content-main"')[1]  # charts need no script


def test_consent_sections_need_the_consent_record_permission(client, shop, today):
    fires_only = user_with("fires", perms=FIRES_ONLY, containers=[shop.container])
    response = page(client, fires_only, shop.container, days=7)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tm-consent-withheld"' in html
    assert "tagmanager.view_consentrecord" in html.split('id="tm-consent-withheld"')[1]
    for withheld in ('id="tm-chart-consent"', 'id="tm-chart-acceptance"', "consent_decisions"):
        assert withheld not in html
    assert "Accept all" not in html and "Acceptance rate" not in html
    # The rest of the report is all there.
    d1 = today - timedelta(days=3)
    assert f"{d1:%b} {d1.day} · GA4: 5 fires" in bar_titles(html, "tm-chart-fires")
    assert len(bar_titles(html, "tm-chart-conversions")) == 3
    assert 'data-total="fires">16<' in html and 'data-total="consent_violations">1<' in html

    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    html = page(client, member, shop.container, days=7).content.decode()
    assert 'id="tm-consent-withheld"' not in html
    assert 'data-total="consent_decisions">7<' in html


def test_audit_warnings(client, shop):
    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    html = page(client, member, shop.container).content.decode()

    def audit(key):
        block = re.search(rf'data-audit="{key}">(.*?)</div>', html, re.S).group(1)
        return re.findall(r"<li data-tag-id=\"\d+\">([^<:]*)(?:: <strong>(\d+)</strong>)?", block)

    assert audit("never_fired") == [("Silent", "")]
    assert audit("outside_triggers") == [("GA4", "2"), ("Ads", "1"), ("Meta", "1")]
    assert audit("duplicates") == [("Meta", "3")]
    assert audit("consent_violations") == [("Ads", "1")]
    assert 'data-audit="consent_violations"' in html and "tm-error" in html


def test_same_numbers_after_rollup(client, shop):
    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    before = page(client, member, shop.container, days=7).content.decode()
    rollups_refresh()
    after = page(client, member, shop.container, days=7).content.decode()
    assert "from the daily roll-ups" in after
    for chart in ("fires", "consent", "acceptance", "conversions"):
        assert bar_titles(after, f"tm-chart-{chart}") == bar_titles(before, f"tm-chart-{chart}")


def test_explicit_dates(client, shop, today):
    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    d2 = today - timedelta(days=2)
    html = page(client, member, shop.container, start=d2, end=d2).content.decode()
    assert bar_titles(html, "tm-chart-fires") == [
        f"{d2:%b} {d2.day} · GA4: 4 fires",
        f"{d2:%b} {d2.day} · Meta: 1 fire",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": 12}, "Select a valid choice"),
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "start date is after the end date"),
        ({"start": "1999-01-01", "end": "1999-01-02"}, "between 2000-01-01 and tomorrow"),
        ({"start": "2001-01-01", "end": "2003-01-01"}, "at most 366 days"),
        ({"end": "2025-03-01"}, "start date with the end date"),
    ],
)
def test_bad_range_is_a_form_error(client, shop, query, message):
    member = user_with("marketer", perms=VIEW, containers=[shop.container])
    response = page(client, member, shop.container, **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="errornote"' in html
    assert "tm-chart" not in html


def test_without_the_permission_403(client, shop):
    editor = user_with("editor", perms=["tagmanager.view_container"], containers=[shop.container])
    assert page(client, editor, shop.container).status_code == 403


def test_member_of_another_container_gets_404(client, shop):
    other = shop_create("other")
    outsider = user_with("outsider", perms=VIEW, containers=[other.container])
    assert page(client, outsider, shop.container).status_code == 404
    # ...and their own container's report holds none of the shop's numbers.
    html = page(client, outsider, other.container, days=7).content.decode()
    assert 'data-total="fires">0<' in html
    assert "No data in this period." in html


def test_unknown_or_malformed_id_404(client, shop):
    admin = user_with("root", superuser=True)
    client.force_login(admin)
    for object_id in ("999999", "abc", "1%2F2", "9" * 30):
        response = client.get(f"/admin/tagmanager/container/{object_id}/reports/")
        assert response.status_code == 404


def test_superuser_sees_every_container(client, shop):
    admin = user_with("root", superuser=True)
    response = page(client, admin, shop.container)
    assert response.status_code == 200
    assert 'data-total="fires">16<' in response.content.decode()


def test_anonymous_is_sent_to_the_login(client, shop):
    response = client.get(url(shop.container))
    assert response.status_code == 302 and "/login/" in response["Location"]
