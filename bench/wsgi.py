"""The host project's WSGI app, plus two paths for the loader throughput benchmark:

- /bench/static.js: a plain file served by the same server (the baseline);
- /plain/...: the same request through Django alone, without the LoaderFastPath wrapper.
"""

import os

from project.wsgi import application as django_app

STATIC_FILE = os.environ["BENCH_STATIC_FILE"]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith("/plain/"):
        environ["PATH_INFO"] = path[len("/plain") :]
        return django_app.application(environ, start_response)
    if path != "/bench/static.js":
        return django_app(environ, start_response)
    size = os.path.getsize(STATIC_FILE)
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/javascript; charset=utf-8"),
            ("Content-Length", str(size)),
        ],
    )
    handle = open(STATIC_FILE, "rb")  # noqa: SIM115  (closed by the server via file_wrapper)
    return environ["wsgi.file_wrapper"](handle, 65536)
