"""Rule sets are data: a TOML file the user can read, copy and change.

This module loads one, validates it (unknown keys, bad patterns, missing parts, each named with
its line), and gives the rest of the core typed access to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field

from tinnhiem.core.problems import InputError, Problem
from tinnhiem.core.text import fold, header_key, nfc

BUILTIN = ("cantho-2019", "national-2023")
DEFAULT = "cantho-2019"
ROUTES = ("hdnd", "workplace", "company")
BASES = ("returned", "members", "valid")
VALIDITY_MODES = ("whole_ballot", "per_person")
CATEGORIES = ("a", "b", "c", "d")


@dataclass(frozen=True)
class PostRule:
    id: str
    label: str
    category: str
    unit_kinds: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    rank: int
    route: str
    route_if_ubnd_member: str | None = None
    requires_ubnd_member: bool = False
    unless_unit_has: str | None = None
    unit_patterns: tuple[re.Pattern, ...] = ()

    def matches(self, folded_title: str, unit_kind: str, folded_unit: str) -> bool:
        if unit_kind not in self.unit_kinds:
            return False
        if self.unit_patterns and not any(p.search(folded_unit) for p in self.unit_patterns):
            return False
        return any(p.search(folded_title) for p in self.patterns)

    def route_for(self, ubnd_member: bool) -> str:
        if ubnd_member and self.route_if_ubnd_member:
            return self.route_if_ubnd_member
        return self.route


@dataclass(frozen=True)
class ReviewRule:
    pattern: re.Pattern
    reason: str


# A word of the folded title: letters and digits, or an abbreviation ending in a dot ("p.").
_DOT_SPACE = re.compile(r"\.(?=[^\s.])")
_LEADING_JUNK = re.compile(r"^[\W_]+")
_TRAILING_JUNK = re.compile(r"[\s.,;:*]+$")


def _words_regex(words) -> re.Pattern | None:
    """One pattern matching any of the (folded) words or phrases as whole words."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


