"""One session's counts, base and reconciliation checks (DOMAIN.md section 4), from its
counted deck or its per-person totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tinnhiem.core.checks import check_problem
from tinnhiem.core.count import Counted
from tinnhiem.core.problems import Problems
from tinnhiem.core.records import (
    BASE_VI,
    FIGURES_VI,
    Deck,
    Figure,
    PersonResult,
    PersonTotal,
    SessionInfo,
    SessionResult,
)
from tinnhiem.core.results import People, _Context, _person


def _int(v) -> int | None:
    return None if v is None else int(v)


def _pick(figures: dict[str, Figure], key: str) -> int | None:
    f = figures.get(key)
    return f.value if f else None


def not_issued_of(info: SessionInfo, deck: Deck) -> np.ndarray | None:
    """The ballots whose number is not in the session's manifest of issued numbers (None when
    its ballots are not numbered)."""
    if info.numbers is None or not len(deck.rows):
        return None
    nums = deck.numbers.astype(str)
    issued_set = np.array(sorted(info.numbers), dtype=str)
    return (nums != "") & ~np.isin(nums, issued_set)


def _start(info: SessionInfo, figures: dict[str, Figure], deck: Deck | None, not_issued: np.ndarray | None,
           problems: Problems) -> None:
    """The checks before counting: route, ballots entered against returned, numbers issued."""
    if info.route is None:
        problems.append(check_problem("W229_ROUTE_ASSUMED", f"Phiên '{info.id}': chưa biết tuyến, tạm tính theo tuyến nơi công tác.", unit=info.unit))
    if deck is None:
        return
    n = len(deck.rows)
    returned_fig = _pick(figures, "returned") if figures else None
    if returned_fig is not None and returned_fig != n:
        problems.append(check_problem("F218_BALLOTS_NOT_RETURNED", f"Phiên '{info.id}': đã nhập {n} phiếu nhưng số phiếu thu về ghi {returned_fig}.", **figures["returned"].where))
    if not_issued is not None:
        for i in np.flatnonzero(not_issued)[:50]:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': số phiếu '{str(deck.numbers[i])}' không có trong danh mục phiếu đã phát.",
                                          row=int(deck.rows[i]), **deck.where[deck.sources[i]]))
        extra = int(not_issued.sum()) - 50
        if extra > 0:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': còn {extra} phiếu khác mang số không có trong danh mục.", unit=info.unit))


@dataclass(slots=True)
class _Session:
    """One session's figures as the checks read them, and where each was given."""

    id: str
    route: str
    sess: dict  # where a session-wide problem points (its unit)
    figures: dict[str, Figure]
    summoned: int | None
    present: int | None
    issued: int | None
    spoilt: int | None
    members: int | None
    returned: int | None = None
    valid: int | None = None
    invalid: int | None = None

    def at(self, key: str) -> dict:
        return self.figures[key].where if key in self.figures else self.sess


