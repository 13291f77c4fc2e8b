from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Performance indicators: targets, values, RAG against tolerance, direction of travel."""

    name = "indicators"
    verbose_name = "Performance indicators"
    default_auto_field = "django.db.models.BigAutoField"