@dataclass(frozen=True)
class TitleRules:
    """How offices write titles ([titles] of the rule set): abbreviations, words left out,
    joiners of two posts ("kiêm"), and the words that make a title look like a leader's."""

    prefixes: dict[str, str] = field(default_factory=dict)  # folded -> folded, first word only
    abbreviations: dict[str, str] = field(default_factory=dict)  # folded -> folded, any word
    ignore: tuple[str, ...] = ()
    joiners: tuple[str, ...] = ()
    leader_words: tuple[str, ...] = ()
    others: tuple[re.Pattern, ...] = ()
    _prefix_re: re.Pattern | None = None
    _abbr_re: re.Pattern | None = None
    _ignore_re: re.Pattern | None = None
    _joiner_re: re.Pattern | None = None
    _leader_re: re.Pattern | None = None

    @classmethod
    def build(cls, prefixes: dict, abbreviations: dict, ignore, joiners, leader_words, others) -> "TitleRules":
        prefixes = {fold(k): fold(v) for k, v in prefixes.items()}
        abbreviations = {fold(k): fold(v) for k, v in abbreviations.items()}
        ignore = tuple(fold(w) for w in ignore)
        # Joiners are matched with their diacritics: "kiêm" joins two posts, "kiểm" (soát) does not.
        joiners = tuple(nfc(w).lower() for w in joiners)
        leader_words = tuple(dict.fromkeys(leader_words))  # as written, for messages
        prefix_re = None
        if prefixes:
            keys = sorted(prefixes, key=len, reverse=True)
            prefix_re = re.compile(r"^(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
        joiner_re = None
        if joiners:
            # "kiêm nhiệm" (concurrently) qualifies the post before it; it joins nothing.
            joiner_re = re.compile(r"\s+(?:" + "|".join(re.escape(j) for j in joiners) + r")\s+(?!nhiệm(?!\w))")
        return cls(prefixes, abbreviations, ignore, joiners, leader_words, tuple(others), prefix_re,
                   _words_regex(abbreviations), _words_regex(ignore), joiner_re, _words_regex(fold(w) for w in leader_words))

    def expand(self, folded: str) -> str:
        """The folded title in its long form: stray characters around it dropped, abbreviations
        written out ("pgd so" -> "pho giam doc so", "p. hieu truong" -> "pho hieu truong"),
        words that change nothing left out ("thuong truc")."""
        title = _TRAILING_JUNK.sub("", _LEADING_JUNK.sub("", folded))
        if "." in title:
            title = _DOT_SPACE.sub(". ", title)
        if self._prefix_re is not None:
            title = self._prefix_re.sub(lambda m: self.prefixes[m.group(0)], title, count=1)
        if self._abbr_re is not None:
            title = self._abbr_re.sub(lambda m: self.abbreviations[m.group(1)], title)
            title = title.replace(". ", " ") if "." in title else title
        if self._ignore_re is not None:
            title = self._ignore_re.sub(" ", title)
        return " ".join(title.split())

    def split(self, title: str) -> list[str]:
        """The posts a title (as written, not folded) names: "Chủ tịch kiêm Giám đốc Công ty"
        -> two; "Trưởng Ban kiểm soát" and "Giám đốc (kiêm)" -> one."""
        if self._joiner_re is None:
            return [title]
        parts = [p for p in (x.strip() for x in self._joiner_re.split(nfc(title).lower())) if p]
        return parts or [title]

    def leader_word(self, title: str) -> str | None:
        """The first leadership word of a (long-form) title, if any."""
        if self._leader_re is None:
            return None
        m = self._leader_re.search(title)
        if not m:
            return None
        return next((w for w in self.leader_words if fold(w) == m.group(1)), m.group(1))

    def known_other(self, title: str) -> bool:
        """A post the rule set knows is not rated (mass organisations, Party, sub-units)."""
        return any(p.search(title) for p in self.others)


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    num: int
    den: int
    inclusive: bool
    consequence: dict[str, str]

    def reached(self, low: int, base: int) -> bool:
        """Integer comparison, never on rounded percentages: L*den >= B*num (or >)."""
        if base <= 0:
            return False
        lhs, rhs = low * self.den, base * self.num
        return lhs >= rhs if self.inclusive else lhs > rhs


@dataclass(frozen=True)
class RoleRule:
    id: str
    label: str
    patterns: tuple[re.Pattern, ...]


@dataclass
class RuleSet:
    name: str
    title: str
    year: int | None
    source: str  # path or "builtin:NAME"
    sha256: str
    text: str
    data: dict
    unit_kinds: dict[str, dict]
    posts: list[PostRule]
    review: list[ReviewRule]
    bands: list[Band]
    roles: dict[str, RoleRule]
    voters: dict[str, list[str]]
    titles: TitleRules = field(default_factory=TitleRules)
    _kind_aliases: dict[str, str] = field(default_factory=dict, repr=False)

    # -- sections with defaults -------------------------------------------------------------
    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    @property
    def tenure_enabled(self) -> bool:
        return bool(self.section("tenure").get("enabled", False))

    @property
    def tenure_months(self) -> int:
        return int(self.section("tenure").get("months", 9))

    @property
    def tenure_strict(self) -> bool:
        return bool(self.section("tenure").get("strict", False))

    @property
    def validity_mode(self) -> str:
        return self.section("validity").get("mode", "whole_ballot")

    @property
    def max_places(self) -> int:
        return int(self.section("rating").get("max_places", 2))

    @property
    def highest_post_only(self) -> bool:
        return bool(self.section("rating").get("highest_post_only", True))

    @property
    def levels(self) -> list[str]:
        return list(self.section("rating").get("levels", ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]))

    def base_for(self, route: str) -> str:
        return self.section("base").get(route, "returned")

    def document(self, key: str, default=None):
        """A setting of the documents the tool writes ([documents]): place, bodies, recipients."""
        return self.section("documents").get(key, default)

    def party_route(self, route: str) -> bool:
        """Whether a route's documents carry the Party heading (HD 36-HD/VPTW)."""
        return route in self.section("documents").get("party_routes", [])

    def ballot_form(self, route: str) -> dict:
        """The ballot form of a route ([ballot.ROUTE]): title, subject, source, instruction, invalid."""
        return dict(self.section("ballot").get(route, {}))

    def deadline(self, key: str):
        return self.section("deadlines").get(key)

    def unit_kind(self, value) -> str | None:
        """Unit kind code from 'so', 'Sở, ban, ngành', ... (forgiving), or None."""
        return self._kind_aliases.get(header_key(value))

    def unit_kind_label(self, kind: str) -> str:
        return self.unit_kinds.get(kind, {}).get("label", kind)

    def band_for(self, low: int | None, base: int | None) -> Band | None:
        if low is None or base is None:
            return None
        for band in self.bands:
            if band.reached(low, base):
                return band
        return None

    def unit_name(self, unit: str, kind: str | None) -> str:
        """The unit's name with its kind word when the roster left it out: "Tài chính" of kind
        "so" is "Sở Tài chính" when the kind has unit_word = "Sở" and the name matches none of
        the unit patterns of that kind's posts (a Ban, Thanh tra or Văn phòng keeps its name)."""
        word = self.unit_kinds.get(kind, {}).get("unit_word") if kind else None
        if not word or not unit:
            return unit
        folded = fold(unit)
        pats = [p for rule in self.posts if kind in rule.unit_kinds for p in rule.unit_patterns]
        if not pats or any(p.search(folded) for p in pats):
            return unit
        return f"{word} {unit[:1].upper()}{unit[1:]}" if unit[:1].islower() else f"{word} {unit}"

    def post(self, post_id: str) -> PostRule | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def council_name(self, unit: str, route_level: str) -> str:
        """The People's Council that rates a post: the city's, or the district's own."""
        hd = self.section("hdnd")
        if route_level == "city":
            return hd.get("city_council", "HĐND thành phố")
        for prefix in hd.get("unit_prefixes", ["UBND "]):
            if fold(unit).startswith(fold(prefix)):
                return "HĐND " + unit[len(prefix):].strip()
        return "HĐND " + unit


