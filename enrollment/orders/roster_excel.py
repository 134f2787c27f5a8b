"""Excel intake of roster orders (增减员): the import that turns a real-world sheet into the
API's JSON line shape (the downloadable template is `enrollment.orders.roster_template`).

The import only reads: every value becomes the string (or bool / list) the API would have
received, and cells it cannot read become `ErrorDetail`s. The order service then validates
the lines exactly as it validates JSON (ID numbers, required fields, city in the contract,
duplicates, enrolment state). Nothing here touches the database: the caller passes the
accepted city spellings (`city_aliases`)."""

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import from_excel

from agency.errors import ErrorDetail
from agency.xlsx import (
    HeaderSpec,
    alias_table,
    cell_text,
    first_value,
    open_table,
    stored_as_number,
)
from enrollment.models import LineAction

# The API line's keys, in the order a line dict is built.
FIELDS = (
    "action", "name", "id_number", "hukou_type", "city", "base", "effective_date",
    "housing_fund", "phone", "reason", "schemes",
)

# The header words of each field: data, not code (roster_headers.json beside this module).
HEADERS_FILE = Path(__file__).with_name("roster_headers.json")
PROGRESS_EVERY = 200  # rows between two progress reports of a background import
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    name: tuple(words)
    for name, words in json.loads(HEADERS_FILE.read_text(encoding="utf-8")).items()
    if not name.startswith("_about")
}

SPEC = HeaderSpec(
    aliases=alias_table(HEADER_ALIASES),
    required={"action": "增减员类型", "id_number": "身份证号码"},
    # a sheet of adds (or of removals) may say so by its date column instead
    implied={"action": ("add_date", "remove_date")},
)

# Labels in messages: (Chinese, English).
LABELS = {
    "action": ("增减员类型", "type"),
    "name": ("姓名", "name"),
    "id_number": ("身份证号码", "ID number"),
    "hukou_type": ("户籍性质", "hukou type"),
    "city": ("参保城市", "city"),
    "base": ("缴费基数", "base"),
    "effective_date": ("生效日期", "date"),
    "housing_fund": ("是否缴纳公积金", "housing fund"),
    "phone": ("手机号", "phone"),
    "reason": ("减员原因", "reason"),
    "schemes": ("参保险种", "schemes"),
}

# code, Chinese problem, English problem
_PROBLEMS = {
    "action": (
        "action_invalid", "无法识别，应为 增员、减员 或 调基",
        "is not recognised; use 增员 (add), 减员 (remove) or 调基 (adjust base)",
    ),
    "hukou_type": (
        "hukou_invalid", "无法识别，应为 城镇本地、城镇外地、农村本地 或 农村外地",
        "is not recognised; use 城镇本地, 城镇外地, 农村本地 or 农村外地",
    ),
    "city": (
        "city_unknown", "无法识别，请填写城市名称（如 上海）或六位城市代码（如 310000）",
        "is not a known city; enter its name (e.g. 上海) or six-digit code (e.g. 310000)",
    ),
    "base": (
        "base_invalid", "不是有效金额，请填写数字（如 8000.00），或 最低 / 最高",
        "is not an amount; enter a number (e.g. 8000.00), or 最低 / 最高 for the city's "
        "floor / ceiling",
    ),
    "effective_date": (
        "date_invalid",
        "不是有效日期，请填写如 2026-12-01、2026/12/1、2026年12月1日，或月份 202612、2026-12",
        "is not a valid date; use e.g. 2026-12-01, 2026/12/1, 2026年12月1日, or a month "
        "202612, 2026-12",
    ),
    "housing_fund": (
        "housing_fund_invalid", "无法识别，应为 是 或 否", "should be 是 (yes) or 否 (no)",
    ),
    "reason": (
        "reason_invalid", "无法识别，应为 辞职、辞退、合同到期、退休、死亡、转出 或 其他",
        "is not recognised; use 辞职, 辞退, 合同到期, 退休, 死亡, 转出 or 其他",
    ),
    "schemes": (
        "schemes_invalid", "无法识别，应为 社保、公积金 或 社保+公积金",
        "is not recognised; use 社保, 公积金 or 社保+公积金",
    ),
}


