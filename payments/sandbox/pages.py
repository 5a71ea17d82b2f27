"""The hosted pages a browser visits: Express onboarding and Checkout, each a plain HTML form."""

from dataclasses import dataclass, field
from html import escape
from typing import Any

from . import accounts, checkout
from .errors import StripeError
from .objects import Request
from .webhooks import Webhooks

ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd"}


@dataclass
class Page:
    status: int
    body: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)


def redirect(url: str) -> Page:
    return Page(303, headers=[("Location", url)])


def _html(title: str, content: str, *, status: int = 200) -> Page:
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Stripe sandbox</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem;
  color: #1a1a1a; }}
.banner {{ background: #fff3cd; border: 1px solid #8a6d00; padding: .5rem 1rem; }}
button {{ font: inherit; padding: .5rem 1.25rem; margin: .25rem .5rem .25rem 0; }}
.primary {{ background: #2b4acb; color: #fff; border: 0; border-radius: 4px; }}
table {{ width: 100%; border-collapse: collapse; }} td {{ padding: .25rem 0; }}
.amount {{ text-align: right; }}
</style></head>
<body><main>
<p class="banner" role="note">Sandbox payments — no real money moves.</p>
<h1>{escape(title)}</h1>
{content}
</main></body></html>
"""
    return Page(status, body, [("Content-Type", "text/html; charset=utf-8")])


def money(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


def _problem(error: StripeError) -> Page:
    return _html("Not available", f"<p>{escape(error.message)}</p>", status=error.status)


def onboarding(hooks: Webhooks, request: Request) -> Page:
    account_id, token = request.args[0], request.form.get("link", "")
    link = accounts.usable_link(hooks, account_id, token)
    if link is None:
        stale = hooks.store.secrets.get(token)
        if stale and stale.get("account") == account_id:
            return redirect(stale["refresh_url"])  # as Stripe: an old link goes to refresh_url
        return _problem(StripeError("This onboarding link is not valid.", status=404))
    account = hooks.store.objects[account_id]
    action = f"{request.base_url}/sandbox/onboarding/{escape(account_id)}"
    return _html(
        "Set up payouts",
        f"""<p>Express account <code>{escape(account_id)}</code>
{escape(account["email"] or "")}</p>
<p>In the sandbox there is nothing to fill in: choose how onboarding ends.</p>
<form method="post" action="{action}">
<input type="hidden" name="link" value="{escape(token)}">
<button class="primary" name="outcome" value="complete">Complete onboarding</button>
<button name="outcome" value="incomplete">Submit without a bank account</button>
</form>""",
    )


def finish_onboarding(hooks: Webhooks, request: Request) -> Page:
    account_id = request.args[0]
    link = accounts.usable_link(hooks, account_id, request.form.get("link", ""))
    if link is None:
        return _problem(StripeError("This onboarding link has expired or was used.", status=400))
    outcome = request.form.get("outcome")
    if outcome not in ("complete", "incomplete"):
        return _problem(StripeError("Choose how onboarding ends.", status=400))
    link["used"] = True
    accounts.finish_onboarding(hooks, account_id=account_id, complete=outcome == "complete")
    return redirect(link["return_url"])


def checkout_page(hooks: Webhooks, request: Request) -> Page:
    session = hooks.store.get(request.args[0], "checkout.session")
    if session is None:
        return _problem(StripeError("No such checkout session.", status=404))
    if session["status"] != "open":
        return _problem(StripeError("This checkout session is no longer open.", status=410))
    rows = "".join(
        f"<tr><td>{escape(line['description'])} × {line['quantity']}</td>"
        f'<td class="amount">{money(line["amount_total"], line["currency"])}</td></tr>'
        for line in checkout.session_lines(hooks.store, session)
    )
    every = ""
    if session["mode"] == "subscription":
        first = checkout.session_lines(hooks.store, session)[0]["price"]["recurring"]
        every = f" every {first['interval_count']} {escape(first['interval'])}(s)"
    base = f"{request.base_url}/sandbox/checkout/{escape(session['id'])}"
    email = escape(session["customer_email"] or "")
    cancel = ""
    if session["cancel_url"]:
        cancel = f'<form method="post" action="{base}/cancel"><button>Cancel</button></form>'
    return _html(
        "Pay",
        f"""<table>{rows}
<tr><th scope="row">Total</th>
<td class="amount"><strong>{money(session["amount_total"], session["currency"])}{every}</strong>
</td></tr></table>
<form method="post" action="{base}/pay">
<p><label for="email">E-mail</label><br>
<input id="email" name="email" type="email" value="{email}" autocomplete="email"></p>
<p>Card: 4242 4242 4242 4242 (the sandbox's test card always succeeds)</p>
<button class="primary">Pay {money(session["amount_total"], session["currency"])}</button>
</form>
{cancel}""",
    )


def pay(hooks: Webhooks, request: Request) -> Page:
    email = request.form.get("email", "").strip()[:800] or "customer@example.com"
    try:
        session = checkout.pay_session(hooks, session_id=request.args[0], email=email)
    except StripeError as error:
        return _problem(error)
    return redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))


def cancel(hooks: Webhooks, request: Request) -> Page:
    session: dict[str, Any] | None = hooks.store.get(request.args[0], "checkout.session")
    if session is None or not session["cancel_url"]:
        return _problem(StripeError("No such checkout session.", status=404))
    return redirect(session["cancel_url"])


ROUTES = [
    ("GET", r"/sandbox/onboarding/([^/]+)", onboarding),
    ("POST", r"/sandbox/onboarding/([^/]+)", finish_onboarding),
    ("GET", r"/sandbox/checkout/([^/]+)", checkout_page),
    ("POST", r"/sandbox/checkout/([^/]+)/pay", pay),
    ("POST", r"/sandbox/checkout/([^/]+)/cancel", cancel),
]
