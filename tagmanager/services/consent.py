"""Record consent decisions as append-only proof (GDPR Art. 7(1))."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tagmanager.models import ConsentNotice, ConsentRecord, Container, ContainerVersion
from tagmanager.payloads import ConsentData, ip_truncate
from tagmanager.services.sealing import notice_sha256


def notice_locale(consent_config: dict, requested: str) -> str:
    """The language the runtime showed: the full tag, its primary subtag, else the default."""
    texts = consent_config["texts"]
    for candidate in (requested, requested.split("-")[0]):
        if candidate in texts:
            return candidate
    return consent_config["defaultLocale"]


def notice_texts(consent_config: dict, locale: str) -> dict:
    """Exactly what the banner displays in ``locale``: its texts and each category's."""

    def pick(values: dict) -> str:
        return values.get(locale) or values.get(consent_config["defaultLocale"]) or ""

    return {
        "banner": consent_config["texts"].get(locale, {}),
        "categories": [
            {
                "slug": c["slug"],
                "required": c["required"],
                "name": pick(c["names"]),
                "description": pick(c["descriptions"]),
            }
            for c in consent_config["categories"]
        ],
    }


def consent_notice_get_or_create(
    *, container: Container, revision: int, locale: str, texts: dict
) -> ConsentNotice:
    digest = notice_sha256(texts)
    notice, _ = ConsentNotice.objects.get_or_create(
        container=container,
        sha256=digest,
        defaults={"revision": revision, "locale": locale, "texts": texts},
    )
    return notice


class ConsentIdTaken(Exception):
    """A decision reuses the consent id of a stored record with other content (a resend is
    the same decision again): the visitor's browser never does that, so it is refused."""


def consent_record_create(
    *, container: Container, data: ConsentData, ip: str | None, user_agent: str
) -> ConsentRecord:
    """Store one decision. Posting the same decision again (the runtime retries until the
    server has it) returns the stored record, also when two copies race: the database holds
    one record per consent id and container. The same consent id with other content raises
    ConsentIdTaken.

    The notice is rebuilt from the published version the visitor's loader carried, so the
    record points at the exact text shown. Only the truncated IP is kept, and of the link proof
    only hashes (see ``tagmanager.services.export.previous_proven``).
    """
    existing = ConsentRecord.objects.filter(container=container, consent_id=data.consent_id)
    if record := existing.select_related("notice").first():
        return _resent(record, data)
    try:
        with transaction.atomic():
            return _record_create(container=container, data=data, ip=ip, user_agent=user_agent)
    except IntegrityError:
        if record := existing.select_related("notice").first():
            return _resent(record, data)
        raise


def _resent(record: ConsentRecord, data: ConsentData) -> ConsentRecord:
    """``record`` when ``data`` is the same decision sent again, else ConsentIdTaken."""
    required = {c["slug"] for c in record.notice.texts.get("categories", []) if c["required"]}
    categories = {s: s in required or data.categories.get(s, False) for s in record.categories}
    same = (
        set(data.categories) <= set(record.categories)
        and categories == record.categories
        and (data.action, data.source, data.gpc, data.page_url)
        == (record.action, record.source, record.gpc, record.page_url)
        and (data.previous_consent_id or "") == str(record.previous_consent_id or "")
        and (data.secret_sha256, data.previous_secret_sha256)
        == (record.secret_sha256, record.previous_secret_sha256)
    )
    if not same:
        raise ConsentIdTaken(
            f"Consent id {data.consent_id} is already recorded for another decision."
        )
    return record


def _record_create(
    *, container: Container, data: ConsentData, ip: str | None, user_agent: str
) -> ConsentRecord:
    versions = ContainerVersion.objects.filter(container=container)
    version = (
        versions.filter(number=data.version).first()
        if data.version is not None
        else container.live_version
    )
    if version is None:
        raise ValidationError("Unknown version of this container.")
    consent = version.config["consent"]
    slugs = [c["slug"] for c in consent["categories"]]
    unknown = sorted(set(data.categories) - set(slugs))
    if unknown:
        raise ValidationError(f"Unknown categories: {', '.join(unknown)}.")
    required = {c["slug"] for c in consent["categories"] if c["required"]}
    categories = {slug: slug in required or data.categories.get(slug, False) for slug in slugs}
    locale = notice_locale(consent, data.locale)
    notice = consent_notice_get_or_create(
        container=container,
        revision=consent["revision"],
        locale=locale,
        texts=notice_texts(consent, locale),
    )
    now = timezone.now()
    return ConsentRecord.objects.create(
        consent_id=data.consent_id,
        previous_consent_id=data.previous_consent_id,
        container=container,
        revision=consent["revision"],
        notice=notice,
        categories=categories,
        action=data.action,
        source=data.source,
        gpc=data.gpc,
        created_at=now,
        expires_at=now + timedelta(days=consent["lifetimeDays"]),
        page_url=data.page_url,
        # Headers are the client's: keep only text the database can store.
        user_agent=user_agent[:512].replace("\x00", "").encode("utf-8", "replace").decode(),
        ip_truncated=ip_truncate(ip),
        secret_sha256=data.secret_sha256,
        previous_secret_sha256=data.previous_secret_sha256,
    )
