"""The report of the Sở Nội vụ to the City (báo cáo kết quả lấy phiếu tín nhiệm, plan III.2), as
Word and PDF in the form of Nghị định 30/2020: the summary tables by category and by unit, the
people in each band with what follows from it, and the units late or missing; signed by the
head of the Sở Nội vụ (the name given with --signer, else left to write), with `Nơi nhận`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tinnhiem.core.consolidate import LATE, MISSING, NO_BAND, Consolidation, pct_text
from tinnhiem.core.dates import vn
from tinnhiem.core.tally import percent_vi
from tinnhiem.core.text import full_post



def _category_name(rules, cat: str | None) -> str:
    from tinnhiem.io.consolidate_xlsx import category_label

    return category_label(rules, cat)


def report_doc(result: Consolidation, signer: str = "", number: str | None = None, day: dt.date | None = None,
               templates=None):
    from tinnhiem.io.nd30 import Doc, Heading, Para, Signer, Table
    from tinnhiem.io.templates import load

    rules = result.rules
    issuer = rules.document("report_issuer", "Sở Nội vụ")
    t = (templates or load())["bao-cao-tong-hop"]
    v = {"plan": rules.title or rules.name, "issuer": issuer, "as_of": vn(result.as_of)}
    heading = Heading(issuer=issuer, parent=rules.document("city_body") or "", number=number, abbr=t.text("abbr", v),
                      place=rules.document("place") or None, date=day or result.as_of, party=t.party(False))
    band_ids = [b for b in result.band_ids() if b != NO_BAND]
    counts = result.counts()
    body = [Para(t.text("intro", v)),
            Para(t.text("part_1", v), bold=True, align="L", indent=False),
            Para(f"Có {counts['units']} cơ quan, đơn vị phải báo cáo; đã nhận báo cáo của {counts['received'] + counts['late']} "
                 f"đơn vị (trong đó {counts['late']} đơn vị nộp muộn); còn {counts['missing']} đơn vị chưa nộp. "
                 f"Tổng số {counts['people']} người được lấy phiếu, {counts['results']} lượt lấy phiếu.")]
    # II. By category.
    body.append(Para(t.text("part_2", v), bold=True, align="L", indent=False))
    heads = [result.band_label(b) for b in band_ids]
    cat_rows = []
    for s in result.by_category():
        if not s["results"]:
            continue
        cat_rows.append([_category_name(rules, s["category"]), s["people"], s["results"],
                         *[s["bands"][b] for b in band_ids], s["unknown"]])
    if cat_rows:
        total = ["Tổng cộng", *[sum(r[i] for r in cat_rows) for i in range(1, len(cat_rows[0]))]]
        w_band = 22.0
        body.append(Table(["Nhóm chức danh", "Số người", "Số lượt", *heads, "Chưa tính được"], cat_rows + [total],
                          [165 - 3 * 16 - w_band * len(heads), 16, 16, *[w_band] * len(heads), 16], size=11,
                          aligns="L" + "R" * (3 + len(heads))))
    else:
        body.append(Para("Chưa có kết quả nào."))
    # III. By unit.
    body.append(Para(t.text("part_3", v), bold=True, align="L", indent=False))
    unit_rows = []
    for i, (u, s) in enumerate(zip(result.units, result.by_unit()), 1):
        unit_rows.append([i, u.unit, u.status_text(), s["results"], *[s["bands"][b] for b in band_ids]])
    body.append(Table(["STT", "Đơn vị", "Tình trạng báo cáo", "Số lượt", *heads], unit_rows,
                      [10, 165 - 10 - 34 - 14 - 22 * len(heads), 34, 14, *[22] * len(heads)], size=11,
                      aligns="CLLR" + "R" * len(heads)))
    # IV. People in each band, with the consequence the rules attach.
    body.append(Para(t.text("part_4", v), bold=True, align="L", indent=False))
    for b in reversed(band_ids):
        label = result.band_label(b)
        rows = [(p, c) for p, c, _ in result.rows if c.band == b]
        if not rows:
            body.append(Para(f"{label}: không có."))
            continue
        body.append(Para(f"{label}: {len(rows)} lượt.", bold=True, indent=False, align="L"))
        body.append(Table(["STT", "Họ và tên", "Chức vụ, đơn vị", "Tín nhiệm thấp", "Tỷ lệ %", "Hệ quả"],
                          [[i, p.name, p.post if p.route == "hdnd" else full_post(p.post, p.unit), p.thap, percent_vi(pct_text(p.thap, c.base_value)),
                            c.consequence] for i, (p, c) in enumerate(rows, 1)],
                          [10, 33, 42, 18, 16, 46], size=11, aligns="CLLRRL"))
    # V. Units late or missing.
    body.append(Para(t.text("part_5", v), bold=True, align="L", indent=False))
    late = [u for u in result.units if u.status in (LATE, MISSING)]
    if late:
        body.append(Table(["STT", "Đơn vị", "Tình trạng", "Hạn báo cáo", "Ngày báo cáo"],
                          [[i, u.unit, u.status_text(), vn(u.deadline) or "", vn(u.report_date) or ""]
                           for i, u in enumerate(late, 1)], [10, 65, 40, 25, 25], size=11, aligns="CLLCC"))
    else:
        body.append(Para("Các đơn vị đã nộp báo cáo đúng hạn."))
    body.append(Para(t.text("closing", v)))
    position = t.lines("signer", v) or [line.strip().upper() for line in rules.document("report_signer", "GIÁM ĐỐC").split("/")
                                        if line.strip()]
    recipients = t.lines("recipients", v) or list(rules.document("report_recipients", ["Lưu: VT"]))
    return Doc(heading, t.text("kind", v), t.text("summary", v), body, [Signer(position, signer or "")], recipients,
               title="Báo cáo kết quả lấy phiếu tín nhiệm")


def report_stem(workbook: Path) -> Path:
    """bao-cao-tong-hop beside tong-hop.xlsx."""
    return Path(workbook).with_name(f"bao-cao-{Path(workbook).stem}")


def write_report(workbook: Path, result: Consolidation, signer: str = "", number: str | None = None,
                 day: dt.date | None = None, templates=None) -> list[Path]:
    """The report as .docx and .pdf beside the City workbook."""
    from tinnhiem.io.nd30 import write_both

    return write_both(report_stem(workbook), [report_doc(result, signer, number, day, templates)])