def _finish(info: SessionInfo, figures: dict[str, Figure], totals: list[PersonTotal] | None, deck: Deck | None,
            not_issued: np.ndarray | None, counted: Counted | None, ctx: _Context, problems: Problems) -> SessionResult:
    """The counts, percentages, bands and reconciliation of one session; its problems are
    appended to `problems`."""
    sess = {"unit": info.unit}
    f = _session_figures(info, figures, sess)
    reasons: dict = {}
    rows: list[tuple] = []
    if deck is not None:
        deck = _record_not_issued(deck, not_issued)
        reasons = counted.reasons
        n = len(deck.rows)
        f.returned = n
        f.valid = counted.valid_ballots if counted.valid_ballots is not None else n - int(counted.ballot_invalid.sum())
        f.invalid = n - f.valid
    else:
        f.returned = _pick(figures, "returned") if figures else None
        rows = _person_totals(info, totals or [], f, ctx.mode, problems)
    base = ctx.base_override or ctx.base_for(f.route)
    base_value = {"returned": f.returned, "members": f.members}.get(base, f.valid)
    per_valid = base == "valid"
    results: Sequence[PersonResult]
    if deck is not None:
        results = People(deck.person_ids, info.people, counted, len(deck.rows), per_valid, base_value, f.route, ctx)
    else:
        results = [_person(pid, person, valid, invalid, cao, tn, thap, why, valid if per_valid else base_value, f.route, ctx)
                   for pid, person, valid, invalid, cao, tn, thap, why in rows]
    if base_value is None and results and not per_valid:
        problems.append(check_problem("W222_BASE_UNKNOWN", f"Phiên '{f.id}': chưa có {BASE_VI[base]} để tính tỷ lệ.", **sess))
    _check_ballot_flow(f, info.printed, ctx.tol, problems)
    _check_missing_figures(f, problems)
    _check_quorum(f, ctx.quorum, problems)
    _check_secrecy(f, ctx.min_voters, problems)
    res = SessionResult(info=info, route=f.route, mode=ctx.mode, summoned=f.summoned, present=f.present, issued=f.issued,
                        returned=f.returned, members=f.members, spoilt=f.spoilt, valid=f.valid, invalid=f.invalid,
                        base=base, base_value=base_value, results=results, reasons=reasons,
                        layout="ballots" if deck is not None else "totals", deck=deck, counted=counted)
    return res


def _session_figures(info: SessionInfo, figures: dict[str, Figure], sess: dict) -> _Session:
    """The figures given for the session, else those its record knows (summoned, members)."""
    if not figures:  # the usual CSV: none at all
        return _Session(info.id, info.route or "workplace", sess, figures, info.summoned, None, None, None, info.members)
    summoned, members = _pick(figures, "summoned"), _pick(figures, "members")
    return _Session(info.id, info.route or "workplace", sess, figures,
                    summoned=info.summoned if summoned is None else summoned, present=_pick(figures, "present"),
                    issued=_pick(figures, "issued"), spoilt=_pick(figures, "spoilt"), members=info.members if members is None else members)


def _record_not_issued(deck: Deck, not_issued: np.ndarray | None) -> Deck:
    """The deck with the ballots whose number was not issued recorded as not issued by the
    counting committee, so that a recount from the records (tinnhiem verify) reaches the same
    verdict."""
    if not_issued is None or not not_issued.any():
        return deck
    recorded = deck.defects.copy()
    recorded[not_issued & np.equal(deck.defects, None)] = "khong_do_ban_kiem_phieu_phat"
    return replace(deck, defects=recorded)


def _person_totals(info: SessionInfo, totals: list[PersonTotal], f: _Session, mode: str, problems: Problems) -> list[tuple]:
    """Each person's row of a totals table as (id, record, valid, invalid, cao, tín nhiệm,
    thấp, reasons), checked against the returned ballots (F.204, F.228, F.203); the session's
    valid and invalid ballots when every person has the same valid count (else W.223 in
    whole-ballot mode)."""
    returned = f.returned
    rows: list[tuple] = []
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
        problems.append(check_problem("W223_MODE_MISMATCH", f"Phiên '{f.id}': số phiếu hợp lệ khác nhau giữa các người ({', '.join(map(str, sorted(valid_values)))}).", **f.sess))
    f.valid = valid_values.pop() if len(valid_values) == 1 else None
    f.invalid = returned - f.valid if (returned is not None and f.valid is not None) else None
    return rows


