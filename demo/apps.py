from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (load_demo_data): the top floor, which may import every app."""

    name = "demo"
    verbose_name = "Demo data"
