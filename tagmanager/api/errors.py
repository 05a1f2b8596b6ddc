"""Every failure the API can foresee becomes a 4xx answer with a reason, never a 500."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request is fine but the data it would leave behind is not (e.g. a removed trigger
    still used by a tag)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the data."
    default_code = "conflict"


def validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, keeping its keys (``parameters.pixel_id`` ...);
    errors about the whole object (a unique name taken ...) under ``non_field_errors``."""
    detail = as_serializer_error(exc)
    if NON_FIELD_ERRORS in detail:
        detail.setdefault("non_field_errors", []).extend(detail.pop(NON_FIELD_ERRORS))
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, taught the exceptions services raise.

    Services speak Django (``ValidationError``, ``PermissionDenied``); a unique constraint lost
    to a concurrent request surfaces as ``IntegrityError`` and is reported as a conflict.
    """
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        exc = Conflict("Another change to the same data happened at the same time; try again.")
    return drf_exception_handler(exc, context)


@csrf_exempt  # it changes nothing; a CSRF failure page would hide the real answer
def endpoint_not_found(request, *args, **kwargs):
    """Any URL under the API that matches no endpoint (an id that is not a number, a key with
    characters keys never have): a JSON 404, like every other error of the API."""
    return JsonResponse(
        {"detail": "Not found: no such endpoint or object (API paths end with a slash)."},
        status=404,
    )
