"""Known data for the report tests: a published shop with four tags, a few days of fires and
consent decisions, and the numbers a report must show for them."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from tagmanager.models import ConsentRecord, FireDuplicateDaily, FireEvent
from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.containers import container_create
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save
from tests.helpers import append_only_bypassed

ORIGIN = "https://shop.example"


@dataclass
class Shop:
    container: object
    tags: dict = field(default_factory=dict)  # name -> id
    triggers: dict = field(default_factory=dict)  # name -> id
    events: int = 0

    def fire(
        self,
        day: date,
        tag: str | None,
        trigger: str | None,
        *,
        event: str = "page_view",
        page: str = "/shop/a",
        n: int = 1,
        value: str | None = None,
        campaign: str = "",
        violation: bool = False,
        hour: int = 12,
    ) -> None:
        rows = []
        for _ in range(n):
            self.events += 1
            rows.append(
                FireEvent(
                    event_id=f"{self.container.key}-{self.events:06d}",
                    container=self.container,
                    tag_id=self.tags[tag] if tag else None,
                    trigger_id=self.triggers[trigger] if trigger else None,
                    event_name=event,
                    page_url=ORIGIN + page if page else "",
                    value=Decimal(value) if value is not None else None,
                    currency="EUR" if value is not None else "",
                    utm={"utm_source": "ads", "utm_campaign": campaign} if campaign else {},
                    consent_violation=violation,
                )
            )
        FireEvent.objects.bulk_create(rows)
        FireEvent.objects.filter(event_id__in=[r.event_id for r in rows]).update(
            server_time=datetime.combine(day, time(hour), tzinfo=dt_timezone.utc)
        )

    def decide(self, day: date, action: str, categories: dict, *, n: int = 1) -> None:
        for _ in range(n):
            data = consent_parse(
                {
                    "consent_id": str(uuid.uuid4()),
                    "categories": categories,
                    "action": action,
                    "source": "gpc" if action == "gpc" else "banner",
                }
            )
            record = consent_record_create(
                container=self.container, data=data, ip="192.0.2.1", user_agent="test"
            )
            with append_only_bypassed():
                ConsentRecord.objects.filter(pk=record.pk).update(
                    created_at=datetime.combine(day, time(9), tzinfo=dt_timezone.utc)
                )

    def duplicates(self, day: date, tag: str, n: int) -> None:
        FireDuplicateDaily.objects.create(
            container=self.container, day=day, tag_id=self.tags[tag], duplicates=n
        )


def shop_create(key: str = "shop") -> Shop:
    """GA4 and Silent on shop page views, Meta on page views and purchases, Ads on purchases."""
    container = container_create(name=f"Shop {key}", key=key, allowed_origins=[ORIGIN])
    categories = {c.slug: c for c in container.categories.all()}
    shop = Shop(container=container)
    triggers = {
        "shop_pages": trigger_save(
            container=container,
            name="Shop pages",
            trigger_type="page_view",
            conditions=[{"variable": "page_path", "operator": "starts_with", "value": "/shop"}],
        ),
        "purchase": trigger_save(
            container=container,
            name="Purchase",
            trigger_type="custom_event",
            parameters={"event_name": "purchase"},
        ),
    }
    shop.triggers = {name: t.pk for name, t in triggers.items()}
    for name, tag_type, parameters, category, names in (
        ("GA4", "ga4", {"measurement_id": "G-TEST12345"}, "analytics", ["shop_pages"]),
        (
            "Meta",
            "meta_pixel",
            {"pixel_id": "123456789012345"},
            "marketing",
            ["shop_pages", "purchase"],
        ),
        (
            "Ads",
            "google_ads",
            {"conversion_id": "AW-123456789", "conversion_label": "buy123"},
            "marketing",
            ["purchase"],
        ),
        ("Silent", "image", {"url": "https://px.example.net/s.gif"}, "marketing", ["shop_pages"]),
    ):
        tag = tag_save(
            container=container,
            name=name,
            tag_type=tag_type,
            parameters=parameters,
            categories=[categories[category]],
            firing_triggers=[triggers[t] for t in names],
        )
        shop.tags[name] = tag.pk
    container_publish(container=container, notes="reports test")
    container.refresh_from_db()
    return shop


def known_data(shop: Shop, today: date) -> dict:
    """Fires and decisions on three days before ``today`` and on ``today``; returns the days."""
    d1, d2, d3 = today - timedelta(days=3), today - timedelta(days=2), today - timedelta(days=1)
    # Day 1
    shop.fire(d1, "GA4", "shop_pages", page="/shop/a", n=3, campaign="spring")
    shop.fire(d1, "GA4", "shop_pages", page="/blog/x", n=2, campaign="spring")  # outside: page
    shop.fire(
        d1,
        "Meta",
        "purchase",
        event="purchase",
        page="/shop/thanks",
        value="100",
        campaign="spring",
    )
    shop.fire(
        d1,
        "Meta",
        "purchase",
        event="purchase",
        page="/shop/thanks",
        value="50.5",
        campaign="spring",
    )
    shop.fire(
        d1,
        "Ads",
        "purchase",
        event="purchase",
        page="/shop/thanks",
        value="100",
        campaign="spring",
        violation=True,
    )
    shop.fire(d1, "Ads", "shop_pages", page="/shop/a")  # outside: not the tag's trigger
    shop.fire(d1, None, None, event="email_open", page="")  # a pixel hit
    # Day 2
    shop.fire(d2, "GA4", "shop_pages", page="/shop/b", n=4, hour=23)
    shop.fire(
        d2, "Meta", "purchase", event="lead", page="/shop/form", value="20", campaign="autumn"
    )  # outside: event
    shop.duplicates(d2, "Meta", 3)
    # Today (never rolled up)
    shop.fire(today, "GA4", "shop_pages", page="/shop/c", hour=0)
    every = {"analytics": True, "preferences": True, "marketing": True}
    none = {"analytics": False, "preferences": False, "marketing": False}
    shop.decide(d1, "accept_all", every, n=2)
    shop.decide(d1, "reject_all", none)
    shop.decide(d1, "custom", {"analytics": True, "preferences": True, "marketing": False})
    shop.decide(d1, "gpc", {"marketing": False})
    shop.decide(d2, "withdraw", none)
    shop.decide(d2, "custom", {"analytics": False, "preferences": True, "marketing": False})
    return {"d1": d1, "d2": d2, "d3": d3, "today": today}
