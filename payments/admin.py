"""The ledger in the admin: everyone looks, nobody edits (superusers included)."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from .models import (
    Clawback,
    ConnectedAccount,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    PriceTag,
    Purchase,
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


class FailedFilter(admin.SimpleListFilter):
    title = "failed"
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Failed, not processed"),
            ("given_up", "Given up: the sweep stopped, a person decides"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=True).exclude(last_error="")
        if self.value() == "given_up":
            return queryset.filter(
                processed_at__isnull=True, sweeps__gte=settings.WEBHOOK_SWEEP_LIMIT
            )
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(LookOnly, admin.ModelAdmin):
    """What Stripe sent; an event with an error and no processed_at is still being retried."""

    list_display = (
        "stripe_id", "type", "received_at", "processed_at", "attempts", "sweeps", "given_up",
        "last_error",
    )  # fmt: skip
    list_filter = (FailedFilter, "type", ("processed_at", admin.EmptyFieldListFilter))
    actions = ("retry_events",)

    @admin.display(boolean=True, description="given up")
    def given_up(self, event: WebhookEvent) -> bool:
        return event.given_up

    @admin.action(description="Retry the selected unprocessed events")
    def retry_events(self, request, queryset):
        from .tasks import process_webhook_event

        ids = list(queryset.filter(processed_at__isnull=True).values_list("id", flat=True))
        for pk in ids:
            process_webhook_event.delay(pk)  # a processed event does nothing
        self.message_user(request, f"{len(ids)} event(s) queued again.", messages.SUCCESS)

    search_fields = ("stripe_id", "type")
    date_hierarchy = "received_at"


@admin.register(Payout)
class PayoutAdmin(LookOnly, admin.ModelAdmin):
    """Made by payments.payouts only; an admin can run them now or retry a pending one."""

    list_display = ("id", "artist", "shown_amount", "status", "stripe_transfer_id", "attempts")
    list_filter = ("status", "currency")
    search_fields = ("artist__name", "artist__slug", "stripe_transfer_id")
    list_select_related = ("artist",)
    readonly_fields = [field.name for field in Payout._meta.fields]
    actions = ("run_payouts_now", "retry_payouts")

    @admin.display(description="amount", ordering="amount")
    def shown_amount(self, payout: Payout) -> str:
        return format_amount(payout.amount, payout.currency)

    def changelist_view(self, request, extra_context=None):
        # Django runs an action only on a selection; "run payouts now" needs none (the very
        # first run has no payouts to select), so an empty selection is filled in for it.
        post = request.POST
        if post.get("action") == "run_payouts_now" and not post.getlist(
            helpers.ACTION_CHECKBOX_NAME
        ):
            data = post.copy()
            data[helpers.ACTION_CHECKBOX_NAME] = "0"
            data["select_across"] = "1"
            request.POST = data
        return super().changelist_view(request, extra_context)

    @admin.action(description="Run payouts now (every ready artist; the selection is ignored)")
    def run_payouts_now(self, request, queryset):
        from .tasks import run_payouts

        run_payouts.delay()
        self.message_user(request, "Payouts are running.", messages.SUCCESS)

    def get_urls(self):
        run = self.admin_site.admin_view(require_POST(self.run_view))
        return [path("run/", run, name="payments_payout_run"), *super().get_urls()]

    def run_view(self, request):
        """The "Run payouts now" button above the list (templates/admin/payments/payout/)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        self.run_payouts_now(request, Payout.objects.none())
        return redirect("admin:payments_payout_changelist")

    @admin.action(description="Retry the selected payouts")
    def retry_payouts(self, request, queryset):
        """A pending payout is sent again under its own key (Stripe never pays it twice); a
        failed one gave its money back to the balance, which a new payout then carries."""
        from . import payouts

        artist_ids = list(
            queryset.filter(status__in=[Payout.Status.PENDING, Payout.Status.FAILED])
            .values_list("artist_id", flat=True)
            .distinct()
        )
        done = payouts.run_payouts(artist_ids=artist_ids)
        sent = sum(payout.status == Payout.Status.SENT for payout in done)
        self.message_user(request, f"{sent} of {len(done)} payout(s) sent.", messages.INFO)


