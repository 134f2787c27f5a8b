"""The PDF helper renders Chinese text with an embedded font (checked with pdftotext)."""

from django.template import engines

from agency.pdf import html_to_pdf, pdf_context
from tests.pdf_utils import pdf_fonts, pdf_text


def test_pdf_embeds_a_cjk_font_and_keeps_chinese_text():
    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block body %}<h1>参保证明</h1>'
        "<p>上海启明信息技术有限公司 ¥1,280.00</p>{% endblock %}"
    )

    pdf = html_to_pdf(template.render(pdf_context({})))

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "参保证明" in text
    assert "上海启明信息技术有限公司 ¥1,280.00" in text
    fonts = pdf_fonts(pdf)
    font_line = next(line for line in fonts.splitlines() if line.split()[0].endswith("+CJK"))
    assert font_line.split()[-5:-3] == ["yes", "yes"]  # embedded, subset
