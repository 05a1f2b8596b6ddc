import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tagmanager import registry
from tagmanager.registry import get_type, tag_types, trigger_types, variable_types


def errors_of(kind, parameters) -> dict:
    with pytest.raises(ValidationError) as info:
        kind.validate(parameters)
    return {key: " ".join(info.value.message_dict[key]) for key in info.value.error_dict}


def test_registry_has_the_built_in_types():
    assert set(tag_types()) == {
        "image",
        "script",
        "custom_html",
        "ga4",
        "meta_pixel",
        "google_ads",
        "tiktok",
        "linkedin",
    }
    assert set(trigger_types()) == {
        "page_view",
        "dom_ready",
        "window_loaded",
        "click",
        "form_submit",
        "custom_event",
        "history_change",
        "timer",
        "scroll_depth",
        "element_visible",
    }
    assert set(variable_types()) == {"constant", "url_param", "cookie", "data_layer", "dom_element"}


def test_bad_parameter_names_the_field():
    errors = errors_of(get_type("TAG_TYPES", "ga4"), {"measurement_id": "UA-1234"})
    assert set(errors) == {"measurement_id"}
    assert "UA-1234" in errors["measurement_id"] and "G-ABC123XYZ9" in errors["measurement_id"]


def test_missing_required_parameter():
    errors = errors_of(get_type("TAG_TYPES", "meta_pixel"), {})
    assert errors == {"pixel_id": "This field is required."}


def test_unknown_parameter_is_refused():
    errors = errors_of(get_type("TAG_TYPES", "image"), {"url": "https://a.example/p.gif", "x": 1})
    assert set(errors) == {"x"}
    assert "expected one of: url" in errors["x"]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "/relative.gif", "https://", "ftp://a.example/x", 'https://a.b/x"y'],
)
def test_pixel_url_must_be_absolute_http(url):
    assert "url" in errors_of(get_type("TAG_TYPES", "image"), {"url": url})


def test_variables_allowed_in_urls_and_ids():
    image = get_type("TAG_TYPES", "image")
    assert image.validate({"url": "https://p.example/i.gif?u={{page_url}}"}) == {
        "url": "https://p.example/i.gif?u={{page_url}}"
    }
    ads = get_type("TAG_TYPES", "google_ads")
    cleaned = ads.validate({"conversion_id": "AW-123456789", "conversion_label": "abcDEF12"})
    # Defaults fill optional parameters.
    assert cleaned["value"] == "{{event.value}}"
    assert cleaned["currency"] == "{{event.currency}}"


def test_trigger_parameters():
    timer = get_type("TRIGGER_TYPES", "timer")
    assert timer.validate({"interval_ms": "1000"}) == {"interval_ms": 1000, "limit": 1}
    assert "interval_ms" in errors_of(timer, {"interval_ms": 5})
    scroll = get_type("TRIGGER_TYPES", "scroll_depth")
    assert scroll.validate({"percentages": "75, 25,50"}) == {"percentages": [25, 50, 75]}
    assert "percentages" in errors_of(scroll, {"percentages": [0, 50]})
    click = get_type("TRIGGER_TYPES", "click")
    assert "selector" in errors_of(click, {"selector": "a[href"})


def test_unknown_type_lists_known_ones():
    with pytest.raises(ValidationError) as info:
        get_type("TAG_TYPES", "matomo")
    assert "matomo" in info.value.messages[0] and "ga4" in info.value.messages[0]


class Matomo(registry.TagType):
    slug = "matomo"
    label = "Matomo"
    params = (registry.Param("site_id", "Site ID", kind="int", min_value=1),)


def test_types_are_an_extension_point():
    from tagmanager.conf import DEFAULTS

    with override_settings(
        TAGMANAGER={"TAG_TYPES": [*DEFAULTS["TAG_TYPES"], f"{__name__}.Matomo"]}
    ):
        assert get_type("TAG_TYPES", "matomo").validate({"site_id": "3"}) == {"site_id": 3}
    assert "matomo" not in tag_types()


def test_bad_dotted_path_is_improperly_configured():
    with (
        override_settings(TAGMANAGER={"TAG_TYPES": ["nowhere.Nothing"]}),
        pytest.raises(ImproperlyConfigured, match="nowhere.Nothing"),
    ):
        tag_types()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@given(slug=st.sampled_from(sorted(registry.load_types("TAG_TYPES"))), data=json_values)
def test_any_json_gives_cleaned_data_or_a_validation_error(slug, data):
    kind = get_type("TAG_TYPES", slug)
    try:
        cleaned = kind.validate(data)
    except ValidationError:
        return
    assert isinstance(cleaned, dict)
    assert set(cleaned) <= {p.name for p in kind.params}
