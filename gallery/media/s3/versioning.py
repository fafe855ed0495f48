"""Whether a deletion in the bucket really deletes: with versioning on, the bytes of deleted,
withdrawn and covered images stay behind as old versions unless a lifecycle rule expires
them (`flask fsck` warns; README "Media in object storage")."""

from __future__ import annotations

from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from .connection import error_code


class Bucket(Protocol):
    """What the check needs of a store: its client, bucket and prefix."""

    bucket: str
    prefix: str

    @property
    def client(self) -> Any: ...


def versioning_warning(store: Bucket) -> str | None:
    """Why deleted images may stay in the bucket, or None: with versioning on (or
    suspended after being on), a deletion only hides an object behind a delete marker
    and its bytes stay retrievable by version id, unless a lifecycle rule that covers
    the prefix expires noncurrent versions within a day (README "Media in object
    storage")."""
    try:
        status = store.client.get_bucket_versioning(Bucket=store.bucket).get("Status")
        if status not in ("Enabled", "Suspended") or _old_versions_expire(store):
            return None
    except (ClientError, BotoCoreError) as exc:
        return f"could not check the bucket's versioning ({error_code(exc)})"
    return (
        f"versioning is {status.lower()} on the bucket {store.bucket}: deleted, withdrawn "
        "and covered images stay retrievable as old versions. Turn versioning off, or add "
        "a lifecycle rule that expires noncurrent versions after 1 day"
    )


def _old_versions_expire(store: Bucket) -> bool:
    try:
        rules = store.client.get_bucket_lifecycle_configuration(Bucket=store.bucket)["Rules"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchLifecycleConfiguration":
            return False
        raise
    for rule in rules:
        found = rule.get("Filter", {})
        prefix = found.get("Prefix", found.get("And", {}).get("Prefix", rule.get("Prefix", "")))
        days = rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
        if (
            rule.get("Status") == "Enabled"
            and store.prefix.startswith(prefix or "")
            and days is not None
            and days <= 1
        ):
            return True
    return False
