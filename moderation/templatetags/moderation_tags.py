from django import template

from moderation.selectors import report_url

register = template.Library()


@register.inclusion_tag("moderation/_report_link.html")
def report_link(obj, what: str = ""):
    """A "Report" link to /report/<kind>/<key>/; `what` names the thing for screen readers."""
    return {"url": report_url(obj), "what": what}
