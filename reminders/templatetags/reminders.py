from django import template

from accounts import access
from reminders import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def reporting_calendar(context, mine=False):
    """The calendar summary for the include; `mine` counts the signed-in officer's actions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    officer = user if mine and access.is_officer(user) else None
    return selectors.calendar_summary(officer=officer)
