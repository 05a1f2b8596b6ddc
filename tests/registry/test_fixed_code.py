"""Only developers choose code: vendor ids, and the scheme and host of URLs, are fixed when a
version is published. No {{variable}} in an id; none in a URL before its path."""

from urllib.parse import quote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tagmanager.registry import get_type, tag_types
from tagmanager.registry.params import VARIABLE_REF, Param


def error_of(tag_type: str, parameters: dict, field: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        get_type("TAG_TYPES", tag_type).validate(parameters)
    return info.value.error_dict[field][0]


@pytest.mark.parametrize(
    "tag_type, parameters, field",
    [
        ("ga4", {"measurement_id": "{{gid}}"}, "measurement_id"),
        ("ga4", {"measurement_id": "{{ gid }}"}, "measurement_id"),
        ("ga4", {"measurement_id": "G-{{gid}}"}, "measurement_id"),
        ("meta_pixel", {"pixel_id": "{{utm_content}}"}, "pixel_id"),
        ("tiktok", {"pixel_id": "{{event.pixel}}"}, "pixel_id"),
        ("linkedin", {"partner_id": "{{partner}}"}, "partner_id"),
        (
            "google_ads",
            {"conversion_id": "AW-123456789", "conversion_label": "{{label}}"},
            "conversion_label",
        ),
    ],
)
def test_an_id_takes_no_variable(tag_type, parameters, field):
    error = error_of(tag_type, parameters, field)
    assert error.code == "variable_id"
    assert "ids are fixed when you publish" in error.message


def test_the_reported_gtm_container_id_is_refused_as_a_value_too():
    assert error_of("ga4", {"measurement_id": "GTM-EVIL123"}, "measurement_id").code == "invalid"


def test_an_id_without_a_pattern_still_takes_no_variable():
    param = Param("account", "Account", kind="id")
    assert param.clean("acme-1") == "acme-1"
    with pytest.raises(ValidationError):
        param.clean("{{account}}")


@pytest.mark.parametrize(
    "url",
    [
        "https://{{utm_source}}/x.js",
        "https://{{utm_source}}",
        "https://cdn{{region}}.example.net/x.js",
        "https://cdn.example.net{{path}}",
        "https://{{user}}@cdn.example.net/x.js",
        "https://cdn.example.net:{{port}}/x.js",
        "http{{s}}://cdn.example.net/x.js",
    ],
)
@pytest.mark.parametrize("tag_type, field", [("script", "src"), ("image", "url")])
def test_a_url_takes_no_variable_in_its_scheme_or_host(url, tag_type, field):
    error = error_of(tag_type, {field: url}, field)
    assert error.code in ("variable_host", "invalid")
    if url.startswith("https://"):
        assert error.code == "variable_host"
        assert "scheme and host of a URL are fixed" in error.message


def test_a_backslash_is_refused_so_that_browsers_and_python_agree_on_the_host():
    assert error_of("image", {"url": "https://px.example\\{{p}}"}, "url").code == "invalid"


@pytest.mark.parametrize(
    "url",
    [
        "https://px.example.net/p.gif?s={{utm_source}}&u={{page_url}}",
        "https://cdn.example.net/{{region}}/x.js",
        "https://px.example.net?e={{event}}",
        "https://px.example.net#{{event}}",
    ],
)
def test_variables_stay_allowed_after_the_host(url):
    assert get_type("TAG_TYPES", "image").validate({"url": url}) == {"url": url}


def test_the_rules_shipped_to_the_runtime_come_from_the_registry():
    """One source: each id's own pattern, "" for each URL, nothing for other parameters."""
    assert get_type("TAG_TYPES", "ga4").fixed_params() == {"measurement_id": r"G-[A-Z0-9]{4,16}"}
    assert get_type("TAG_TYPES", "google_ads").fixed_params() == {
        "conversion_id": r"AW-\d{6,14}",
        "conversion_label": r"[\w-]{4,64}",
    }
    assert get_type("TAG_TYPES", "script").fixed_params() == {"src": ""}
    assert get_type("TAG_TYPES", "image").fixed_params() == {"url": ""}
    assert get_type("TAG_TYPES", "custom_html").fixed_params() == {}
    for kind in tag_types().values():
        for param in kind.params:
            rule = kind.fixed_params().get(param.name)
            assert (rule is not None) == (param.kind in ("id", "url"))


# URLs made of bits of text and variable references, in any order.
url_text = st.lists(
    st.one_of(
        st.text(alphabet="abc.:/?#@%-{}", max_size=6), st.sampled_from(["{{a}}", "{{ b.c }}"])
    ),
    max_size=8,
).map("".join)


@given(template=url_text.map(lambda t: "https://" + t), value=st.text(max_size=30))
def test_no_variable_value_moves_an_accepted_url_to_another_host(template, value):
    """Whatever a variable holds (encoded as the runtime encodes it in URLs), the scheme and
    host of an accepted URL stay the published ones."""
    param = Param("url", "URL", kind="url")
    try:
        cleaned = param.clean(template)
    except ValidationError:
        return
    resolved = VARIABLE_REF.sub(lambda _: quote(value, safe="-_.!~*'()"), cleaned)
    assert urlsplit(resolved)[:2] == urlsplit(cleaned)[:2]
