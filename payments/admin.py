"""The ledger in the admin: everyone looks, nobody edits (superusers included)."""

from django.contrib import admin
from django.db.models import Count, Max, Q, Sum

from .models import (
    ConnectedAccount,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    WebhookEvent,
)
from .money import format_amount


class LookOnly:
    """Append-only rows: corrections are new transactions, booked by payments.ledger."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerEntryInline(LookOnly, admin.TabularInline):
    model = LedgerEntry
    fields = ("account", "shown_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__artist")

    @admin.display(description="amount")
    def shown_amount(self, entry: LedgerEntry) -> str:
        return format_amount(entry.amount, entry.currency)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(LookOnly, admin.ModelAdmin):
    list_display = ("reference", "kind", "moved", "entry_count", "memo", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("reference", "memo")
    date_hierarchy = "created_at"
    inlines = (LedgerEntryInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                entry_count=Count("entries"),
                moved_amount=Sum("entries__amount", filter=Q(entries__amount__gt=0)),
                currency=Max("entries__currency"),  # one per transaction
            )
        )

    @admin.display(description="entries", ordering="entry_count")
    def entry_count(self, booked: LedgerTransaction) -> int:
        return booked.entry_count

    @admin.display(description="moved", ordering="moved_amount")
    def moved(self, booked: LedgerTransaction) -> str:
        return format_amount(booked.moved_amount or 0, booked.currency or "")


@admin.register(LedgerAccount)
class LedgerAccountAdmin(LookOnly, admin.ModelAdmin):
    list_display = ("__str__", "kind", "artist", "currency", "shown_balance")
    list_filter = ("kind", "currency")
    search_fields = ("artist__name", "artist__slug")
    list_select_related = ("artist",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance=Sum("entries__amount"))

    @admin.display(description="balance", ordering="balance")
    def shown_balance(self, account: LedgerAccount) -> str:
        return format_amount(account.balance or 0, account.currency)


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(LookOnly, admin.ModelAdmin):
    """Copied from Stripe (payments/connect.py): changed there, never here."""

    list_display = ("artist", "stripe_account_id", "payouts_ready", "updated_at")
    list_filter = ("payouts_enabled", "details_submitted")
    search_fields = ("stripe_account_id", "artist__name", "artist__slug")
    list_select_related = ("artist",)

    @admin.display(boolean=True)
    def payouts_ready(self, account: ConnectedAccount) -> bool:
        return account.payouts_ready


@admin.register(WebhookEvent)
class WebhookEventAdmin(LookOnly, admin.ModelAdmin):
    """What Stripe sent; an event with an error and no processed_at is still being retried."""

    list_display = ("stripe_id", "type", "received_at", "processed_at", "attempts", "last_error")
    list_filter = ("type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("stripe_id", "type")
    date_hierarchy = "received_at"
