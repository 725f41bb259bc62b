from __future__ import annotations

from rest_framework import serializers

from core.api.base import StrictSerializerMixin

from ..models import (
    BODY_MAX,
    SUBJECT_MAX,
    Message,
    Ticket,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)


class TicketSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    # Empty when the requester is a user: a plain string, not an "email" that must be valid.
    requester_email = serializers.CharField(read_only=True)
    description_html = serializers.CharField(
        read_only=True, help_text="The Markdown description rendered and sanitised."
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "customer",
            "subject",
            "description",
            "description_html",
            "category",
            "priority",
            "status",
            "requester",
            "requester_email",
            "opened_by",
            "assignee",
            "asset",
            "location",
            "merged_into",
            "created_at",
            "last_activity_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_policy",
            "first_response_due_at",
            "resolution_due_at",
            "first_response_breached_at",
            "resolution_breached_at",
            "rating",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = fields


class TicketCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    """A ticket opened on a company's behalf."""

    customer = serializers.IntegerField()
    subject = serializers.CharField(max_length=SUBJECT_MAX)
    description = serializers.CharField(max_length=BODY_MAX)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    requester_email = serializers.EmailField(required=False, allow_blank=True, default="")
    asset = serializers.IntegerField(required=False, allow_null=True, default=None)
    location = serializers.IntegerField(required=False, allow_null=True, default=None)


class TicketUpdateSerializer(StrictSerializerMixin, serializers.Serializer):
    """Status (with a reason), priority, category, assignee (null: nobody)."""

    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    assignee = serializers.IntegerField(required=False, allow_null=True)


class MessageSerializer(serializers.ModelSerializer):
    author_email = serializers.CharField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author",
            "author_email",
            "body",
            "body_html",
            "is_internal",
            "source",
            "from_staff",
            "created_at",
        ]
        read_only_fields = fields


class ReplySerializer(StrictSerializerMixin, serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX)
    internal = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(
        choices=TicketStatus.choices,
        required=False,
        default="",
        help_text="Where a public reply leaves the ticket (default: waiting on customer).",
    )


class MergeSerializer(StrictSerializerMixin, serializers.Serializer):
    into = serializers.IntegerField(help_text="The ticket this one repeats.")