# -- loading ----------------------------------------------------------------------------------

_SCHEMA: dict[str, set[str]] = {
    "": {"schema", "name", "title", "year", "tenure", "exclusions", "rating", "validity", "quorum",
         "secrecy", "base", "bands", "deadlines", "hdnd", "unit_kinds", "posts", "review", "roles",
         "voters", "requests", "tally", "description", "titles", "documents", "ballot"},
    "titles": {"prefixes", "abbreviations", "ignore", "joiners", "leader_words", "other_posts"},
    "tenure": {"enabled", "months", "strict"},
    "exclusions": {"retirement_announced", "elected_this_year", "long_sick_leave_months"},
    "rating": {"max_places", "highest_post_only", "levels"},
    "validity": {"mode"},
    "quorum": {"num", "den", "severity"},
    "secrecy": {"min_voters"},
    "base": set(ROUTES),
    "bands": {"id", "label", "num", "den", "inclusive", "consequence"},
    "deadlines": {"notice_days_before", "answers_days_before", "unit_report_before",
                  "city_report_before", "unit_report_days_after", "city_report_days_after"},
    "hdnd": {"city_council", "unit_prefixes"},
    "unit_kinds.*": {"label", "aliases", "level", "unit_word"},
    "posts": {"id", "label", "category", "unit_kinds", "patterns", "rank", "route",
              "route_if_ubnd_member", "requires_ubnd_member", "unless_unit_has", "unit_patterns"},
    "review": {"pattern", "reason"},
    "roles.*": {"label", "patterns"},
    "voters": set(ROUTES),
    "requests": {"answer_days_before", "require_verified", "require_heard"},
    "tally": {"reconcile_tolerance"},
    "documents": {"place", "city_body", "city_council_body", "party_routes", "report_issuer", "report_signer",
                  "report_recipients", "unit_recipients", "templates"},
    "ballot": set(ROUTES),
    "ballot.*": {"title", "subject", "source", "instruction", "invalid"},
}

# Expected value type of each key ("section.key"; "*" stands for a name the file chooses). A key
# missing here is not type-checked, so a key added to _SCHEMA alone still loads.
_TYPES: dict[str, str] = {
    "schema": "pos_int", "name": "str", "title": "str", "year": "pos_int", "description": "str",
    "tenure": "table", "exclusions": "table", "rating": "table", "validity": "table", "quorum": "table",
    "secrecy": "table", "base": "table", "deadlines": "table", "hdnd": "table", "unit_kinds": "table",
    "roles": "table", "voters": "table", "requests": "table", "tally": "table", "titles": "table",
    "titles.prefixes": "str_table", "titles.abbreviations": "str_table", "titles.ignore": "str_list",
    "titles.joiners": "str_list", "titles.leader_words": "str_list", "titles.other_posts": "str_or_list",
    "posts": "table_list", "bands": "table_list", "review": "table_list",
    "tenure.enabled": "bool", "tenure.months": "pos_int", "tenure.strict": "bool",
    "exclusions.retirement_announced": "bool", "exclusions.elected_this_year": "bool",
    "exclusions.long_sick_leave_months": "nonneg_int",
    "rating.max_places": "pos_int", "rating.highest_post_only": "bool", "rating.levels": "str_list",
    "validity.mode": "str",
    "quorum.num": "pos_int", "quorum.den": "pos_int", "quorum.severity": "str",
    "secrecy.min_voters": "nonneg_int",
    "base.*": "str",
    "bands.id": "str", "bands.label": "str", "bands.num": "pos_int", "bands.den": "pos_int",
    "bands.inclusive": "bool", "bands.consequence": "str_table",
    "deadlines.notice_days_before": "nonneg_int", "deadlines.answers_days_before": "nonneg_int",
    "deadlines.unit_report_before": "date", "deadlines.city_report_before": "date",
    "deadlines.unit_report_days_after": "nonneg_int", "deadlines.city_report_days_after": "nonneg_int",
    "hdnd.city_council": "str", "hdnd.unit_prefixes": "str_list",
    "unit_kinds.*": "table", "unit_kinds.*.label": "str", "unit_kinds.*.aliases": "str_list",
    "unit_kinds.*.level": "str", "unit_kinds.*.unit_word": "str",
    "posts.id": "str", "posts.label": "str", "posts.category": "str", "posts.unit_kinds": "str_list",
    "posts.patterns": "str_or_list", "posts.rank": "int", "posts.route": "str",
    "posts.route_if_ubnd_member": "str", "posts.requires_ubnd_member": "bool",
    "posts.unless_unit_has": "str", "posts.unit_patterns": "str_or_list",
    "review.pattern": "str", "review.reason": "str",
    "roles.*": "table", "roles.*.label": "str", "roles.*.patterns": "str_or_list",
    "voters.*": "str_list",
    "requests.answer_days_before": "nonneg_int", "requests.require_verified": "bool",
    "requests.require_heard": "bool",
    "tally.reconcile_tolerance": "nonneg_int",
    "documents": "table", "ballot": "table",
    "documents.place": "str", "documents.city_body": "str", "documents.city_council_body": "str",
    "documents.party_routes": "str_list", "documents.report_issuer": "str", "documents.report_signer": "str",
    "documents.report_recipients": "str_list", "documents.unit_recipients": "str_list", "documents.templates": "str",
    "ballot.*": "table", "ballot.*.title": "str", "ballot.*.subject": "str", "ballot.*.source": "str",
    "ballot.*.instruction": "str", "ballot.*.invalid": "str",
}

