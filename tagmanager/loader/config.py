"""Pure functions over the plain-data configuration the loader serves (see docs/loader.md)."""

import hashlib
import json

from django.core.exceptions import ValidationError

from tagmanager.models.consent import CONSENT_SIGNALS
from tagmanager.registry import get_type, tag_types, variable_refs
from tagmanager.registry.conditions import conditions_validate
from tagmanager.registry.variables import is_builtin

CONFIG_SCHEMA = 1


def config_hash(config: dict) -> str:
    """sha256 of the canonical JSON of a configuration, ignoring its own ``hash`` field."""
    body = {k: v for k, v in config.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, errs in exc.message_dict.items() for m in errs]
    return exc.messages


def _type_problems(setting: str, what: str, type_slug: str, params) -> list[str]:
    try:
        get_type(setting, type_slug).validate(params)
    except ValidationError as exc:
        return [f"{what}: {m}" for m in _messages(exc)]
    return []


def _browser_code_problems(config: dict) -> list[str]:
    """Types the configuration uses that have no browser code: their tags would never fire,
    their triggers never match, their variables stay empty."""
    from tagmanager.loader.build import CORE_EVENTS, type_piece, types_used

    used = types_used(config)
    return [
        f"The {kind[:-1]} type {slug!r} has no browser code (see docs/extending.md): "
        f"nothing of it would run."
        for kind in ("tags", "triggers", "variables")
        for slug in used[kind]
        if not (kind == "triggers" and slug in CORE_EVENTS) and type_piece(kind, slug) is None
    ]


def config_problems(config: dict) -> list[str]:
    """Everything that stops a configuration from being published, as readable sentences."""
    problems = _browser_code_problems(config)
    consent = config["consent"]
    slugs = {c["slug"] for c in consent["categories"]}
    if not slugs:
        problems.append("The container has no consent categories.")
    if consent["defaultLocale"] not in consent["texts"]:
        problems.append(
            f"Banner texts are missing for the default language {consent['defaultLocale']!r}."
        )
    defined = set()
    for variable in config["variables"]:
        what = f"Variable {variable['name']!r}"
        defined.add(variable["name"])
        problems += _type_problems("VARIABLE_TYPES", what, variable["type"], variable["params"])

    def missing_refs(what: str, names) -> list[str]:
        unknown = sorted(n for n in names if not is_builtin(n) and n not in defined)
        return [f"{what}: refers to the missing variable {{{{{n}}}}}." for n in unknown]

    trigger_ids = set()
    for trigger in config["triggers"]:
        what = f"Trigger {trigger['name']!r}"
        trigger_ids.add(trigger["id"])
        problems += _type_problems("TRIGGER_TYPES", what, trigger["type"], trigger["params"])
        try:
            conditions_validate(trigger["conditions"])
        except ValidationError as exc:
            problems += [f"{what}: {m}" for m in _messages(exc)]
        else:
            problems += missing_refs(what, {c["variable"] for c in trigger["conditions"]})
    for tag in config["tags"]:
        what = f"Tag {tag['name']!r}"
        problems += _type_problems("TAG_TYPES", what, tag["type"], tag["params"])
        if not tag["categories"]:
            problems.append(f"{what}: has no consent category.")
        problems += [
            f"{what}: unknown consent category {slug!r}."
            for slug in tag["categories"]
            if slug not in slugs
        ]
        if not tag["triggers"]:
            problems.append(f"{what}: has no firing trigger, so it would never fire.")
        problems += [
            f"{what}: refers to a trigger of another container."
            for tid in tag["triggers"] + tag["blocking"]
            if tid not in trigger_ids
        ]
        problems += missing_refs(what, variable_refs(tag["params"]))
    return problems


def config_code_problems(config: dict) -> list[str]:
    """The vendor ids and URLs of a configuration's tags that are not fixed: an id with a
    ``{{variable}}`` or off its pattern, a URL with one in its scheme or host.

    Publishing finds these with every other problem (``config_problems``); a rollback checks
    them again, as an old snapshot may predate the rule.
    """
    problems = []
    types = tag_types()
    for tag in config["tags"]:
        kind = types.get(tag["type"])
        for param in kind.params if kind else ():
            if param.fixed_rule() is None or param.name not in tag["params"]:
                continue
            try:
                param.clean(tag["params"][param.name])
            except ValidationError as exc:
                problems += [f"Tag {tag['name']!r}: {param.name}: {m}" for m in exc.messages]
    return problems


def config_finalize(draft: dict, *, version: int) -> dict:
    """The draft stamped with its version number and content hash: what a version stores."""
    config = {**draft, "v": CONFIG_SCHEMA, "version": version}
    config["hash"] = config_hash(config)
    return config


_FALSE_BY_DEFAULT = ("required", "saleSharing")


def event_names_reachable(config: dict) -> dict[str, set[str]]:
    """Per tag type, the event names its tags can be fired for: a custom event trigger's event
    name, or else the trigger's type (what the runtime calls the events it emits)."""
    triggers = {t["id"]: t for t in config["triggers"]}
    reachable: dict[str, set[str]] = {}
    for tag in config["tags"]:
        names = reachable.setdefault(tag["type"], set())
        for tid in tag["triggers"]:
            trigger = triggers.get(tid)
            if trigger is None:
                continue
            if trigger["type"] == "custom_event":
                names.add(trigger["params"].get("event_name", ""))
            else:
                names.add(trigger["type"])
    return reachable


def config_served(config: dict) -> dict:
    """What the browser gets: the version's configuration less what only the server uses
    (names and priorities are for people and for ordering, the hash for the ETag's source).

    The loader is on every page, so what makes no difference is left out too: the schema
    number ``v``, category flags that are false (``required``, ``saleSharing``), and event
    names other than those the tags of a type can be fired for and the vendor spells
    differently (without an entry the runtime sends the event's own name).

    ``consent.signals`` is added: every Consent Mode signal (denied until a category grants
    it), from the one list of them, ``CONSENT_SIGNALS``.

    ``fixed`` is added: per tag type in use, the parameters the runtime checks before a fire
    (vendor ids against their pattern, URLs against their published origin), from the type
    registry, so the rule has one source.
    """
    served = {k: v for k, v in config.items() if k not in ("hash", "v")}
    served["consent"] = {
        **config["consent"],
        "categories": [
            {k: v for k, v in c.items() if v is not False or k not in _FALSE_BY_DEFAULT}
            for c in config["consent"]["categories"]
        ],
        "signals": list(CONSENT_SIGNALS),
    }
    served["triggers"] = [{k: v for k, v in t.items() if k != "name"} for t in config["triggers"]]
    served["tags"] = [
        {k: v for k, v in t.items() if k not in ("name", "priority")} for t in config["tags"]
    ]
    reachable = event_names_reachable(config)
    events = {}
    for tag_type, mapping in config.get("events", {}).items():
        kept = {
            standard: vendor
            for standard, vendor in mapping.items()
            if standard in reachable.get(tag_type, ()) and vendor != standard
        }
        if kept:
            events[tag_type] = kept
    served["events"] = events
    types = tag_types()
    served["fixed"] = {
        slug: rules
        for slug in sorted({t["type"] for t in config["tags"]})
        if slug in types and (rules := types[slug].fixed_params())
    }
    return served
