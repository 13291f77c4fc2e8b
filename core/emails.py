"""Every e-mail the portal sends: a subject, text and HTML template trio.

`templates/emails/<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html`
are rendered with the same context (plus the portal's name and address), so no
e-mail is assembled by hand anywhere else. Addresses are built here too
(`address`, with `email.utils.formataddr`, so "Surname, Forename" is quoted), and
so are Message-IDs (`message_id`): one per record, the same on every try, so a
copy sent again after a lost acknowledgement is recognisably the same message.
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def address(name: str, email: str) -> str:
    """`"Name" <email>`, quoted where the name needs it (commas, quotes, brackets)."""
    return formataddr((" ".join((name or "").split()), email))


def message_id(kind: str, *ids: int) -> str:
    """A Message-ID that is the same every time the same record's e-mail is sent.

    `message_id("board-report", report.pk, delivery.pk)`: a resend is the same
    message to the recipient's mail system, never a new one.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{kind}-{'-'.join(str(i) for i in ids)}@{domain}>"


def build(
    name: str, to: list[str], context: dict, *, attachments=(), message_id: str = ""
) -> EmailMultiAlternatives:
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
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send(name: str, to: list[str], context: dict, *, attachments=(), message_id: str = "") -> None:
    build(name, to, context, attachments=attachments, message_id=message_id).send(fail_silently=False)
