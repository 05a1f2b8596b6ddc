from tagmanager.models.consent import ConsentCategory, ConsentNotice, ConsentRecord
from tagmanager.models.containers import Container, ContainerVersion
from tagmanager.models.logs import FireEvent
from tagmanager.models.tags import Tag, Trigger, Variable

__all__ = [
    "Container",
    "ContainerVersion",
    "ConsentCategory",
    "ConsentNotice",
    "ConsentRecord",
    "FireEvent",
    "Tag",
    "Trigger",
    "Variable",
]
