"""HTML to tagged PDF with WeasyPrint, reading nothing but our own static files.

Commentary is typed by officers; escaping keeps it from being markup, and the
fetcher makes sure that even if a URL slipped into the HTML, WeasyPrint would
never reach the network or any file outside the portal's static folders.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
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


# WeasyPrint's own user-agent stylesheet styles six pseudo-elements of *every*
# element (::marker, ::footnote-call, ::footnote-marker, ::note-call,
# ::note-marker, ::note-callback), and WeasyPrint computes a style for each one
# up front, used or not: six styles for each of a 300-action report's ~6,000
# elements, about 40 MB of a build's peak. The report's copy of that stylesheet
# keeps those rules but only for the elements that can use them: markers for list
# items (<li>, the only ones in the report), footnote and note pseudo-elements for
# elements of class "footnote" or "note" (a report footnote is then
# <span class="footnote"> with `float: footnote` in report.css; without the class
# WeasyPrint finds no style for its call and fails). Nothing the report prints
# changes: tests/test_report_pdf.py builds it both ways and compares the bytes.
_PSEUDO_ELEMENT_SCOPES = {
    "marker": "li",
    "footnote-call": ".footnote",
    "footnote-marker": ".footnote",
    "note-call": ".note",
    "note-marker": ".note",
    "note-callback": ".note",
}


def report_user_agent_css(upstream: str) -> str:
    """WeasyPrint's user-agent stylesheet with no pseudo-element rule that matches every element."""
    for pseudo, scope in _PSEUDO_ELEMENT_SCOPES.items():
        rule = re.compile(rf"^(::{re.escape(pseudo)} \{{.*\}})$", re.M)
        if len(rule.findall(upstream)) != 1:
            # A WeasyPrint upgrade changed its stylesheet: look again rather than guess.
            raise RuntimeError(f"WeasyPrint's user-agent stylesheet has no single '::{pseudo}' rule.")
        upstream = rule.sub(rf"{scope}\1", upstream)
    return upstream


# Parsed once per process, as WeasyPrint parses its own. A counter style of its
# own: WeasyPrint's already holds the stylesheet's @counter-style names and would
# refuse them a second time (rendering uses WeasyPrint's, which are the same).
USER_AGENT_STYLESHEET = CSS(
    string=report_user_agent_css((files("weasyprint.css") / "html5_ua.css").read_text("utf-8")),
    counter_style=CounterStyle(),
)


class ReportHTML(HTML):
    """WeasyPrint's HTML with the report's copy of the user-agent stylesheet (see above).

    `_ua_stylesheets` is WeasyPrint's own, undocumented, hook for this; a test in
    tests/test_report_pdf.py fails if an upgrade stops calling it.
    """

    def _ua_stylesheets(self, forms=False):
        return [USER_AGENT_STYLESHEET, *super()._ua_stylesheets(forms)[1:]]


@dataclass(frozen=True)
class Rendered:
    content: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def render(html: str) -> Rendered:
    """Render to PDF/UA-1: tagged, with the title and language taken from the HTML."""
    document = ReportHTML(
        string=html, base_url=f"{STATIC_SCHEME}:/", url_fetcher=StaticOnlyFetcher()
    ).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    return Rendered(buffer.getvalue(), len(document.pages))