def _check_ballot_flow(f: _Session, printed: int | None, tol: int, problems: Problems) -> None:
    """Ballots summoned >= issued >= returned = valid + invalid, people present (F.201, F.233,
    F.234, F.202, F.219, W.220, F.203, W.214); `tol` ballots of slack where the rule set allows."""
    returned, issued, summoned, present, spoilt = f.returned, f.issued, f.summoned, f.present, f.spoilt
    if returned is not None and issued is not None and returned > issued:
        problems.append(check_problem("F201_RETURNED_OVER_ISSUED", f"Phiên '{f.id}': thu về {returned} phiếu, nhiều hơn {issued} phiếu phát ra.", **f.at("issued")))
    # Each person summoned returns at most one ballot, whatever was issued (spoilt ones are kept).
    if returned is not None and summoned is not None and returned > summoned + tol:
        problems.append(check_problem("F233_RETURNED_OVER_SUMMONED", f"Phiên '{f.id}': thu về {returned} phiếu, nhiều hơn {summoned} người được triệu tập.", **f.at("returned")))
    if returned is not None and present is not None and returned > present + tol:
        problems.append(check_problem("F234_RETURNED_OVER_PRESENT", f"Phiên '{f.id}': thu về {returned} phiếu, nhiều hơn {present} người có mặt.", **f.at("returned")))
    if issued is not None and summoned is not None and issued > summoned + (spoilt or 0) + tol:
        extra = f" + {spoilt} phiếu hỏng đổi lại" if spoilt else ""
        problems.append(check_problem("F202_ISSUED_OVER_SUMMONED", f"Phiên '{f.id}': phát ra {issued} phiếu, nhiều hơn {summoned} người được triệu tập{extra}.", **f.at("issued")))
    if present is not None and summoned is not None and present > summoned:
        problems.append(check_problem("F219_PRESENT_OVER_SUMMONED", f"Phiên '{f.id}': có mặt {present} người, nhiều hơn {summoned} người được triệu tập.", **f.at("present")))
    if present is not None and issued is not None and issued > present + (spoilt or 0) + tol:
        problems.append(check_problem("W220_ISSUED_NOT_PRESENT", f"Phiên '{f.id}': phát ra {issued} phiếu cho {present} người có mặt.", **f.at("issued")))
    if f.valid is not None and f.invalid is not None and returned is not None and f.valid + f.invalid != returned:
        problems.append(check_problem("F203_VALID_INVALID_NOT_RETURNED", f"Phiên '{f.id}': {f.valid} + {f.invalid} khác {returned}.", **f.sess))
    if printed is not None and issued is not None and printed < issued:
        problems.append(check_problem("W214_PRINTED_UNDER_ISSUED", f"Phiên '{f.id}': phát ra {issued} phiếu nhưng danh mục chỉ in {printed} phiếu.", **f.at("issued")))


_NEEDED = (FIGURES_VI["summoned"], FIGURES_VI["present"], FIGURES_VI["issued"])


def _check_missing_figures(f: _Session, problems: Problems) -> None:
    """W.221: figures the minutes need and nobody gave (members only on the HĐND route)."""
    missing = [name for name, v in zip(_NEEDED, (f.summoned, f.present, f.issued)) if v is None]
    if f.route == "hdnd" and f.members is None:
        missing.append(FIGURES_VI["members"])
    if missing:
        problems.append(check_problem("W221_FIGURE_MISSING", f"Phiên '{f.id}': chưa có {', '.join(missing)}.", **f.sess))


def _check_quorum(f: _Session, quorum: tuple[int, int, str], problems: Problems) -> None:
    """F.212 or W.212 (as the rule set says): fewer present than num/den of those summoned."""
    if f.present is not None and f.summoned:
        num, den, sev = quorum
        if f.present * den < f.summoned * num:
            code = "F212_QUORUM" if sev == "error" else "W212_QUORUM"
            problems.append(check_problem(code, f"Phiên '{f.id}': có mặt {f.present}/{f.summoned} người, dưới {num}/{den}.", **f.at("present")))


def _check_secrecy(f: _Session, min_voters: int, problems: Problems) -> None:
    """W.213: too few people wrote ballots to keep them secret."""
    voters = f.present if f.present is not None else f.returned
    if voters is not None and min_voters and voters < min_voters:
        problems.append(check_problem("W213_SECRECY", f"Phiên '{f.id}': chỉ {voters} người ghi phiếu (tối thiểu nên có {min_voters}).", **f.sess))
