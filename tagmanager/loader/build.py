"""Assemble the loader script: the runtime's core, the pieces of the types its container uses,
the banner CSS and the configuration (as JSON text, never as code).

The runtime is written as ES modules in ``js/src`` and built by esbuild (``npm run build``,
``js/build.mjs``) into ``static/tagmanager/runtime/``: ``core.js`` (the live build),
``core-preview.js`` (the preview build, with the debug panel's hooks) and one piece per tag,
trigger, variable and condition type, ``<kind>/<slug>.js``. The built files are part of the
package, so serving needs no Node. A loader is one function whose parameter ``tmTypes`` is the
registry the pieces add themselves to::

    (function(tmTypes){<core><piece>...<piece>tmTypes.start(window,document,"<config>","<css>")})
    ({tags:{},triggers:{},variables:{},operators:{}});

A type's piece is carried only when the configuration uses the type (``types_used``); a type
registered in Python (TAGMANAGER settings) brings its own piece (``browser_module``).
"""

import hashlib
import json
from functools import cache
from pathlib import Path

import rcssmin

STATIC = Path(__file__).resolve().parent.parent / "static" / "tagmanager"
RUNTIME = STATIC / "runtime"

LIVE = "live"
PREVIEW = "preview"
_CORE = {LIVE: "core.js", PREVIEW: "core-preview.js"}
# The kinds of pieces, in the order a loader carries them.
KINDS = ("operators", "variables", "triggers", "tags")
_REGISTRY = "{tags:{},triggers:{},variables:{},operators:{}}"
# Trigger types the core emits itself: they need no piece.
CORE_EVENTS = frozenset({"page_view", "dom_ready", "window_loaded"})


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@cache
def runtime_file(name: str) -> str | None:
    """A built file of the runtime (``core.js``, ``tags/ga4.js`` ...), or None if missing."""
    try:
        return (RUNTIME / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def types_used(config: dict) -> dict[str, list[str]]:
    """Per kind, the types a configuration uses: its tags', triggers' and variables' types and
    its conditions' operators (``not_x`` uses ``x``)."""
    triggers = config.get("triggers", [])
    return {
        "tags": sorted({t["type"] for t in config.get("tags", [])}),
        "triggers": sorted({t["type"] for t in triggers}),
        "variables": sorted({v["type"] for v in config.get("variables", [])}),
        "operators": sorted(
            {c["operator"].removeprefix("not_") for t in triggers for c in t.get("conditions", [])}
        ),
    }


def type_piece(kind: str, slug: str) -> str | None:
    """The browser code of one type: the built piece of a type of tagmanager's own, else the
    ``browser_module`` of a type registered in settings; None when there is none (page view,
    DOM ready and window loaded need none: the core emits them)."""
    built = runtime_file(f"{kind}/{slug}.js")
    if built is not None:
        return built
    from tagmanager.registry import browser_piece

    return browser_piece(kind, slug)


@cache
def banner_css() -> str:
    return rcssmin.cssmin(static_text("banner.css"))


@cache
def runtime_fingerprint() -> str:
    """Changes whenever any built file of the runtime, the banner CSS or the browser module of
    a type registered in settings does (read once per process and settings change)."""
    from tagmanager.registry import browser_pieces

    digest = hashlib.sha256(banner_css().encode())
    for path in sorted(RUNTIME.rglob("*.js")):
        digest.update(str(path.relative_to(RUNTIME)).encode() + b"\0" + path.read_bytes())
    for kind, slug, code in browser_pieces():
        digest.update(f"\0{kind}/{slug}\0".encode() + (code or "").encode())
    return digest.hexdigest()[:12]


def js_string(text: str) -> str:
    """``text`` as a JavaScript string literal that is also safe inside an HTML page."""
    # json.dumps escapes quotes, backslashes and (ensure_ascii) U+2028/2029; "</" is escaped so
    # the output stays safe even if someone inlines it in HTML.
    return json.dumps(text).replace("</", "<\\/")


def config_json(config: dict) -> str:
    return json.dumps(config, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loader_source(config: dict, *, build: str = LIVE) -> str:
    """The complete loader script for a (served) configuration. The preview's carries every
    trigger type of tagmanager's, so that its panel shows every click, scroll ... of the page,
    those no trigger uses yet too."""
    used = types_used(config)
    if build == PREVIEW:
        every = (path.stem for path in (RUNTIME / "triggers").glob("*.js"))
        used["triggers"] = sorted({*used["triggers"], *every})
    pieces = [type_piece(kind, slug) for kind in KINDS for slug in used[kind]]
    return (
        f"(function(tmTypes){{{runtime_file(_CORE[build])}"
        + "".join(piece for piece in pieces if piece)
        + f"tmTypes.start(window,document,{js_string(config_json(config))},"
        f"{js_string(banner_css())})}})({_REGISTRY});\n"
    )
