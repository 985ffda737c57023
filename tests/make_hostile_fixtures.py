"""(Re)generate tests/data/hostile/: hostile and broken datasets, each with its expected message.

Run from the repository root::

    .venv/bin/python -m tests.make_hostile_fixtures

Each case is a folder holding one dataset (a .zip, .xlsx, .json, or CSV files) and
``expected.json`` (the problems it must give, as in tests/data/invalid/). Cases the
fuzzer (bench/fuzz.py, tests/test_fuzz.py) finds are kept here too. The output is
deterministic: zips and workbooks get fixed timestamps.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from tests.make_ingest_fixtures import FIXED_TIME

DATA = Path(__file__).parent / "data"
HOSTILE = DATA / "hostile"
SMALL = DATA / "valid" / "small"


def expect(file: str, row: int | None, column: str | None, contains: str) -> dict[str, Any]:
    return {"file": file, "row": row, "column": column, "contains": contains}


def write_case(name: str, files: dict[str, bytes], expected: list[dict[str, Any]]) -> None:
    folder = HOSTILE / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    (folder / "expected.json").write_text(text, encoding="utf-8")


def zipped(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = bytearray(buffer.getvalue())
    if encrypted:  # set the encrypted flag, as a password-protected zip has it
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= 0x1
                at = data.find(signature, at + 4)
    return bytes(data)


def small_csv(name: str) -> bytes:
    return (SMALL / name).read_bytes()


def small_xlsx() -> bytes:
    return (DATA / "edge" / "xlsx" / "small.xlsx").read_bytes()


def replace_member(workbook: bytes, member: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = data if info.filename == member else source.read(info)
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return buffer.getvalue()


def corrupt_deflate(archive: bytes, member: str) -> bytes:
    """The zip with bytes in the middle of one member's deflate stream overwritten."""
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(member)
    local = info.header_offset
    name_len = int.from_bytes(archive[local + 26 : local + 28], "little")
    extra_len = int.from_bytes(archive[local + 28 : local + 30], "little")
    start = local + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    data = bytearray(archive)
    data[middle : middle + 8] = b"\xff" * 8
    return bytes(data)


