"""Optional WSGI wrapper that answers the hot endpoints before Django's request cycle.

The loader, the collect beacon and the pixel are requested far more than anything else, and
their answers need neither URL resolution nor middleware (no session, no user, no CSRF). The
wrapper answers exactly those requests with the same code as the Django views
(``tagmanager.endpoints``, ``tagmanager.loader.serve``) and hands everything else, including a
loader that is not in the cache yet, to Django::

    # wsgi.py
    from django.core.wsgi import get_wsgi_application
    from tagmanager.wsgi import FastPath

    application = FastPath(get_wsgi_application(), prefix="/tm/")

Answers carry the header SecurityMiddleware would add (``X-Content-Type-Options: nosniff``).
The Host header is not checked against ALLOWED_HOSTS on these paths: none of them builds a URL
from it.
"""

import logging
import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.db import close_old_connections

logger = logging.getLogger(__name__)
_KEY = re.compile(r"[-a-zA-Z0-9_]{1,64}")
_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}
_NOSNIFF = ("X-Content-Type-Options", "nosniff")


class FastPath:
    def __init__(self, application, *, prefix: str = "/tm/"):
        self.application = application
        self.prefix = prefix

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        answer = None
        if path.startswith(self.prefix):
            rest = path[len(self.prefix) :]
            if method in ("GET", "HEAD") and rest.endswith(".js") and "/" not in rest:
                answer = self._loader(rest[:-3], environ)
            elif method == "POST" and rest == "collect":
                answer = self._in_request_cycle(self._collect, environ)
            elif method == "GET" and rest.startswith("p/") and rest.endswith(".gif"):
                key = rest[2:-4]
                if _KEY.fullmatch(key):
                    answer = self._in_request_cycle(self._pixel, environ, key)
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        start_response(_REASONS[status], [*headers, _NOSNIFF])
        return [b"" if method == "HEAD" else body]

    @staticmethod
    def _loader(key: str, environ):
        from tagmanager.loader.serve import LoaderPayload, loader_http, loader_payload_cached

        if not _KEY.fullmatch(key):
            return None
        payload = loader_payload_cached(key=key)
        if not isinstance(payload, LoaderPayload):
            return None  # cold or missing: Django builds the answer (and warms the cache)
        return loader_http(
            payload,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
        )

    @staticmethod
    def _in_request_cycle(handle, environ, *args):
        # What Django's handler does around a request that matters here: database connections
        # past their age, or broken (a restarted database), are closed, to be opened afresh.
        # (The rest of the request signals' work, for a few rows of cache and database, costs
        # a tenth of the pixel's time.)
        close_old_connections()
        try:
            return handle(environ, *args)
        except Exception:
            logger.exception("Error answering %s", environ.get("PATH_INFO"))
            from tagmanager.endpoints import error

            return error(500, "Internal error.")

    @staticmethod
    def _collect(environ):
        from tagmanager.conf import get_setting
        from tagmanager.endpoints import (
            body_over_limit,
            client_ip,
            collect_answer,
            own_origin,
            too_large,
        )

        if body_over_limit(environ.get("CONTENT_LENGTH")):
            return too_large()
        body = environ["wsgi.input"].read(get_setting("COLLECT_MAX_BYTES") + 1)
        return collect_answer(
            body=body,
            origin=environ.get("HTTP_ORIGIN", ""),
            client_ip=client_ip(environ),
            own_origin=own_origin(environ),
        )

    @staticmethod
    def _pixel(environ, key: str):
        from tagmanager.endpoints import client_ip, pixel_answer

        # Last value wins, as Django's QueryDict.get.
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        return pixel_answer(key=key, query=query, client_ip=client_ip(environ))


# The name this wrapper first had, when it answered the loader only.
LoaderFastPath = FastPath
