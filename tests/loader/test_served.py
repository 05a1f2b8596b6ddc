"""What the browser gets of a version's configuration (config_served)."""

from tagmanager.loader.config import config_finalize, config_served, event_names_reachable
from tests.loader.test_config import base_config

META = {"page_view": "PageView", "purchase": "Purchase", "lead": "Lead"}
GA4 = {"page_view": "page_view", "purchase": "purchase", "lead": "generate_lead"}


def with_tags(*tags, triggers=None) -> dict:
    config = base_config()
    config["triggers"] = triggers or [
        {"id": 1, "name": "All", "type": "page_view", "params": {}, "conditions": []},
        {
            "id": 2,
            "name": "Buy",
            "type": "custom_event",
            "params": {"event_name": "purchase"},
            "conditions": [],
        },
        {"id": 3, "name": "Click", "type": "click", "params": {"selector": "a"}, "conditions": []},
    ]
    config["tags"] = [
        {**base_config()["tags"][0], "id": n, "type": kind, "triggers": fired}
        for n, (kind, fired) in enumerate(tags, start=1)
    ]
    config["events"] = {"meta_pixel": META, "ga4": GA4}
    return config_finalize(config, version=4)


def test_server_only_fields_are_left_out():
    config = with_tags(("image", [1]))
    served = config_served(config)
    assert "hash" not in served and "v" not in served and served["version"] == 4
    assert all("name" not in t for t in served["triggers"] + served["tags"])
    assert all("priority" not in t for t in served["tags"])
    assert config["v"] == 1 and "hash" in config  # the stored version is untouched


def test_false_category_flags_are_left_out_true_ones_kept():
    necessary, marketing = config_served(with_tags(("image", [1])))["consent"]["categories"]
    assert necessary["required"] is True and "saleSharing" not in necessary
    assert marketing["saleSharing"] is True and "required" not in marketing
    assert necessary["cookies"] == [] and necessary["signals"] == []


def test_event_names_only_for_events_the_tags_can_see():
    served = config_served(with_tags(("meta_pixel", [1, 2]), ("ga4", [1, 3])))
    # Meta: page views and purchases; never lead. GA4: its names equal the standard ones.
    assert served["events"] == {"meta_pixel": {"page_view": "PageView", "purchase": "Purchase"}}


def test_no_event_names_when_no_tag_of_the_type_can_use_them():
    served = config_served(with_tags(("meta_pixel", [3])))
    assert served["events"] == {}


def test_reachable_event_names():
    config = with_tags(("meta_pixel", [1, 2, 99]), ("image", [3]))
    assert event_names_reachable(config) == {
        "meta_pixel": {"page_view", "purchase"},
        "image": {"click"},
    }
