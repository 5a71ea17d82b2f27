from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Notification

PAGE = 50


@login_required
def inbox(request):
    """The newest notifications; the unread ones are highlighted once, then marked read."""
    items = list(Notification.objects.filter(user=request.user)[:PAGE])
    services.mark_read(user=request.user, ids=[n.id for n in items if n.read_at is None])
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
@require_POST
def read_all(request):
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")
