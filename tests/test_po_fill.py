"""scripts/po_fill.py: a fuzzy guess of msgmerge never survives the build."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("po_fill", ROOT / "scripts" / "po_fill.py")
assert _spec is not None and _spec.loader is not None
po_fill = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(po_fill)

CATALOGUE = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
#| msgid "Effective to"
msgid "Effective month"
msgstr "失效日"

#, fuzzy, python-format
#| msgid "%(hours)d h"
msgid "%(hours)d h left"
msgstr "%(hours)d 小时"

#, fuzzy
#| msgid "Scheme"
msgid "Schemes"
msgstr "险种"

msgid "Status"
msgstr "状态"

msgid "New"
msgstr ""
'''


def test_fuzzy_guesses_are_filled_from_the_table_or_reported(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(CATALOGUE, encoding="utf-8")

    table = {"Effective month": "生效月份", "%(hours)d h left": "剩余 %(hours)d 小时",
             "Status": "状况", "New": "新"}

    missing = po_fill.fill(po, table)

    assert missing == ["Schemes"]
    assert po.read_text(encoding="utf-8").split("\n\n")[1:] == [
        'msgid "Effective month"\nmsgstr "生效月份"',
        '#, python-format\nmsgid "%(hours)d h left"\nmsgstr "剩余 %(hours)d 小时"',
        '#, fuzzy\n#| msgid "Scheme"\nmsgid "Schemes"\nmsgstr "险种"',
        'msgid "Status"\nmsgstr "状态"',
        'msgid "New"\nmsgstr "新"\n',
    ]


def test_a_msgid_in_a_context_is_filled_from_its_own_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "Active"\nmsgstr ""\n\nmsgctxt "enrolment status"\nmsgid "Active"\n'
                  'msgstr ""\n\nmsgctxt "other"\nmsgid "Active"\nmsgstr ""\n', encoding="utf-8")

    missing = po_fill.fill(po, {"Active": "有效", "enrolment status\x04Active": "在保"})

    assert missing == ["other\x04Active"]
    assert po.read_text(encoding="utf-8").split("\n\n") == [
        'msgid "Active"\nmsgstr "有效"',
        'msgctxt "enrolment status"\nmsgid "Active"\nmsgstr "在保"',
        'msgctxt "other"\nmsgid "Active"\nmsgstr ""\n',
    ]


def test_an_enrolment_is_在保_where_a_contract_is_有效():
    from django.utils import translation

    from clients.models import Contract
    from enrollment.models import Enrollment

    with translation.override("zh-hans"):
        assert (str(Enrollment.Status.ACTIVE.label), str(Contract.Status.ACTIVE.label),
                translation.gettext("Active")) == ("在保", "有效", "有效")
