"""Built-in and user-defined variables."""

import re

from tagmanager.registry import VariableType
from tagmanager.registry.params import Param

# Always available in conditions and {{...}}; `event.<field>` reads a field of the current event.
BUILTIN_VARIABLES = (
    "page_url",
    "page_path",
    "page_hostname",
    "referrer",
    "event",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "consent_id",
    "random",
    "timestamp",
)

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def is_builtin(name: str) -> bool:
    """Whether the runtime resolves ``name`` itself: a name above, a field of the event, or any
    query parameter whose name starts with ``utm_`` (the five above are the usual ones)."""
    return name in BUILTIN_VARIABLES or name.startswith(("event.", "utm_"))


class Constant(VariableType):
    slug = "constant"
    label = "Constant"
    params = (Param("value", "Value", max_length=1024),)


class UrlParameter(VariableType):
    slug = "url_param"
    label = "URL parameter"
    params = (Param("name", "Query parameter", pattern=r"[\w.\-\[\]]{1,100}"),)


class Cookie(VariableType):
    slug = "cookie"
    label = "First-party cookie"
    params = (Param("name", "Cookie name", pattern=r"[\w.\-]{1,200}"),)


class DataLayerKey(VariableType):
    slug = "data_layer"
    label = "Data layer key"
    description = "The latest value pushed under this key with tm.push; dots reach nested keys."
    params = (Param("key", "Key", pattern=r"[\w]+(\.[\w]+)*"),)


class DomElement(VariableType):
    slug = "dom_element"
    label = "DOM element"
    description = "The text, or an attribute, of the first element matching a selector."
    params = (
        Param("selector", "CSS selector", kind="selector"),
        Param(
            "attribute",
            "Attribute",
            required=False,
            pattern=r"[\w:-]{1,100}",
            help_text="Leave empty for the element's text.",
        ),
    )
