"""The report's sections, computed from plain daily rows: no database, so the same numbers
come out whether the rows were rolled up or aggregated from the raw events."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# The consent actions, in the order charts stack them, with their labels.
ACTIONS = (
    ("accept_all", "Accept all"),
    ("custom", "Custom choice"),
    ("reject_all", "Reject all"),
    ("gpc", "Global Privacy Control"),
    ("withdraw", "Withdrawal"),
)
# Decisions a visitor made on the banner or in the preferences. Acceptance rates are shares of
# these: a GPC record is the browser's automatic signal (the visitor is still asked), and a
# withdrawal is a second record of a visitor already counted.
CHOICE_ACTIONS = ("accept_all", "reject_all", "custom")
NO_TAG_LABEL = "No tag (pixel hits)"
NO_CAMPAIGN_LABEL = "(no campaign)"


@dataclass(frozen=True)
class ReportContext:
    """What the sections need besides the rows: names and settings, as plain data."""

    days: list[date]
    tag_names: dict[int, str]  # every tag id that may appear -> label
    live_tags: list[int]  # tags of the live version, in its order
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, label), refusable
    conversion_events: tuple[str, ...] = ("purchase", "lead")


def tag_label(context: ReportContext, tag_id: int) -> str:
    if not tag_id:
        return NO_TAG_LABEL
    return context.tag_names.get(tag_id) or f"Tag #{tag_id} (deleted)"


def _tag_entry(context: ReportContext, tag_id: int) -> dict:
    return {"tag_id": tag_id, "tag": tag_label(context, tag_id)}


def fires_per_tag_per_day(fire_rows: list[dict], context: ReportContext) -> list[dict]:
    """One series per tag (most fires first): fires on each day of the range."""
    index = {day: n for n, day in enumerate(context.days)}
    per_tag: dict[int, list[int]] = defaultdict(lambda: [0] * len(context.days))
    for row in fire_rows:
        if row["day"] in index:
            per_tag[row["tag_id"]][index[row["day"]]] += row["fires"]
    series = [
        {**_tag_entry(context, tag_id), "values": values, "total": sum(values)}
        for tag_id, values in per_tag.items()
    ]
    return sorted(series, key=lambda s: (-s["total"], s["tag"], s["tag_id"]))


def consent_per_day(consent_rows: list[dict], context: ReportContext) -> list[dict]:
    """One series per consent action: decisions on each day of the range."""
    index = {day: n for n, day in enumerate(context.days)}
    per_action = {action: [0] * len(context.days) for action, _ in ACTIONS}
    for row in consent_rows:
        if row["day"] in index and row["action"] in per_action:
            per_action[row["action"]][index[row["day"]]] += row["records"]
    return [
        {
            "action": action,
            "label": label,
            "values": per_action[action],
            "total": sum(per_action[action]),
        }
        for action, label in ACTIONS
    ]


def acceptance_per_category(consent_rows: list[dict], context: ReportContext) -> list[dict]:
    """Per refusable category: of the visitors' choices, how many granted it (rate 0..1)."""
    decisions = 0
    granted: dict[str, int] = defaultdict(int)
    for row in consent_rows:
        if row["action"] in CHOICE_ACTIONS:
            decisions += row["records"]
            for slug, count in (row["granted"] or {}).items():
                granted[slug] += count
    labels = dict(context.categories)
    slugs = [slug for slug, _ in context.categories]
    return [
        {
            "slug": slug,
            "label": labels.get(slug, slug),
            "granted": granted.get(slug, 0),
            "decisions": decisions,
            "rate": granted.get(slug, 0) / decisions if decisions else None,
        }
        for slug in slugs
    ]


