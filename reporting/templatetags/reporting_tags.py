from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (the trend's counts are keyed by RAG)."""
    return mapping.get(key, 0)
