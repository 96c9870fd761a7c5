"""The workbook Sở Nội vụ sends to the City (plan III.2): summaries by category and by unit,
every rated person, the units missing or late, a chart of the bands, and where every figure
came from. Values only (no formulas), print-ready, byte-identical for the same inputs."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.consolidate import LATE, MISSING, NO_BAND, STATUS_VI, Consolidation, pct_number
from tinnhiem.core.dates import vn
from tinnhiem.core.eligibility import ROUTE_VI
from tinnhiem.core.tally import BASE_VI
from tinnhiem.io.xlsx import BAND_FILLS, add_table_sheet, new_workbook, percent_bar_chart, save

PCT_FORMAT = "0.00"


def category_label(rules, cat: str | None) -> str:
    """'a) Giám đốc Sở; ...' from the posts of the rule set, so that another rule set brings its own."""
    if cat is None:
        return "Chưa rõ nhóm"
    labels = []
    for p in rules.posts:
        if p.category == cat and p.label not in labels:
            labels.append(p.label)
    return f"{cat}) " + "; ".join(labels) if labels else cat


def body_line(rules, as_of) -> str:
    """The second heading line of every sheet: who consolidates, for which city, as of when."""
    issuer = rules.document("report_issuer", "Sở Nội vụ")
    parent = rules.document("city_body") or ""
    return f"{issuer}{f' ({parent})' if parent else ''}; tính đến ngày {vn(as_of)}"


def write_consolidation(target: Path, result: Consolidation, sources: list[dict], tool: str, problems: list) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.pagebreak import Break

    rules = result.rules
    wb = new_workbook()
    band_ids = result.band_ids()
    band_heads = [result.band_label(b) for b in band_ids]
    body = body_line(rules, result.as_of)

    # 1. By category, with the chart of bands.
    cat_rows = []
    for s in result.by_category():
        cat_rows.append([category_label(rules, s["category"]), s["people"], s["results"],
                         *[s["bands"][b] for b in band_ids], s["unknown"]])
    totals = ["Tổng cộng"] + [sum(r[i] for r in cat_rows) for i in range(1, len(cat_rows[0]))] if cat_rows else []
    ws = add_table_sheet(
        wb, "Theo nhóm", ["Nhóm chức danh", "Số người", "Số lượt lấy phiếu", *band_heads, "Chưa tính được"],
        cat_rows + ([totals] if totals else []), widths=[60, 10, 12] + [16] * len(band_ids) + [12],
        heading=["TỔNG HỢP KẾT QUẢ LẤY PHIẾU TÍN NHIỆM THEO NHÓM CHỨC DANH", body],
        landscape=True)
    if cat_rows:
        # Counts of results per band and category (not percentages: a count of people), from a
        # small block with short labels ("Nhóm a") so that the axis stays readable; the full
        # names of the categories are in the table above. Block and chart start a new page.
        first = 5 + len(cat_rows) + 1 + 3
        ws.row_breaks.append(Break(id=first - 2))
        ws.cell(row=first - 1, column=1, value="Số liệu biểu đồ (số lượt theo mức, theo nhóm)").font = Font(bold=True)
        ws.cell(row=first, column=1, value="Nhóm")
        ws.row_dimensions[first].height = 45  # the band names wrap on up to three lines
        for j, head in enumerate(band_heads, 2):
            ws.cell(row=first, column=j, value=head).alignment = Alignment(wrap_text=True, vertical="center")
        for i, s_ in enumerate(result.by_category(), 1):
            ws.cell(row=first + i, column=1, value=f"Nhóm {s_['category']}" if s_["category"] else "Chưa rõ nhóm")
            for j, b in enumerate(band_ids, 2):
                ws.cell(row=first + i, column=j, value=s_["bands"][b])
        last = first + len(cat_rows)
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = "Số lượt lấy phiếu theo mức tín nhiệm thấp, theo nhóm"
        chart.y_axis.title = "Số lượt"
        chart.y_axis.scaling.min = 0
        data = Reference(ws, min_col=2, max_col=1 + len(band_ids), min_row=first, max_row=last)
        cats = Reference(ws, min_col=1, min_row=first + 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend.position = "b"
        chart.height, chart.width = 9, 22
        ws.add_chart(chart, f"A{last + 3}")

    # 2. By unit.
    unit_rows = []
    for u, s in zip(result.units, result.by_unit()):
        unit_rows.append([u.unit, u.status_text(), u.deadline, u.report_date, s["people"], s["results"],
                          *[s["bands"][b] for b in band_ids], s["unknown"]])
    # The files each unit sent are on "Nguồn dữ liệu" (provenance), not here.
    add_table_sheet(
        wb, "Theo đơn vị", ["Đơn vị", "Tình trạng", "Hạn báo cáo", "Ngày báo cáo", "Số người", "Số lượt",
                            *band_heads, "Chưa tính được"],
        unit_rows, widths=[40, 22, 12, 12, 9, 9] + [14] * len(band_ids) + [10],
        heading=["TỔNG HỢP KẾT QUẢ LẤY PHIẾU TÍN NHIỆM THEO ĐƠN VỊ", body], landscape=True)

    # 3. Every rated person; the people in a band highlighted.
    # Names first (repeated on every printed page), labels instead of codes; the session ids are
    # on the result workbooks and in --json.
    header = ["STT", "Họ và tên", "Mã cán bộ", "Chức vụ", "Đơn vị", "Nhóm", "Tuyến", "Ngày lấy phiếu",
              "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Số phiếu hợp lệ",
              "Số phiếu không hợp lệ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Cơ sở tính tỷ lệ",
              "Giá trị cơ sở", "% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp", "Mức",
              "Hệ quả", "Số nơi lấy phiếu"]
    people_rows = []
    for i, (p, c, places) in enumerate(result.rows, 1):
        people_rows.append([i, p.name, p.person_id, p.post, p.unit, p.category or "", ROUTE_VI.get(p.route or "", p.route or ""),
                            p.meeting_date, p.summoned, p.present, p.issued, p.returned,
                            p.valid, p.invalid, p.cao, p.tin_nhiem, p.thap, BASE_VI.get(c.base or "", c.base or ""), c.base_value,
                            pct_number(p.cao, c.base_value), pct_number(p.tin_nhiem, c.base_value),
                            pct_number(p.thap, c.base_value),
                            c.band_label or ("Không" if c.band == NO_BAND else ""), c.consequence, places])
    pct_cols = {header.index(h) + 1: PCT_FORMAT for h in ("% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp")}
    ws = add_table_sheet(wb, "Kết quả từng người", header, people_rows,
                         widths=[5, 24, 10, 26, 28, 6, 12, 11] + [10] * 9 + [16, 10] + [9, 9, 9, 24, 40, 8],
                         heading=["KẾT QUẢ LẤY PHIẾU TÍN NHIỆM CỦA TỪNG NGƯỜI", body],
                         landscape=True, number_formats=pct_cols, title_cols="A:B")
    for r, (p, c, _) in enumerate(result.rows, 5):
        fill = BAND_FILLS.get(c.band or "")
        if fill:
            for col in range(1, len(header) + 1):
                ws.cell(row=r, column=col).fill = PatternFill("solid", fgColor=fill)

    # 3b. The people in a band: their official percentages on the stated base, as a chart.
    low = [(p, c) for p, c, _ in result.rows if c.band not in (None, NO_BAND)]
    low_rows = [[i, p.name, p.post, p.unit, c.base_value, pct_number(p.cao, c.base_value), pct_number(p.tin_nhiem, c.base_value),
                 pct_number(p.thap, c.base_value), c.band_label] for i, (p, c) in enumerate(low, 1)]
    ws = add_table_sheet(wb, "Tín nhiệm thấp", ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Giá trị cơ sở", "% Tín nhiệm cao",
                                                "% Tín nhiệm", "% Tín nhiệm thấp", "Mức"], low_rows,
                         widths=[5, 24, 26, 28, 10, 11, 11, 11, 24],
                         heading=["NGƯỜI CÓ TỶ LỆ TÍN NHIỆM THẤP THEO MỨC (tỷ lệ % trên cơ sở quy định)", body],
                         landscape=True,
                         number_formats={6: PCT_FORMAT, 7: PCT_FORMAT, 8: PCT_FORMAT})
    if low_rows:
        data = Reference(ws, min_col=6, max_col=8, min_row=4, max_row=4 + len(low_rows))
        cats = Reference(ws, min_col=2, min_row=5, max_row=4 + len(low_rows))
        percent_bar_chart(ws, "Tỷ lệ phiếu (%) của người có tỷ lệ tín nhiệm thấp theo mức", data, cats,
                          len(low_rows), f"A{len(low_rows) + 7}")

    # 4. Missing or late.
    late_rows = [[u.unit, STATUS_VI[u.status], u.status_text(), u.deadline, u.report_date,
                  u.days_late if u.status == LATE else (-u.days_left if u.overdue else "")]
                 for u in result.units if u.status in (LATE, MISSING)]
    add_table_sheet(wb, "Chưa nộp, nộp muộn", ["Đơn vị", "Tình trạng", "Chi tiết", "Hạn báo cáo", "Ngày báo cáo",
                                              "Số ngày quá hạn"], late_rows,
                    widths=[40, 12, 30, 12, 12, 10],
                    heading=["ĐƠN VỊ CHƯA NỘP HOẶC NỘP MUỘN KẾT QUẢ LẤY PHIẾU TÍN NHIỆM", body], landscape=True)

    # 5. Provenance.
    info = [["Công cụ", tool], ["Bộ quy tắc", rules.name], ["Tên bộ quy tắc", rules.title],
            ["Nguồn bộ quy tắc", rules.source], ["SHA-256 bộ quy tắc", rules.sha256], ["Ngày xét thời hạn", result.as_of]]
    add_table_sheet(wb, "Thông tin", ["Mục", "Giá trị"], info, widths=[30, 80], heading=["THÔNG TIN TỔNG HỢP", body])
    add_table_sheet(wb, "Nguồn dữ liệu", ["STT", "Tệp", "Loại", "Đơn vị", "Ngày báo cáo", "Bộ quy tắc ghi trong tệp",
                                          "Công cụ ghi trong tệp", "SHA-256", "Ghi chú"],
                    [[i, s["file"], s["kind_text"], s["units"], s["report_date"], s["rules"], s["tool"], s["sha256"], s["note"]]
                     for i, s in enumerate(sources, 1)],
                    widths=[5, 40, 18, 30, 12, 16, 16, 66, 30], heading=["NGUỒN DỮ LIỆU (mọi tệp đã đọc)", body],
                    landscape=True)

    # 6. Problems.
    from tinnhiem.io.eligible_xlsx import PROBLEM_HEADER, PROBLEM_WIDTHS, problem_rows

    add_table_sheet(wb, "Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS,
                    heading=["CÁC VẤN ĐỀ CẦN XỬ LÝ", body], landscape=True)
    save(wb, target)
