"""Rule sets from files: a builtin name (the TOML files shipped in tinnhiem/rulesets) or a path.
Reading the file lives here; checking and compiling its text is core.rules.parse."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem, UsageError
from tinnhiem.core.rules import BUILTIN, DEFAULT, RuleSet, parse


def builtin_path(name: str):
    """The shipped TOML file of a builtin rule set."""
    return resources.files("tinnhiem").joinpath("rulesets", f"{name}.toml")


def resolve(name_or_file: str | None) -> tuple[str, str]:
    """(source label, TOML text) for a builtin name or a file path."""
    name_or_file = name_or_file or DEFAULT
    if name_or_file in BUILTIN:
        return f"builtin:{name_or_file}", builtin_path(name_or_file).read_text(encoding="utf-8")
    path = Path(name_or_file)
    if not path.is_file():
        raise UsageError(
            f"Không tìm thấy bộ quy tắc '{name_or_file}'. Dùng một trong: {', '.join(BUILTIN)}, hoặc đường dẫn tệp .toml."
        )
    try:
        return str(path), path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(code="RULES_ENCODING", file=str(path),
                                  message="Tệp quy tắc phải được lưu dạng UTF-8 (trong trình soạn thảo: Save as, Encoding UTF-8).")]) from None
    except OSError as exc:
        raise UsageError(f"Không đọc được tệp quy tắc '{name_or_file}': {exc.strerror or exc}.") from None


def load(name_or_file: str | None = None) -> RuleSet:
    source, text = resolve(name_or_file)
    return parse(text, source)
