"""Typed parameters that tag, trigger and variable types declare."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# A ``{{name}}`` reference exactly as the runtime reads one (js/src/variables.js:
# /\{\{\s*([\w.]+)\s*\}\}/), in JavaScript's terms: its \w is ASCII, its \s these characters.
# What the browser resolves, the server checks (missing variables, code tags' variables).
_JS_SPACE = "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
VARIABLE_REF = re.compile(r"\{\{" + _JS_SPACE + r"*([A-Za-z0-9_.]+)" + _JS_SPACE + r"*\}\}")
# A URL's scheme and authority (userinfo, host, port): everything up to the path, query or
# fragment.
_ORIGIN = re.compile(r"[^:]*:/*[^/?#]*")


def variable_refs(value) -> set[str]:
    """Names referenced as ``{{name}}`` anywhere inside a (possibly nested) value."""
    if isinstance(value, str):
        return set(VARIABLE_REF.findall(value))
    if isinstance(value, dict):
        return set().union(*(variable_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(variable_refs(v) for v in value)) if value else set()
    return set()


@dataclass(frozen=True)
class Param:
    """One parameter of a type.

    ``kind`` is one of: text, url, id, int, decimal, bool, choice, html, selector, mapping,
    int_list. ``pattern`` (for id/text) is a regular expression the whole value must match; a
    text that is one ``{{variable}}`` reference skips it (it is resolved in the browser).

    What reaches the browser as code is fixed when a version is published: an ``id`` (a vendor
    id, which decides what the vendor's script runs) takes no ``{{variable}}`` and always
    matches its pattern, and a ``url`` takes variables only after its scheme and host. The
    runtime enforces the same with ``fixed_rule()``, shipped in the loader's configuration.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    default: object = None
    help_text: str = ""
    choices: tuple = ()
    pattern: str = ""
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 2048
    extra: dict = field(default_factory=dict)

    def describe(self) -> dict:
        """Plain description, for forms, docs and the API."""
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
            "default": self.default,
            "help_text": self.help_text,
            "choices": list(self.choices),
        }

    def clean(self, value):
        if value is None or value == "" or value == [] or value == {}:
            if self.required:
                raise ValidationError("This field is required.", code="required")
            return self.default
        cleaner = getattr(self, f"_clean_{self.kind}")
        return cleaner(value)

    def _string(self, value) -> str:
        if not isinstance(value, str):
            raise ValidationError("Expected text.", code="invalid")
        value = value.strip()
        if len(value) > self.max_length:
            raise ValidationError(
                f"At most {self.max_length} characters (got {len(value)}).", code="max_length"
            )
        return value

    def fixed_rule(self) -> str | None:
        """What the browser's runtime checks before using this parameter's value: for an id,
        the pattern the value must match as published (never substituted); for a URL, ``""``
        (its origin must be the published one after substitution); else None."""
        if self.kind == "id":
            return self.pattern or r"[\s\S]*"
        if self.kind == "url":
            return ""
        return None

    def _match(self, value: str, message: str) -> str:
        is_reference = VARIABLE_REF.fullmatch(value)
        if self.pattern and not is_reference and not re.fullmatch(self.pattern, value):
            raise ValidationError(message, code="invalid")
        return value

    def _clean_text(self, value):
        return self._match(
            self._string(value), f"Does not match the expected format {self.pattern}."
        )

    def _clean_id(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        value = self._string(value)
        example = self.extra.get("example", "")
        hint = f" (for example {example})" if example else ""
        # Whoever sets a variable (a page's URL, a cookie, an editor) would choose the vendor
        # id, and with it the code the vendor's script runs: an id is fixed on publish.
        if "{{" in value:
            raise ValidationError(
                f"Enter the id itself{hint}, not a {{{{variable}}}}: ids are fixed when you "
                "publish.",
                code="variable_id",
            )
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValidationError(f"'{value}' is not a valid {self.label}{hint}.", code="invalid")
        return value

    def _clean_url(self, value):
        value = self._string(value)
        probe = VARIABLE_REF.sub("x", value)
        parts = urlsplit(probe)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValidationError(
                "Enter an absolute http(s) URL, such as https://example.com/pixel.gif.",
                code="invalid",
            )
        # A backslash ends the host for browsers but not for urlsplit: refused, so both agree.
        if any(c in probe for c in "\"'<> \n\r\t\\"):
            raise ValidationError("URL contains characters that are not allowed.", code="invalid")
        # Variables may stand in the path, query and fragment only: a variable in the scheme or
        # host would let whoever sets it (a link's utm_source ...) choose where code comes from.
        if "{" in _ORIGIN.match(value).group():
            raise ValidationError(
                "The scheme and host of a URL are fixed when you publish: put {{variables}} "
                "only after the host, e.g. https://cdn.example.com/{{path}}.",
                code="variable_host",
            )
        return value

    def _clean_int(self, value):
        if isinstance(value, bool):
            raise ValidationError("Expected a whole number.", code="invalid")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError("Expected a whole number.", code="invalid") from None
        if isinstance(value, float) and value != number:
            raise ValidationError("Expected a whole number.", code="invalid")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(f"Must be at least {self.min_value}.", code="min_value")
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(f"Must be at most {self.max_value}.", code="max_value")
        return number

    def _clean_decimal(self, value):
        if isinstance(value, str) and VARIABLE_REF.fullmatch(value.strip()):
            return value.strip()
        if isinstance(value, bool):
            raise ValidationError("Expected a number.", code="invalid")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("Expected a number or a {{variable}}.", code="invalid") from None
        if not number.is_finite():
            raise ValidationError("Expected a finite number.", code="invalid")
        return str(number)

    def _clean_bool(self, value):
        if isinstance(value, bool):
            return value
        if value in ("true", "1", 1, "on"):
            return True
        if value in ("false", "0", 0, "off"):
            return False
        raise ValidationError("Expected true or false.", code="invalid")

    def _clean_choice(self, value):
        allowed = [c[0] if isinstance(c, tuple) else c for c in self.choices]
        if value not in allowed:
            raise ValidationError(
                f"'{value}' is not one of: {', '.join(map(str, allowed))}.", code="invalid_choice"
            )
        return value

    def _clean_html(self, value):
        return self._string(value)

    def _clean_selector(self, value):
        value = self._string(value)
        # A cheap sanity check; the browser is the real parser.
        if value.count("[") != value.count("]") or value.count("(") != value.count(")"):
            raise ValidationError(f"'{value}' is not a valid CSS selector.", code="invalid")
        return value

    def _clean_mapping(self, value):
        if not isinstance(value, dict):
            raise ValidationError("Expected an object of name: value pairs.", code="invalid")
        cleaned = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key.strip():
                raise ValidationError("Names must be non-empty text.", code="invalid")
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise ValidationError(f"Value of '{key}' must be text or a number.", code="invalid")
            cleaned[key.strip()] = item
        return cleaned

    def _clean_int_list(self, value):
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v]
        if not isinstance(value, list) or not value:
            raise ValidationError("Expected a list of whole numbers.", code="invalid")
        return sorted({self._clean_int(v) for v in value})