_TYPE_VI = {
    "str": "một chuỗi trong ngoặc kép (\"...\")",
    "int": "một số nguyên",
    "pos_int": "một số nguyên dương",
    "nonneg_int": "một số nguyên không âm",
    "bool": "true hoặc false",
    "date": "một ngày dạng YYYY-MM-DD (không có ngoặc kép)",
    "str_list": "một danh sách chuỗi, ví dụ [\"a\", \"b\"]",
    "str_or_list": "một chuỗi hoặc danh sách chuỗi",
    "table": "một bảng ([...])",
    "table_list": "một danh sách bảng ([[...]])",
    "str_table": "một bảng chuỗi (tuyến = \"...\")",
}

# Level of a unit kind: whose People's Council rates its hdnd posts.
LEVELS = ("city", "district", "commune")


def _type_ok(kind: str, value) -> bool:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return is_int
    if kind == "pos_int":
        return is_int and value > 0
    if kind == "nonneg_int":
        return is_int and value >= 0
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == "str_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "str_or_list":
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    if kind == "table":
        return isinstance(value, dict)
    if kind == "table_list":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if kind == "str_table":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return True


# -- where a key is written: a small scanner over the TOML text ---------------------------------
# tomllib gives no positions, so this maps every key path, e.g. ("posts", 3, "patterns"), to the
# line where it is written; arrays of tables are counted so that the fourth [[posts]] is index 3.

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_TABLE_RE = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_ASSIGN_RE = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_KEY)


def _key_parts(dotted: str) -> list[str]:
    parts = []
    for m in _PART_RE.finditer(dotted):
        p = m.group(0)
        if p[0] in "\"'":
            p = p[1:-1]
        parts.append(p)
    return parts


class KeyLines:
    """Line numbers of the keys and tables of a TOML text (1-based)."""

    def __init__(self, text: str):
        self.text = text
        self.lines: dict[tuple, int] = {}
        self.offsets: list[int] = [0]
        for m in re.finditer("\n", text):
            self.offsets.append(m.end())
        self._scan()

    def _scan(self) -> None:
        prefix: tuple = ()
        aot: dict[tuple, int] = {}  # array-of-tables path -> index of its last entry
        state = {"ml": None, "depth": 0}
        for number, line in enumerate(self.text.split("\n"), start=1):
            if state["ml"] or state["depth"] > 0:
                self._skip_value(line, state)
                continue
            m = _TABLE_RE.match(line)
            if m:
                parts = _key_parts(m.group(2))
                resolved: list = []
                for i, part in enumerate(parts):
                    resolved.append(part)
                    if i < len(parts) - 1 and tuple(resolved) in aot:
                        resolved.append(aot[tuple(resolved)])
                if m.group(1) == "[[":
                    key = tuple(resolved)
                    aot[key] = aot.get(key, -1) + 1
                    resolved.append(aot[key])
                    self.lines.setdefault(key, number)
                prefix = tuple(resolved)
                self.lines.setdefault(prefix, number)
                continue
            m = _ASSIGN_RE.match(line)
            if m:
                self.lines.setdefault(prefix + tuple(_key_parts(m.group(1))), number)
                self._skip_value(line[m.end():], state)

    @staticmethod
    def _skip_value(segment: str, state: dict) -> None:
        """Follow strings, brackets and comments, so that a value spanning lines is not read
        as keys."""
        i, n = 0, len(segment)
        while i < n:
            if state["ml"]:
                end = segment.find(state["ml"], i)
                if end < 0:
                    return
                i, state["ml"] = end + 3, None
                continue
            ch = segment[i]
            if ch == "#":
                return
            if segment.startswith(('"""', "'''"), i):
                state["ml"] = segment[i:i + 3]
                i += 3
                continue
            if ch == '"':
                i += 1
                while i < n and segment[i] != '"':
                    i += 2 if segment[i] == "\\" else 1
            elif ch == "'":
                end = segment.find("'", i + 1)
                i = n if end < 0 else end
            elif ch in "[{":
                state["depth"] += 1
            elif ch in "]}":
                state["depth"] = max(0, state["depth"] - 1)
            i += 1

    def line(self, *path) -> int | None:
        """Line of the key at `path`, or of the nearest enclosing key or table written."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def value_line(self, path: tuple, value: str) -> int | None:
        """Line of a string value inside the value of `path` (an item of a multi-line list)."""
        start = self.line(*path)
        if start is None:
            return None
        offset = self.offsets[start - 1]
        best = None
        for quote in ("'", '"'):
            idx = self.text.find(f"{quote}{value}{quote}", offset)
            if idx >= 0 and (best is None or idx < best):
                best = idx
        if best is None:
            return start
        return self.text.count("\n", 0, best) + 1


def _path_text(path: tuple) -> str:
    """("posts", 3, "rank") -> "posts[4].rank" (entries counted from 1, as a person counts)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