@lru_cache(maxsize=4096)
def _token(text: str) -> str:
    """A typed word as looked up: NFKC-folded (full-width forms), no spaces, lower-case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _table(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    return {_token(word): value for value, words in pairs for word in (*words, value)}


ACTIONS = _table(
    [
        ("add", ("增员", "增", "加", "新增", "增加", "新参保", "参保", "入职")),
        ("remove", ("减员", "减", "停保", "减少", "停缴", "退保", "离职")),
        ("adjust_base", ("调基", "基数调整", "调整基数", "调基数")),
    ]
)
_URBAN = ("城镇", "非农", "非农业", "城市")
_RURAL = ("农村", "农业")
_LOCAL = ("本地", "本市", "本埠")
_NONLOCAL = ("外地", "外埠", "外省", "外省市", "外市", "异地")
HUKOU_TYPES = _table(
    [
        (
            code,
            tuple(
                first + second + suffix
                for kind in kinds
                for place in places
                for first, second in ((kind, place), (place, kind))
                for suffix in ("", "户口", "户籍")
            ),
        )
        for code, kinds, places in (
            ("urban_local", _URBAN, _LOCAL),
            ("urban_nonlocal", _URBAN, _NONLOCAL),
            ("rural_local", _RURAL, _LOCAL),
            ("rural_nonlocal", _RURAL, _NONLOCAL),
        )
    ]
)
REASONS = _table(
    [
        ("resignation", ("辞职", "离职", "主动离职", "个人辞职", "自动离职")),
        ("dismissal", ("辞退", "解除", "解除劳动合同", "解聘", "开除")),
        ("contract_end", ("合同到期", "合同期满", "劳动合同到期", "合同终止")),
        ("retirement", ("退休",)),
        ("death", ("死亡", "身故")),
        ("transfer", ("转出", "调离", "调出", "转移")),
        ("other", ("其他", "其它")),
    ]
)
BASE_WORDS = _table(
    [
        ("min", ("最低", "最低基数", "下限", "按最低", "按最低基数", "保底")),
        ("max", ("最高", "最高基数", "上限", "按最高", "按最高基数", "封顶")),
    ]
)
YES_NO = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "缴纳", "有", "√", "✓", "需要"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0", "不缴纳", "无", "×", "✗", "不需要"), False),
}
_BOTH_SCHEMES = ("social_insurance", "housing_fund")
SCHEME_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("社保", "社会保险", "五险", "社险", "social_insurance"), _BOTH_SCHEMES[:1]),
    **dict.fromkeys(("公积金", "住房公积金", "housing_fund"), _BOTH_SCHEMES[1:]),
    **dict.fromkeys(("五险一金", "全部", "社保公积金"), _BOTH_SCHEMES),
}

_CENT = Decimal("0.01")
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_AMOUNT_NOISE = re.compile(r"[\s,元¥]|rmb", re.IGNORECASE)
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
_SCHEME_SPLIT = re.compile(r"[,、/+;&和及\s]+")
# Excel serial numbers of 1970-01-01 and 2099-12-31: a date column pasted as values.
_SERIAL_DATES = range(25569, 73051)


class _CellError(Exception):
    """A cell the import cannot read; `code`, Chinese and English problem."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(code)
        self.code, self.zh, self.en = code, zh, en


