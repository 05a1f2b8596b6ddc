"""Daily counts aggregated from the raw rows: what a roll-up stores, and what reports read for
the days not rolled up yet. One code path for both, so the numbers cannot drift apart.

Rows are plain dicts, one per (day, tag, event, campaign) for fires and per (day, action) for
consent decisions, shaped like ``FireEventDaily`` and ``ConsentDaily``.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate

from tagmanager.audit import fire_within_triggers, page_matters
from tagmanager.models import ConsentRecord, Container, ContainerVersion, FireEvent

FIRE_FIELDS = ("day", "tag_id", "event_name", "utm_campaign")
# Bounds on the filters that count fires outside their triggers (pages per IN, terms per query).
_PAGES_PER_FILTER = 500
_TERMS_PER_QUERY = 50


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dt_timezone.utc)


def _fires(container: Container, start: date, end: date):
    """Fire events from the start of ``start`` to the end of ``end`` (UTC), with day and
    campaign."""
    return FireEvent.objects.filter(
        container=container,
        server_time__gte=day_start(start),
        server_time__lt=day_start(end + timedelta(days=1)),
    ).annotate(
        day=TruncDate("server_time", tzinfo=dt_timezone.utc),
        utm_campaign=Coalesce(KT("utm__utm_campaign"), Value(""), output_field=CharField()),
    )


def versions_by_day(*, container: Container, days) -> tuple[dict[date, tuple], dict[int, dict]]:
    """For each day, the ids of the versions live at some point of it (UTC), and their
    configurations by id.

    That is the version live when the day began and every version published during it; days
    before the first publication fall back to the live version.
    """
    versions = list(
        container.versions.order_by("created_at", "number").values_list("pk", "created_at")
    )
    wanted: dict[date, tuple] = {}
    for day in days:
        start, end = day_start(day), day_start(day + timedelta(days=1))
        earlier = [pk for pk, created in versions if created < start]
        during = [pk for pk, created in versions if start <= created < end]
        ids = earlier[-1:] + during
        if not ids and container.live_version_id:
            ids = [container.live_version_id]
        wanted[day] = tuple(ids)
    needed = {pk for ids in wanted.values() for pk in ids}
    configs = dict(ContainerVersion.objects.filter(pk__in=needed).values_list("pk", "config"))
    return wanted, configs


class _Judge:
    """``fire_within_triggers`` remembered per (versions, tag, trigger, event, page): the same
    combinations recur on every day and page."""

    def __init__(self, configs: dict[int, dict]):
        self.configs = configs
        self.memo: dict[tuple, bool] = {}

    def _configs(self, versions: tuple) -> list[dict]:
        return [self.configs[pk] for pk in versions if pk in self.configs]

    def page_matters(self, versions, tag_id, trigger_id) -> bool:
        key = ("page", versions, tag_id, trigger_id)
        if key not in self.memo:
            self.memo[key] = page_matters(
                configs=self._configs(versions), tag_id=tag_id, trigger_id=trigger_id
            )
        return self.memo[key]

    def within(self, versions, tag_id, trigger_id, event_name, page_url) -> bool:
        key = (versions, tag_id, trigger_id, event_name, page_url)
        if key not in self.memo:
            self.memo[key] = fire_within_triggers(
                configs=self._configs(versions),
                tag_id=tag_id,
                trigger_id=trigger_id,
                page_url=page_url,
                event_name=event_name,
            )
        return self.memo[key]


def _page_outside(fires, judge: _Judge, versions: dict, by_page: set) -> dict[tuple, set]:
    """Of the (day, tag, trigger, event) in ``by_page``, the pages whose fires are outside:
    {(tag, trigger, event, page): days}."""
    outside: dict[tuple, set] = defaultdict(set)
    pairs = {(tag_id, trigger_id) for _, tag_id, trigger_id, _ in by_page}
    pages = fires.filter(
        reduce(or_, (Q(tag_id=tag_id, trigger_id=trigger_id) for tag_id, trigger_id in pairs))
    ).values_list("day", "tag_id", "trigger_id", "event_name", "page_url")
    # order_by(): the model's default ordering would add server_time to the DISTINCT.
    for day, tag_id, trigger_id, event_name, page_url in pages.order_by().distinct():
        if (day, tag_id, trigger_id, event_name) in by_page and not judge.within(
            versions[day], tag_id, trigger_id, event_name, page_url
        ):
            outside[(tag_id, trigger_id, event_name, page_url)].add(day)
    return outside


def _outside_filters(outside: dict[tuple, set], all_days: set) -> list[Q]:
    """Filters selecting exactly the fires on pages outside their triggers, a bounded number of
    combinations each."""
    grouped: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    for (tag_id, trigger_id, event_name, page_url), days in outside.items():
        grouped[(tag_id, trigger_id, event_name)][frozenset(days)].append(page_url)
    terms = []
    for (tag_id, trigger_id, event_name), by_days in grouped.items():
        for days, pages in by_days.items():
            term = Q(tag_id=tag_id, trigger_id=trigger_id, event_name=event_name)
            if days != all_days:
                term &= Q(day__in=sorted(days))
            for offset in range(0, len(pages), _PAGES_PER_FILTER):
                terms.append(term & Q(page_url__in=pages[offset : offset + _PAGES_PER_FILTER]))
    return [
        reduce(or_, terms[offset : offset + _TERMS_PER_QUERY])
        for offset in range(0, len(terms), _TERMS_PER_QUERY)
    ]


def fire_daily_from_raw(*, container: Container, start: date, end: date) -> list[dict]:
    """Fire counts per (day, tag, event, campaign) for the UTC days ``start`` .. ``end``.

    Counting happens in the database, grouped by trigger too. For "outside triggers" only
    distinct combinations are judged in Python: (tag, trigger, event) decides unless the
    trigger has conditions on the page; then the distinct pages of those fires are judged,
    and the fires on pages found outside counted.
    """
    fires = _fires(container, start, end)
    groups = list(
        fires.values(*FIRE_FIELDS, "trigger_id")
        .annotate(
            fires=Count("pk"),
            value_total=Sum("value"),
            consent_violations=Count("pk", filter=Q(consent_violation=True)),
        )
        .order_by()
    )
    judged = [g for g in groups if g["tag_id"] is not None and g["trigger_id"] is not None]
    outside_rows: dict[tuple, int] = defaultdict(int)  # (day, tag, event, campaign) -> fires
    if judged:
        versions, configs = versions_by_day(container=container, days={g["day"] for g in judged})
        judge = _Judge(configs)
        by_page = set()
        for g in judged:
            key = (g["day"], g["tag_id"], g["trigger_id"], g["event_name"])
            if judge.page_matters(versions[g["day"]], g["tag_id"], g["trigger_id"]):
                by_page.add(key)
            elif not judge.within(versions[key[0]], *key[1:], ""):
                outside_rows[(g["day"], g["tag_id"], g["event_name"], g["utm_campaign"])] += g[
                    "fires"
                ]
        if by_page:
            on_pages = _page_outside(fires, judge, versions, by_page)
            for where in _outside_filters(on_pages, {g["day"] for g in groups}):
                counted = (
                    fires.filter(where)
                    .values_list("day", "tag_id", "event_name", "utm_campaign")
                    .annotate(n=Count("pk"))
                    .order_by()
                )
                for day, tag_id, event_name, campaign, n in counted:
                    outside_rows[(day, tag_id, event_name, campaign)] += n
    rows: dict[tuple, dict] = {}
    for g in groups:
        key = (g["day"], g["tag_id"] or 0, g["event_name"], g["utm_campaign"])
        row = rows.setdefault(
            key,
            {
                **dict(zip(FIRE_FIELDS, key, strict=True)),
                "fires": 0,
                "value_total": Decimal(0),
                "consent_violations": 0,
                "outside_triggers": outside_rows.get(
                    (g["day"], g["tag_id"], g["event_name"], g["utm_campaign"]), 0
                ),
            },
        )
        row["fires"] += g["fires"]
        row["value_total"] += g["value_total"] or 0
        row["consent_violations"] += g["consent_violations"]
    return [rows[key] for key in sorted(rows)]


def consent_daily_from_raw(*, container: Container, start: date, end: date) -> list[dict]:
    """Consent decisions per (day, action) for the UTC days ``start`` .. ``end``, with how many
    of them granted each category."""
    groups = (
        ConsentRecord.objects.filter(
            container=container,
            created_at__gte=day_start(start),
            created_at__lt=day_start(end + timedelta(days=1)),
        )
        .annotate(day=TruncDate("created_at", tzinfo=dt_timezone.utc))
        # Few distinct choices per day: group by the whole categories object.
        .values_list("day", "action", "categories")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows: dict[tuple, dict] = {}
    for day, action, categories, n in groups:
        row = rows.setdefault(
            (day, action), {"day": day, "action": action, "records": 0, "granted": defaultdict(int)}
        )
        row["records"] += n
        for slug, granted in (categories or {}).items() if isinstance(categories, dict) else ():
            if granted is True:
                row["granted"][slug] += n
    return [
        {**row, "granted": dict(sorted(row["granted"].items()))} for _, row in sorted(rows.items())
    ]
