"""A figure in its indicator's unit, and a direction of travel in words with its arrow."""

from django import template
from django.utils.html import format_html

from indicators import rules

register = template.Library()


@register.filter
def in_unit(number, indicator) -> str:
    return indicator.format(number)


@register.filter
def indicator_rag_label(rag) -> str:
    return rules.RAG_LABELS.get(rag, "")


@register.simple_tag
def travel(travel, earlier, indicator):
    """ "↑ Improving (from 71.5%)": the arrow is hidden from screen readers, which read the words."""
    if not travel.compared:
        return format_html('<span class="app-secondary">{}</span>', travel.words)
    return format_html(
        '<span class="app-direction app-direction--{}"><span aria-hidden="true">{}</span> {}</span>'
        '<span class="govuk-body-s app-meta">from {}</span>',
        travel.key.replace("_", "-"),
        travel.arrow,
        travel.words,
        indicator.format(earlier.actual if hasattr(earlier, "actual") else earlier),
    )


@register.simple_tag
def indicators_summary(strategy, quarter) -> str:
    """The board e-mail's sentence on the performance indicators ("" when there are none)."""
    from indicators import presenting

    return presenting.email_summary(strategy=strategy, quarter=quarter)
