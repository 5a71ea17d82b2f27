"""Messages between artists. Only artists message; everyone else gets a page saying how to
become one. Conversations of others are 404s; refusals are 4xx with a message."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from backstage.problems import problem_page
from backstage.toggles import next_url, posted_on, toggled
from moderation.selectors import report_url

from . import limits, selectors, services
from .forms import MessageForm


def artist_required(view):
    """Signed in and running an artist profile; a fan gets a page explaining (403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        artist = selectors.messaging_artist(user=request.user)
        if artist is None:
            return render(request, "messaging/need_artist.html", status=403)
        request.artist = artist
        return view(request, *args, **kwargs)

    return wrapper


@artist_required
@require_GET
def inbox(request):
    return render(
        request, "messaging/inbox.html", {"conversations": selectors.inbox(user=request.user)}
    )


def _page_context(request, conversation, *, form=None, error=""):
    other = conversation.other(request.user)
    i_blocked, they_blocked = selectors.blocks_of(user=request.user, other=other)
    call = request.POST.get("call") or request.GET.get("call") or ""
    about = selectors.call_title(user=request.user, call_id=call)
    return {
        "conversation": conversation,
        "other": other,
        "other_artist": getattr(other, "artist", None),
        "i_blocked": i_blocked,
        "blocked": i_blocked or they_blocked,
        "about": about,
        "form": form or MessageForm(initial={"call": call if about else ""}),
        "error": error,
    }


@artist_required
@require_GET
def conversation(request, conversation_id):
    """The conversation, newest messages at the bottom; opening it marks them read."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    thread = selectors.thread(conversation=conversation)
    last_id = thread[-1].pk if thread else 0
    services.mark_conversation_read(user=request.user, conversation=conversation, up_to=last_id)
    context = _page_context(request, conversation)
    return render(
        request,
        "messaging/conversation.html",
        {**context, "thread": thread, "last_id": last_id},
    )


def _send(request, *, recipient, form):
    """Validate and send; (message, created, None) or (None, False, (error, status))."""
    if not form.is_valid():
        return None, False, (next(iter(form.errors.values()))[0], 400)
    about = selectors.call_title(user=request.user, call_id=form.cleaned_data["call"])
    try:
        message, created = services.send_message(
            sender=request.user,
            recipient=recipient,
            body=form.cleaned_data["body"],
            token=form.cleaned_data["token"],
            about=about,
        )
    except ValidationError as error:
        return None, False, (error.messages[0], 400)
    except services.Refused as refusal:
        return None, False, (str(refusal), 403)
    except limits.TooMany as refusal:
        return None, False, (str(refusal), 429, refusal.retry_after)
    return message, created, None


def _refusal(response, problem):
    response.status_code = problem[1]
    if len(problem) > 2:
        response["Retry-After"] = str(problem[2])
    return response


@artist_required
@require_POST
def send(request, conversation_id):
    """htmx appends the new message and gets a fresh, empty form; a plain browser is sent back
    to the conversation. A refusal keeps what was written, with the reason above it."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    form = MessageForm(request.POST)
    message, created, problem = _send(
        request, recipient=conversation.other(request.user), form=form
    )
    context = _page_context(request, conversation, form=form if problem else None)
    if problem:
        context["error"] = problem[0]
        if request.htmx:
            answer = render(request, "messaging/_compose.html", context)
            return _refusal(reswap(retarget(answer, "#compose"), "outerHTML"), problem)
        thread = selectors.thread(conversation=conversation)
        answer = render(
            request,
            "messaging/conversation.html",
            {**context, "thread": thread, "last_id": thread[-1].pk if thread else 0},
        )
        return _refusal(answer, problem)
    if request.htmx:
        return render(
            request, "messaging/_sent.html", {**context, "message": message, "created": created}
        )
    return redirect(f"{conversation.get_absolute_url()}#m{message.pk}")


@artist_required
@require_GET
def poll(request, conversation_id):
    """New messages from the other person after `after` (polled every 15 s by the page)."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    other = conversation.other(request.user)
    after = request.GET.get("after", "")
    after = int(after) if after.isdigit() and len(after) <= 18 else 0
    new = [
        m
        for m in selectors.thread(conversation=conversation, after=after)
        if m.sender_id != request.user.pk
    ]
    last_id = max([after] + [m.pk for m in new])
    services.mark_conversation_read(user=request.user, conversation=conversation, up_to=last_id)
    return render(
        request,
        "messaging/_poll.html",
        {
            "conversation": conversation,
            "other": other,
            "other_artist": getattr(other, "artist", None),
            "new": new,
            "last_id": last_id,
        },
    )


@artist_required
@require_http_methods(["GET", "POST"])
def start(request, slug):
    """Start a conversation with an artist, or continue the one there is."""
    recipient = selectors.access_recipient(user=request.user, slug=slug)
    existing = selectors.conversation_between(user_a=request.user, user_b=recipient.user)
    if existing is not None and request.method == "GET":
        call = request.GET.get("call", "")
        query = f"?{urlencode({'call': call})}" if call else ""
        return redirect(existing.get_absolute_url() + query)
    i_blocked, they_blocked = selectors.blocks_of(user=request.user, other=recipient.user)
    call = request.POST.get("call") or request.GET.get("call") or ""
    about = selectors.call_title(user=request.user, call_id=call)
    # Bound on every POST, even an empty one: an unbound form has no errors to show (a 500).
    posted = request.POST if request.method == "POST" else None
    form = MessageForm(posted, initial={"call": call if about else ""})
    context = {
        "recipient": recipient,
        "i_blocked": i_blocked,
        "blocked": i_blocked or they_blocked,
        "about": about,
        "form": form,
    }
    if request.method == "POST":
        message, _created, problem = _send(request, recipient=recipient.user, form=form)
        if problem is None:
            return redirect(f"{message.conversation.get_absolute_url()}#m{message.pk}")
        context["error"] = problem[0]
        return _refusal(render(request, "messaging/start.html", context), problem)
    return render(request, "messaging/start.html", context)


@artist_required
@require_POST
def block(request, slug):
    """Block or unblock (the posted `on`) an artist; htmx swaps just the button."""
    artist = selectors.access_recipient(user=request.user, slug=slug)
    on = posted_on(request)
    services.set_block(blocker=request.user, blocked=artist.user, on=on)
    back = next_url(request, reverse("messaging:inbox"))
    message = (
        f"You blocked {artist.name}: neither of you can send the other messages."
        if on
        else f"You unblocked {artist.name}."
    )
    if request.htmx.boosted:  # from a conversation: the whole page changes (its form too)
        messages.success(request, message)
        return redirect(back)
    return toggled(
        request,
        template="messaging/_block.html",
        context={"blocked_artist": artist, "i_blocked": on},
        back=back,
        message=message,
    )


@artist_required
@require_GET
def report(request, conversation_id):
    """The conversation's Report link: moderation's report page for the other person's newest
    shown message (each of their messages also has its own Report link)."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    message = selectors.latest_from_other(conversation=conversation, user=request.user)
    if message is None:
        return problem_page(
            request,
            "There is nothing to report yet: the other person has not written to you. "
            "To stop receiving messages, you can block them.",
            404,
            back=conversation.get_absolute_url(),
        )
    return redirect(report_url(message))
