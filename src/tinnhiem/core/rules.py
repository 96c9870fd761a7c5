"""Rule sets are data: a TOML file the user can read, copy and change.

This module loads one, validates it (unknown keys, bad patterns, missing parts, each named with
its line), and gives the rest of the core typed access to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem
from tinnhiem.core.text import fold, header_key

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
         "voters", "requests", "tally", "description"},
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
    "unit_kinds.*": {"label", "aliases", "level"},
    "posts": {"id", "label", "category", "unit_kinds", "patterns", "rank", "route",
              "route_if_ubnd_member", "requires_ubnd_member", "unless_unit_has", "unit_patterns"},
    "review": {"pattern", "reason"},
    "roles.*": {"label", "patterns"},
    "voters": set(ROUTES),
    "requests": {"answer_days_before", "require_verified", "require_heard"},
    "tally": {"reconcile_tolerance"},
}


def _line_of(text: str, key: str, start: int = 0) -> int | None:
    """Best-effort line number of `key = ...` or `[key]` in the TOML text."""
    pattern = re.compile(rf"^\s*(\[\[?[^\]]*\b{re.escape(key)}\b[^\]]*\]\]?|{re.escape(key)}\s*=)", re.M)
    m = pattern.search(text, start)
    return text.count("\n", 0, m.start()) + 1 if m else None


def builtin_path(name: str):
    return resources.files("tinnhiem").joinpath("rulesets", f"{name}.toml")


def resolve(name_or_file: str | None) -> tuple[str, str]:
    """(source label, TOML text) for a builtin name or a file path."""
    name_or_file = name_or_file or DEFAULT
    if name_or_file in BUILTIN:
        return f"builtin:{name_or_file}", builtin_path(name_or_file).read_text(encoding="utf-8")
    path = Path(name_or_file)
    if not path.is_file():
        from tinnhiem.core.problems import UsageError

        raise UsageError(
            f"Không tìm thấy bộ quy tắc '{name_or_file}'. Dùng một trong: {', '.join(BUILTIN)}, hoặc đường dẫn tệp .toml."
        )
    return str(path), path.read_text(encoding="utf-8-sig")


def load(name_or_file: str | None = None) -> RuleSet:
    source, text = resolve(name_or_file)
    return parse(text, source)


def parse(text: str, source: str = "<text>") -> RuleSet:
    fname = source.removeprefix("builtin:")
    problems: list[Problem] = []

    def err(code: str, msg: str, key: str | None = None, line: int | None = None):
        if line is None and key:
            line = _line_of(text, key)
        problems.append(Problem(code=code, message=msg, file=fname, row=line))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        err("RULES_SYNTAX", f"Tệp quy tắc không đúng cú pháp TOML: {exc}", line=int(m.group(1)) if m else None)
        raise InputError(problems) from None

    def check_keys(table: dict, schema_key: str, where: str):
        allowed = _SCHEMA[schema_key]
        for key in table:
            if key not in allowed:
                err("RULES_UNKNOWN_KEY", f"Khóa không được biết '{key}' trong [{where or 'gốc'}]. Các khóa hợp lệ: {', '.join(sorted(allowed))}.", key=key)

    check_keys(data, "", "")
    for sec in ("tenure", "exclusions", "rating", "validity", "quorum", "secrecy", "base", "deadlines", "hdnd", "voters", "requests", "tally"):
        if sec in data:
            if not isinstance(data[sec], dict):
                err("RULES_BAD_VALUE", f"[{sec}] phải là một bảng.", key=sec)
            else:
                check_keys(data[sec], sec, sec)
    for req in ("name", "unit_kinds", "posts", "bands", "base"):
        if req not in data:
            err("RULES_MISSING", f"Thiếu phần bắt buộc '{req}'.", line=1)

    def compile_all(patterns, key: str) -> tuple[re.Pattern, ...]:
        out = []
        if isinstance(patterns, str):
            patterns = [patterns]
        for pat in patterns or []:
            try:
                out.append(re.compile(pat))
            except re.error as exc:
                err("RULES_BAD_PATTERN", f"Mẫu '{pat}' không hợp lệ: {exc}", line=_line_of_value(text, pat) or _line_of(text, key))
        return tuple(out)

    unit_kinds = data.get("unit_kinds", {})
    kind_aliases: dict[str, str] = {}
    for code, spec in unit_kinds.items():
        if not isinstance(spec, dict):
            err("RULES_BAD_VALUE", f"[unit_kinds.{code}] phải là một bảng.", key=code)
            continue
        check_keys(spec, "unit_kinds.*", f"unit_kinds.{code}")
        for alias in [code, spec.get("label", "")] + list(spec.get("aliases", [])):
            kind_aliases[header_key(alias)] = code

    posts: list[PostRule] = []
    seen_ids: set[str] = set()
    for spec in data.get("posts", []):
        check_keys(spec, "posts", "posts")
        pid = spec.get("id")
        if not pid:
            err("RULES_MISSING", "Một mục [[posts]] thiếu 'id'.", key="posts")
            continue
        line = _line_of_value(text, pid)
        if pid in seen_ids:
            err("RULES_DUPLICATE", f"Chức danh '{pid}' khai báo hai lần.", line=line)
        seen_ids.add(pid)
        for req in ("category", "unit_kinds", "patterns", "rank", "route"):
            if req not in spec:
                err("RULES_MISSING", f"Chức danh '{pid}' thiếu '{req}'.", line=line)
        if spec.get("category") not in CATEGORIES:
            err("RULES_BAD_VALUE", f"Chức danh '{pid}': category phải là một trong a, b, c, d.", line=line)
        for rkey in ("route", "route_if_ubnd_member"):
            if rkey in spec and spec[rkey] not in ROUTES:
                err("RULES_BAD_VALUE", f"Chức danh '{pid}': {rkey} phải là một trong {', '.join(ROUTES)}.", line=line)
        for kind in spec.get("unit_kinds", []):
            if kind not in unit_kinds:
                err("RULES_BAD_VALUE", f"Chức danh '{pid}': loại đơn vị '{kind}' không có trong [unit_kinds].", line=line)
        posts.append(
            PostRule(
                id=pid,
                label=spec.get("label", pid),
                category=spec.get("category", "?"),
                unit_kinds=tuple(spec.get("unit_kinds", [])),
                patterns=compile_all(spec.get("patterns", []), pid),
                rank=int(spec.get("rank", 999)),
                route=spec.get("route", "workplace"),
                route_if_ubnd_member=spec.get("route_if_ubnd_member"),
                requires_ubnd_member=bool(spec.get("requires_ubnd_member", False)),
                unless_unit_has=spec.get("unless_unit_has"),
                unit_patterns=compile_all(spec.get("unit_patterns", []), pid),
            )
        )
    for p in posts:
        if p.unless_unit_has and p.unless_unit_has not in seen_ids:
            err("RULES_BAD_VALUE", f"Chức danh '{p.id}': unless_unit_has '{p.unless_unit_has}' không phải chức danh đã khai báo.", line=_line_of_value(text, p.id))

    review = []
    for spec in data.get("review", []):
        check_keys(spec, "review", "review")
        pats = compile_all([spec.get("pattern", "")], "review")
        if pats:
            review.append(ReviewRule(pattern=pats[0], reason=spec.get("reason", "Cần xem xét")))

    bands = []
    for spec in data.get("bands", []):
        check_keys(spec, "bands", "bands")
        try:
            num, den = int(spec["num"]), int(spec["den"])
            if not (0 < num <= den):
                raise ValueError
        except (KeyError, ValueError, TypeError):
            err("RULES_BAD_VALUE", f"Mức '{spec.get('id')}': num/den phải là số nguyên, 0 < num <= den.", key="bands")
            continue
        bands.append(Band(id=spec.get("id", "?"), label=spec.get("label", ""), num=num, den=den,
                          inclusive=bool(spec.get("inclusive", True)), consequence=dict(spec.get("consequence", {}))))
    # Highest threshold first, so that the first band reached is the one reported.
    bands.sort(key=lambda b: (b.num / b.den, b.inclusive), reverse=True)

    for route, base in data.get("base", {}).items():
        if base not in BASES:
            err("RULES_BAD_VALUE", f"[base] {route} = '{base}': phải là một trong {', '.join(BASES)}.", key=route)
    mode = data.get("validity", {}).get("mode", "whole_ballot")
    if mode not in VALIDITY_MODES:
        err("RULES_BAD_VALUE", f"[validity] mode = '{mode}': phải là một trong {', '.join(VALIDITY_MODES)}.", key="mode")
    sev = data.get("quorum", {}).get("severity", "warning")
    if sev not in ("warning", "error"):
        err("RULES_BAD_VALUE", f"[quorum] severity = '{sev}': phải là 'warning' hoặc 'error'.", key="severity")
    for key, value in data.get("deadlines", {}).items():
        if key.endswith("_before") and key.startswith(("unit", "city")) and not isinstance(value, dt.date):
            err("RULES_BAD_VALUE", f"[deadlines] {key} phải là một ngày dạng YYYY-MM-DD.", key=key)

    roles = {}
    for rid, spec in data.get("roles", {}).items():
        check_keys(spec, "roles.*", f"roles.{rid}")
        roles[rid] = RoleRule(id=rid, label=spec.get("label", rid), patterns=compile_all(spec.get("patterns", []), rid))
    voters = {}
    for route, groups in data.get("voters", {}).items():
        for g in groups:
            if g not in roles:
                err("RULES_BAD_VALUE", f"[voters] {route}: vai trò '{g}' không có trong [roles].", key=route)
        voters[route] = list(groups)

    if problems:
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
        _kind_aliases=kind_aliases,
    )


def _line_of_value(text: str, value: str) -> int | None:
    for quote in ('"', "'"):
        idx = text.find(f"{quote}{value}{quote}")
        if idx >= 0:
            return text.count("\n", 0, idx) + 1
    return None