@admin.register(Clawback)
class ClawbackAdmin(LookOnly, admin.ModelAdmin):
    """Money taken back from a sent payout after a refund or a dispute."""

    list_display = ("id", "payout", "source", "amount", "status", "stripe_reversal_id")
    list_filter = ("status",)
    search_fields = ("source", "stripe_reversal_id")
    list_select_related = ("payout__artist",)


# --- Fans paying: what Stripe confirmed, so nobody edits it here -------------------------------


@admin.register(Payment)
class PaymentAdmin(LookOnly, admin.ModelAdmin):
    """Written by payments.checkout, marked paid by payments.booking from Stripe's own answer.
    A refund goes through Stripe (its charge.refunded event books it), never an edit here."""

    list_display = (
        "id", "kind", "status", "fan", "artist", "shown_amount", "shown_fee", "payment_intent_id",
        "created_at", "paid_at",
    )  # fmt: skip
    list_filter = ("status", "kind", "currency", "created_at")
    search_fields = (
        "payment_intent_id", "checkout_session_id", "fan__email", "fan__username",
        "artist__name", "artist__slug",
    )  # fmt: skip
    list_select_related = ("fan", "artist")
    date_hierarchy = "created_at"
    readonly_fields = ["shown_amount", "shown_fee", *(field.name for field in Payment._meta.fields)]

    @admin.display(description="amount", ordering="amount")
    def shown_amount(self, payment: Payment) -> str:
        return format_amount(payment.amount, payment.currency)

    @admin.display(description="Stripe's fee", ordering="fee")
    def shown_fee(self, payment: Payment) -> str:
        return "" if payment.fee is None else format_amount(payment.fee, payment.currency)


@admin.register(Purchase)
class PurchaseAdmin(LookOnly, admin.ModelAdmin):
    """What a paid sale unlocked; made once by payments.booking with its payment."""

    list_display = ("id", "fan", "track", "release", "payment", "shown_amount", "created_at")
    list_filter = ("created_at",)
    search_fields = (
        "fan__email", "fan__username", "track__title", "release__title",
        "payment__payment_intent_id",
    )  # fmt: skip
    list_select_related = ("fan", "track", "release", "payment")
    date_hierarchy = "created_at"
    readonly_fields = ["shown_amount", *(field.name for field in Purchase._meta.fields)]

    @admin.display(description="paid", ordering="payment__amount")
    def shown_amount(self, purchase: Purchase) -> str:
        return format_amount(purchase.payment.amount, purchase.payment.currency)


@admin.register(PriceTag)
class PriceTagAdmin(LookOnly, admin.ModelAdmin):
    """Prices are the artist's to set (Studio → Price); a work is taken off sale by taking it
    down, not by changing its price behind the artist's back."""

    list_display = ("id", "track", "release", "shown_price", "shown_minimum", "updated_at")
    list_filter = ("currency", ("price", admin.EmptyFieldListFilter))
    search_fields = (
        "track__title",
        "release__title",
        "track__artist__name",
        "release__artist__name",
    )
    list_select_related = ("track", "release")
    readonly_fields = [
        "shown_price",
        "shown_minimum",
        *(field.name for field in PriceTag._meta.fields),
    ]

    @admin.display(description="price", ordering="price")
    def shown_price(self, tag: PriceTag) -> str:
        return "not for sale" if tag.price is None else format_amount(tag.price, tag.currency)

    @admin.display(description="name your price from", ordering="minimum")
    def shown_minimum(self, tag: PriceTag) -> str:
        return "" if tag.minimum is None else format_amount(tag.minimum, tag.currency)
