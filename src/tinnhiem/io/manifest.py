"""The ballot manifest (`ballots --numbered`): the numbers printed for each session. `tally` reads
it to refuse ballots that were never issued, so it must be whole and one: the copy beside the
printed ballots (danh-muc-phieu.json) and the working folder's (tinnhiem-ho-so/
ballot-manifest.json) are written one after the other, and a run killed between them leaves two
different manifests, which `tally` refuses rather than guessing which one is right. A missing,
truncated or unreadable manifest is an error as soon as the ballots carry numbers."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.problems import Problem, Problems

PRINTED_NAME = "danh-muc-phieu.json"
# The numbers `ballots` prints: 6 characters of an alphabet without 0/O and 1/I.
TOOL_NUMBER = re.compile(r"^[A-HJ-NP-Z2-9]{6}$")


@dataclass
class Copy:
    path: Path
    data: dict | None  # None: unreadable
    sha256: str | None
    error: str | None = None


@dataclass
class Manifest:
    data: dict | None = None  # the manifest used
    used: Copy | None = None
    copies: list[Copy] = field(default_factory=list)
    explicit: bool = False

    @property
    def damaged(self) -> list[Copy]:
        return [c for c in self.copies if c.data is None]


def _read(path: Path) -> Copy:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return Copy(Path(path), None, None, exc.strerror or str(exc))
    sha = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Copy(Path(path), None, sha, str(exc)[:80])
    if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
        return Copy(Path(path), None, sha, "không có danh sách phiên")
    return Copy(Path(path), data, sha)


def find(wd_path: Path, explicit: Path | None, files: list[Path]) -> Manifest:
    """The manifest: --manifest when given; else the working folder's, checked against the
    printed copy beside the ballots files when there is one; else that copy."""
    if explicit is not None:
        c = _read(explicit)
        return Manifest(c.data, c, [c], explicit=True)
    out = Manifest()
    if Path(wd_path).exists():
        out.copies.append(_read(wd_path))
    seen = set()
    for f in files:
        beside = Path(f).parent / PRINTED_NAME
        key = str(beside.resolve()) if beside.exists() else None
        if key and key not in seen:
            seen.add(key)
            out.copies.append(_read(beside))
    good = [c for c in out.copies if c.data is not None]
    if good:
        out.used = good[0]
        out.data = good[0].data
    return out


def check(m: Manifest, decks: dict, problems: Problems) -> bool:
    """Problems of the manifest given the ballots read (decks: session id -> Deck). Returns
    False when the ballots and the manifest do not belong together: the count must stop.
    The ballot numbers are looked at only as far as a question needs them (no manifest and
    plain numbers: the first one answers), over the whole file at once (a national file: a
    million numbers in 20,000 sessions)."""
    good = [c for c in m.copies if c.data is not None]
    if m.damaged and _numbered(decks):
        for c in m.damaged:
            problems.add("MANIFEST_UNREADABLE",
                         f"Danh mục phiếu '{c.path}' bị hỏng hoặc không đầy đủ ({c.error}): không kiểm tra được số phiếu đã phát. "
                         "Chạy lại 'tinnhiem ballots' hoặc chỉ đúng tệp bằng --manifest.", file=str(c.path))
        return False
    if (not m.explicit and len(good) > 1 and _numbered(decks)
            and any(_numbers_of(c.data) != _numbers_of(good[0].data) for c in good[1:])):
        names = ", ".join(f"'{c.path}'" for c in good)
        problems.add("MANIFEST_OUT_OF_STEP",
                     f"Các bản danh mục phiếu khác nhau ({names}): lần in phiếu trước có thể đã dừng giữa chừng. "
                     "Chỉ rõ danh mục của đợt phiếu đã in bằng --manifest, hoặc in lại phiếu.")
        return False
    if m.data is None:
        if _all_tool_numbers(decks):
            problems.add("MANIFEST_MISSING",
                         "Phiếu mang số do 'tinnhiem ballots --numbered' in nhưng không tìm thấy danh mục phiếu "
                         f"({PRINTED_NAME} cạnh sổ nhập phiếu, hoặc tinnhiem-ho-so/ballot-manifest.json): không kiểm tra được "
                         "số phiếu đã phát. Chỉ rõ bằng --manifest.")
            return False
        return True
    if m.data.get("seeded"):
        problems.warn("MANIFEST_SEEDED",
                      "Danh mục phiếu được lập với --seed: số phiếu đoán trước được, chỉ dùng để chạy thử, không dùng cho hội nghị thật.",
                      file=str(m.used.path) if m.used else None)
    issued = _numbers_of(m.data)
    if issued:
        numbered, strangers = _strangers(decks, issued)
        if numbered and 2 * strangers > numbered:
            problems.add("MANIFEST_MISMATCH",
                         f"Sổ nhập phiếu này không khớp danh mục phiếu đã in: {strangers}/{numbered} số phiếu không có trong danh mục "
                         f"'{m.used.path if m.used else ''}'. Kiểm tra lại đúng sổ nhập phiếu của đợt phiếu đã in, "
                         "hoặc chỉ đúng danh mục bằng --manifest.")
            return False
    return True


def _given(numbers):
    """Which ballot numbers are given (not blank, not None)."""
    import numpy as np

    return np.not_equal(numbers, "") & np.not_equal(numbers, None)


def _numbered(decks: dict) -> bool:
    """Whether any ballot carries a number."""
    return any(_given(d.numbers).any() for d in decks.values())


def _all_tool_numbers(decks: dict) -> bool:
    """Whether ballots carry numbers and every one is of the kind `ballots --numbered` prints
    (the first number that is not answers)."""
    numbered = False
    for d in decks.values():
        for x in d.numbers[_given(d.numbers)].tolist():
            if not TOOL_NUMBER.match(str(x)):
                return False
            numbered = True
    return numbered


def _strangers(decks: dict, issued: dict[str, set[str]]) -> tuple[int, int]:
    """(ballot numbers given, those not issued to their session), all sessions at once: each
    (session, number) pair as one integer, looked up among the issued pairs."""
    import numpy as np
    import pandas as pd

    if not decks:
        return 0, 0
    sids = list(decks)
    numbers = np.concatenate([np.asarray(decks[sid].numbers, dtype=object) for sid in sids])
    owner = np.repeat(np.arange(len(sids)), [len(decks[sid].numbers) for sid in sids])
    given = _given(numbers)
    numbers, owner = numbers[given], owner[given]
    if not len(numbers):
        return 0, 0
    if pd.api.types.infer_dtype(numbers, skipna=False) != "string":
        numbers = np.frompyfunc(str, 1, 1)(numbers).astype(object)
    slot = {sid: k for k, sid in enumerate(sids)}
    pairs = [(slot[sid], x) for sid, xs in issued.items() if sid in slot for x in xs]
    issued_owner = np.array([k for k, _ in pairs], dtype=np.int64)
    issued_numbers = np.array([x for _, x in pairs], dtype=object)
    codes, distinct = pd.factorize(np.concatenate([numbers, issued_numbers]))
    width = max(len(distinct), 1)
    held = owner.astype(np.int64) * width + codes[:len(numbers)]
    printed = issued_owner * width + codes[len(numbers):]
    return len(numbers), int(len(numbers) - np.isin(held, printed).sum())


def _numbers_of(data: dict | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rec in (data or {}).get("sessions", []):
        if isinstance(rec, dict) and rec.get("id") and rec.get("numbers"):
            out[str(rec["id"])] = set(map(str, rec["numbers"]))
    return out

