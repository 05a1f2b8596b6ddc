"""A configuration diff (``tagmanager.loader.diff.config_diff``) laid out for a page.

Pure: the diff in, rows of text out. Configuration keys become the names the forms use, and a
changed object (such as a tag's parameters) lists only the keys that changed.
"""

import json

SECTIONS = (
    ("tags", "Tags"),
    ("triggers", "Triggers"),
    ("variables", "Variables"),
    ("categories", "Consent categories"),
)
FIELD_LABELS = {
    "name": "Name",
    "type": "Type",
    "params": "Parameters",
    "categories": "Needs consent for",
    "triggers": "Fires on",
    "blocking": "Except when",
    "limit": "Fire limit",
    "priority": "Priority",
    "conditions": "Conditions",
    "required": "Required",
    "signals": "Consent Mode signals",
    "saleSharing": "Sale or sharing",
    "cookies": "Cookies",
    "names": "Names",
    "descriptions": "Descriptions",
    "revision": "Consent policy revision",
    "lifetimeDays": "Consent lifetime (days)",
    "cookieDomain": "Consent cookie domain",
    "gpc": "Honour Global Privacy Control",
    "regionDefaults": "Consent Mode region defaults",
    "defaultLocale": "Default language",
    "texts": "Banner texts",
}
ABSENT = "\u2014"


def value_text(value) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else ABSENT
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def field_changes(field: str, before, after) -> list[dict]:
    """One row per changed value; objects are opened one level, so a parameter shows alone."""
    label = FIELD_LABELS.get(field, field)
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            {
                "field": f"{label} \u203a {key}",
                "before": value_text(before.get(key)),
                "after": value_text(after.get(key)),
            }
            for key in sorted(before.keys() | after.keys())
            if before.get(key) != after.get(key)
        ]
    return [{"field": label, "before": value_text(before), "after": value_text(after)}]


def diff_layout(diff: dict) -> dict:
    """``{"sections": [...], "settings": [...], "empty": bool, "counts": {...}}`` for templates."""
    sections = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    for key, title in SECTIONS:
        part = diff.get(key) or {}
        changed = [
            {
                **item,
                "rows": [
                    row
                    for field, (before, after) in item["fields"].items()
                    for row in field_changes(field, before, after)
                ],
            }
            for item in part.get("changed", [])
        ]
        entry = {
            "key": key,
            "title": title,
            "added": part.get("added", []),
            "removed": part.get("removed", []),
            "changed": changed,
        }
        for what in counts:
            counts[what] += len(entry[what])
        if entry["added"] or entry["removed"] or entry["changed"]:
            sections.append(entry)
    settings = [
        row
        for field, (before, after) in (diff.get("settings") or {}).items()
        for row in field_changes(field, before, after)
    ]
    return {
        "sections": sections,
        "settings": settings,
        "empty": bool(diff.get("empty")),
        "counts": counts,
    }
