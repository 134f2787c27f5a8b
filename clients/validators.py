"""统一社会信用代码 (USCC), GB 32100-2015: 18 characters.

1   registration authority (登记管理部门代码)
2   institution type within that authority (机构类别代码)
3–8 administrative division code (GB/T 2260, six digits)
9–17 organisation code
18  check character, mod 31 over the alphabet below (no I, O, Z, S, V)."""

import re
import unicodedata

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# registration authority → the institution-type codes the standard defines for it
USCC_INSTITUTION_TYPES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}

_SHAPE = re.compile(r"^[0-9A-Y]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17 (which must use the USCC alphabet)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_normalise(value: str) -> str:
    """Spaces removed, full-width characters folded (ＡＢ１２ → AB12), upper-cased."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def uscc_problem(value: str) -> tuple[str, str] | None:
    """None when `value` (normalised) is a valid USCC, else (code, bilingual message)."""
    if len(value) != 18:
        return ("invalid_length", "统一社会信用代码应为18位 / The USCC must have 18 characters")
    types = USCC_INSTITUTION_TYPES.get(value[0])
    if types is None or value[1] not in types:
        return (
            "invalid_prefix",
            "统一社会信用代码的登记管理部门或机构类别代码无效 / "
            "The USCC's registration authority or institution type code is invalid",
        )
    if not _SHAPE.match(value):
        return (
            "invalid_format",
            "统一社会信用代码含有无效字符 / The USCC contains invalid characters",
        )
    if uscc_check_char(value[:17]) != value[17]:
        return ("invalid_checksum", "统一社会信用代码校验位错误 / USCC check character is wrong")
    return None
