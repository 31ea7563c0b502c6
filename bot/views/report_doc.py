"""The report as a document: sections of plain blocks, and their Markdown.

``nrc-bot report`` lays the council's record out once (``bot.views.report.layout``) as
these blocks; Markdown (here) and HTML (``report_html``) only render them, so the
two formats never say different things. A block holds the council's own words as
they were typed: each renderer escapes them for its format. A part of the record
another feature keeps (the record of a meeting, the joint and Chair's statements)
joins the report as one more :class:`ReportSection`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date

from bot.i18n import _, current


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``quote``: the council's own text (a decision, a poll), set apart."""

    text: str
    quote: bool = False


@dataclass(frozen=True)
class Fields:
    """Labelled facts: ("Adopted", "Thu 3 Dec 2026, 10:00 CET")."""

    pairs: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Items:
    """A list; ``numbered`` for an agenda, whose order is the order of business."""

    items: Sequence[str]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row (repeated on every printed page)."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


Block = Paragraph | Fields | Items | Table


@dataclass(frozen=True)
class ReportSection:
    """A titled part of the report; ``parts`` are its subsections (a meeting, a decision).

    ``anchor`` names it in the table of contents; a section with no blocks and no parts
    says ``empty`` instead ("No joint decision was adopted in the period.").
    """

    anchor: str
    title: str
    blocks: Sequence[Block] = ()
    parts: Sequence[ReportSection] = field(default_factory=tuple)
    empty: str = ""


@dataclass(frozen=True)
class Document:
    """The whole report: its title, the lines under it, its sections in order."""

    title: str
    lead: Sequence[str]
    sections: Sequence[ReportSection]
    lang: str = "en"


def day_text(day: date) -> str:
    """``1 December 2026``: a day as the report's headings give it (in the language of the
    moment: ``1 décembre 2026``, ``1 декабря 2026``)."""
    return format_date(day, "d MMMM y", locale=current())


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_text(text: str) -> str:
    """User text as Markdown shows it literally: its markup characters escaped, one line.

    A ``<script>`` in a decision stays text in any Markdown viewer (``\\<script\\>``).
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def slug(title: str) -> str:
    """The anchor a Markdown viewer (GitHub's) gives a heading: lowercase, words joined by
    hyphens, punctuation dropped."""
    kept = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return kept.replace(" ", "-")


def _md_blocks(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(("> " if block.quote else "") + md_text(block.text))
        elif isinstance(block, Fields):
            out.append("\n".join(f"- **{md_text(k)}:** {md_text(v)}" for k, v in block.pairs))
        elif isinstance(block, Items):
            out.append("\n".join(f"{n}. {md_text(item)}" if block.numbered else
                                 f"- {md_text(item)}"
                                 for n, item in enumerate(block.items, start=1)))
        else:
            lines = ["| " + " | ".join(md_text(h) for h in block.headers) + " |",
                     "|" + "---|" * len(block.headers)]
            lines += ["| " + " | ".join(md_text(c) or " " for c in row) + " |"
                      for row in block.rows]
            out.append("\n".join(lines))
    return out


def _md_section(section: ReportSection, level: int) -> list[str]:
    out = [f"{'#' * level} {md_text(section.title)}"]
    out += _md_blocks(section.blocks)
    for part in section.parts:
        out += _md_section(part, level + 1)
    if not section.blocks and not section.parts and section.empty:
        out.append(f"_{md_text(section.empty)}_")
    return out


def markdown(document: Document) -> str:
    """The report as one Markdown file: title, lead, contents, then each section."""
    out = [f"# {md_text(document.title)}", "\n".join(md_text(line) + "  "
                                                    for line in document.lead).rstrip()]
    out.append("## " + _("Contents"))
    out.append("\n".join(f"{n}. [{md_text(s.title)}](#{slug(s.title)})"
                         for n, s in enumerate(document.sections, start=1)))
    for section in document.sections:
        out += _md_section(section, 2)
    return "\n\n".join(out) + "\n"
