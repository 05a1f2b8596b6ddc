from tagmanager.models.consent import ConsentCategory, ConsentNotice, ConsentRecord
from tagmanager.models.containers import Container, ContainerVersion
from tagmanager.models.logs import DeadLetter, FireEvent
from tagmanager.models.rollups import (
    ConsentDaily,
    FireDuplicateDaily,
    FireEventDaily,
    RefusedDaily,
    RollupDay,
)
from tagmanager.models.tags import Tag, Trigger, Variable

__all__ = [
    "Container",
    "ContainerVersion",
    "ConsentCategory",
    "ConsentDaily",
    "ConsentNotice",
    "ConsentRecord",
    "DeadLetter",
    "FireDuplicateDaily",
    "FireEvent",
    "FireEventDaily",
    "RefusedDaily",
    "RollupDay",
    "Tag",
    "Trigger",
    "Variable",
]
