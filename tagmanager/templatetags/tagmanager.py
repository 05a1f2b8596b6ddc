from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


def _csp_nonce(context) -> str:
    nonce = context.get("csp_nonce")
    if not nonce and (request := context.get("request")) is not None:
        nonce = getattr(request, "csp_nonce", "")
    return str(nonce or "")


@register.simple_tag(takes_context=True)
def tagmanager_loader(context, key: str):
    """The container snippet: the ``tm`` queue and the async loader, with the CSP nonce.

    Usage::

        {% load tagmanager %}
        <head>{% tagmanager_loader "demo" %}</head>

    The nonce is the template's ``csp_nonce`` or ``request.csp_nonce`` (django-csp), if any.
    """
    src = reverse("tagmanager:loader", kwargs={"key": key})
    nonce = _csp_nonce(context)
    if nonce:
        return format_html(
            '<script nonce="{}">window.tm=window.tm||[];</script>'
            '<script async src="{}" nonce="{}"></script>',
            nonce,
            src,
            nonce,
        )
    return format_html(
        '<script>window.tm=window.tm||[];</script><script async src="{}"></script>', src
    )
