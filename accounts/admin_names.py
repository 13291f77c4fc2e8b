"""Plain names in the admin for the parts third-party apps bring.

Their own names are the package's ("Axes", "Auth Token", "TOTP devices"), which mean
nothing to a strategy administrator. Only the names shown change: the models'
Meta options (original_attrs) are untouched, so no migration is owed.
"""

from django.apps import apps

APP_NAMES = {
    "axes": "Sign-in attempts and lock-outs",
    "authtoken": "API access",
    "otp_totp": "Two-factor authentication",
}
MODEL_NAMES = {
    ("axes", "accessattempt"): ("locked or failing sign-in", "Locked or failing sign-ins"),
    ("axes", "accessfailurelog"): ("failed sign-in", "Failed sign-ins"),
    ("axes", "accesslog"): ("sign-in record", "Sign-in records"),
    ("authtoken", "tokenproxy"): ("API token", "API tokens"),
    ("authtoken", "token"): ("API token", "API tokens"),
    ("otp_totp", "totpdevice"): ("authenticator app", "Authenticator apps"),
}


def rename() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label) or label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for (label, model_name), (singular, plural) in MODEL_NAMES.items():
        try:
            meta = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        meta.verbose_name, meta.verbose_name_plural = singular, plural
