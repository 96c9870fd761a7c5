"""The wording of the documents the tool writes, as TOML files a province can replace.

The default folder is `tinnhiem/templates` in the package: one file per document (the notice,
the order of business, the list of rated people, the answers to information requests, the
counting committee, the counting minutes, the City report). A province copies the folder
(`tinnhiem rules templates THƯ_MỤC`), edits the words, headings, signer titles and recipients in
a text editor, and points at it with `[documents] templates = "THƯ_MỤC"` in its rule set
(relative to the rule-set file) or `--templates THƯ_MỤC` on the command.

A template holds words only: the page, fonts, sizes and places of the elements stay those of
Nghị định 30/2020 (io/nd30.py). Text between braces, e.g. `{unit}`, is filled in by the tool;
each file lists the names it may use. Every file and key is checked before anything is
written: a missing file or key, a value of the wrong type or an unknown name between braces is
an error naming the file and the key."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem

HEADINGS = ("auto", "state", "party")
_MEETING = {"unit", "plan", "date", "location", "chair", "summoned", "attendees", "rated", "rated_count",
            "meeting_word", "meeting_word_cap", "addressee", "requests", "committee", "levels", "blank"}
# file stem -> {key: type}; types: str, lines (list of str), pairs (list of [str, str]), heading.
_COMMON = {"heading": "heading", "kind": "str", "summary": "str", "signer": "lines", "recipients": "lines"}
_PAPER = {**_COMMON, "signer_hdnd": "lines", "abbr": "str", "body": "lines"}
SCHEMA: dict[str, dict[str, str]] = {
    "thong-bao": {**_PAPER, "addressee": "str", "closing_list": "str", "closing_no_list": "str", "list_title": "str"},
    "trinh-tu": {**_PAPER, "steps": "pairs"},
    "danh-sach-nguoi-duoc-lay-phieu": _PAPER,
    "tra-loi-yeu-cau": {**_PAPER, "no_requests": "str"},
    "ban-kiem-phieu": {**_PAPER, "closing": "str", "head_role": "str", "member_role": "str"},
    "bien-ban-kiem-phieu": {"heading": "heading", "issuer": "str", "kind": "str", "summary": "str", "intro": "str",
                            "head_role": "str", "member_role": "str", "counted": "str", "closing": "str",
                            "closing_blank": "str", "head_signer": "str", "member_signer": "str", "signer_note": "str"},
    "bao-cao-tong-hop": {**_COMMON, "abbr": "str", "intro": "str", "part_1": "str", "part_2": "str", "part_3": "str",
                         "part_4": "str", "part_5": "str", "closing": "str"},
}
# The names each file may use between braces.
NAMES: dict[str, set[str]] = {
    "thong-bao": _MEETING, "trinh-tu": _MEETING | {"chair_role"}, "danh-sach-nguoi-duoc-lay-phieu": _MEETING,
    "tra-loi-yeu-cau": _MEETING, "ban-kiem-phieu": _MEETING,
    "bien-ban-kiem-phieu": {"unit", "time", "date", "location", "meeting_word", "rated_count", "subject"},
    "bao-cao-tong-hop": {"plan", "issuer", "as_of"},
}


def default_folder() -> Path:
    return Path(str(resources.files("tinnhiem").joinpath("templates")))


@dataclass(frozen=True)
class Template:
    """One document's wording; `text(key, values)` fills the names between braces."""

    file: str
    data: dict

    def raw(self, key: str):
        return self.data[key]

    def text(self, key: str, values: dict) -> str:
        return self.data[key].format_map(values)

    def lines(self, key: str, values: dict) -> list[str]:
        return [s.format_map(values) for s in self.data[key]]

    def pairs(self, key: str, values: dict) -> list[tuple[str, str]]:
        return [(a.format_map(values), b.format_map(values)) for a, b in self.data[key]]

    def party(self, rules_says: bool) -> bool:
        """The heading: `auto` is the rule set's (party_routes); `state` or `party` forces one."""
        h = self.data["heading"]
        return rules_says if h == "auto" else h == "party"


@dataclass(frozen=True)
class Templates:
    folder: str
    docs: dict

    def __getitem__(self, stem: str) -> Template:
        return self.docs[stem]


def _check_text(s: str, names: set[str]) -> str | None:
    """Why `s` cannot be filled, or None."""
    try:
        parts = list(string.Formatter().parse(s))
    except ValueError as exc:
        return f"dấu ngoặc nhọn không khớp ({exc}); muốn in dấu {{ hoặc }} thì viết {{{{ hoặc }}}}"
    for _, field, spec, conv in parts:
        if field is None:
            continue
        if field not in names:
            return f"tên {{{field}}} không có; dùng được: {', '.join('{' + n + '}' for n in sorted(names))}"
        if spec or conv:
            return f"{{{field}}} chỉ được viết đúng tên, không kèm định dạng"
    return None


