from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and roles"

    def ready(self):
        from accounts.roles import ensure_roles

        # Runs after every app so permissions of apps migrated later are included.
        post_migrate.connect(ensure_roles, dispatch_uid="accounts.ensure_roles")
