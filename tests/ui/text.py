"""What the page walk reads of a page and how it judges it.

`visible_strings(html)` picks the strings a user reads to find their way: the page
title and headings, the main navigation (the top bar's links and buttons), form labels,
buttons, select options, placeholders and table headers. `untranslated(strings, lang,
data)` returns those that are not in the page's language:
  - zh-Hans: a string must contain Chinese outside parentheses, unless every Latin word
    in it is data (a value stored in the database: names, codes, numbers) or on
    `ALLOWED_LATIN`;
  - English: a string must contain no Chinese, unless every run of Chinese in it is
    data or on `ALLOWED_CJK`, or stands in parentheses beside English words: the project
    writes a domain term's Chinese name beside its English one ("Add (增员)", "Accepted
    (补差 on the next bill)"), which is a gloss, not a missing translation."""

import re
from collections.abc import Iterable
from html.parser import HTMLParser

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PARENTHESES = re.compile(r"[(（][^()（）]*[)）]")

# Words a Chinese page shows as they are (names of formats and standards, the language
# switch's own name).
ALLOWED_LATIN = frozenset({"API", "Excel", "PDF", "English", "CSV", "XLSX", "xlsx", "pdf",
                           "csv", "Webhook", "TOTP", "ID", "HR", "SLA", "PNG", "JPG", "JPEG",
                           "OCR", "URL", "HTTPS", "UTC", "SHA"})
# Chinese an English page shows: the language switch's own name.
ALLOWED_CJK = frozenset({"简体中文"})

HEADINGS = {"title", "h1", "h2", "h3", "h4", "legend", "caption", "summary"}
JUDGED = HEADINGS | {"label", "button", "th", "option"}
SKIPPED = {"script", "style", "template", "textarea"}
CLOSED_BY_SIBLING = {"option", "th", "td"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.open: list[tuple[str, int, list[str]]] = []  # judged elements being read
        self.found: list[tuple[str, str]] = []  # (where, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("placeholder"):
            self.found.append((f"{tag}[placeholder]", values["placeholder"] or ""))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.found.append(("input[submit]", values["value"] or ""))
        if tag in VOID:
            return
        if tag in CLOSED_BY_SIBLING and self.stack and self.stack[-1] in CLOSED_BY_SIBLING:
            self._pop_to(len(self.stack) - 1)  # <option>a<option>b: the first one ends
        nav_link = tag == "a" and ("nav" in self.stack or "header" in self.stack)
        self.stack.append(tag)
        if tag in JUDGED or nav_link:
            self.open.append(("nav a" if nav_link else tag, len(self.stack), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.stack:
            return
        depth = len(self.stack) - 1 - self.stack[::-1].index(tag)
        self._pop_to(depth)

    def _pop_to(self, depth: int) -> None:
        del self.stack[depth:]
        while self.open and self.open[-1][1] > depth:
            where, _, parts = self.open.pop()
            text = " ".join(" ".join(parts).split())
            if text:
                self.found.append((where, text))

    def handle_data(self, data: str) -> None:
        if self.open and not any(tag in SKIPPED for tag in self.stack):
            self.open[-1][2].append(data)


def visible_strings(html: str) -> list[tuple[str, str]]:
    """(element, text) of every judged string of the page, in document order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found


class Data:
    """The words and Chinese runs of the values stored in the database: a page may show
    them in either language."""

    def __init__(self, values: Iterable[str]) -> None:
        self.latin: set[str] = set()
        self.cjk: set[str] = set()
        for value in values:
            self.latin.update(LATIN_WORD.findall(value))
            self.cjk.update(CJK.findall(value))


def untranslated(strings: Iterable[tuple[str, str]], lang: str, data: Data) -> list[str]:
    out = []
    for where, text in strings:
        if lang == "en":
            outside = PARENTHESES.sub(" ", text)
            glossed = outside if LATIN_WORD.search(outside) else text
            runs = [run for run in CJK.findall(glossed) if HAN.search(run)]
            bad = [run for run in runs if run not in data.cjk and run not in ALLOWED_CJK]
        else:
            # Chinese only in parentheses beside English words is the English gloss
            # of an untranslated string ("Add (增员)")
            outside = PARENTHESES.sub(" ", text)
            judged = outside if outside.strip() else text
            if HAN.search(judged):
                continue
            words = LATIN_WORD.findall(judged)
            bad = [w for w in words if w not in data.latin and w not in ALLOWED_LATIN]
        if bad:
            out.append(f"{where}: {text!r}")
    return out
