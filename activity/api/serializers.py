from __future__ import annotations

from rest_framework import serializers

from core.api.base import StrictSerializerMixin

from ..models import RECORD_FIELDS, Entry, EntryKind

RECORD_CHOICE_HELP = "Exactly one of customer, location or asset (ids)."


class EntrySerializer(serializers.ModelSerializer):
    body_html = serializers.CharField(
        read_only=True, help_text="The Markdown body rendered and sanitised."
    )

    class Meta:
        model = Entry
        fields = [
            "id",
            "kind",
            "customer",
            "location",
            "asset",
            "author",
            "occurred_at",
            "title",
            "body",
            "body_html",
            "mentions",
            "duration_minutes",
            "contact",
            "outcome",
            "assignee",
            "due_date",
            "remind_at",
            "reminder_sent_at",
            "completed_at",
            "completed_by",
            "shared_with_portal",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EntryCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    """A note, a call or meeting, or a task on exactly one customer, location or asset. A task
    needs ``title``, ``assignee`` and ``due_date``; a note needs ``body``."""

    kind = serializers.ChoiceField(choices=EntryKind.choices)
    customer = serializers.IntegerField(
        required=False, allow_null=True, help_text=RECORD_CHOICE_HELP
    )
    location = serializers.IntegerField(required=False, allow_null=True)
    asset = serializers.IntegerField(required=False, allow_null=True)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    shared_with_portal = serializers.BooleanField(required=False, default=False)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=24 * 60
    )
    contact = serializers.IntegerField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    remind_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        chosen = [name for name in RECORD_FIELDS if attrs.get(name) is not None]
        if len(chosen) != 1:
            raise serializers.ValidationError(
                {"detail": ["Name exactly one record: customer, location or asset."]}
            )
        attrs["record_type"], attrs["record_id"] = chosen[0], attrs[chosen[0]]
        if attrs["kind"] == EntryKind.TASK and attrs.get("due_date") is None:
            raise serializers.ValidationError({"due_date": ["Enter a due date."]})
        return attrs


class EntryUpdateSerializer(StrictSerializerMixin, serializers.Serializer):
    """What may change: the text and sharing of any entry; a call's or meeting's details; a
    task's title, assignee, due date and reminder."""

    body = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    shared_with_portal = serializers.BooleanField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    occurred_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=24 * 60
    )
    contact = serializers.IntegerField(required=False, allow_null=True)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=300)
    assignee = serializers.IntegerField(required=False)
    due_date = serializers.DateField(required=False)
    remind_at = serializers.DateTimeField(required=False, allow_null=True)
