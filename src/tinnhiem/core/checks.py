"""The numbered reconciliation checks of counting (DOMAIN.md section 4): F.2xx errors block the
results, W.2xx warnings do not. Each carries a fixed explanation of what to do."""

from __future__ import annotations

from dataclasses import dataclass

from tinnhiem.core.problems import ERROR, WARNING, Problem


@dataclass(frozen=True)
class Check:
    number: str  # "F.201"
    code: str  # stable Problem code
    advice: str  # what to do, Vietnamese

    @property
    def severity(self) -> str:
        return ERROR if self.number.startswith("F") else WARNING


CHECKS: dict[str, Check] = {c.code: c for c in [
    Check("F.201", "F201_RETURNED_OVER_ISSUED", "Đếm lại phiếu trong thùng và đối chiếu sổ phát phiếu; phiếu thừa có thể là phiếu không do Ban Kiểm phiếu phát ra."),
    Check("F.202", "F202_ISSUED_OVER_SUMMONED", "Kiểm tra lại số người được triệu tập và số phiếu hỏng đã đổi lại (cột 'Số phiếu hỏng đổi lại')."),
    Check("F.203", "F203_VALID_INVALID_NOT_RETURNED", "Số phiếu hợp lệ cộng không hợp lệ phải bằng số phiếu thu về: kiểm lại từng loại phiếu."),
    Check("F.204", "F204_LEVELS_NOT_VALID", "Cộng lại ba mức (cao, tín nhiệm, thấp) của người này: tổng phải bằng số phiếu hợp lệ của người đó."),
    Check("F.205", "F205_DUPLICATE_BALLOT_NUMBER", "Mỗi số phiếu chỉ nhập một lần trong một phiên: tìm phiếu nhập trùng, xóa dòng thừa hoặc sửa số."),
    Check("W.206", "W206_BALLOT_NOT_ISSUED", "Phiếu mang số không có trong danh mục phiếu đã phát được tính là phiếu không hợp lệ; kiểm tra lại số đã nhập."),
    Check("F.207", "F207_UNKNOWN_PERSON", "Cột hoặc dòng này không ứng với người được lấy phiếu nào của phiên: sửa mã cán bộ cho đúng danh sách."),
    Check("F.208", "F208_FIGURES_DISAGREE", "Các dòng của cùng một phiên phải ghi cùng số liệu chung: sửa cho thống nhất."),
    Check("F.209", "F209_EMPTY_COUNT", "Ô số phiếu để trống không được hiểu là 0: ghi số 0 nếu không có phiếu nào."),
    Check("F.210", "F210_BAD_COUNT", "Ghi số nguyên không âm, gõ trực tiếp (không dùng công thức)."),
    Check("F.211", "F211_BAD_MARK", "Ghi 1 (Tín nhiệm cao), 2 (Tín nhiệm), 3 (Tín nhiệm thấp), để trống nếu không đánh dấu, hoặc '1,3' nếu đánh dấu nhiều ô."),
    Check("W.212", "W212_QUORUM", "Số người có mặt chưa đạt tỷ lệ tối thiểu so với số được triệu tập: báo cáo cấp có thẩm quyền trước khi công bố kết quả."),
    Check("F.212", "F212_QUORUM", "Hội nghị không đủ số người có mặt theo bộ quy tắc: kết quả không được công nhận; tổ chức lại hội nghị."),
    Check("W.213", "W213_SECRECY", "Phiên có quá ít người ghi phiếu để giữ bí mật phiếu: cân nhắc gộp hội nghị hoặc báo cáo cấp có thẩm quyền."),
    Check("W.214", "W214_PRINTED_UNDER_ISSUED", "Số phiếu phát ra nhiều hơn số phiếu đã in theo danh mục: kiểm tra lại số phiếu phát ra."),
    Check("F.215", "F215_UNKNOWN_SESSION", "Mã phiên không có trong hồ sơ: dùng mã phiên do lệnh 'voters'/'ballots' ghi, hoặc bỏ cột Phiên nếu tệp chỉ có một phiên."),
    Check("F.216", "F216_SESSION_UNDETERMINED", "Không xác định được phiên của các phiếu: thêm cột 'Phiên' ghi mã phiên."),
    Check("F.217", "F217_PERSON_MISSING", "Người được lấy phiếu của phiên chưa có cột/dòng kết quả: bổ sung cho đủ."),
    Check("F.218", "F218_BALLOTS_NOT_RETURNED", "Số dòng phiếu đã nhập khác số phiếu thu về đã ghi: nhập đủ phiếu hoặc sửa số phiếu thu về."),
    Check("F.219", "F219_PRESENT_OVER_SUMMONED", "Số người có mặt không thể lớn hơn số người được triệu tập: kiểm tra lại hai số này."),
    Check("W.220", "W220_ISSUED_NOT_PRESENT", "Số phiếu phát ra thường bằng số người có mặt (cộng phiếu hỏng đổi lại): kiểm tra lại."),
    Check("W.221", "W221_FIGURE_MISSING", "Bổ sung số liệu còn thiếu (ví dụ ở trang 'Phiên' của sổ nhập phiếu) để biên bản đầy đủ."),
    Check("W.222", "W222_BASE_UNKNOWN", "Chưa có cơ sở tính tỷ lệ (ví dụ 'Tổng số đại biểu' của HĐND): bổ sung để tính tỷ lệ và mức."),
    Check("W.223", "W223_MODE_MISMATCH", "Theo cách tính 'cả phiếu', mọi người trong phiên có cùng số phiếu hợp lệ: kiểm tra lại cách tính phiếu không hợp lệ."),
    Check("F.224", "F224_MARK_OUTSIDE_SESSION", "Có dấu ở cột của người không được lấy phiếu ở phiên này: kiểm tra lại cột Phiên hoặc cột người."),
    Check("W.225", "W225_UNKNOWN_DEFECT", "Lỗi phiếu nên ghi một trong: khong_do_ban_kiem_phieu_phat, gach_ten, ghi_them; phiếu vẫn được tính là không hợp lệ."),
    Check("F.226", "F226_DUPLICATE_PERSON", "Mỗi người chỉ có một cột (hoặc một dòng) trong một phiên: xóa cột/dòng trùng."),
    Check("W.227", "W227_COLUMN_IGNORED", "Cột không phải là cột phiếu nên được bỏ qua; nếu là cột của một người, hãy ghi mã cán bộ ở tiêu đề."),
    Check("F.228", "F228_VALID_OVER_RETURNED", "Số phiếu hợp lệ của một người không thể lớn hơn số phiếu thu về."),
    Check("W.229", "W229_ROUTE_ASSUMED", "Chưa biết tuyến lấy phiếu của phiên: ghi cột 'Tuyến' (hdnd, workplace, company) hoặc dùng --roster."),
    Check("F.230", "F230_DOUBLE_ENTRY_DIFF", "Hai lần nhập khác nhau: xem lại phiếu gốc và sửa tệp nhập sai, rồi chạy lại."),
    Check("F.231", "F231_LAYOUT_UNKNOWN", "Không nhận ra dạng tệp: tệp theo phiếu cần cột mã cán bộ; tệp tổng hợp cần cột 'Tín nhiệm cao', 'Tín nhiệm', 'Tín nhiệm thấp'."),
    Check("F.233", "F233_RETURNED_OVER_SUMMONED", "Số phiếu thu về không thể nhiều hơn số người được triệu tập (phiếu hỏng đổi lại không được thu về): đếm lại phiếu, xem có phiếu không do Ban Kiểm phiếu phát ra hay dòng nhập thừa."),
    Check("F.234", "F234_RETURNED_OVER_PRESENT", "Số phiếu thu về không thể nhiều hơn số người có mặt: đếm lại phiếu hoặc sửa số người có mặt."),
    Check("F.232", "F232_SESSION_TWICE", "Một phiên chỉ được nhập ở một dạng (theo phiếu hoặc tổng hợp), một lần: bỏ tệp thừa."),
]}


# Each check's advice, severity and `detail`, made once; the detail is shared, read only, by its
# problems (a national count reports 40,000 of them; Problem.to_json copies it).
_MADE = {code: (f" Cách xử lý: {c.advice}", c.severity, {"check": c.number, "advice": c.advice}) for code, c in CHECKS.items()}


def check_problem(code: str, message: str, severity: str | None = None, **where) -> Problem:
    """A Problem for a numbered check, with its fixed explanation appended."""
    advice, own_severity, detail = _MADE[code]
    return Problem(code, message + advice, severity or own_severity, detail=detail, **where)
