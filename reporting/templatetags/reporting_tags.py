from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (the trend's counts are keyed by RAG)."""
    return mapping.get(key, 0)


@register.filter
def shown_count(sections) -> int:
    """How many of the other apps' sections (reporting.sections) have something to show: the
    notes' section number follows them."""
    return sum(1 for value in sections.values() if value)
