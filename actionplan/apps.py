from django.apps import AppConfig


class ActionplanConfig(AppConfig):
    name = "actionplan"
    verbose_name = "Action plans and progress"

    def ready(self):
        from actionplan import signals  # noqa: F401 - connects the quarter-state receivers
