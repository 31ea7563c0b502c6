"""The report as one self-contained HTML file, to read on screen and to print.

Everything it needs is inside: the style sheet is inline, there are no images,
fonts, scripts or links to anything outside the file, so it can be mailed, archived
and printed years later as it is. Every word a person typed is escaped
(``html.escape``). In print each section begins a page, backgrounds go, and a
table's header row repeats on every page it runs over.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.i18n import _
from bot.views.report_doc import Block, Document, Fields, Items, Paragraph, ReportSection

STYLE = """
:root { color-scheme: light; }
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.45; color: #1a1a1a;
       max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid #999; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
h4 { font-size: 1rem; margin-top: 1.2rem; }
p.lead { margin: .1rem 0; color: #444; }
blockquote { margin: .6rem 0 .6rem 1rem; padding-left: .8rem; border-left: 3px solid #bbb; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .6rem 0; }
dt { font-weight: bold; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #bbb; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eee; }
p.empty { font-style: italic; color: #555; }
nav.contents ol { padding-left: 1.4rem; }
@media print {
  @page { margin: 18mm 16mm; }
  body { font-family: Georgia, "Times New Roman", serif; font-size: 11pt; color: #000;
         max-width: none; margin: 0; padding: 0; }
  * { background: none !important; box-shadow: none !important; }
  section.part { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr, blockquote, dl { break-inside: avoid; page-break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
"""


def _blocks(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            text = f"<p>{escape(block.text)}</p>"
            out.append(f"<blockquote>{text}</blockquote>" if block.quote else text)
        elif isinstance(block, Fields):
            out.append("<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
                                        for k, v in block.pairs) + "</dl>")
        elif isinstance(block, Items):
            tag = "ol" if block.numbered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in block.items)
                       + f"</{tag}>")
        else:
            head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.headers)
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                           for row in block.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return out


def _section(section: ReportSection, level: int) -> list[str]:
    css = ' class="part"' if level == 2 else ""
    out = [f'<section id="{escape(section.anchor)}"{css}>',
           f"<h{level}>{escape(section.title)}</h{level}>"]
    out += _blocks(section.blocks)
    for part in section.parts:
        out += _section(part, min(level + 1, 6))
    if not section.blocks and not section.parts and section.empty:
        out.append(f'<p class="empty">{escape(section.empty)}</p>')
    out.append("</section>")
    return out


def html(document: Document) -> str:
    """The report as one HTML document: title, lead, contents, then each section."""
    contents = "".join(f'<li><a href="#{escape(s.anchor)}">{escape(s.title)}</a></li>'
                       for s in document.sections)
    body = [f"<h1>{escape(document.title)}</h1>"]
    body += [f'<p class="lead">{escape(line)}</p>' for line in document.lead]
    title = escape(_("Contents"))
    body.append(f'<nav class="contents" aria-label="{title}"><h2>{title}</h2>'
                f"<ol>{contents}</ol></nav>")
    for section in document.sections:
        body += _section(section, 2)
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{escape(document.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
    ]) + "\n"
