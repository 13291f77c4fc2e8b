"""HTML to tagged PDF with WeasyPrint, reading nothing but our own static files.

Commentary is typed by officers; escaping keeps it from being markup, and the
fetcher makes sure that even if a URL slipped into the HTML, WeasyPrint would
never reach the network or any file outside the portal's static folders.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "portal-static"


class StaticOnlyFetcher(URLFetcher):
    """Serves `portal-static:/path` from the static folders and inline data: URIs; refuses all else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if parsed.scheme != STATIC_SCHEME:
            raise ValueError(f"Refusing to fetch {url!r}: reports only use the portal's static files.")
        relative = unquote(parsed.path).lstrip("/")
        found = _find_static(relative)
        if found is None:
            raise ValueError(f"No static file {relative!r}.")
        mimetype = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, found.read_bytes(), headers={"Content-Type": mimetype})


def _find_static(relative: str) -> Path | None:
    if ".." in Path(relative).parts:
        return None
    path = finders.find(relative)
    if path:
        return Path(path)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


@dataclass(frozen=True)
class Rendered:
    content: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def render(html: str) -> Rendered:
    """Render to PDF/UA-1: tagged, with the title and language taken from the HTML."""
    document = HTML(string=html, base_url=f"{STATIC_SCHEME}:/", url_fetcher=StaticOnlyFetcher()).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    return Rendered(buffer.getvalue(), len(document.pages))
