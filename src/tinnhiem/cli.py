"""The `tinnhiem` command line: a thin shell over the library (sqlite-utils style)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Annotated, Optional

import typer

from tinnhiem import __version__

# Help is rendered by Typer's plain formatter, not rich: importing rich's help renderer costs
# about 0.25 s at every start, and `tinnhiem --help` must stay fast. Headings are Vietnamese.
_HEADINGS = {"Options": "Tùy chọn", "Arguments": "Tham số", "Commands": "Lệnh"}


def _vietnamese_help() -> None:
    from typer import _click

    class VietnameseFormatter(_click.HelpFormatter):
        def write(self, string: str) -> None:
            super().write(_translate(string))

        def write_heading(self, heading: str) -> None:
            super().write_heading(_HEADINGS.get(heading, heading))

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args.replace("[OPTIONS]", "[TÙY_CHỌN]").replace("COMMAND", "LỆNH").replace("[ARGS]", "[THAM_SỐ]"), prefix or "Cách dùng: ")

    _click.Context.formatter_class = VietnameseFormatter


# Fixed English strings of the vendored click, in Vietnamese.
_PHRASES = [
    ("Show this message and exit.", "Hiện hướng dẫn này rồi thoát."),
    ("[required]", "[bắt buộc]"),
    ("[default: ", "[mặc định: "),
    ("No such option:", "Không có tùy chọn:"),
    ("No such command", "Không có lệnh"),
    ("Missing argument", "Thiếu tham số"),
    ("Missing option", "Thiếu tùy chọn"),
    ("Missing command.", "Thiếu tên lệnh."),
    ("Invalid value for", "Giá trị không hợp lệ cho"),
    ("Got unexpected extra arguments", "Thừa các tham số"),
    ("Got unexpected extra argument", "Thừa tham số"),
    ("requires an argument.", "cần một giá trị."),
    ("Option", "Tùy chọn"),
    ("Did you mean", "Có phải ý bạn là"),
    ("Possible options:", "các tùy chọn gần giống:"),
    ("is not a valid integer", "không phải số nguyên"),
    ("is not a valid", "không hợp lệ:"),
    ("for help.", "để xem hướng dẫn."),
    ("Try ", "Xem "),
    ("is not readable", "không đọc được: không có quyền đọc tệp (kiểm tra quyền, hoặc chép tệp sang thư mục của mình rồi chạy lại)"),
    ("is not writable", "không ghi được: không có quyền ghi (chọn nơi khác)"),
    ("does not exist", "không tồn tại"),
    ("is a directory", "là một thư mục, không phải tệp"),
    ("path '", "'"),
    ("Usage: ", "Cách dùng: "),
    ("Error: ", "Lỗi: "),
]


def _translate(text: str) -> str:
    for en, vi in _PHRASES:
        text = text.replace(en, vi)
    return text


_vietnamese_help()

HELP = """Lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý: từ danh sách cán bộ đến
biên bản kiểm phiếu và báo cáo tổng hợp của Sở Nội vụ.

Quy trình: eligible (ai được lấy phiếu) → voters (ai ghi phiếu) → ballots (in phiếu) →
tally (kiểm phiếu) → consolidate (tổng hợp). Thử ngay: tinnhiem demo

Ví dụ: tinnhiem eligible danh-sach.xlsx --meeting-date 15/01/2019
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# (command name, module). A module registers itself with `register(app)`.
COMMANDS = [
    "eligible", "voters", "plan", "ballots", "meeting", "requests", "tally", "scan",
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


def _silence_stdout() -> None:
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _stop_on_sigterm() -> None:
    """SIGTERM (a batch scheduler's timeout, `kill`) stops a run like Ctrl+C: staging folders
    and temporary files are removed and worker processes stopped on the way out. Both are
    remembered (tinnhiem.stop), in case the KeyboardInterrupt is swallowed on its way."""
    import signal

    from tinnhiem import stop as stopping

    def stop(signum, frame):
        stopping.request()
        raise KeyboardInterrupt

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when Ctrl+C is ignored
        signal.signal(signal.SIGINT, stop)


def _wants_json() -> bool:
    import sys

    return "--json" in sys.argv[1:sys.argv.index("--") if "--" in sys.argv else None]


def main() -> None:
    """Entry point: usage errors (exit 2) are reported in Vietnamese."""
    import sys

    from typer import _click

    _stop_on_sigterm()
    if "--debug" not in sys.argv:
        from tinnhiem.commands.common import _quiet_os_unraisable

        # An OS error (a full disk) is reported once, in Vietnamese; openpyxl's unclosed
        # ZipFile would repeat it with a traceback when finalised at exit.
        sys.unraisablehook = _quiet_os_unraisable(sys.unraisablehook)

    try:
        code = app(standalone_mode=False)
    except _click.exceptions.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: show its help
            sys.stdout.write(exc.format_message() + "\n")
            sys.exit(2)
        hint = ""
        if exc.ctx is not None:
            hint = f"\nXem '{exc.ctx.command_path} --help' để xem hướng dẫn."
        if _wants_json():  # a script still gets one JSON document (CONTRACT.md)
            from tinnhiem.commands.common import emit_json, usage_document

            emit_json(usage_document(_translate(exc.format_message())))
        sys.stderr.write(_translate(f"Lỗi cách dùng: {exc.format_message()}{hint}\n"))
        sys.exit(2)
    except BrokenPipeError:  # `tinnhiem ... | head`: the reader went away, nothing to report
        _silence_stdout()
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        if _wants_json():
            from tinnhiem.commands.common import emit_json, usage_document

            emit_json(usage_document("Đã dừng theo yêu cầu.", "INTERRUPTED"))
        sys.stderr.write("Đã dừng.\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