def conversions(fire_rows: list[dict], context: ReportContext) -> dict:
    """Conversions (fires of a conversion event) and their value, per campaign and tag.

    Every conversion tag fires on the same purchase, so values are never added up across
    tags: each ad platform's tag shows its own count, as that platform would report it.
    """
    events = set(context.conversion_events)
    cells: dict[tuple[str, int], dict] = {}
    for row in fire_rows:
        if row["event_name"] not in events:
            continue
        cell = cells.setdefault(
            (row["utm_campaign"], row["tag_id"]), {"conversions": 0, "value": Decimal(0)}
        )
        cell["conversions"] += row["fires"]
        cell["value"] += Decimal(row["value_total"] or 0)
    campaigns: dict[str, list[dict]] = defaultdict(list)
    tags: dict[int, dict] = {}
    for (campaign, tag_id), cell in cells.items():
        campaigns[campaign].append({**_tag_entry(context, tag_id), **cell})
        total = tags.setdefault(
            tag_id, {**_tag_entry(context, tag_id), "conversions": 0, "value": Decimal(0)}
        )
        total["conversions"] += cell["conversions"]
        total["value"] += cell["value"]
    by_campaign = [
        {
            "campaign": campaign,
            "label": campaign or NO_CAMPAIGN_LABEL,
            "tags": sorted(entries, key=lambda e: (e["tag"], e["tag_id"])),
            "best_value": max(e["value"] for e in entries),
        }
        for campaign, entries in campaigns.items()
    ]
    by_campaign.sort(key=lambda c: (-c["best_value"], c["label"]))
    return {
        "events": sorted(events),
        "campaigns": by_campaign,
        "tags": sorted(tags.values(), key=lambda t: (-t["value"], -t["conversions"], t["tag"])),
    }


def refused_per_day(refused_rows: list[dict], context: ReportContext, doors) -> list[dict]:
    """One series per public endpoint (``doors``: (door, label)): requests it refused over a
    rate limit (429) on each day of the range."""
    index = {day: n for n, day in enumerate(context.days)}
    per_door = {door: [0] * len(context.days) for door, _ in doors}
    for row in refused_rows:
        if row["day"] in index and row["door"] in per_door:
            per_door[row["door"]][index[row["day"]]] += row["refused"]
    return [
        {"door": door, "label": label, "values": per_door[door], "total": sum(per_door[door])}
        for door, label in doors
    ]


def _per_tag(rows: list[dict], count: str, context: ReportContext) -> list[dict]:
    totals: dict[int, int] = defaultdict(int)
    for row in rows:
        totals[row["tag_id"]] += row[count]
    entries = [{**_tag_entry(context, tag_id), "count": n} for tag_id, n in totals.items() if n]
    return sorted(entries, key=lambda e: (-e["count"], e["tag"], e["tag_id"]))


def audit(fire_rows: list[dict], duplicate_rows: list[dict], context: ReportContext) -> dict:
    """Warnings about the tags: silent ones, stray fires, duplicates, consent violations."""
    fired = {row["tag_id"] for row in fire_rows if row["fires"]}
    return {
        "never_fired": [_tag_entry(context, t) for t in context.live_tags if t not in fired],
        "outside_triggers": _per_tag(fire_rows, "outside_triggers", context),
        "duplicates": _per_tag(duplicate_rows, "duplicates", context),
        "consent_violations": _per_tag(fire_rows, "consent_violations", context),
    }


def report_sections(
    *,
    fire_rows: list[dict],
    consent_rows: list[dict] | None,
    duplicate_rows: list[dict],
    context: ReportContext,
) -> dict:
    """The report; ``consent_rows`` None leaves the consent part out (``consent`` and
    ``totals.consent_decisions`` are None)."""
    fires = fires_per_tag_per_day(fire_rows, context)
    audit_section = audit(fire_rows, duplicate_rows, context)
    conversion_section = conversions(fire_rows, context)
    consent = None
    if consent_rows is not None:
        consent = {
            "actions": consent_per_day(consent_rows, context),
            "categories": acceptance_per_category(consent_rows, context),
        }
    return {
        "days": context.days,
        "totals": {
            "fires": sum(s["total"] for s in fires),
            "consent_decisions": (
                sum(s["total"] for s in consent["actions"]) if consent is not None else None
            ),
            "conversions": sum(t["conversions"] for t in conversion_section["tags"]),
            "consent_violations": sum(e["count"] for e in audit_section["consent_violations"]),
            "outside_triggers": sum(e["count"] for e in audit_section["outside_triggers"]),
            "duplicates": sum(e["count"] for e in audit_section["duplicates"]),
        },
        "fires": fires,
        "consent": consent,
        "conversions": conversion_section,
        "audit": audit_section,
    }
