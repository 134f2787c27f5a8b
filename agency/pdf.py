"""PDF rendering shared by every app (WeasyPrint, with an embedded CJK font).

    pdf_bytes = render_pdf("clients/contract_pdf.html", {"contract": contract})

Templates extend `pdf/base.html`, which sets the page (A4) and the font. The font is
WenQuanYi Micro Hei (Debian's fonts-wqy-microhei): it renders faster and far smaller than
Noto CJK; WeasyPrint embeds only the glyphs used."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


class PdfFontMissing(RuntimeError):
    """No CJK font is installed: Chinese would render as boxes."""


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return path
    raise PdfFontMissing(
        "No CJK font found: install Debian's fonts-wqy-microhei (make run/test do this)."
    )


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def pdf_context(context: dict[str, Any]) -> dict[str, Any]:
    """What `pdf/base.html` needs on top of the caller's context."""
    return {**context, "cjk_font_url": f"file://{cjk_font_path()}"}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    out: bytes = document.write_pdf(font_config=_font_config())
    return out


def render_pdf(template: str, context: dict[str, Any], *, language: str = "zh-hans") -> bytes:
    """Render a Django template to PDF bytes, in Chinese unless told otherwise."""
    with translation.override(language):
        html = render_to_string(template, pdf_context(context))
    return html_to_pdf(html)
