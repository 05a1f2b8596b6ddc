"""Assemble the loader script: runtime + CSS + configuration (as JSON text, never as code).

One source, two builds. ``runtime.js`` marks code that only one of them carries:

- ``/*<debug>*/ … /*</debug>*/``: debug instrumentation, kept only in the preview build;
- ``/*<live>*/ … /*</live>*/``: the switch to a preview, kept only in the live build.

The markers are comments, so the source itself stays valid JavaScript; a region may be part of
a line or span several.
"""

import json
import re
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin

STATIC = Path(__file__).resolve().parent.parent / "static" / "tagmanager"
CONFIG_PLACEHOLDER = '"__TM_CONFIG__"'
CSS_PLACEHOLDER = '"__TM_CSS__"'

LIVE = "live"
PREVIEW = "preview"
# The region each build leaves out.
_DROPPED = {LIVE: "debug", PREVIEW: "live"}


def _region(name: str) -> re.Pattern:
    return re.compile(rf"/\*<{name}>\*/.*?/\*</{name}>\*/", re.DOTALL)


def strip_regions(js: str, build: str) -> str:
    """``js`` with the regions ``build`` does not carry removed (their markers checked)."""
    for name in _DROPPED.values():
        opened, closed = js.count(f"/*<{name}>*/"), js.count(f"/*</{name}>*/")
        if opened != closed or _region(name).sub("", js).count(f"/*<{name}>*/"):
            raise RuntimeError(f"runtime.js: unbalanced /*<{name}>*/ region markers")
    return _region(_DROPPED[build]).sub("", js)


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@cache
def runtime_parts(minify: bool = True, build: str = LIVE) -> tuple[str, str]:
    """The runtime source split around the config placeholder, with the CSS already in."""
    js = strip_regions(static_text("runtime.js"), build)
    css = static_text("banner.css")
    if minify:
        js = rjsmin.jsmin(js)
        css = rcssmin.cssmin(css)
    if js.count(CONFIG_PLACEHOLDER) != 1 or js.count(CSS_PLACEHOLDER) != 1:
        raise RuntimeError("runtime.js must contain each placeholder exactly once")
    js = js.replace(CSS_PLACEHOLDER, js_string(css))
    head, tail = js.split(CONFIG_PLACEHOLDER)
    return head, tail


def js_string(text: str) -> str:
    """``text`` as a JavaScript string literal that is also safe inside an HTML page."""
    # json.dumps escapes quotes, backslashes and (ensure_ascii) U+2028/2029; "</" is escaped so
    # the output stays safe even if someone inlines it in HTML.
    return json.dumps(text).replace("</", "<\\/")


def config_json(config: dict) -> str:
    return json.dumps(config, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loader_source(config: dict, *, minify: bool = True, build: str = LIVE) -> str:
    """The complete loader script for a configuration."""
    head, tail = runtime_parts(minify, build)
    return f"{head}{js_string(config_json(config))}{tail}"
