"""The preview script: the container's draft, run by the preview build of the runtime, with the
debug panel (see docs/preview.md). Built per request and never cached: it shows the draft as it
is now, for one browser.

The script is one function wrapping ``debug.js`` (which defines ``tmDebug``) and the loader
built with the runtime's preview core, so nothing of the panel leaks into the page's globals::

    (function (debugCss) {
      <debug.js>
      <the loader, preview build: see tagmanager.loader.build>
    })("<debug.css>")
"""

from functools import cache

import rcssmin
import rjsmin

from tagmanager.loader.build import PREVIEW, js_string, loader_source, static_text
from tagmanager.loader.config import config_finalize, config_problems, config_served
from tagmanager.registry.variables import BUILTIN_VARIABLES
from tagmanager.selectors import container_draft_config, container_has_unpublished_changes

# Decisions taken in a preview go to a cookie of their own (the name gets this suffix): the
# site's real consent cookie must never hold a consent id the server has no record of.
CONSENT_COOKIE_SUFFIX = "_preview"


@cache
def _panel(minify: bool = True) -> tuple[str, str]:
    js, css = static_text("debug.js"), static_text("debug.css")
    if minify:
        js, css = rjsmin.jsmin(js), rcssmin.cssmin(css)
    return js, css


def preview_config(
    draft: dict, *, name: str, token: str, expires_ms: int, live: int | None, changed: bool
) -> dict:
    """What the preview runtime gets: the draft exactly as it would be served once published,
    with the preview's own consent cookie and a ``debug`` part for the panel (names, problems)."""
    served = config_served(config_finalize(draft, version=0))
    served["consent"] = {
        **served["consent"],
        "cookie": served["consent"]["cookie"] + CONSENT_COOKIE_SUFFIX,
    }
    served["debug"] = {
        "container": name,
        "token": token,
        "expires": expires_ms,
        "live": live,
        "changed": changed,
        "problems": config_problems(draft),
        "builtins": list(BUILTIN_VARIABLES),
        "tags": {str(t["id"]): t["name"] for t in draft["tags"]},
        "triggers": {str(t["id"]): t["name"] for t in draft["triggers"]},
    }
    return served


def preview_source(config: dict, *, minify: bool = True) -> str:
    """The complete preview script for a preview configuration."""
    js, css = _panel(minify)
    return (
        f"(function (debugCss) {{\n{js}\n{loader_source(config, build=PREVIEW)}}})"
        f"({js_string(css)});\n"
    )


def preview_script(*, grant) -> str:
    """The preview script for a verified grant (tagmanager.services.preview)."""
    container = grant.container
    live = container.live_version
    config = preview_config(
        container_draft_config(container=container),
        name=container.name,
        token=grant.token,
        expires_ms=int(grant.expires_at.timestamp() * 1000),
        live=live.number if live else None,
        changed=container_has_unpublished_changes(container=container),
    )
    return preview_source(config)
