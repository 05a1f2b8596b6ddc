"""The host project's WSGI app plus baselines for the benchmarks (bench-only, not in the app):

- /bench/static.js: a plain file (``BENCH_STATIC_FILE``) served by the same server: the loader's
  baseline;
- /plain/...: the same request through Django alone, without the LoaderFastPath wrapper;
- /bench/pixel.gif: a trivial Django view answering the pixel's GIF and headers without logging
  anything: the pixel endpoint's baseline (same server, same middleware, no work);
- /bench/null: reads a POST body and answers 204, before Django: what the server and the load
  generator alone cost per request, the floor under ``POST /tm/collect``;
- /bench/echo: a trivial Django POST view (CSRF-exempt, the project's middleware) that reads the
  whole body and answers 204: the floor ``collect-ratio`` holds ``POST /tm/collect`` against.
"""

import os

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from project.wsgi import application as django_app  # sets Django up: import it first
from tagmanager.views import PIXEL_GIF

STATIC_FILE = os.environ.get("BENCH_STATIC_FILE", "")


@require_GET
def trivial_pixel(request):
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Content-Length"] = str(len(PIXEL_GIF))
    response["Cache-Control"] = "no-store, max-age=0"
    return response


@csrf_exempt
@require_POST
def trivial_post(request):
    request.body  # noqa: B018  (reads the whole body, and nothing else)
    return HttpResponse(status=204)


def _mount_baseline() -> None:
    # Added to the project's URLs before the first request builds the resolver; last, so that
    # resolving it walks the same patterns as resolving the app's pixel does.
    from project import urls

    urls.urlpatterns.append(path("bench/pixel.gif", trivial_pixel))
    urls.urlpatterns.append(path("bench/echo", trivial_post))


_mount_baseline()


def null_post(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("204 No Content", [])
    return [b""]


def application(environ, start_response):
    path_info = environ.get("PATH_INFO", "")
    if path_info == "/bench/null":
        return null_post(environ, start_response)
    if path_info.startswith("/plain/"):
        environ["PATH_INFO"] = path_info[len("/plain") :]
        return django_app.application(environ, start_response)
    if path_info != "/bench/static.js" or not STATIC_FILE:
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
