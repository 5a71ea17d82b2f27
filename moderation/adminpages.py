"""Admin pieces every moderating admin shares: the page asking for the note an action needs
(the report queue's actions, and take down / restore of tracks, playlists and timed comments),
and columns linking a row to the thing it is about."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from .forms import NoteForm
from .selectors import admin_url, public_url, target_of, targets_of


def note_form(request, *, required_message: str = "") -> NoteForm:
    """Bound once a note was posted (the note page's own submit, or a note typed in an action
    bar); unbound, for the first look at the page, when none was."""
    posted = request.method == "POST" and (
        "confirm" in request.POST or request.POST.get("note", "") != ""
    )
    form = NoteForm(request.POST if posted else None)
    if required_message:
        form.fields["note"].error_messages["required"] = required_message
    return form


def note_page(request, model_admin, *, form: NoteForm, title: str, objects, action: str = ""):
    """The intermediate page: what will change, and the note. With `action` it posts back to
    the changelist as that admin action on the same rows; without, to the page's own URL."""
    return TemplateResponse(
        request,
        "admin/moderation/note_action.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "objects": objects,
            "action": action,
            "selected": [obj.pk for obj in objects],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": model_admin.model._meta,
        },
        status=400 if form.is_bound else 200,
    )


def noted_action(
    model_admin,
    request,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    run: Callable[[object, str], None],
    done: str | Callable[[int], str],
    required_message: str = "",
):
    """An admin action that needs a note: the note page until one is given, then `run(obj,
    note)` for each selected row. A row `run` refuses (ValidationError) is reported by name and
    the others still go through; `done` is the message, formatted with (or made from) the count."""
    form = note_form(request, required_message=required_message)
    if not form.is_valid():
        return note_page(
            request, model_admin, form=form, title=title, objects=queryset, action=action
        )
    count = 0
    for obj in queryset:
        try:
            run(obj, form.cleaned_data["note"])
        except ValidationError as refusal:
            model_admin.message_user(request, f"{obj}: {refusal.messages[0]}", messages.WARNING)
        else:
            count += 1
    text = done(count) if callable(done) else done.format(count=count)
    model_admin.message_user(request, text, messages.SUCCESS)
    return None


def _about(row):
    """The row whose target_* fields say what `row` is about: an audit entry of a warning, a
    suspension or a dismissal names no target itself, its report does."""
    report = getattr(row, "report", None) if hasattr(row, "report_id") else None
    if row.target_type_id is None and report is not None:
        return report
    return row


class TargetChangeList(ChangeList):
    """Fetches the page's targets with one query per kind, not one per row."""

    def get_results(self, request):
        super().get_results(request)
        found = targets_of([_about(row) for row in self.result_list])
        for row in self.result_list:
            about = _about(row)
            row.loaded_target = found.get((about.target_type_id, about.target_id))


class TargetColumns:
    """For admins of rows with target_type / target_id / target_label (reports, audit log)."""

    def get_changelist(self, request, **kwargs):
        return TargetChangeList

    def target_links(self, row) -> str:
        about = _about(row)
        if about.target_type_id is None:
            return "—"
        # The changelist loaded it; a change page has one row, and one query is fine.
        target = row.loaded_target if hasattr(row, "loaded_target") else target_of(about)
        if target is None:
            return format_html("{} <em>(deleted)</em>", about.target_label)
        links = [("public page", public_url(target)), ("admin", admin_url(target))]
        return format_html(
            "{} ({})",
            about.target_label,
            format_html_join(
                " · ", '<a href="{}">{}</a>', ((url, name) for name, url in links if url)
            ),
        )

    target_links.short_description = "reported thing"


def moderation_action(
    name: str,
    *,
    restore: bool,
    hidden_field: str,
    description: str,
    title: str,
    done: str | Callable[[int], str],
    required_message: str = "",
):
    """The admin action `name` taking down (or, with restore=True, restoring) the selected rows
    not already so (`hidden_field` is null while shown) through moderation.actions, after the
    note page: one audit entry per row."""
    from . import actions

    act = actions.restore if restore else actions.take_down

    def action(model_admin, request, queryset):
        return noted_action(
            model_admin,
            request,
            queryset.filter(**{f"{hidden_field}__isnull": not restore}),
            action=name,
            title=title,
            run=lambda obj, note: act(target=obj, actor=request.user, note=note),
            done=done,
            required_message=required_message,
        )

    action.__name__ = name
    return admin.action(description=description)(action)
