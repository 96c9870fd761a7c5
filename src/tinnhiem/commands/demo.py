"""`tinnhiem demo`: the whole pipeline on the bundled samples, in a fresh folder."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import DebugOpt, JsonOpt

HELP = """Chạy toàn bộ quy trình trên dữ liệu mẫu kèm theo (một thành phố giả định) và ghi mọi
kết quả vào một thư mục mới (mặc định ./tinnhiem-demo, luôn làm lại từ đầu).

Ví dụ: tinnhiem demo --out thu-nghiem
"""

# Pipeline order. A command module joins the demo by defining `demo_step(ctx)`.
STEPS = ["eligible", "voters", "plan", "requests", "ballots", "meeting", "tally", "consolidate", "status", "verify",
         "rules_cmd"]


def samples_dir() -> Path:
    """The bundled samples: inside the installed package, or at the root of a source checkout."""
    from importlib import resources

    packaged = Path(str(resources.files("tinnhiem"))) / "_samples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "samples"


@dataclass
class DemoContext:
    out: Path
    samples: Path
    debug: bool = False
    made: list[tuple[str, str, str]] = field(default_factory=list)  # (step, path, what)
    failed: list[tuple[str, int]] = field(default_factory=list)

    def sample(self, name: str) -> Path:
        return self.samples / name

    def invoke(self, step: str, args: list[str], workdir: Path | None = None) -> int:
        """Run a tinnhiem command in-process, quietly, in the demo's working folder (or in
        `workdir`, a folder of its own, for a pipeline that must not share the main one)."""
        from tinnhiem.cli import app

        buf_out, buf_err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(buf_out), contextlib.redirect_stderr(buf_err):
            try:
                # Not standalone, click returns the exit code of a command that ends with
                # typer.Exit instead of raising it: a failed step must not pass for a good one.
                returned = app([*args, "--workdir", str(workdir or self.out)], standalone_mode=False)
                code = returned if isinstance(returned, int) else 0
            except SystemExit as exc:
                code = int(exc.code or 0)
            except typer.Exit as exc:
                code = exc.exit_code
            except Exception:  # noqa: BLE001
                if self.debug:
                    raise
                code = 1
        if code != 0:
            self.failed.append((step, code))
            if self.debug:  # show what the step said, on stderr like every message
                import sys

                sys.stderr.write(buf_err.getvalue())
        return code

    def record(self, step: str, path: Path | str, what: str) -> None:
        self.made.append((step, str(Path(path).relative_to(self.out) if Path(path).is_absolute() else path), what))


def demo(
    out: Annotated[Optional[Path], typer.Option("--out", metavar="THƯ_MỤC", help="Thư mục kết quả (mặc định ./tinnhiem-demo).")] = None,
    json: JsonOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run
    from tinnhiem.core.problems import Problems

    common = Common(json=json, debug=debug)

    def body():
        import importlib
        import importlib.util

        from tinnhiem.io.workdir import OUT_DEMO

        target = (out or Path.cwd() / OUT_DEMO).resolve()
        if target.exists():
            if not (target / "tinnhiem-ho-so").exists() and any(target.iterdir()):
                from tinnhiem.core.problems import UsageError

                raise UsageError(f"'{target}' đã có tệp không phải của demo; chọn thư mục khác bằng --out.")
            shutil.rmtree(target)
        target.mkdir(parents=True)
        ctx = DemoContext(out=target, samples=samples_dir(), debug=debug)
        for name in STEPS:
            module = f"tinnhiem.commands.{name}"
            if importlib.util.find_spec(module) is None:
                continue
            mod = importlib.import_module(module)
            if hasattr(mod, "demo_step"):
                mod.demo_step(ctx)
        problems = Problems()
        for step, code in ctx.failed:
            problems.add("DEMO_STEP_FAILED", f"Bước '{step}' kết thúc với mã {code}.")
        doc = {"out": str(target), "files": [{"step": s, "path": p, "what": w} for s, p, w in ctx.made]}
        return Outcome(doc, problems, lambda: render(ctx))

    run(common, body, lock=False)  # its steps lock the demo folder themselves


def render(ctx: DemoContext) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console

    t = Table(title=f"Demo: đã tạo trong {ctx.out}")
    t.add_column("Bước")
    t.add_column("Tệp", overflow="fold")
    t.add_column("Nội dung")
    for step, path, what in ctx.made:
        t.add_row(step, path, what)
    stdout_console().print(t)


def register(app: typer.Typer) -> None:
    app.command("demo", help=HELP)(demo)
