"""Read a PDF back as a person would: its text (pdftotext) and its fonts (pdffonts)."""

import shutil
import subprocess
import tempfile


def pdf_text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: make test installs poppler-utils"
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True)
    return out.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdffonts", f.name], capture_output=True, check=True,
                              text=True).stdout