def _check_file(path: Path, stem: str, problems: list[Problem]) -> dict | None:
    fname = str(path)

    def err(code: str, key: str | None, msg: str) -> None:
        problems.append(Problem(code=code, message=msg, file=fname, detail={"key": key} if key else None))

    if not path.is_file():
        err("TEMPLATE_MISSING", None, f"Thiếu tệp mẫu văn bản {path.name} trong thư mục mẫu '{path.parent}' "
                                      "(sao lại thư mục mẫu mặc định bằng: tinnhiem rules templates THƯ_MỤC).")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        err("TEMPLATE_ENCODING", None, "Tệp mẫu văn bản phải được lưu dạng UTF-8.")
        return None
    except tomllib.TOMLDecodeError as exc:
        err("TEMPLATE_SYNTAX", None, f"Tệp mẫu văn bản không đúng cú pháp TOML: {exc}.")
        return None
    except OSError as exc:
        err("TEMPLATE_READ", None, f"Không đọc được tệp mẫu văn bản: {exc.strerror or exc}.")
        return None
    schema, names = SCHEMA[stem], NAMES[stem]
    for key in data:
        if key not in schema:
            err("TEMPLATE_KEY_UNKNOWN", key, f"Khóa '{key}' không có trong mẫu {path.name}; các khóa: {', '.join(schema)}.")
    for key, kind in schema.items():
        if key not in data:
            err("TEMPLATE_KEY_MISSING", key, f"Thiếu khóa '{key}' trong mẫu {path.name}.")
            continue
        v = data[key]
        if kind == "heading":
            if v not in HEADINGS:
                err("TEMPLATE_VALUE", key, f"Khóa '{key}': phải là \"auto\" (theo bộ quy tắc), \"state\" (Quốc hiệu, "
                                           f"Tiêu ngữ) hoặc \"party\" (ĐẢNG CỘNG SẢN VIỆT NAM), không phải {v!r}.")
            continue
        if kind == "str":
            texts, ok = [v], isinstance(v, str)
            want = "một chuỗi trong ngoặc kép"
        elif kind == "lines":
            texts, ok = v, isinstance(v, list) and all(isinstance(s, str) for s in v)
            want = "một danh sách chuỗi [\"…\", \"…\"]"
        else:
            ok = isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                                             for p in v)
            texts = [s for p in v for s in p] if ok else []
            want = "một danh sách cặp [\"nội dung\", \"người thực hiện\"]"
        if not ok:
            err("TEMPLATE_VALUE", key, f"Khóa '{key}' phải là {want}.")
            continue
        for s in texts:
            why = _check_text(s, names)
            if why:
                err("TEMPLATE_VALUE", key, f"Khóa '{key}': {why}.")
                break
    return data


def load(folder: Path | str | None = None) -> Templates:
    """Every document's template from `folder` (None: the package's), all checked; InputError
    lists every problem of every file."""
    if folder is None:
        return _default()
    return _load(Path(folder))


@lru_cache(maxsize=1)
def _default() -> Templates:
    return _load(default_folder())


def _load(folder: Path) -> Templates:
    problems: list[Problem] = []
    if not folder.is_dir():
        raise InputError([Problem(code="TEMPLATE_FOLDER", file=str(folder),
                                  message="Không tìm thấy thư mục mẫu văn bản (khóa [documents] templates của bộ quy tắc "
                                          "hoặc tùy chọn --templates).")])
    docs = {}
    for stem in SCHEMA:
        data = _check_file(folder / f"{stem}.toml", stem, problems)
        if data is not None:
            docs[stem] = Template(f"{stem}.toml", data)
    if problems:
        raise InputError(problems)
    return Templates(str(folder), docs)


def folder_for(rules, option: Path | str | None = None) -> Path | None:
    """The templates folder: --templates, else the rule set's `[documents] templates` (relative to
    the rule-set file), else None (the package's)."""
    if option:
        return Path(option)
    given = rules.document("templates") if rules is not None else None
    if not given:
        return None
    path = Path(given)
    if not path.is_absolute() and not rules.source.startswith("builtin:"):
        path = Path(rules.source).parent / path
    return path


def for_rules(rules, option: Path | str | None = None) -> Templates:
    return load(folder_for(rules, option))


def export(target: Path, source: Path | None = None) -> list[Path]:
    """Copy every template file (the package's, or `source`'s) into `target`."""
    from tinnhiem.io.atomic import write_text

    src = source or default_folder()
    written = []
    if (src / "README.txt").is_file():
        path = Path(target) / "README.txt"
        write_text(path, (src / "README.txt").read_text(encoding="utf-8-sig"))
        written.append(path)
    for stem in SCHEMA:
        path = Path(target) / f"{stem}.toml"
        write_text(path, (src / f"{stem}.toml").read_text(encoding="utf-8-sig"))
        written.append(path)
    return written