def parse(text: str, source: str = "<text>") -> RuleSet:
    import difflib

    fname = source.removeprefix("builtin:")
    problems: list[Problem] = []
    where = KeyLines(text)

    def err(code: str, msg: str, path: tuple = (), line: int | None = None):
        if line is None and path:
            line = where.line(*path)
        detail = {"key": _path_text(path)} if path else None
        problems.append(Problem(code=code, message=msg, file=fname, row=line, detail=detail))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        err("RULES_SYNTAX", f"Tệp quy tắc không đúng cú pháp TOML: {exc}", line=int(m.group(1)) if m else None)
        raise InputError(problems) from None

    def type_key(path: tuple) -> str:
        """("unit_kinds", "so", "label") -> "unit_kinds.*.label"; list indexes dropped."""
        names = [p for p in path if not isinstance(p, int)]
        if names and names[0] in ("unit_kinds", "roles", "ballot") and len(names) >= 2:
            names[1] = "*"
        if names and names[0] in ("base", "voters") and len(names) == 2:
            names[1] = "*"
        return ".".join(names)

    def typed(path: tuple, value) -> bool:
        """Check a value against _TYPES; report and return False when it has the wrong type."""
        kind = _TYPES.get(type_key(path))
        if kind is None or _type_ok(kind, value):
            return True
        shown = value if not isinstance(value, (dict, list)) else type(value).__name__
        err("RULES_BAD_TYPE", f"'{_path_text(path)}' phải là {_TYPE_VI.get(kind, kind)}; tệp ghi: {shown!r}.", path)
        return False

    def check_keys(table: dict, schema_key: str, path: tuple) -> None:
        """Unknown keys (with a suggestion) and the type of each known key."""
        allowed = _SCHEMA[schema_key]
        for key, value in table.items():
            if key not in allowed:
                near = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" Có phải '{near[0]}'?" if near else ""
                if not path:
                    at = "phần gốc của tệp"
                elif isinstance(path[-1], int):
                    at = f"mục [[{_path_text(path[:-1])}]] thứ {path[-1] + 1}"
                else:
                    at = f"[{_path_text(path)}]"
                err("RULES_UNKNOWN_KEY", f"Khóa không được biết '{key}' trong {at}.{hint} Các khóa hợp lệ: {', '.join(sorted(allowed))}.", path + (key,))
            else:
                typed(path + (key,), value)

    def ok(path: tuple) -> bool:
        """The value at a top-level path exists and has its type (reported once)."""
        value = data.get(path[0])
        return value is not None and _type_ok(_TYPES.get(path[0], "table"), value)

    check_keys(data, "", ())
    if data.get("schema", 1) != 1 and isinstance(data.get("schema"), int) and not isinstance(data.get("schema"), bool):
        err("RULES_BAD_VALUE", f"schema = {data['schema']}: phiên bản này chỉ đọc được schema = 1.", ("schema",))
    for sec in ("tenure", "exclusions", "rating", "validity", "quorum", "secrecy", "base", "deadlines", "hdnd", "voters", "requests", "tally",
                "titles", "documents", "ballot"):
        if sec in data and ok((sec,)):
            check_keys(data[sec], sec, (sec,))
    if ok(("ballot",)):
        for route, form in data["ballot"].items():
            if isinstance(form, dict):
                check_keys(form, "ballot.*", ("ballot", route))
    for req, what in (("name", "tên bộ quy tắc: name = \"...\""), ("unit_kinds", "các loại đơn vị: [unit_kinds.MA]"),
                      ("posts", "các chức danh được lấy phiếu: [[posts]]"), ("bands", "các mức tín nhiệm thấp: [[bands]]"),
                      ("base", "cơ sở tính tỷ lệ: [base]")):
        if req not in data:
            err("RULES_MISSING", f"Thiếu phần bắt buộc '{req}' ({what}).", line=1)

    def compile_all(patterns, path: tuple) -> tuple[re.Pattern, ...]:
        out = []
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list):  # a wrong type is reported by check_keys
            return ()
        for pat in patterns:
            if not isinstance(pat, str):
                continue
            try:
                out.append(re.compile(pat))
            except re.error as exc:
                err("RULES_BAD_PATTERN", f"Mẫu '{pat}' ở '{_path_text(path)}' không phải biểu thức chính quy hợp lệ: {exc}.",
                    path, line=where.value_line(path, pat))
        return tuple(out)

    unit_kinds = data.get("unit_kinds", {}) if ok(("unit_kinds",)) else {}
    kind_aliases: dict[str, str] = {}
    for code, spec in list(unit_kinds.items()):
        if not typed(("unit_kinds", code), spec):
            continue
        check_keys(spec, "unit_kinds.*", ("unit_kinds", code))
        level = spec.get("level", "city")
        if isinstance(level, str) and level not in LEVELS:
            err("RULES_BAD_VALUE", f"[unit_kinds.{code}] level = '{level}': phải là một trong {', '.join(LEVELS)}.", ("unit_kinds", code, "level"))
        aliases = spec.get("aliases", []) if isinstance(spec.get("aliases", []), list) else []
        label = spec.get("label", "") if isinstance(spec.get("label", ""), str) else ""
        for alias in [code, label] + [a for a in aliases if isinstance(a, str)]:
            key = header_key(alias)
            if key and kind_aliases.get(key, code) != code:
                err("RULES_DUPLICATE", f"Cách ghi '{alias}' dùng cho hai loại đơn vị ({kind_aliases[key]} và {code}).", ("unit_kinds", code, "aliases"))
            elif key:
                kind_aliases[key] = code

    posts: list[PostRule] = []
    seen_ids: dict[str, int] = {}
    post_specs = data.get("posts", []) if ok(("posts",)) else []
    for i, spec in enumerate(post_specs):
        path = ("posts", i)
        check_keys(spec, "posts", path)
        pid = spec.get("id")
        if not isinstance(pid, str) or not pid:
            if "id" not in spec:
                err("RULES_MISSING", f"Mục [[posts]] thứ {i + 1} thiếu 'id'.", path)
            continue
        if pid in seen_ids:
            err("RULES_DUPLICATE", f"Chức danh '{pid}' khai báo hai lần (mục [[posts]] thứ {seen_ids[pid] + 1} và {i + 1}).", path + ("id",))
        seen_ids.setdefault(pid, i)
        for req in ("category", "unit_kinds", "patterns", "rank", "route"):
            if req not in spec:
                err("RULES_MISSING", f"Chức danh '{pid}' thiếu '{req}'.", path)
        if isinstance(spec.get("category"), str) and spec["category"] not in CATEGORIES:
            err("RULES_BAD_VALUE", f"Chức danh '{pid}': category = '{spec['category']}', phải là một trong a, b, c, d.", path + ("category",))
        for rkey in ("route", "route_if_ubnd_member"):
            if isinstance(spec.get(rkey), str) and spec[rkey] not in ROUTES:
                err("RULES_BAD_VALUE", f"Chức danh '{pid}': {rkey} = '{spec[rkey]}', phải là một trong {', '.join(ROUTES)}.", path + (rkey,))
        kinds = spec.get("unit_kinds", []) if _type_ok("str_list", spec.get("unit_kinds", [])) else []
        for kind in kinds:
            if kind not in unit_kinds:
                err("RULES_BAD_VALUE", f"Chức danh '{pid}': loại đơn vị '{kind}' không có trong [unit_kinds] ({', '.join(unit_kinds) or 'chưa khai báo loại nào'}).",
                    path + ("unit_kinds",))
        rank = spec.get("rank", 999)
        posts.append(
            PostRule(
                id=pid,
                label=spec.get("label", pid) if isinstance(spec.get("label", pid), str) else pid,
                category=spec.get("category", "?") if isinstance(spec.get("category"), str) else "?",
                unit_kinds=tuple(kinds),
                patterns=compile_all(spec.get("patterns", []), path + ("patterns",)),
                rank=rank if _type_ok("int", rank) else 999,
                route=spec.get("route") if spec.get("route") in ROUTES else "workplace",
                route_if_ubnd_member=spec.get("route_if_ubnd_member") if spec.get("route_if_ubnd_member") in ROUTES else None,
                requires_ubnd_member=spec.get("requires_ubnd_member") is True,
                unless_unit_has=spec.get("unless_unit_has") if isinstance(spec.get("unless_unit_has"), str) else None,
                unit_patterns=compile_all(spec.get("unit_patterns", []), path + ("unit_patterns",)),
            )
        )
    for i, spec in enumerate(post_specs):
        other = spec.get("unless_unit_has")
        if isinstance(other, str) and other not in seen_ids:
            err("RULES_BAD_VALUE", f"Chức danh '{spec.get('id')}': unless_unit_has = '{other}' không phải chức danh đã khai báo.", ("posts", i, "unless_unit_has"))

    review = []
    for i, spec in enumerate(data.get("review", []) if ok(("review",)) else []):
        check_keys(spec, "review", ("review", i))
        if "pattern" not in spec:
            err("RULES_MISSING", f"Mục [[review]] thứ {i + 1} thiếu 'pattern'.", ("review", i))
            continue
        pats = compile_all([spec["pattern"]] if isinstance(spec["pattern"], str) else [], ("review", i, "pattern"))
        if pats:
            reason = spec.get("reason", "Cần xem xét")
            review.append(ReviewRule(pattern=pats[0], reason=reason if isinstance(reason, str) else "Cần xem xét"))

    bands = []
    band_ids: set[str] = set()
    for i, spec in enumerate(data.get("bands", []) if ok(("bands",)) else []):
        path = ("bands", i)
        check_keys(spec, "bands", path)
        bid = spec.get("id") if isinstance(spec.get("id"), str) else None
        for req in ("id", "num", "den"):
            if req not in spec:
                err("RULES_MISSING", f"Mức [[bands]] thứ {i + 1} thiếu '{req}'.", path)
        num, den = spec.get("num"), spec.get("den")
        if not (_type_ok("pos_int", num) and _type_ok("pos_int", den)):
            continue
        if num > den:
            err("RULES_BAD_VALUE", f"Mức '{bid}': num/den = {num}/{den}, cần 0 < num <= den.", path + ("num",))
            continue
        if bid in band_ids:
            err("RULES_DUPLICATE", f"Mức '{bid}' khai báo hai lần.", path + ("id",))
        band_ids.add(bid or "?")
        for route in spec.get("consequence", {}) if isinstance(spec.get("consequence"), dict) else {}:
            if route not in ROUTES:
                err("RULES_UNKNOWN_KEY", f"Mức '{bid}': hệ quả cho tuyến '{route}' không biết; tuyến hợp lệ: {', '.join(ROUTES)}.", path + ("consequence", route))
        inclusive = spec.get("inclusive", True)
        bands.append(Band(id=bid or "?", label=spec.get("label", "") if isinstance(spec.get("label", ""), str) else "",
                          num=num, den=den, inclusive=inclusive if isinstance(inclusive, bool) else True,
                          consequence=dict(spec.get("consequence", {})) if isinstance(spec.get("consequence"), dict) else {}))
    # Highest threshold first, so that the first band reached is the one reported. Compared as
    # fractions: 2/3 and 4/6 are the same threshold.
    from fractions import Fraction

    bands.sort(key=lambda b: (Fraction(b.num, b.den), b.inclusive), reverse=True)

    for route, base in (data.get("base", {}) if ok(("base",)) else {}).items():
        if isinstance(base, str) and base not in BASES:
            err("RULES_BAD_VALUE", f"[base] {route} = '{base}': phải là một trong {', '.join(BASES)}.", ("base", route))
    validity = data.get("validity", {}) if ok(("validity",)) else {}
    mode = validity.get("mode", "whole_ballot")
    if isinstance(mode, str) and mode not in VALIDITY_MODES:
        err("RULES_BAD_VALUE", f"[validity] mode = '{mode}': phải là một trong {', '.join(VALIDITY_MODES)}.", ("validity", "mode"))
    quorum = data.get("quorum", {}) if ok(("quorum",)) else {}
    sev = quorum.get("severity", "warning")
    if isinstance(sev, str) and sev not in ("warning", "error"):
        err("RULES_BAD_VALUE", f"[quorum] severity = '{sev}': phải là 'warning' hoặc 'error'.", ("quorum", "severity"))
    qn, qd = quorum.get("num"), quorum.get("den")
    if _type_ok("pos_int", qn) and _type_ok("pos_int", qd) and qn > qd:
        err("RULES_BAD_VALUE", f"[quorum] num/den = {qn}/{qd}, cần num <= den.", ("quorum", "num"))
    rating = data.get("rating", {}) if ok(("rating",)) else {}
    if isinstance(rating.get("levels"), list) and len(rating["levels"]) != 3:
        err("RULES_BAD_VALUE", f"[rating] levels phải có đúng 3 mức (cao, tín nhiệm, thấp); tệp ghi {len(rating['levels'])}.", ("rating", "levels"))

    routes_used = {p.route for p in posts} | {p.route_if_ubnd_member for p in posts if p.route_if_ubnd_member}

    roles = {}
    for rid, spec in (data.get("roles", {}) if ok(("roles",)) else {}).items():
        if not typed(("roles", rid), spec):
            continue
        check_keys(spec, "roles.*", ("roles", rid))
        label = spec.get("label", rid)
        roles[rid] = RoleRule(id=rid, label=label if isinstance(label, str) else rid,
                              patterns=compile_all(spec.get("patterns", []), ("roles", rid, "patterns")))
    voters = {}
    for route, groups in (data.get("voters", {}) if ok(("voters",)) else {}).items():
        if not _type_ok("str_list", groups):
            continue
        for g in groups:
            if g not in roles:
                err("RULES_BAD_VALUE", f"[voters] {route}: vai trò '{g}' không có trong [roles] ({', '.join(roles) or 'chưa khai báo vai trò nào'}).", ("voters", route))
        voters[route] = list(groups)
    for route in sorted(routes_used - {"hdnd"}):
        if "voters" in data and route not in voters and ok(("voters",)):
            err("RULES_MISSING", f"[voters] thiếu nhóm người ghi phiếu cho tuyến '{route}' mà các chức danh dùng.", ("voters",))

    tspec = data.get("titles", {}) if ok(("titles",)) else {}

    def tget(key: str, kind: str, empty):
        value = tspec.get(key, empty)
        return value if _type_ok(kind, value) else empty

    prefixes, abbreviations = tget("prefixes", "str_table", {}), tget("abbreviations", "str_table", {})
    for key, table in (("prefixes", prefixes), ("abbreviations", abbreviations)):
        for short, long in table.items():
            if not fold(short) or not fold(long):
                err("RULES_BAD_VALUE", f"[titles] {key}: cách viết tắt '{short}' = '{long}' không được để trống.", ("titles", key))
            elif fold(short) == fold(long):
                err("RULES_BAD_VALUE", f"[titles] {key}: '{short}' viết tắt thành chính nó.", ("titles", key))
    for key in ("ignore", "joiners", "leader_words"):
        for word in tget(key, "str_list", []):
            if not fold(word):
                err("RULES_BAD_VALUE", f"[titles] {key}: có một từ để trống.", ("titles", key))
    titles = TitleRules.build(prefixes, abbreviations, tget("ignore", "str_list", []), tget("joiners", "str_list", []),
                              tget("leader_words", "str_list", []),
                              compile_all(tspec.get("other_posts", []), ("titles", "other_posts")))

    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        raise InputError(problems)
    return RuleSet(
        name=data.get("name", "?"),
        title=data.get("title", ""),
        year=data.get("year"),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        data=data,
        unit_kinds=unit_kinds,
        posts=sorted(posts, key=lambda p: p.rank),
        review=review,
        bands=bands,
        roles=roles,
        voters=voters,
        titles=titles,
        _kind_aliases=kind_aliases,
    )


