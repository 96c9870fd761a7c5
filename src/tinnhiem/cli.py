"""The `tinnhiem` command line: a thin shell over the library (sqlite-utils style)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Annotated, Optional

import typer

from tinnhiem import __version__

# Vietnamese panel titles in help screens.
try:
    from typer import rich_utils as _ru

    _ru.OPTIONS_PANEL_TITLE = "Tùy chọn"
    _ru.ARGUMENTS_PANEL_TITLE = "Tham số"
    _ru.COMMANDS_PANEL_TITLE = "Lệnh"
    _ru.ERRORS_PANEL_TITLE = "Lỗi"
    _ru.REQUIRED_LONG_STRING = "[bắt buộc]"
    _ru.DEFAULT_STRING = "[mặc định: {}]"
    _ru.RICH_HELP = "Xem '{command_path} {help_option}' để được hướng dẫn."
except ImportError:  # pragma: no cover - older Typer
    pass

HELP = """Lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý: từ danh sách cán bộ đến
biên bản kiểm phiếu và báo cáo tổng hợp của Sở Nội vụ.

Quy trình: eligible (ai được lấy phiếu) → voters (ai ghi phiếu) → ballots (in phiếu) →
tally (kiểm phiếu) → consolidate (tổng hợp). Thử ngay: [bold]tinnhiem demo[/bold].

Ví dụ: tinnhiem eligible danh-sach.xlsx --meeting-date 15/01/2019
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# (command name, module). A module registers itself with `register(app)`.
COMMANDS = [
    "eligible", "voters", "plan", "ballots", "meeting", "requests", "tally",
    "consolidate", "status", "verify", "rules_cmd", "demo",
]


def _version(value: bool):
    if value:
        typer.echo(f"tinnhiem {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát.")] = None,
):
    """Lấy phiếu tín nhiệm."""


for _name in COMMANDS:
    _module = f"tinnhiem.commands.{_name}"
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
