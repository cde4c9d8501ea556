"""The progress report for the oversight meeting: one HTML template, shown as a page or printed to PDF.

The PDF is drawn by WeasyPrint (Debian's Pango) from the same HTML, so the page and the paper never
differ. WeasyPrint is imported only when a PDF is asked for; without it the PDF route answers 503 and
the HTML report still works.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bluelamp.performance import improvement


class PdfUnavailable(RuntimeError):
    """No PDF engine is installed."""


def _context(session: Session, as_of: date | None) -> dict[str, Any]:
    data = improvement.report(session, as_of)
    return {"report": data, "print": True}


def progress_html(session: Session, as_of: date | None = None) -> str:
    """The report as a standalone HTML document (inline styles, no scripts, nothing fetched)."""
    from bluelamp.web.templating import templates

    return templates.env.get_template("performance/report.html").render(_context(session, as_of))


def progress_pdf(session: Session, as_of: date | None = None) -> bytes:
    html = progress_html(session, as_of)
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise PdfUnavailable("no PDF engine: install weasyprint (pip install weasyprint)") from exc
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
