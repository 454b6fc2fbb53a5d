"""The activity log: one row per change, written in the change's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class Category(models.TextChoices):
    USER = "USER", "User"
    ACCOUNT = "ACCOUNT", "Account"
    ASSET = "ASSET", "Asset"
    BUSINESS = "BUSINESS", "Business"


class AuditEventManager(models.Manager["AuditEvent"]):
    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any
                    ) -> list[AuditEvent]:
        """Write the events and their twins in other logs (``AuditEvent.twins``): a service
        that logs many changes at once with ``bulk_create(build(...))`` cannot forget the
        owner's copy of a change made to its asset from a partner Business Center.
        Returns every row written, twins after the events."""
        events = list(objs)
        twins = [twin for event in events for twin in getattr(event, "twins", ())]
        return self.get_queryset().bulk_create([*events, *twins], *args, **kwargs)


class AuditEvent(models.Model):
    center = models.ForeignKey(
        "centers.BusinessCenter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the log still reads right after a user is deleted or renamed.
    actor_label = models.CharField(max_length=300)
    category = models.CharField(max_length=16, choices=Category.choices)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=16, default="system")
    created_at = models.DateTimeField(db_index=True)
    # Set on the copy of an event kept in another Business Center's log: the one the
    # person acted from. A partner's Admin edits the brand's campaign from the agency;
    # the brand's log holds the event too, with acting_center = the agency.
    acting_center = models.ForeignKey(
        "centers.BusinessCenter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditEventManager()
    # Unsaved copies of this event for other logs, made by audit.services.build and
    # written with it by record() or bulk_create (not a column).
    twins: list[AuditEvent]

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["center", "-created_at"], name="audit_center_time"),
            models.Index(
                fields=["center", "category", "-created_at"], name="audit_center_cat_time"
            ),
            models.Index(fields=["center", "actor", "-created_at"], name="audit_center_actor_time"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
        )

    @property
    def summary(self) -> str:
        """The event as a sentence for people (see ``audit.catalogue``)."""
        from bizcenter.audit.catalogue import describe

        return describe(self)

    @property
    def details(self) -> list[tuple[str, str, str]]:
        """Each recorded field as (name, before, after), values as JSON text."""
        from bizcenter.audit.catalogue import details

        return details(self)
