from tagmanager.models.consent import ConsentCategory, ConsentNotice, ConsentRecord
from tagmanager.models.containers import Container, ContainerVersion
from tagmanager.models.logs import DeadLetter, FireEvent, FireEventDaily
from tagmanager.models.tags import Tag, Trigger, Variable

__all__ = [
    "Container",
    "ContainerVersion",
    "ConsentCategory",
    "ConsentNotice",
    "ConsentRecord",
    "DeadLetter",
    "FireEvent",
    "FireEventDaily",
    "Tag",
    "Trigger",
    "Variable",
]
