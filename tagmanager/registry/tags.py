"""Built-in tag templates."""

from tagmanager.registry import TagType
from tagmanager.registry.params import Param

_EVENT_NAME = Param(
    "event_name",
    "Event name",
    required=False,
    help_text="Leave empty to send the standard event under the vendor's own name "
    "(page_view, add_to_cart, purchase, lead ...).",
    pattern=r"[\w .:-]{1,100}",
)
_VALUE = Param(
    "value",
    "Conversion value",
    kind="decimal",
    required=False,
    default="{{event.value}}",
    help_text="A number, or a variable such as {{event.value}}.",
)
_CURRENCY = Param(
    "currency",
    "Currency",
    required=False,
    default="{{event.currency}}",
    pattern=r"[A-Z]{3}",
    help_text="ISO 4217 code such as EUR, or a variable such as {{event.currency}}.",
)


class ImagePixel(TagType):
    slug = "image"
    label = "Image pixel"
    description = "Requests an image URL (a classic tracking pixel)."
    params = (
        Param(
            "url",
            "Pixel URL",
            kind="url",
            help_text="Absolute URL; {{variables}} are URL-encoded where they land.",
        ),
    )


class ScriptUrl(TagType):
    slug = "script"
    label = "Script URL"
    description = "Loads an external script with the page's CSP nonce."
    runs_code = True
    params = (
        Param("src", "Script URL", kind="url"),
        Param("async", "Load asynchronously", kind="bool", required=False, default=True),
    )


class CustomHtml(TagType):
    slug = "custom_html"
    label = "Custom HTML"
    description = "Inserts HTML into the page; scripts inside run with the page's CSP nonce."
    runs_code = True
    params = (
        Param(
            "html",
            "HTML",
            kind="html",
            max_length=65536,
            help_text="Inserted at the end of <body>. Scripts inside it run.",
        ),
    )


class GoogleAnalytics4(TagType):
    slug = "ga4"
    label = "Google Analytics 4"
    description = "Loads gtag.js and sends the event to a GA4 property."
    event_names = {
        "page_view": "page_view",
        "view_item": "view_item",
        "add_to_cart": "add_to_cart",
        "purchase": "purchase",
        "lead": "generate_lead",
    }
    params = (
        Param(
            "measurement_id",
            "Measurement ID",
            kind="id",
            pattern=r"G-[A-Z0-9]{4,16}",
            extra={"example": "G-ABC123XYZ9"},
        ),
        _EVENT_NAME,
        Param(
            "event_parameters",
            "Event parameters",
            kind="mapping",
            required=False,
            help_text='Extra parameters, e.g. {"content_group": "{{page_path}}"}.',
        ),
    )


class MetaPixel(TagType):
    slug = "meta_pixel"
    label = "Meta Pixel"
    description = "Loads fbevents.js and tracks the event for a Meta (Facebook) pixel."
    event_names = {
        "page_view": "PageView",
        "view_item": "ViewContent",
        "add_to_cart": "AddToCart",
        "purchase": "Purchase",
        "lead": "Lead",
    }
    params = (
        Param(
            "pixel_id",
            "Pixel ID",
            kind="id",
            pattern=r"\d{8,20}",
            extra={"example": "123456789012345"},
        ),
        _EVENT_NAME,
        _VALUE,
        _CURRENCY,
    )


class GoogleAdsConversion(TagType):
    slug = "google_ads"
    label = "Google Ads conversion"
    description = "Sends a conversion (with value and currency) to Google Ads through gtag.js."
    event_names = {"purchase": "conversion", "lead": "conversion", "add_to_cart": "conversion"}
    params = (
        Param(
            "conversion_id",
            "Conversion ID",
            kind="id",
            pattern=r"AW-\d{6,14}",
            extra={"example": "AW-123456789"},
        ),
        Param(
            "conversion_label",
            "Conversion label",
            kind="id",
            pattern=r"[\w-]{4,64}",
            extra={"example": "AbC-D_efG-h12_34-567"},
        ),
        _VALUE,
        _CURRENCY,
        Param(
            "transaction_id",
            "Transaction ID",
            required=False,
            default="{{event.order_id}}",
            help_text="Deduplicates conversions; usually {{event.order_id}}.",
        ),
    )


class TikTokPixel(TagType):
    slug = "tiktok"
    label = "TikTok Pixel"
    description = "Loads the TikTok pixel and tracks the event."
    event_names = {
        "page_view": "Pageview",
        "view_item": "ViewContent",
        "add_to_cart": "AddToCart",
        "purchase": "CompletePayment",
        "lead": "SubmitForm",
    }
    params = (
        Param(
            "pixel_id",
            "Pixel ID",
            kind="id",
            pattern=r"[A-Z0-9]{10,30}",
            extra={"example": "C4ABCDEFGHIJ1234567"},
        ),
        _EVENT_NAME,
        _VALUE,
        _CURRENCY,
    )


class LinkedInInsight(TagType):
    slug = "linkedin"
    label = "LinkedIn Insight"
    description = "Loads the LinkedIn Insight tag; with a conversion ID, tracks that conversion."
    params = (
        Param(
            "partner_id",
            "Partner ID",
            kind="id",
            pattern=r"\d{3,12}",
            extra={"example": "1234567"},
        ),
        Param(
            "conversion_id",
            "Conversion ID",
            kind="id",
            required=False,
            pattern=r"\d{3,12}",
            help_text="Optional: send this conversion instead of a page view.",
        ),
    )
