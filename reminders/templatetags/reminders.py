from django import template

from accounts import access
from reminders import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def reporting_calendar(context, mine=False):
    """The calendar summary for the include; `mine` counts the signed-in officer's actions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if mine and not access.is_officer(user):
        # "Your" counts for someone who leads nothing would be everyone's: show none.
        return None
    return selectors.calendar_summary(officer=user if mine else None)
