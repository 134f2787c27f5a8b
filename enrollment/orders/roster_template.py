"""The roster template (增减员名单模板) a client downloads: Chinese headers (frozen),
an example row starting with 例 (skipped on import), a text-formatted ID column,
dropdowns, and a 填写说明 sheet."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from agency.xlsx import MAX_DATA_ROWS

# header, width, dropdown values (None: free text), explanation for the 填写说明 sheet
TEMPLATE_COLUMNS: tuple[tuple[str, int, tuple[str, ...] | None, str, str], ...] = (
    ("序号", 6, None, "否", "可不填，导入时忽略。"),
    ("增减员类型", 12, ("增员", "减员", "调基"), "是",
     "增员、减员 或 调基（调整缴费基数）；也可写 新增 / 停保 / 基数调整。"),
    ("姓名", 12, None, "增员必填", "与身份证一致的姓名。"),
    ("身份证号码", 22, None, "是",
     "18 位居民身份证号码，末位 X 大小写均可。本列已设置为文本格式；如从其他表格粘贴，"
     "请先将该列设置为文本格式，否则末几位会变成 0。"),
    ("户籍性质", 12, ("城镇本地", "城镇外地", "农村本地", "农村外地"), "增员必填",
     "城镇本地、城镇外地、农村本地 或 农村外地（也可写 本市城镇、外地农村 等）。"),
    ("参保城市", 12, None, "是",
     "城市名称（如 上海 或 上海市）或六位城市代码（如 310000），须在服务合同约定的城市内。"),
    ("缴费基数", 12, None, "增员、调基必填",
     "金额（元，如 8000 或 8,000.00），或 最低 / 最高 表示按该城市当年的基数下限 / 上限。"),
    ("生效日期", 14, None, "是",
     "日期（2026-12-01、2026/12/1、2026年12月1日 或 Excel 日期），或月份（202612、"
     "2026-12、2026年12月，视为当月1日）。每月截止日（默认15日，以各城市设置为准）及之前"
     "收到的增减员当月生效，之后收到的次月生效。"),
    ("是否缴纳公积金", 14, ("是", "否"), "否",
     "是 或 否；不填时按服务合同约定。增员填 否 表示只缴社保。"),
    ("手机号", 14, None, "否", "员工本人手机号。"),
    ("减员原因", 12, ("辞职", "辞退", "合同到期", "退休", "死亡", "转出", "其他"), "减员必填",
     "辞职、辞退、合同到期、退休、死亡、转出 或 其他。"),
)
TEMPLATE_EXAMPLE = (
    "例", "增员", "张三", "11010519491231002X", "城镇本地", "上海", "8000.00", "2026-12-01",
    "是", "13800000000", "",
)
TEMPLATE_SHEET = "增减员名单"
TEMPLATE_HELP_SHEET = "填写说明"
TEMPLATE_TEXT_COLUMNS = ("身份证号码", "手机号", "缴费基数", "生效日期")


def roster_template_xlsx() -> bytes:
    """The roster template: headers in row 1 (frozen), an example row starting with 例
    (skipped on import), text-formatted ID column, dropdowns, and a 填写说明 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new Workbook always has one sheet
    sheet.title = TEMPLATE_SHEET
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(color="808080", italic=True)
    last_row = MAX_DATA_ROWS + 2
    for index, (header, width, choices, _required, _help) in enumerate(TEMPLATE_COLUMNS, 1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center")
        dimension = sheet.column_dimensions[letter]
        dimension.width = width
        example = sheet.cell(row=2, column=index, value=TEMPLATE_EXAMPLE[index - 1] or None)
        example.font = example_font
        if header in TEMPLATE_TEXT_COLUMNS:
            dimension.number_format = "@"
            example.number_format = "@"
        if choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=header,
                error="请从下拉列表中选择 / Please choose from the list",
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(TEMPLATE_HELP_SHEET)
    help_sheet.append(("列名", "是否必填", "填写说明"))
    for cell in help_sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    for header, _width, _choices, required, explanation in TEMPLATE_COLUMNS:
        help_sheet.append((header, required, explanation))
    help_sheet.append(())
    for note in (
        "第1行为表头，请勿修改；列的顺序可以调整。以“例”开头的示例行导入时会被忽略，可保留或删除。",
        f"每个文件最多 {MAX_DATA_ROWS} 行数据，文件不超过 10 MB，请勿设置密码。",
        "截止日规则：每月截止日（默认15日，以各城市设置为准）及之前收到的增减员当月生效，"
        "之后收到的次月生效。",
        "任一行有误时整个文件都不会导入，请按提示修改后重新上传。",
    ):
        help_sheet.append((note,))
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 16
    help_sheet.column_dimensions["C"].width = 90
    for row in help_sheet.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
