"""Reporting: anyone may report what they can see; the queue lives in the admin."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods

from analytics.tokens import ip_key
from backstage.problems import problem_page, too_many_page

from . import limits, selectors, services
from .forms import ReportForm
from .selectors import public_url


@require_http_methods(["GET", "POST"])
def report(request, kind, key):
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else None
    target_kind, target = selectors.access_target(user=user, kind=kind, key=key)
    back = public_url(target) if kind != "message" else target.conversation.get_absolute_url()
    form = ReportForm(request.POST or None, signed_in=signed_in)
    context = {
        "form": form,
        "kind_name": target_kind.model._meta.verbose_name,
        "label": _label(kind, target),
        "back": back,
    }
    if request.method == "GET":
        return render(request, "moderation/report.html", context)
    if not form.is_valid():
        return render(request, "moderation/report.html", context, status=400)
    try:
        services.file_report(
            target=target,
            reporter=user,
            email=form.cleaned_data.get("email", ""),
            category=form.cleaned_data["category"],
            details=form.cleaned_data["details"],
            who=f"u:{user.pk}" if user else f"ip:{ip_key(request)}",
        )
    except services.AlreadyReported as refusal:
        return problem_page(request, str(refusal), 409, back=back)
    except limits.TooMany as refusal:
        return too_many_page(request, refusal, back=back)
    return redirect(f"{reverse('moderation:thanks')}?{urlencode({'back': back})}")


@require_GET
def thanks(request):
    back = request.GET.get("back", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = "/"
    return render(request, "moderation/thanks.html", {"back": back})


def _label(kind: str, target) -> str:
    """How the page names the thing (never someone's e-mail address, which str() may show)."""
    if kind == "message":
        artist = getattr(target.sender, "artist", None)
        return f"a message from {artist.name if artist else target.sender.name}"
    if kind == "comment":
        return f"{target.author.name}’s comment on “{target.track.title}”"
    return str(target)
