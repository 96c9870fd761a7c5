"""One session's counts, base and reconciliation checks (DOMAIN.md section 4), from its
counted deck or its per-person totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from tinnhiem.core.checks import check_problem
from tinnhiem.core.count import Counted
from tinnhiem.core.problems import Problems
from tinnhiem.core.records import BASE_VI, FIGURES_VI, Deck, Figure, PersonResult, PersonTotal, SessionInfo, SessionResult
from tinnhiem.core.results import People, _Context, _person

def _int(v) -> int | None:
    return None if v is None else int(v)


def _pick(figures: dict[str, Figure], key: str) -> int | None:
    f = figures.get(key)
    return f.value if f else None


def _start(info: SessionInfo, figures: dict[str, Figure], deck: Deck | None) -> tuple:
    """The checks before counting: route, ballots entered against returned, numbers issued.
    Returns (problems, sess, deck, whole-ballot defects, not issued)."""
    problems = Problems()
    sess = {"unit": info.unit}
    if info.route is None:
        problems.append(check_problem("W229_ROUTE_ASSUMED", f"Phiên '{info.id}': chưa biết tuyến, tạm tính theo tuyến nơi công tác.", **sess))
    if deck is None:
        return problems, sess, None, None, None
    n = len(deck.rows)
    returned_fig = _pick(figures, "returned") if figures else None
    if returned_fig is not None and returned_fig != n:
        problems.append(check_problem("F218_BALLOTS_NOT_RETURNED", f"Phiên '{info.id}': đã nhập {n} phiếu nhưng số phiếu thu về ghi {returned_fig}.", **figures["returned"].where))
    # None: the ballots with a defect, which count_decks finds for all sessions at once.
    whole = None
    not_issued = None
    if info.numbers is not None and n:
        nums = deck.numbers.astype(str)
        issued_set = np.array(sorted(info.numbers), dtype=str)
        not_issued = (nums != "") & ~np.isin(nums, issued_set)
        for i in np.flatnonzero(not_issued)[:50]:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': số phiếu '{nums[i]}' không có trong danh mục phiếu đã phát.",
                                          row=int(deck.rows[i]), **deck.where[deck.sources[i]]))
        extra = int(not_issued.sum()) - 50
        if extra > 0:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': còn {extra} phiếu khác mang số không có trong danh mục.", **sess))
        whole = np.not_equal(deck.defects, None) | not_issued
    return problems, sess, deck, whole, not_issued


def _finish(info: SessionInfo, figures: dict[str, Figure], totals: list[PersonTotal] | None, start: tuple,
            counted: Counted | None, ctx: _Context) -> tuple[SessionResult, Problems]:
    """The counts, percentages, bands and reconciliation of one session."""
    problems, sess, deck, _, not_issued = start
    mode = ctx.mode
    route = info.route or "workplace"
    if figures:
        summoned, members = _pick(figures, "summoned"), _pick(figures, "members")
        present, issued, spoilt = _pick(figures, "present"), _pick(figures, "issued"), _pick(figures, "spoilt")
        returned_fig = _pick(figures, "returned")
    else:  # the usual per-ballot file: no figures at all
        summoned = members = present = issued = spoilt = returned_fig = None
    if summoned is None:
        summoned = info.summoned
    if members is None:
        members = info.members
    at = lambda key: (figures[key].where if key in figures else sess)  # noqa: E731

    # Each person: (id, person record, valid, invalid, cao, tín nhiệm, thấp, reasons).
    rows: list[tuple] = []
    reasons: dict = {}
    ballots = None
    if deck is not None:
        n = len(deck.rows)
        returned = n
        defects = deck.defects
        if not_issued is not None and not_issued.any():
            # The records name the defect ("not issued by the counting committee"), so that a
            # recount from them (tinnhiem verify) reaches the same verdict.
            recorded = defects.copy()
            recorded[not_issued & np.equal(defects, None)] = "khong_do_ban_kiem_phieu_phat"
            deck = replace(deck, defects=recorded)
        ballots = (deck, counted.person_valid)
        reasons = counted.reasons
        valid_session = counted.valid_ballots if counted.valid_ballots is not None else n - int(counted.ballot_invalid.sum())
        invalid_session = n - valid_session
    else:
        totals = totals or []
        returned = returned_fig
        valid_values = set()
        for t in totals:
            person = info.people.get(t.person_id, {"name": t.name, "post": t.post})
            levels = [t.cao, t.tin_nhiem, t.thap]
            if any(v is None for v in levels):
                continue  # reported by the reader (F.209)
            s = sum(levels)
            valid = t.valid if t.valid is not None else s
            if t.valid is not None and s != t.valid:
                problems.append(check_problem("F204_LEVELS_NOT_VALID", f"{t.name or t.person_id}: {t.cao} + {t.tin_nhiem} + {t.thap} = {s}, khác số phiếu hợp lệ {t.valid}.", **t.where))
            invalid = t.invalid
            if invalid is None and returned is not None:
                invalid = returned - valid
            if returned is not None and valid > returned:
                problems.append(check_problem("F228_VALID_OVER_RETURNED", f"{t.name or t.person_id}: {valid} phiếu hợp lệ nhưng chỉ thu về {returned} phiếu.", **t.where))
            elif returned is not None and t.invalid is not None and valid + t.invalid != returned:
                problems.append(check_problem("F203_VALID_INVALID_NOT_RETURNED", f"{t.name or t.person_id}: {valid} hợp lệ + {t.invalid} không hợp lệ = {valid + t.invalid}, khác số phiếu thu về {returned}.", **t.where))
            valid_values.add(valid)
            rows.append((t.person_id, {**person, "name": person.get("name") or t.name, "post": person.get("post") or t.post},
                         valid, invalid, t.cao, t.tin_nhiem, t.thap, {}))
        if mode == "whole_ballot" and len(valid_values) > 1:
            problems.append(check_problem("W223_MODE_MISMATCH", f"Phiên '{info.id}': số phiếu hợp lệ khác nhau giữa các người ({', '.join(map(str, sorted(valid_values)))}).", **sess))
        valid_session = valid_values.pop() if len(valid_values) == 1 else None
        invalid_session = returned - valid_session if (returned is not None and valid_session is not None) else None

    # Base and bands.
    base = ctx.base_override or ctx.rules.base_for(route)
    if base == "returned":
        base_value = returned
    elif base == "members":
        base_value = members
    else:
        base_value = valid_session
    per_valid = base == "valid"
    results: Sequence[PersonResult]
    if deck is not None:
        results = People(deck.person_ids, info.people, counted, n, per_valid, base_value, route, ctx)
    else:
        results = [_person(pid, person, valid, invalid, cao, tn, thap, why, valid if per_valid else base_value, route, ctx)
                   for pid, person, valid, invalid, cao, tn, thap, why in rows]
    if base_value is None and results and not per_valid:
        problems.append(check_problem("W222_BASE_UNKNOWN", f"Phiên '{info.id}': chưa có {BASE_VI[base]} để tính tỷ lệ.", **sess))

    # Reconciliation of the session's figures.
    tol = ctx.tol
    if returned is not None and issued is not None and returned > issued:
        problems.append(check_problem("F201_RETURNED_OVER_ISSUED", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {issued} phiếu phát ra.", **at("issued")))
    # Each person summoned returns at most one ballot, whatever was issued (spoilt ones are kept).
    if returned is not None and summoned is not None and returned > summoned + tol:
        problems.append(check_problem("F233_RETURNED_OVER_SUMMONED", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {summoned} người được triệu tập.", **at("returned")))
    if returned is not None and present is not None and returned > present + tol:
        problems.append(check_problem("F234_RETURNED_OVER_PRESENT", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {present} người có mặt.", **at("returned")))
    if issued is not None and summoned is not None and issued > summoned + (spoilt or 0) + tol:
        extra = f" + {spoilt} phiếu hỏng đổi lại" if spoilt else ""
        problems.append(check_problem("F202_ISSUED_OVER_SUMMONED", f"Phiên '{info.id}': phát ra {issued} phiếu, nhiều hơn {summoned} người được triệu tập{extra}.", **at("issued")))
    if present is not None and summoned is not None and present > summoned:
        problems.append(check_problem("F219_PRESENT_OVER_SUMMONED", f"Phiên '{info.id}': có mặt {present} người, nhiều hơn {summoned} người được triệu tập.", **at("present")))
    if present is not None and issued is not None and issued > present + (spoilt or 0) + tol:
        problems.append(check_problem("W220_ISSUED_NOT_PRESENT", f"Phiên '{info.id}': phát ra {issued} phiếu cho {present} người có mặt.", **at("issued")))
    if valid_session is not None and invalid_session is not None and returned is not None and valid_session + invalid_session != returned:
        problems.append(check_problem("F203_VALID_INVALID_NOT_RETURNED", f"Phiên '{info.id}': {valid_session} + {invalid_session} khác {returned}.", **sess))
    if info.printed is not None and issued is not None and info.printed < issued:
        problems.append(check_problem("W214_PRINTED_UNDER_ISSUED", f"Phiên '{info.id}': phát ra {issued} phiếu nhưng danh mục chỉ in {info.printed} phiếu.", **at("issued")))
    missing = [FIGURES_VI[k] for k, v in (("summoned", summoned), ("present", present), ("issued", issued)) if v is None]
    if route == "hdnd" and members is None:
        missing.append(FIGURES_VI["members"])
    if missing:
        problems.append(check_problem("W221_FIGURE_MISSING", f"Phiên '{info.id}': chưa có {', '.join(missing)}.", **sess))
    if present is not None and summoned:
        num, den, sev = ctx.quorum
        if present * den < summoned * num:
            code = "F212_QUORUM" if sev == "error" else "W212_QUORUM"
            problems.append(check_problem(code, f"Phiên '{info.id}': có mặt {present}/{summoned} người, dưới {num}/{den}.", **at("present")))
    min_voters = ctx.min_voters
    voters = present if present is not None else returned
    if voters is not None and min_voters and voters < min_voters:
        problems.append(check_problem("W213_SECRECY", f"Phiên '{info.id}': chỉ {voters} người ghi phiếu (tối thiểu nên có {min_voters}).", **sess))

    res = SessionResult(info=info, route=route, mode=mode, summoned=summoned, present=present, issued=issued,
                        returned=returned, members=members, spoilt=spoilt, valid=valid_session, invalid=invalid_session,
                        base=base, base_value=base_value, results=results, reasons=reasons,
                        layout="ballots" if deck is not None else "totals", ballots=ballots)
    return res, problems
