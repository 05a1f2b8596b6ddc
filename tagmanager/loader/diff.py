"""What changed between two configurations (a version, or the draft), for people to review.

Pure: plain configuration data in (docs/loader.md), plain data out. Items are matched by
identity (tags and triggers by id, variables by name, categories by slug), so a rename shows
as a change, not as one removal and one addition.
"""

SECTIONS = ("tags", "triggers", "variables", "categories")
# Container-wide consent settings compared one by one.
SETTINGS = (
    "revision",
    "lifetimeDays",
    "cookieDomain",
    "gpc",
    "regionDefaults",
    "defaultLocale",
    "texts",
)


def _items(config: dict | None, section: str) -> dict:
    if not config:
        return {}
    if section == "categories":
        return {c["slug"]: c for c in config["consent"]["categories"]}
    if section == "variables":
        return {v["name"]: v for v in config["variables"]}
    return {item["id"]: item for item in config[section]}


def _trigger_names(config: dict | None) -> dict:
    return {t["id"]: t.get("name", f"#{t['id']}") for t in (config or {}).get("triggers", [])}


def _readable(section: str, item: dict, trigger_names: dict) -> dict:
    """An item with trigger ids replaced by names, so that a change reads as people name things."""
    if section != "tags":
        return item
    names = lambda ids: sorted(trigger_names.get(i, f"#{i}") for i in ids)  # noqa: E731
    return {**item, "triggers": names(item["triggers"]), "blocking": names(item["blocking"])}


def _label(section: str, key, item: dict) -> str:
    if section in ("tags", "triggers"):
        return item.get("name") or f"#{key}"
    return str(key)


def config_diff(before: dict | None, after: dict) -> dict:
    """Differences from ``before`` (None: nothing published yet) to ``after``.

    >>> config_diff(live.config, container_draft_config(container=c))["tags"]["changed"]
    [{"key": 12, "name": "Meta Pixel", "fields": {"params": [{...}, {...}]}}]

    Returns ``{section: {"added": [...], "removed": [...], "changed": [...]}}`` for tags,
    triggers, variables and categories, ``"settings"``: ``{field: [before, after]}`` for the
    consent settings, and ``"empty"``: whether nothing changed.
    """
    result = {}
    names_before, names_after = _trigger_names(before), _trigger_names(after)
    for section in SECTIONS:
        old, new = _items(before, section), _items(after, section)
        added = [{"key": k, "name": _label(section, k, new[k])} for k in new if k not in old]
        removed = [{"key": k, "name": _label(section, k, old[k])} for k in old if k not in new]
        changed = []
        for key in new.keys() & old.keys():
            a = _readable(section, old[key], names_before)
            b = _readable(section, new[key], names_after)
            fields = {
                f: [a.get(f), b.get(f)] for f in sorted(a.keys() | b.keys()) if a.get(f) != b.get(f)
            }
            if fields:
                changed.append(
                    {"key": key, "name": _label(section, key, new[key]), "fields": fields}
                )
        order = lambda row: (row["name"], str(row["key"]))  # noqa: E731
        result[section] = {
            "added": sorted(added, key=order),
            "removed": sorted(removed, key=order),
            "changed": sorted(changed, key=order),
        }
    old_consent = (before or {}).get("consent", {})
    new_consent = after["consent"]
    result["settings"] = {
        field: [old_consent.get(field), new_consent.get(field)]
        for field in SETTINGS
        if before is not None and old_consent.get(field) != new_consent.get(field)
    }
    result["empty"] = not result["settings"] and not any(
        result[s][k] for s in SECTIONS for k in ("added", "removed", "changed")
    )
    return result
