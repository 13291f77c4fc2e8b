"""Status and RAG tags. Tags, not includes: a list page shows a hundred of them."""

from django import template
from django.utils.html import format_html

register = template.Library()

_RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red", "blue": "blue"}
_STATUS_COLOURS = {"completed": "blue", "in_progress": "light-blue", "not_started": "grey"}


@register.simple_tag
def rag_tag(rag, label):
    colour = _RAG_COLOURS.get(rag, "grey")
    return format_html('<strong class="govuk-tag app-rag govuk-tag--{}">{}</strong>', colour, label)


@register.simple_tag
def status_tag(status, label):
    colour = _STATUS_COLOURS.get(status, "purple")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
