"""Benchmark: ballots for 1,000 sessions of 40 voters, 10 rated people each (not a test).

Writes, into a temporary folder, everything `tinnhiem ballots --numbered` writes: per session the
ballot PDF (40 + 2 spares), the ballot xlsx and the blank minutes, then the data-entry workbook and
the manifest. Prints wall time, peak resident memory (ru_maxrss), and a ratio against a baseline
measured in the same run: the same ballots drawn the plain fpdf2 way (every page laid out again,
the font parsed for every document), on a sample of sessions and scaled up.

Run:  .venv/bin/python benchmarks/bench_ballots.py [--sessions 1000] [--baseline-sample 10]
Target: under 120 s for 1,000 sessions."""

from __future__ import annotations

import argparse
import os
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tinnhiem.commands.ballots import make_numbers, write_all  # noqa: E402
from tinnhiem.io import rulesets  # noqa: E402
from tinnhiem.core.sessions import RatedPerson, Session, Voter  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Hồng", "Quốc", "Thanh", "Ngọc", "Hữu", "Đức", "Thu"]
GIVEN = ["Khoa", "Nhung", "Bảo", "Tùng", "Ánh", "Lực", "Mai", "Hậu", "Lan", "Đạt", "Phúc", "Sơn", "Hưng", "Thắng"]
POSTS = ["Giám đốc Sở", "Phó Giám đốc Sở", "Phó Giám đốc Sở phụ trách quy hoạch và đầu tư xây dựng",
         "Chánh Văn phòng Sở", "Chánh Thanh tra Sở", "Trưởng phòng Tổ chức cán bộ"]


def make_sessions(n: int, voters: int = 40, rated: int = 10, seed: int = 2019) -> list[Session]:
    rng = random.Random(seed)

    def name() -> str:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    out = []
    for i in range(n):
        unit = f"Đơn vị thử nghiệm số {i + 1} thành phố Cần Thơ"
        ppl = [RatedPerson(f"U{i:04d}P{j:02d}", name(), rng.choice(POSTS), unit, "b", "workplace") for j in range(rated)]
        vs = [Voter(f"U{i:04d}V{j:02d}", name(), "Trưởng phòng", ("truong_don_vi",)) for j in range(voters)]
        out.append(Session(id=f"don-vi-thu-nghiem-so-{i + 1}-thanh-pho-can-tho", unit=unit, route="workplace",
                           meeting_date=dt.date(2019, 1, 15), rated=ppl, voters=vs,
                           committee=(name(), name(), name())))
    return out


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(sessions: list[Session], count: int, out: Path) -> float:
    """Plain fpdf2: a fresh document with the font parsed each time, every ballot laid out."""
    from tinnhiem.io.ballots_pdf import COLS, INSTRUCTION, INVALID, TITLE
    from tinnhiem.io.pdf import national_heading, new_pdf

    t = time.perf_counter()
    for s in sessions:
        pdf = new_pdf(TITLE)
        for k in range(count):
            pdf.add_page()
            national_heading(pdf, [s.unit.upper()])
            pdf.set_font("DejaVu", "B", 14)
            pdf.cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 10)
            pdf.cell(0, 6, f"Ngày lấy phiếu: 15/01/2019   Số phiếu: {k:06d}", new_x="LMARGIN", new_y="NEXT")
            for w, head in zip(COLS, ["STT", "Họ và tên", "Chức vụ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]):
                pdf.cell(w, 9, head, border=1, align="C")
            pdf.ln()
            for i, p in enumerate(s.rated, 1):
                for w, text in zip(COLS, [str(i), p.name, p.post[:30], "", "", ""]):
                    pdf.cell(w, 9, text, border=1)
                pdf.ln()
            pdf.multi_cell(0, 4, INSTRUCTION + " " + INVALID, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(out / f"{s.id}.pdf"))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--baseline-sample", type=int, default=10)
    args = ap.parse_args()
    rules = rulesets.load("cantho-2019")
    sessions = make_sessions(args.sessions)
    spares = 2
    counts = {s.id: len(s.voters) + spares for s in sessions}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "tinnhiem-phieu"
        t0 = time.perf_counter()
        cpu0 = _cpu()
        numbers = {s.id: make_numbers(s.id, counts[s.id], seed=1) for s in sessions}
        manifest = write_all(target, sessions, counts, numbers, rules, spares)
        elapsed = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        ballots = sum(counts.values())
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        base_dir = Path(tmp) / "baseline"
        base_dir.mkdir()
        sample = sessions[: args.baseline_sample]
        b = baseline(sample, counts[sample[0].id], base_dir)
        b_scaled = b * len(sessions) / len(sample)
    print(f"sessions: {len(sessions)}, ballots: {ballots}, manifest sessions: {len(manifest['sessions'])}")
    print(f"ballots (PDF + xlsx + blank minutes + entry workbook): {elapsed:.1f} s "
          f"({1000 * elapsed / len(sessions):.1f} ms per session), output {size / 1e6:.1f} MB")
    print(f"CPU time (this process and its workers): {cpu:.1f} s; load average at the end: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time depends on what else runs)")
    print(f"peak resident memory: {peak_mb:.0f} MB (main process), {peak_child_mb:.0f} MB (largest worker)")
    print(f"baseline, plain fpdf2 ballot PDFs only: {b:.1f} s for {len(sample)} sessions, "
          f"scaled to {len(sessions)}: {b_scaled:.1f} s")
    print(f"ratio (all outputs / plain-fpdf2 ballot PDFs alone): {elapsed / b_scaled:.2f}")
    print(f"target < 120 s: {'met' if elapsed < 120 else 'NOT met'}")


if __name__ == "__main__":
    main()
