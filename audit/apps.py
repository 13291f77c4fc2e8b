from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self):
        # Security events are part of the audit trail: importing the module
        # connects its sign-in receivers; axes' lock-out signal is connected here
        # because axes must be loaded first.
        from core import security_log

        security_log.connect_axes()
