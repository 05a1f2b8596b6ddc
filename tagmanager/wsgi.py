"""Optional WSGI wrapper that answers warm loader requests before Django's request cycle.

The loader is the hottest endpoint; a warm answer is one cache read. Wrapping the WSGI app
skips URL resolution and middleware for exactly those requests (as a static-file server
would); everything else, and every cache miss, goes to Django as usual::

    # wsgi.py
    from django.core.wsgi import get_wsgi_application
    from tagmanager.wsgi import LoaderFastPath

    application = LoaderFastPath(get_wsgi_application(), prefix="/tm/")
"""

import re
from http import HTTPStatus

from django.core.cache import cache

_KEY = re.compile(r"[-a-zA-Z0-9_]{1,64}")
_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class LoaderFastPath:
    def __init__(self, application, *, prefix: str = "/tm/"):
        self.application = application
        self.prefix = prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and path.startswith(self.prefix)
            and path.endswith(".js")
        ):
            answer = self._answer(path[len(self.prefix) : -3], environ)
            if answer is not None:
                status, headers, body = answer
                start_response(_REASONS[status], headers)
                return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
        return self.application(environ, start_response)

    @staticmethod
    def _answer(key: str, environ):
        from tagmanager.loader.serve import LoaderPayload, cache_key, loader_http

        if not _KEY.fullmatch(key):
            return None
        payload = cache.get(cache_key(key))
        if not isinstance(payload, LoaderPayload):
            return None  # cold or missing: Django builds the answer (and warms the cache)
        status, headers, body = loader_http(
            payload,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        # What SecurityMiddleware would have added to this response.
        headers.append(("X-Content-Type-Options", "nosniff"))
        return status, headers, body
