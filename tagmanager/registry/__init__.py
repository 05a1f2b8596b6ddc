"""Registries of tag, trigger and variable types.

Each type is a class declaring its parameters; the lists of types are dotted paths in the
``TAGMANAGER`` setting (``TAG_TYPES``, ``TRIGGER_TYPES``, ``VARIABLE_TYPES``), so a site can add
its own. A custom tag type::

    from tagmanager.registry import TagType
    from tagmanager.registry.params import Param

    class Matomo(TagType):
        slug = "matomo"
        label = "Matomo"
        params = (Param("site_id", "Site ID", kind="int", min_value=1),)

    TAGMANAGER = {"TAG_TYPES": [*DEFAULTS["TAG_TYPES"], "mysite.tags.Matomo"]}  # tagmanager.conf
"""

import sys
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.module_loading import import_string

from tagmanager.registry.params import Param, variable_refs

__all__ = [
    "BaseType",
    "Param",
    "TagType",
    "TriggerType",
    "VariableType",
    "variable_refs",
    "tag_types",
    "trigger_types",
    "variable_types",
    "get_type",
    "clear_cache",
    "browser_piece",
]


class BaseType:
    """A kind of tag, trigger or variable. Subclasses set ``slug``, ``label`` and ``params``."""

    slug: str = ""
    label: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    # A type of another app: its browser code, a file beside the module that defines the class
    # (a path relative to that module's directory), which adds the type to the runtime's
    # registry (``tmTypes.tags[slug] = ...``; see docs/extending.md). The loader carries it only
    # for containers that use the type.
    browser_module: str = ""

    @classmethod
    def validate(cls, parameters) -> dict:
        """Return cleaned parameters or raise ``ValidationError`` keyed by parameter name."""
        if parameters is None:
            parameters = {}
        if not isinstance(parameters, dict):
            raise ValidationError({"parameters": ["Expected an object of parameter values."]})
        known = {p.name for p in cls.params}
        errors = {}
        for name in parameters:
            if name not in known:
                errors[name] = [
                    ValidationError(
                        f"Unknown parameter for {cls.label}; expected one of: "
                        f"{', '.join(sorted(known)) or 'none'}.",
                        code="unknown",
                    )
                ]
        cleaned = {}
        for param in cls.params:
            try:
                value = param.clean(parameters.get(param.name))
            except ValidationError as exc:
                errors[param.name] = exc.error_list
                continue
            if value is not None:
                cleaned[param.name] = value
        if not errors:
            try:
                cleaned = cls.validate_together(cleaned)
            except ValidationError as exc:
                errors.update(exc.update_error_dict({}))
        if errors:
            raise ValidationError(errors)
        return cleaned

    @classmethod
    def validate_together(cls, cleaned: dict) -> dict:
        """Hook for rules spanning several parameters."""
        return cleaned

    @classmethod
    def describe(cls) -> dict:
        return {
            "slug": cls.slug,
            "label": cls.label,
            "description": cls.description,
            "params": [p.describe() for p in cls.params],
        }


class TagType(BaseType):
    """A tag template. ``event_names`` maps standard events to the vendor's own names."""

    event_names: dict[str, str] = {}
    # Whether creating or changing this tag runs arbitrary code on the site.
    runs_code: bool = False

    @classmethod
    def fixed_params(cls) -> dict[str, str]:
        """``{name: rule}`` of the parameters the browser's runtime checks before a fire: a
        vendor id's pattern, or ``""`` for a URL (see ``Param.fixed_rule``)."""
        return {p.name: rule for p in cls.params if (rule := p.fixed_rule()) is not None}


class TriggerType(BaseType):
    pass


class VariableType(BaseType):
    pass


_KINDS = {"TAG_TYPES": TagType, "TRIGGER_TYPES": TriggerType, "VARIABLE_TYPES": VariableType}


def load_types(setting: str) -> dict[str, type[BaseType]]:
    """Import the classes a setting names; raise ImproperlyConfigured naming the bad entry."""
    from tagmanager.conf import get_setting

    base = _KINDS[setting]
    types: dict[str, type[BaseType]] = {}
    for path in get_setting(setting):
        try:
            cls = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"TAGMANAGER['{setting}']: cannot import {path!r}: {exc}"
            ) from None
        if not (isinstance(cls, type) and issubclass(cls, base)) or not cls.slug:
            raise ImproperlyConfigured(
                f"TAGMANAGER['{setting}']: {path!r} is not a {base.__name__} subclass with a slug."
            )
        if cls.slug in types:
            raise ImproperlyConfigured(
                f"TAGMANAGER['{setting}']: slug {cls.slug!r} is used by two types."
            )
        types[cls.slug] = cls
    return types


@cache
def _types(setting: str) -> dict[str, type[BaseType]]:
    return load_types(setting)


def tag_types() -> dict[str, type[TagType]]:
    return _types("TAG_TYPES")


def trigger_types() -> dict[str, type[TriggerType]]:
    return _types("TRIGGER_TYPES")


def variable_types() -> dict[str, type[VariableType]]:
    return _types("VARIABLE_TYPES")


def get_type(setting: str, slug: str) -> type[BaseType]:
    """The type registered under ``slug``, or ValidationError listing the known ones."""
    types = _types(setting)
    try:
        return types[slug]
    except KeyError:
        raise ValidationError(
            f"Unknown type '{slug}'; expected one of: {', '.join(sorted(types))}.",
            code="unknown_type",
        ) from None


_SETTINGS = {"tags": "TAG_TYPES", "triggers": "TRIGGER_TYPES", "variables": "VARIABLE_TYPES"}


def browser_piece(kind: str, slug: str) -> str | None:
    """The browser code of a registered type of ``kind`` (tags, triggers, variables) that
    declares a ``browser_module``; None when there is none."""
    cls = _types(_SETTINGS[kind]).get(slug) if kind in _SETTINGS else None
    if cls is None or not cls.browser_module:
        return None
    return _browser_module_text(cls)


def browser_pieces() -> list[tuple[str, str, str | None]]:
    """(kind, slug, code) of every registered type that declares a ``browser_module``: what
    the loader cache's key must change with."""
    return [
        (kind, slug, _browser_module_text(cls))
        for kind, setting in _SETTINGS.items()
        for slug, cls in sorted(_types(setting).items())
        if cls.browser_module
    ]


def _browser_module_text(cls: type[BaseType]) -> str | None:
    module = sys.modules[cls.__module__]
    path = Path(module.__file__).resolve().parent / cls.browser_module
    try:
        return path.read_text(encoding="utf-8").rstrip() + "\n"
    except OSError:
        return None


def clear_cache() -> None:
    from tagmanager.loader.build import runtime_fingerprint

    _types.cache_clear()
    runtime_fingerprint.cache_clear()  # it covers the registered types' browser modules
