from tagmanager.registry import TagType
from tagmanager.registry.params import Param


class Confetti(TagType):
    """Throws confetti on the page: a tag type defined outside tagmanager."""

    slug = "confetti"
    label = "Confetti"
    params = (Param("colour", "Colour", required=True),)
    browser_module = "confetti.js"  # beside this file


class Invisible(TagType):
    """A tag type without browser code: publishing refuses it."""

    slug = "invisible"
    label = "Invisible"
    params = ()