def bomb(size: int) -> bytes:
    """A chains.csv of `size` bytes of newlines after a header, deflated in a zip."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    header = b"id,name\n"
    chunk = b"\n" * (1024 * 1024)
    parts = [compressor.compress(header)]
    for _ in range(size // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    stream = b"".join(parts)
    crc = zlib.crc32(header)
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    total = len(header) + (size // len(chunk)) * len(chunk)
    return _stored_zip("chains.csv", stream, crc, total)


def _stored_zip(name: str, stream: bytes, crc: int, size: int) -> bytes:
    """A one-member zip around an already deflated stream (zipfile would inflate nothing)."""
    encoded = name.encode()
    dos_time = (FIXED_TIME[3] << 11) | (FIXED_TIME[4] << 5) | (FIXED_TIME[5] // 2)
    dos_date = ((FIXED_TIME[0] - 1980) << 9) | (FIXED_TIME[1] << 5) | FIXED_TIME[2]

    def le(value: int, width: int) -> bytes:
        return value.to_bytes(width, "little")

    common = (
        le(20, 2)
        + le(0, 2)
        + le(8, 2)
        + le(dos_time, 2)
        + le(dos_date, 2)
        + le(crc, 4)
        + le(len(stream), 4)
        + le(size, 4)
        + le(len(encoded), 2)
        + le(0, 2)
    )
    local = b"PK\x03\x04" + common + encoded + stream
    central = (
        b"PK\x01\x02"
        + le(20, 2)
        + common
        + le(0, 2)
        + le(0, 2)
        + le(0, 2)
        + le(0, 4)
        + le(0, 4)
        + encoded
    )
    end = (
        b"PK\x05\x06"
        + le(0, 2)
        + le(0, 2)
        + le(1, 2)
        + le(1, 2)
        + le(len(central), 4)
        + le(len(local), 4)
        + le(0, 2)
    )
    return local + central + end


def nested(depth: int) -> bytes:
    return ('{"chains": ' + "[" * depth + "]" * depth + "}").encode()


def main() -> None:
    big = "9" * 400
    write_case(
        "json_deep_5000",
        {"deep.json": nested(5000)},
        [expect("deep.json", None, None, "JSON 嵌套超过 16 层")],
    )
    write_case(
        "json_deep_40",
        {"deep.json": nested(40)},
        [expect("deep.json", None, None, "JSON 嵌套超过 16 层")],
    )
    write_case(
        "zip_bomb",
        {"bomb.zip": bomb(64 * 1024 * 1024)},
        [expect("bomb.zip", None, None, "chains.csv 的压缩比超过 200:1")],
    )
    write_case(
        "zip_encrypted",
        {"locked.zip": zipped({"chains.csv": small_csv("chains.csv")}, encrypted=True)},
        [expect("locked.zip", None, None, "chains.csv 已加密")],
    )
    plain = zipped({"courses.csv": small_csv("courses.csv") * 40})
    write_case(
        "zip_corrupt_deflate",
        {"broken.zip": corrupt_deflate(plain, "courses.csv")},
        [expect("broken.zip", None, None, "courses.csv 已损坏")],
    )
    write_case(
        "xlsx_malformed_xml",
        {
            "broken.xlsx": replace_member(
                small_xlsx(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"
            )
        },
        [expect("broken.xlsx", None, None, "无法打开 Excel 文件")],
    )
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        + b" " * (32 * 1024 * 1024)
        + b"</sheetData></worksheet>"
    )
    write_case(
        "xlsx_bomb",
        {"bomb.xlsx": replace_member(small_xlsx(), "xl/worksheets/sheet1.xml", sheet)},
        [expect("bomb.xlsx", None, None, "xl/worksheets/sheet1.xml 的压缩比超过 200:1")],
    )
    write_case(
        "demand_400_digits",
        {
            "chains.csv": b"id,name\nH1,chain\n",
            "segments.csv": b"id,name,chain_id\nS1,seg,H1\n",
            "positions.csv": f"id,name,segment_id,demand\nP1,pos,S1,{big}\n".encode(),
        },
        [expect("positions.csv", 2, "demand", "人数应为 1–1000000 的整数")],
    )
    write_case(
        "json_huge_numbers",
        {
            "big.json": json.dumps(
                {
                    "chains": [{"id": "H1", "name": "chain"}],
                    "segments": [{"id": "S1", "name": "seg", "chain_id": "H1", "order": int(big)}],
                    "courses": [{"id": "C1", "name": "c", "credits": 1e300, "hours": -(10**30)}],
                }
            ).encode()
        },
        [
            expect("big.json → segments", 1, "order", "顺序应为 0–10000 的整数"),
            expect("big.json → courses", 1, "credits", "学分应为 0–100 的数字"),
            expect("big.json → courses", 1, "hours", "学时应为 0–2000 的整数"),
        ],
    )
    write_case(
        "json_nul_character",
        {
            "nul.json": json.dumps(
                {"chains": [{"id": "H1", "name": "a\u0000b"}, {"id": "H\u00002", "name": "b"}]}
            ).encode()
        },
        [
            expect("nul.json → chains", 1, "name", "不可见的控制字符"),
            expect("nul.json → chains", 2, "id", "不可见的控制字符"),
        ],
    )
    write_case(
        "weight_too_large",
        {
            "requirements.csv": b"position_id,ability_id,level,weight\nP1,A1,3,1e9\n",
        },
        [expect("requirements.csv", 2, "weight", "权重应大于 0 且不超过 1000")],
    )
    write_case(
        "cell_too_long",
        {"chains.csv": b"id,name,region\nH1,chain," + b"x" * 20000 + b"\n"},
        [expect("chains.csv", 2, "region", "单元格有 20000 个字符，超过上限 10000")],
    )
    write_case(
        "csv_field_over_parser_limit",
        {"chains.csv": b'id,name\nH1,"' + b"y" * 200_000 + b'"\n'},
        [expect("chains.csv", 2, None, "CSV 格式错误")],
    )


if __name__ == "__main__":
    main()
