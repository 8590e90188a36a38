"""Left-to-right islands in right-to-left pages: hashtags, handles, URLs, email addresses and times.

In an Arabic sentence "#poltwt" reads "poltwt#" and "UTC+05:30" reads "05:30+UTC": the bidi algorithm gives
the neutral "#", "@" and "+" the direction of the paragraph. Each of them must be isolated as left-to-right.
They come from translators (every catalogue names #poltwt), from organizers (themes, hashtags) and from
registrants (local hashtags, handles), so no template can wrap them all: on pages in a right-to-left language
this middleware wraps each one in the text of the page in <bdi dir="ltr">. Attributes, scripts, styles and
form fields are left as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LATIN = r"A-Za-z0-9_\u00C0-\u024F"
LTR_RUN = re.compile(
    r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]"  # URLs, without the sentence's closing punctuation
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    rf"|(?<![\w@#])[#@][{LATIN}]*[A-Za-z\u00C0-\u024F][{LATIN}]*"  # hashtags and handles in Latin script
    r"|UTC(?:[+\u2212-]\d{1,2}(?::\d{2})?)?"  # UTC, UTC+05:30
    r"|(?<![\d:])\d{1,2}:\d{2}(?:\s?[\u2013-]\s?\d{1,2}:\d{2})?(?![\d:])"  # 08:00 and ranges
)
# Text inside these elements is not text of the page (or cannot hold markup).
SKIP = frozenset({"script", "style", "textarea", "title", "option", "bdi", "code", "pre", "svg"})
RAW = frozenset({"script", "style"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def isolate_ltr(text: str) -> str:
    """Escaped HTML of plain text, each left-to-right run wrapped in <bdi dir="ltr">."""
    out, last = [], 0
    for match in LTR_RUN.finditer(text):
        out.append(html.escape(text[last : match.start()], quote=False))
        out.append(f'<bdi dir="ltr">{html.escape(match.group(), quote=False)}</bdi>')
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


class _Isolator(HTMLParser):
    """Copies a page tag by tag, exactly as written, rewriting only the text between tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if SKIP.intersection(self.open) or not LTR_RUN.search(data):
            self.out.append(data)
        else:
            # Data holds no entities here (they arrive apart, below), so it is plain text apart from "<>"
            # never being present: escaping it again changes nothing but the runs.
            self.out.append(isolate_ltr(data))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def isolate_ltr_runs(page: str) -> str:
    """The page with every left-to-right run of its text isolated; tags and attributes untouched."""
    if not LTR_RUN.search(page):
        return page
    parser = _Isolator()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)


class LtrIsolationMiddleware:
    """Applies isolate_ltr_runs to the HTML pages of right-to-left languages (LANGUAGES_BIDI)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            translation.get_language() in settings.LANGUAGES_BIDI
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")
        ):
            charset = response.charset
            response.content = isolate_ltr_runs(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
