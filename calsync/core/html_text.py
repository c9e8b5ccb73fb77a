"""HTML descriptions (Google Calendar's web editor) read as plain text, in one linear pass.

The standard library's ``html.parser`` is quadratic on some malformed input (runs of ``</`` or
``<?``), so this is a small scanner built on ``str.find``: every character is looked at a
bounded number of times.
"""
from __future__ import annotations

import html
import re

# Elements after which (or before which) the text continues on a new line.
BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# Tags Google Calendar and mail clients write; one of them (or an entity) marks a description as HTML.
_LOOKS_HTML = re.compile(
    r"<(?:/?(?:a|b|br|div|em|font|h[1-6]|hr|i|li|ol|p|pre|s|span|strong|table|td|tr|u|ul|html|body)[\s/>])"
    r"|&(?:amp|nbsp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    return _LOOKS_HTML.search(text) is not None


INLINE = frozenset("a abbr b big cite code em font i img input label mark meta link o:p s small span strike strong sub sup u".split())
_RAW_TEXT_END = re.compile(r"</(?:script|style)", re.IGNORECASE)


def _tag_name(markup: str, start: int, stop: int) -> str:
    """The lower-case element name of the tag whose inside is ``markup[start:stop]``."""
    i = start + 1 if start < stop and markup[start] == "/" else start
    j = i
    while j < stop and j - i < 16 and (markup[j].isalnum() or markup[j] == ":"):
        j += 1
    return markup[i:j].lower()


def html_to_text(markup: str) -> str:
    """Tags dropped, block elements and ``<br>`` ending lines, entities decoded, ``&nbsp;`` a space."""
    out: list[str] = []
    pos, size = 0, len(markup)
    gt = -1  # the first ">" at or after the current "<", kept while it stays ahead
    while pos < size:
        lt = markup.find("<", pos)
        if lt < 0:
            out.append(html.unescape(markup[pos:]))
            break
        if lt > pos:
            out.append(html.unescape(markup[pos:lt]))
        if markup.startswith("<!--", lt):
            close = markup.find("-->", lt + 4)
            pos = size if close < 0 else close + 3
            continue
        if gt <= lt:
            gt = markup.find(">", lt + 1)
        if gt < 0:
            out.append(html.unescape(markup[lt:]))  # no tag can close any more: the rest is text
            break
        nxt = markup.find("<", lt + 1)
        name = _tag_name(markup, lt + 1, gt)
        known = name in BLOCKS or name in INLINE
        if 0 <= nxt < gt or not name or (not known and "@" in markup[lt:gt]):
            out.append("<")  # "a < b", "<jane@acme.example>": text, not a tag
            pos = lt + 1
            continue
        if name in BLOCKS:
            out.append("\n")
        pos = gt + 1
        if name in ("script", "style") and markup[lt + 1] != "/":
            found = _RAW_TEXT_END.search(markup, pos)
            pos = size if found is None else found.start()
    return "".join(out).replace("\xa0", " ")


def plain_text(description: str) -> str:
    """The description as text: HTML converted, anything else unchanged."""
    return html_to_text(description) if looks_like_html(description) else description
