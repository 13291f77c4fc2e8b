from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risk register: 5x5 scores, controls, quarterly reviews, heat map."""

    name = "risks"
    verbose_name = "Risk register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from approvals import kinds
        from risks import sign_off

        kinds.register(sign_off.kind())
