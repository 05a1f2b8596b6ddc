"""Assemble the loader script: runtime + CSS + configuration (as JSON text, never as code)."""

import json
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin

STATIC = Path(__file__).resolve().parent.parent / "static" / "tagmanager"
CONFIG_PLACEHOLDER = '"__TM_CONFIG__"'
CSS_PLACEHOLDER = '"__TM_CSS__"'


@cache
def runtime_parts(minify: bool = True) -> tuple[str, str]:
    """The runtime source split around the config placeholder, with the CSS already in."""
    js = (STATIC / "runtime.js").read_text(encoding="utf-8")
    css = (STATIC / "banner.css").read_text(encoding="utf-8")
    if minify:
        js = rjsmin.jsmin(js)
        css = rcssmin.cssmin(css)
    if js.count(CONFIG_PLACEHOLDER) != 1 or js.count(CSS_PLACEHOLDER) != 1:
        raise RuntimeError("runtime.js must contain each placeholder exactly once")
    js = js.replace(CSS_PLACEHOLDER, _js_string(css))
    head, tail = js.split(CONFIG_PLACEHOLDER)
    return head, tail


def _js_string(text: str) -> str:
    # json.dumps escapes quotes, backslashes and (ensure_ascii) U+2028/2029; "</" is escaped so
    # the output stays safe even if someone inlines it in HTML.
    return json.dumps(text).replace("</", "<\\/")


def config_json(config: dict) -> str:
    return json.dumps(config, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loader_source(config: dict, *, minify: bool = True) -> str:
    """The complete loader script for a configuration."""
    head, tail = runtime_parts(minify)
    return f"{head}{_js_string(config_json(config))}{tail}"
