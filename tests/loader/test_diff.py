import copy

from tagmanager.loader.diff import config_diff


def config(**overrides) -> dict:
    base = {
        "key": "shop",
        "consent": {
            "revision": 1,
            "lifetimeDays": 180,
            "cookie": "tm_consent",
            "cookieDomain": "",
            "gpc": True,
            "regionDefaults": [],
            "defaultLocale": "en",
            "texts": {"en": {"title": "Privacy"}},
            "categories": [
                {"slug": "necessary", "required": True, "signals": [], "names": {"en": "N"}},
                {"slug": "marketing", "required": False, "signals": ["ad_storage"], "names": {}},
            ],
        },
        "variables": [{"name": "plan", "type": "cookie", "params": {"name": "plan"}}],
        "triggers": [
            {"id": 1, "name": "All pages", "type": "page_view", "params": {}, "conditions": []},
            {
                "id": 2,
                "name": "Buy",
                "type": "custom_event",
                "params": {"event_name": "purchase"},
                "conditions": [],
            },
        ],
        "tags": [
            {
                "id": 10,
                "name": "Meta",
                "type": "meta_pixel",
                "params": {"pixel_id": "12345678"},
                "categories": ["marketing"],
                "triggers": [1],
                "blocking": [],
                "limit": "unlimited",
                "priority": 0,
            },
        ],
        "events": {},
    }
    base.update(overrides)
    return base


def test_identical_configurations_are_empty():
    assert config_diff(config(), config())["empty"] is True


def test_first_publish_lists_everything_as_added_and_no_settings():
    diff = config_diff(None, config())
    assert [t["name"] for t in diff["tags"]["added"]] == ["Meta"]
    assert [t["name"] for t in diff["triggers"]["added"]] == ["All pages", "Buy"]
    assert [c["key"] for c in diff["categories"]["added"]] == ["marketing", "necessary"]
    assert diff["settings"] == {} and diff["empty"] is False


def test_added_removed_and_changed_items_with_readable_trigger_names():
    before = config()
    after = copy.deepcopy(before)
    after["tags"][0]["params"] = {"pixel_id": "87654321"}
    after["tags"][0]["triggers"] = [1, 2]
    after["tags"][0]["name"] = "Meta Pixel"
    after["tags"].append({**after["tags"][0], "id": 11, "name": "TikTok"})
    del after["triggers"][0]["conditions"]
    after["variables"] = []
    after["consent"]["categories"][1]["signals"] = ["ad_storage", "ad_user_data"]
    after["consent"]["revision"] = 2
    diff = config_diff(before, after)

    assert diff["tags"]["added"] == [{"key": 11, "name": "TikTok"}]
    (meta,) = diff["tags"]["changed"]
    assert meta["name"] == "Meta Pixel"
    assert meta["fields"]["params"] == [{"pixel_id": "12345678"}, {"pixel_id": "87654321"}]
    assert meta["fields"]["triggers"] == [["All pages"], ["All pages", "Buy"]]
    assert meta["fields"]["name"] == ["Meta", "Meta Pixel"]
    assert diff["triggers"]["changed"][0]["fields"] == {"conditions": [[], None]}
    assert diff["variables"]["removed"] == [{"key": "plan", "name": "plan"}]
    assert diff["categories"]["changed"][0]["fields"]["signals"][1] == [
        "ad_storage",
        "ad_user_data",
    ]
    assert diff["settings"] == {"revision": [1, 2]}
    assert diff["empty"] is False


def test_version_stamps_are_not_differences():
    published = {**config(), "v": 1, "version": 7, "hash": "abc"}
    assert config_diff(published, config())["empty"] is True
