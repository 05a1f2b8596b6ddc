from types import SimpleNamespace

from django.template import Context, Template


def render(**context) -> str:
    return Template('{% load tagmanager %}{% tagmanager_loader "demo" %}').render(Context(context))


def test_snippet_without_nonce():
    assert render() == (
        '<script>window.tm=window.tm||[];</script><script async src="/tm/demo.js"></script>'
    )


def test_snippet_uses_the_request_nonce():
    html = render(request=SimpleNamespace(csp_nonce="r4nd0m"))
    assert html.count('nonce="r4nd0m"') == 2


def test_snippet_prefers_the_template_nonce_and_escapes_it():
    html = render(csp_nonce='a"b', request=SimpleNamespace(csp_nonce="other"))
    assert 'nonce="a&quot;b"' in html and "other" not in html
