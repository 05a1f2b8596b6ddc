"""Publish a container's draft as an immutable version; roll back by republishing a snapshot."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tagmanager.loader.config import config_code_problems, config_finalize, config_problems
from tagmanager.loader.serve import loader_cache_refresh
from tagmanager.models import Container, ContainerVersion
from tagmanager.selectors import container_draft_config


def _snapshot(
    *, container: Container, draft: dict, author, notes: str, rollback_of=None
) -> ContainerVersion:
    # Lock the container row so two publishers cannot take the same version number.
    Container.objects.select_for_update().filter(pk=container.pk).first()
    number = (container.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    config = config_finalize(draft, version=number)
    version = ContainerVersion.objects.create(
        container=container,
        number=number,
        config=config,
        content_hash=config["hash"],
        notes=notes,
        author=author if author is not None and author.is_authenticated else None,
        author_name=author.get_username() if author is not None and author.is_authenticated else "",
        rollback_of=rollback_of,
    )
    container.live_version = version
    container.save(update_fields=["live_version", "updated_at"])
    transaction.on_commit(lambda: loader_cache_refresh(key=container.key))
    return version


@transaction.atomic
def container_publish(*, container: Container, author=None, notes: str = "") -> ContainerVersion:
    """Validate the draft and make it the live version.

    Raises ``ValidationError`` listing every problem (bad tag parameters, unknown variables,
    tags without a category or trigger ...); nothing is published then.

    >>> container_publish(container=shop, author=request.user, notes="Add TikTok")
    """
    draft = container_draft_config(container=container)
    problems = config_problems(draft)
    if problems:
        raise ValidationError(problems)
    return _snapshot(container=container, draft=draft, author=author, notes=notes)


@transaction.atomic
def container_rollback(
    *, container: Container, version: ContainerVersion, author=None, notes: str = ""
) -> ContainerVersion:
    """Publish an older version's snapshot again, as a new version number.

    Raises ``ValidationError`` when the snapshot has a vendor id or URL host that is not fixed
    (published before that rule): it would let a page's URL or cookie choose code.
    """
    if version.container_id != container.pk:
        raise ValidationError("That version belongs to another container.")
    draft = {k: v for k, v in version.config.items() if k not in ("v", "version", "hash")}
    problems = config_code_problems(draft)
    if problems:
        raise ValidationError(problems)
    return _snapshot(
        container=container,
        draft=draft,
        author=author,
        notes=notes or f"Rollback to version {version.number}",
        rollback_of=version,
    )