def lint(rs: RuleSet) -> list[Problem]:
    """Warnings about a rule set that loads but may not do what its author meant."""
    where = KeyLines(rs.text)
    fname = rs.source.removeprefix("builtin:")
    out: list[Problem] = []

    def warn(code: str, msg: str, path: tuple) -> None:
        out.append(Problem(code=code, message=msg, severity="warning", file=fname, row=where.line(*path),
                           detail={"key": _path_text(path)}))

    for i, spec in enumerate(rs.data.get("posts", [])):
        pats = spec.get("patterns", [])
        for pat in [pats] if isinstance(pats, str) else pats:
            if not pat.startswith("^"):
                warn("RULES_PATTERN_UNANCHORED", f"Mẫu '{pat}' của chức danh '{spec.get('id')}' không bắt đầu bằng ^: có thể khớp cả chức vụ khác chứa nó (\"Phó Giám đốc\" chứa \"Giám đốc\").",
                     ("posts", i, "patterns"))
    used_kinds = {k for p in rs.posts for k in p.unit_kinds}
    for code in rs.unit_kinds:
        if code not in used_kinds:
            warn("RULES_UNIT_KIND_UNUSED", f"Loại đơn vị '{code}' không có chức danh nào được lấy phiếu: người thuộc loại này chỉ có thể là người ghi phiếu.", ("unit_kinds", code))
    routes = sorted({p.route for p in rs.posts} | {p.route_if_ubnd_member for p in rs.posts if p.route_if_ubnd_member})
    base = rs.section("base")
    for route in routes:
        if route not in base:
            warn("RULES_BASE_DEFAULT", f"[base] không ghi tuyến '{route}': dùng mặc định 'returned' (tổng số phiếu thu về).", ("base",))
    for i, spec in enumerate(rs.data.get("bands", [])):
        missing = [r for r in routes if r not in spec.get("consequence", {})]
        if missing:
            warn("RULES_BAND_NO_CONSEQUENCE", f"Mức '{spec.get('id')}' chưa ghi hệ quả cho tuyến: {', '.join(missing)}.", ("bands", i))
    return out
