"""Every e-mail the portal sends: a subject, text and HTML template trio.

`templates/emails/<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html`
are rendered with the same context (plus the portal's name and address), so no
e-mail is assembled by hand anywhere else.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build(name: str, to: list[str], context: dict, *, attachments=()) -> EmailMultiAlternatives:
    """Build (not send) the e-mail `name` for `to`. attachments: (filename, bytes, mimetype)."""
    context = {
        "portal_name": settings.PORTAL_NAME,
        "portal_organisation": settings.PORTAL_ORGANISATION,
        "portal_url": settings.PORTAL_BASE_URL.rstrip("/"),
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send(name: str, to: list[str], context: dict, *, attachments=()) -> None:
    build(name, to, context, attachments=attachments).send(fail_silently=False)