def _word(table: Mapping[str, Any], field_name: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        found = table.get(_token(cell_text(value)))
        if found is None:
            raise _CellError(*_PROBLEMS[field_name])
        return found

    return convert


def _phone(value: Any) -> str:
    return "".join(cell_text(value).split())


def _id_number(value: Any) -> str:
    if stored_as_number(value):
        raise _CellError(
            "id_number_not_text",
            "被存为数字，末几位已丢失；请将该列设置为文本格式后重新填写身份证号码",
            "was stored as a number and its last digits are lost; format the column as text "
            "(设置为文本格式) and enter the ID number again",
        )
    return str(value).strip()


def _base(value: Any) -> str:
    if isinstance(value, bool):
        raise _CellError(*_PROBLEMS["base"])
    try:
        if isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, float):
            amount = Decimal(repr(value))
        else:
            text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
            word = BASE_WORDS.get(text.lower())
            if word is not None:
                return word
            if not _AMOUNT.fullmatch(text):
                raise _CellError(*_PROBLEMS["base"])
            amount = Decimal(text)
        if not amount.is_finite():
            raise _CellError(*_PROBLEMS["base"])
        return str(amount.quantize(_CENT, rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:
        raise _CellError(*_PROBLEMS["base"]) from exc


def _iso(year: str | int, month: str | int, day: str | int = 1) -> str:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError as exc:
        raise _CellError(*_PROBLEMS["effective_date"]) from exc


def _effective_date(value: Any) -> str:
    """A date as ISO text; a month (202612, 2026-12, 2026年12月) is its first day."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise _CellError(*_PROBLEMS["effective_date"])
        number = int(value)
        if number in _SERIAL_DATES:
            return from_excel(number).date().isoformat()
        text = str(number)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
    else:
        raise _CellError(*_PROBLEMS["effective_date"])
    for pattern in (_DATE, _DATE_COMPACT):
        found = pattern.fullmatch(text)
        if found:
            return _iso(*found.groups())
    for pattern in (_MONTH, _MONTH_COMPACT):
        found = pattern.fullmatch(text)
        if found:
            return _iso(*found.groups())
    raise _CellError(*_PROBLEMS["effective_date"])


def _housing_fund(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    found = YES_NO.get(_token(cell_text(value)))
    if found is None:
        raise _CellError(*_PROBLEMS["housing_fund"])
    return found


def _schemes(value: Any) -> list[str]:
    chosen: set[str] = set()
    for word in _SCHEME_SPLIT.split(_token(cell_text(value))):
        if word:
            found = SCHEME_WORDS.get(word)
            if found is None:
                raise _CellError(*_PROBLEMS["schemes"])
            chosen.update(found)
    if not chosen:
        raise _CellError(*_PROBLEMS["schemes"])
    return [s for s in _BOTH_SCHEMES if s in chosen]


def _city(cities: Mapping[str, str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = cell_text(value)
        code = cities.get(text) or cities.get("".join(unicodedata.normalize("NFKC", text).split()))
        if code is None:
            raise _CellError(*_PROBLEMS["city"])
        return code

    return convert


CITY_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "市", "省", "盟")


def city_aliases(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every accepted spelling of a city → its code, from (code, name) pairs: the code,
    the name ("上海市") and the name without its 市 / 省 / 自治区 … suffix ("上海").
    A code or full name always wins over another city's short name."""
    pairs = list(pairs)
    aliases: dict[str, str] = {}
    for code, _name in pairs:
        aliases[code] = code
    for code, name in pairs:
        aliases.setdefault(name.strip(), code)
    for code, name in pairs:
        for suffix in CITY_SUFFIXES:
            short = name.strip().removesuffix(suffix)
            if short != name.strip() and short:
                aliases.setdefault(short, code)
                break
    return aliases


@dataclass
class ParsedRoster:
    """An imported sheet. `lines[i]` is API line `i + 1` (the `line` of its errors) and came
    from Excel row `sheet_rows[i]`; a cell that could not be read is left out of its line
    and reported in `errors`; `merged_errors` combines them with the order service's."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[ErrorDetail] = field(default_factory=list)
    sheet_rows: list[int] = field(default_factory=list)
    sheet_title: str = ""
    header_row: int = 0

    def merged_errors(self, service_errors: Iterable[ErrorDetail]) -> list[ErrorDetail]:
        """The import's errors and the service's errors about these lines, by line: a
        service error on a line and field the import already reported (typically
        `required` for a cell it could not read) is left out, and each service message
        "中文 / English" is given its Excel row: "第7行 中文 / Row 7: English"."""
        reported = {(e.line, e.field) for e in self.errors}
        merged = list(self.errors)
        for error in service_errors:
            if (error.line, error.field) in reported:
                continue
            if error.line is not None and 1 <= error.line <= len(self.sheet_rows):
                row = self.sheet_rows[error.line - 1]
                chinese, separator, english = error.message.partition(" / ")
                message = f"第{row}行 {chinese}" + (
                    f" / Row {row}: {english}" if separator else ""
                )
                error = replace(error, message=message)
            merged.append(error)
        merged.sort(key=lambda e: -1 if e.line is None else e.line)
        return merged


def parse_roster_xlsx(data: bytes, *, cities: Mapping[str, str],
                      progress: Callable[[int], None] | None = None) -> ParsedRoster:
    """Read an uploaded roster workbook into API lines (see `ParsedRoster`).

    Raises `DomainError` (400) for a file that cannot be taken at all: `file_too_large`,
    `file_not_xlsx`, `file_encrypted`, `file_corrupt`, `too_many_rows`,
    `header_not_found`."""
    converters: dict[str, Callable[[Any], Any]] = {
        "action": _word(ACTIONS, "action"),
        "name": cell_text,
        "id_number": _id_number,
        "hukou_type": _word(HUKOU_TYPES, "hukou_type"),
        "city": _city(cities),
        "base": _base,
        "effective_date": _effective_date,
        "housing_fund": _housing_fund,
        "phone": _phone,
        "reason": _word(REASONS, "reason"),
        "schemes": _schemes,
    }
    result = ParsedRoster()
    with open_table(data, SPEC) as table:
        result.sheet_title, result.header_row = table.sheet_title, table.header_row
        plan = _plan(table.columns, converters)
        for line_number, sheet_row, values in table.rows():
            line: dict[str, Any] = {}
            for field_name, columns, remove_columns, convert in plan:
                value = first_value(
                    values, remove_columns if line.get("action") == LineAction.REMOVE else columns
                )
                if value is None:
                    continue
                try:
                    line[field_name] = convert(value)
                except _CellError as problem:
                    result.errors.append(
                        _cell_error(problem, field_name, value, line_number, sheet_row)
                    )
            if "action" not in line and "action" not in table.columns:
                _action_from_dates(line, values, table.columns)
            result.lines.append(line)
            result.sheet_rows.append(sheet_row)
            if progress is not None and line_number % PROGRESS_EVERY == 0:
                progress(line_number)  # a background import's progress page
    return result


def _action_from_dates(
    line: dict[str, Any], values: tuple[Any, ...], columns: Mapping[str, tuple[int, ...]]
) -> None:
    """A sheet without an action column is a sheet of adds (增员日期, 起缴月份 …) or of
    removals (减员日期, 停缴月份 …): the line's date column says which."""
    for name, action in (("add_date", LineAction.ADD), ("remove_date", LineAction.REMOVE)):
        if first_value(values, columns.get(name, ())) is not None:
            line["action"] = str(action)
            return


def _plan(
    found: Mapping[str, tuple[int, ...]], converters: Mapping[str, Callable[[Any], Any]]
) -> list[tuple[str, tuple[int, ...], tuple[int, ...], Callable[[Any], Any]]]:
    """For each field the sheet has: its columns for add / adjust lines and for remove
    lines (they differ only for the date: 增员日期 first, or 减员日期 first)."""
    columns = dict(found)
    add_dates = found.get("add_date", ())
    remove_dates = found.get("remove_date", ())
    general_dates = found.get("effective_date", ())
    if add_dates or remove_dates or general_dates:
        columns["effective_date"] = add_dates + general_dates + remove_dates
    plan = []
    for field_name in FIELDS:
        if field_name in columns:
            remove_columns = columns[field_name]
            if field_name == "effective_date":
                remove_columns = remove_dates + general_dates + add_dates
            plan.append(
                (field_name, columns[field_name], remove_columns, converters[field_name])
            )
    return plan


def _cell_error(
    problem: _CellError, field_name: str, value: Any, line: int, sheet_row: int
) -> ErrorDetail:
    label_zh, label_en = LABELS[field_name]
    shown = cell_text(value)
    if len(shown) > 30:
        shown = shown[:30] + "…"
    return ErrorDetail(
        code=problem.code,
        field=field_name,
        line=line,
        message=(
            f"第{sheet_row}行 {label_zh}“{shown}”{problem.zh} / "
            f"Row {sheet_row}: {label_en} “{shown}” {problem.en}"
        ),
    )


# The template ------------------------------------------------------------------------
