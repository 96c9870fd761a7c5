"""Who is rated (plan II.1, categories a-d), by which route, and who is not and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tinnhiem.core.dates import add_months, iso, period_complete, vn
from tinnhiem.core.models import Post, Roster, Schedule
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import PostRule, RuleSet
from tinnhiem.core.text import fold

REASONS_VI = {
    "tenure_under_9_months": "Giữ chức vụ liên tục chưa đủ {months} tháng tính đến ngày lấy phiếu",
    "rated_for_higher_post": "Đã được lấy phiếu ở chức vụ cao hơn",
    "retirement_announced": "Đã có thông báo nghỉ hưu / nghỉ công tác chờ nghỉ hưu",
    "elected_this_year": "Được bầu, bổ nhiệm trong năm lấy phiếu",
    "long_sick_leave": "Nghỉ ốm điều trị bệnh hiểm nghèo, không điều hành công việc từ {sick_months} tháng liên tục trở lên",
    "needs_review": "Cần cấp có thẩm quyền xem xét, quyết định",
}

ROUTE_VI = {"hdnd": "HĐND", "workplace": "Nơi công tác", "company": "Công ty"}


@dataclass
class Decision:
    post: Post
    rule: PostRule
    route: str
    rated: bool
    reason: str | None = None
    detail: str | None = None
    meeting_date: dt.date | None = None
    tenure_from: dt.date | None = None
    tenure_complete_on: dt.date | None = None
    council: str | None = None  # the People's Council that rates an hdnd post

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def session_unit(self) -> str:
        """The unit whose session rates this post: the unit, or its People's Council."""
        return self.council if self.route == "hdnd" and self.council else self.post.unit

    def reason_text(self, rules: RuleSet) -> str:
        if not self.reason:
            return ""
        text = REASONS_VI.get(self.reason, self.reason).format(
            months=rules.tenure_months,
            sick_months=rules.section("exclusions").get("long_sick_leave_months", 6),
        )
        return f"{text}: {self.detail}" if self.detail else text

    def to_json(self) -> dict:
        out = {
            "id": self.post.person_id,
            "name": self.post.name,
            "unit": self.post.unit,
            "post": self.post.title,
            "category": self.category,
            "route": self.route,
            "rated": self.rated,
            "reason": self.reason,
            "meeting_date": iso(self.meeting_date),
            "tenure_from": iso(self.tenure_from),
            "tenure_complete_on": iso(self.tenure_complete_on),
            "post_kind": self.rule.id,
            "unit_kind": self.post.unit_kind,
            "row": self.post.row,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.council:
            out["council"] = self.council
        return out


def classify(post: Post, rules: RuleSet, unit_post_ids: set[str] | None = None) -> tuple[PostRule | None, list[str]]:
    """The highest rated post this row holds (or None), and the reasons a person must review it."""
    found = post_rules(post, rules, unit_post_ids)
    if not found:
        return None, [r for _, review in title_parts(post.title, rules) for r in review]
    return min(found, key=lambda f: f[0].rank)


def post_rules(post: Post, rules: RuleSet, unit_post_ids: set[str] | None = None) -> list[tuple[PostRule, list[str]]]:
    """The rated posts (a-d) this row holds, one per post its title names ("Chủ tịch kiêm Giám
    đốc Công ty" names two), each with the reasons a person must review it."""
    out: list[tuple[PostRule, list[str]]] = []
    for title, review in title_parts(post.title, rules):
        matches, _ = _part_matches(title, post, rules, unit_post_ids)
        if not matches:
            continue
        reasons = list(review)
        if len({m.category for m in matches}) > 1:
            reasons.append("Chức vụ khớp nhiều nhóm chức danh (" + ", ".join(m.label for m in matches) + ")")
        if all(rule.id != matches[0].id for rule, _ in out):
            out.append((matches[0], reasons))
    return out


def _part_matches(title: str, post: Post, rules: RuleSet, unit_post_ids: set[str] | None) -> tuple[list[PostRule], list[tuple[PostRule, str]]]:
    """Rules one (long-form) title matches in this row's unit, and the rules its title matches
    but the row's unit or flags rule out, each with why."""
    memo = _memo(rules)
    key = (title, post.unit_kind)
    matches = memo["kind"].get(key)
    if matches is None:
        # Rules that match the title and the kind of unit; the unit's own name is checked
        # below, so that one entry serves every unit of a roster (100,000 posts: few titles).
        matches = memo["kind"][key] = [p for p in rules.posts if post.unit_kind in p.unit_kinds
                                       and any(x.search(title) for x in p.patterns)]
    if not matches:  # most posts of a roster: nothing below can add a match
        return [], []
    out: list[PostRule] = []
    ruled_out: list[tuple[PostRule, str]] = []
    unit = fold(post.unit) if any(p.unit_patterns for p in matches) else ""
    for p in matches:
        if p.unit_patterns and not any(x.search(unit) for x in p.unit_patterns):
            ruled_out.append((p, "unit"))
        elif p.requires_ubnd_member and not post.ubnd_member:
            ruled_out.append((p, "ubnd_member"))
        elif unit_post_ids is not None and p.unless_unit_has and p.unless_unit_has in unit_post_ids:
            ruled_out.append((p, "unless"))
        else:
            out.append(p)
    return out, ruled_out


# What classify derives from a title or a (title, kind of unit) pair, for one rule set at a time:
# a national roster repeats the same few thousand titles across 100,000 posts, and each post is
# classified several times (decide, unit_post_ids, voter roles).
_MEMO: dict = {}


def _memo(rules: RuleSet) -> dict:
    if _MEMO.get("rules") is not rules:
        _MEMO.clear()
        _MEMO.update(rules=rules, title={}, kind={}, leader={})
    return _MEMO


def title_parts(raw: str, rules: RuleSet) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each post a title names, in long form ([titles] of the rule set: abbreviations written
    out, stray characters and ignored words left out), folded, without its review markers,
    with the reasons those markers give: "P. GĐ (kiêm)" -> (("pho giam doc", (kiêm reason,)),)."""
    memo = _memo(rules)
    hit = memo["title"].get(raw)
    if hit is None:
        parts = []
        for part in rules.titles.split(raw):
            title = rules.titles.expand(fold(part))
            review: list[str] = []
            for rr in rules.review:
                if rr.pattern.search(title):
                    review.append(rr.reason)
                    title = rr.pattern.sub(" ", title).strip()
                    title = " ".join(title.split())
            parts.append((title, tuple(review)))
        hit = memo["title"][raw] = tuple(parts)
    return hit


def decide(roster: Roster, rules: RuleSet, meeting_date: dt.date | None = None,
           schedule: Schedule | None = None) -> tuple[list[Decision], Problems]:
    """One Decision per post of categories a-d, in roster order; problems found on the way."""
    problems = Problems()
    # Which posts each unit has, for rules such as "Kiểm soát viên only where no board".
    unit_posts: dict[str, set[str]] = {}
    for post in roster.posts:
        for rule, _ in post_rules(post, rules):
            unit_posts.setdefault(fold(post.unit), set()).add(rule.id)

    decisions: list[Decision] = []
    for post, rule, review in ((post, rule, review) for post in roster.posts
                               for rule, review in post_rules(post, rules, unit_posts.get(fold(post.unit), set()))):
        route = rule.route_for(post.ubnd_member)
        council = None
        if route == "hdnd":
            level = rules.unit_kinds.get(post.unit_kind, {}).get("level", "city")
            council = rules.council_name(post.unit, level)
        d = Decision(post=post, rule=rule, route=route, rated=True, council=council)
        d.meeting_date = _meeting_date(d, schedule, meeting_date)
        d.tenure_from = post.since
        if rules.tenure_enabled and post.since:
            d.tenure_complete_on = add_months(post.since, rules.tenure_months)
        where = dict(file=post.file, sheet=post.sheet, row=post.row, unit=post.unit)
        if d.meeting_date is None:
            problems.add("NO_MEETING_DATE", f"Chưa có ngày lấy phiếu cho '{d.session_unit}': thêm dòng vào lịch (--schedule) hoặc dùng --meeting-date.", **where)
        if review:
            d.rated, d.reason, d.detail = False, "needs_review", "; ".join(review)
            problems.warn("TITLE_NEEDS_REVIEW", f"Chức vụ '{post.title}' của {post.name}: {d.detail}.", column="Chức vụ", **where)
        elif not _excluded(d, rules, problems, where):
            pass
        decisions.append(d)
    if rules.highest_post_only:
        _keep_highest(decisions)
    # A row naming two rated posts ("... kiêm ...") is one row: its problems are told once.
    return decisions, Problems({(p.code, p.file, p.sheet, p.row, p.message): p for p in problems}.values())


def _meeting_date(d: Decision, schedule: Schedule | None, default: dt.date | None) -> dt.date | None:
    if schedule is not None:
        entry = schedule.find(d.session_unit)
        if entry and entry.meeting_date:
            return entry.meeting_date
    return default


def _excluded(d: Decision, rules: RuleSet, problems: Problems, where: dict) -> bool:
    """Apply tenure and the exclusions of the rule set; True when the post is not rated."""
    post, D = d.post, d.meeting_date
    ex = rules.section("exclusions")
    if ex.get("retirement_announced") and post.retirement and (post.retirement_date is None or D is None or post.retirement_date <= D):
        d.rated, d.reason = False, "retirement_announced"
        if post.retirement_date:
            d.detail = f"thông báo ngày {vn(post.retirement_date)}"
        return True
    if ex.get("elected_this_year") and post.since is None and post.since_doubt:
        d.rated, d.reason, d.detail = False, "needs_review", post.since_doubt
        return True
    if ex.get("elected_this_year") and post.since and D and post.since.year == D.year:
        d.rated, d.reason, d.detail = False, "elected_this_year", f"giữ chức vụ từ {vn(post.since)}"
        return True
    sick = int(ex.get("long_sick_leave_months", 0) or 0)
    if sick and post.sick_from and D and period_complete(post.sick_from, sick, D):
        d.rated, d.reason = False, "long_sick_leave"
        d.detail = f"nghỉ từ {vn(post.sick_from)}, đủ {sick} tháng liên tục vào {vn(add_months(post.sick_from, sick))}"
        return True
    if ex.get("elected_this_year") and not rules.tenure_enabled:
        # Without the start date, "elected or appointed in the voting year" cannot be judged.
        if post.since is None:
            d.rated, d.reason, d.detail = False, "needs_review", "thiếu ngày giữ chức vụ"
            problems.add("ROSTER_NO_SINCE", f"Thiếu ngày giữ chức vụ của {post.name} ({post.title}): cần để xét người được bầu, bổ nhiệm trong năm lấy phiếu.", column="Ngày giữ chức vụ", **where)
            return True
        if D is None:
            d.rated, d.reason, d.detail = False, "needs_review", "chưa có ngày lấy phiếu"
            return True
    if rules.tenure_enabled:
        if post.since is None and post.since_doubt:
            d.rated, d.reason, d.detail = False, "needs_review", post.since_doubt
            return True
        if post.since is None:
            d.rated, d.reason, d.detail = False, "needs_review", "thiếu ngày giữ chức vụ"
            problems.add("ROSTER_NO_SINCE", f"Thiếu ngày giữ chức vụ của {post.name} ({post.title}): bắt buộc với chức danh được lấy phiếu.", column="Ngày giữ chức vụ", **where)
            return True
        if D is None:
            d.rated, d.reason, d.detail = False, "needs_review", "chưa có ngày lấy phiếu"
            return True
        complete = period_complete(post.since, rules.tenure_months, D, rules.tenure_strict)
        if post.since_latest is not None:
            # Only the month is known: decided when its first and last day give the same answer.
            d.tenure_complete_on = add_months(post.since_latest, rules.tenure_months)
            if complete != period_complete(post.since_latest, rules.tenure_months, D, rules.tenure_strict):
                d.rated, d.reason = False, "needs_review"
                d.detail = (f"ngày giữ chức vụ chỉ ghi tháng {post.since.month}/{post.since.year}: từ ngày "
                            f"{vn(post.since)} thì đủ {rules.tenure_months} tháng vào {vn(add_months(post.since, rules.tenure_months))}, "
                            f"từ ngày {vn(post.since_latest)} thì vào {vn(d.tenure_complete_on)}; cần ghi đủ ngày")
                return True
        if not complete:
            d.rated, d.reason = False, "tenure_under_9_months"
            d.detail = f"từ {vn(post.since)}, đủ {rules.tenure_months} tháng vào {vn(d.tenure_complete_on)}"
            return True
    return False


def _keep_highest(decisions: list[Decision]) -> None:
    """A person who holds several rated posts is rated once, for the highest (lowest rank)."""
    by_person: dict[str, list[Decision]] = {}
    for d in decisions:
        if d.rated:
            by_person.setdefault(d.post.person_id, []).append(d)
    for items in by_person.values():
        if len(items) < 2:
            continue
        top = min(items, key=lambda d: (d.rule.rank, d.post.row or 0))
        for d in items:
            if d is not top:
                d.rated, d.reason = False, "rated_for_higher_post"
                d.detail = f"{top.post.title} ({top.post.unit})"
                if top.post is d.post:  # two posts on one row ("Chủ tịch kiêm Giám đốc"): name each
                    d.detail = f"{top.rule.label}, cùng dòng; chức vụ này: {d.rule.label}"


# -- every row accounted for --------------------------------------------------------------------

STATUS_VI = {"a_to_d": "Thuộc diện a-d", "not_a_to_d": "Không thuộc diện a-d", "to_review": "Cần xem xét"}


@dataclass
class OtherPost:
    """A roster row that is not in the list of a-d posts: not an a-d post, or one to review."""

    id: str
    name: str
    unit: str
    post: str
    row: int | None
    status: str  # not_a_to_d | to_review
    detail: str | None = None

    def to_json(self) -> dict:
        out = {"id": self.id, "name": self.name, "unit": self.unit, "post": self.post, "row": self.row,
               "status": self.status, "detail": self.detail}
        if self.status == "to_review":
            out["reason"] = "needs_review"
        return out


@dataclass
class Accounting:
    rows: dict  # read, a_to_d, not_a_to_d, to_review, left_out
    others: list[OtherPost]


def account_rows(roster: Roster, decisions: list[Decision], rules: RuleSet) -> tuple[Accounting, Problems]:
    """What became of every row of the roster table: a post of categories a-d (in the
    decisions), not one, or one a person must review because its title looks like a leader's
    but matches no rule; plus the rows the reader left out and the rows it could not use."""
    problems = Problems()
    in_people = {(d.post.file, d.post.sheet, d.post.row) for d in decisions}
    unit_posts: dict[str, set[str]] = {}
    for d in decisions:
        unit_posts.setdefault(fold(d.post.unit), set()).add(d.rule.id)
    status_of_row: dict[int | None, str] = {}
    others: list[OtherPost] = []
    a_to_d = 0
    for post in roster.posts:
        if (post.file, post.sheet, post.row) in in_people:
            a_to_d += 1
            status_of_row[post.row] = "a_to_d"
            continue
        status, detail = _other_status(post, rules, unit_posts.get(fold(post.unit), set()))
        status_of_row[post.row] = status
        others.append(OtherPost(post.person_id, post.name, post.unit, post.title, post.row, status, detail))
        if status == "to_review":
            problems.warn("TITLE_TO_REVIEW", f"Chức vụ '{post.title}' của {post.name}: {detail}. Sửa chức vụ cho đúng, hoặc bổ sung bộ quy tắc (cách viết trong [titles], chức danh trong [[posts]]).",
                          file=post.file, sheet=post.sheet, row=post.row, column="Chức vụ", unit=post.unit)
    post_at = {p.row: p for p in roster.posts} if roster.duplicates else {}
    for row, twin in sorted(roster.duplicates.items()):
        status = status_of_row.get(twin, "not_a_to_d")
        if status == "a_to_d":
            a_to_d += 1
            continue
        twin_post = post_at.get(twin)
        if twin_post is not None:
            others.append(OtherPost(twin_post.person_id, twin_post.name, twin_post.unit, twin_post.title, row, status,
                                    f"dòng trùng với dòng {twin}, chỉ tính một lần"))
    for skipped in roster.skipped:
        others.append(OtherPost(skipped.get("id", ""), skipped.get("name", ""), skipped.get("unit", ""), skipped.get("post", ""),
                                skipped.get("row"), "to_review", skipped.get("detail") or "dòng có lỗi, chưa xét được"))
    others.sort(key=lambda o: (o.row is None, o.row or 0))
    left_out = len(roster.left_out)
    rows = {"read": a_to_d + len(others) + left_out, "a_to_d": a_to_d,
            "not_a_to_d": sum(o.status == "not_a_to_d" for o in others),
            "to_review": sum(o.status == "to_review" for o in others), "left_out": left_out}
    return Accounting(rows, others), problems


_KIND_OUT = {"unit": "tên đơn vị không khớp chức danh", "ubnd_member": "không là Ủy viên UBND",
             "unless": "đơn vị đã có"}


def _other_status(post: Post, rules: RuleSet, unit_posts: set[str]) -> tuple[str, str | None]:
    """(status, detail) of a row that holds no a-d post."""
    details: list[str] = []  # why a rule that matches the title does not apply
    unit_details: list[str] = []  # a head's title in a unit of another name: told when to review
    for title, _ in title_parts(post.title, rules):
        _, ruled_out = _part_matches(title, post, rules, unit_posts)
        decided = False
        for rule, why in ruled_out:
            if why == "unit":  # a head's title in a unit of another name: the leader test below
                unit_details.append(f"{rule.label}: tên đơn vị '{post.unit}' không khớp")
            elif why == "ubnd_member":
                details.append(f"{rule.label}: không là Ủy viên UBND")
                decided = True
            else:
                other = rules.post(rule.unless_unit_has)
                details.append(f"{rule.label}: đơn vị đã có {other.label if other else rule.unless_unit_has}")
                decided = True
        if decided:
            continue
        looks = _memo(rules)["leader"]
        word = looks.get(title, "")
        if word == "":  # once per distinct title: a national roster has 80,000 posts that are not a-d
            word = looks[title] = None if rules.titles.known_other(title) else rules.titles.leader_word(title)
        if word:
            near = _nearest_rule(title, word, post.unit_kind, rules)
            return "to_review", (f"chức vụ có từ '{word}' của chức danh lãnh đạo nhưng không khớp chức danh nào được "
                                 f"lấy phiếu của bộ quy tắc {rules.name} (loại đơn vị: {rules.unit_kind_label(post.unit_kind)})"
                                 + (f"; gần nhất: '{near}'" if near else "")
                                 + "".join(f"; {d}" for d in details + unit_details))
    return "not_a_to_d", "; ".join(details) or None


def _nearest_rule(title: str, word: str, kind: str, rules: RuleSet) -> str | None:
    """The label of the rated post of this kind of unit that reads most like the title, among
    those holding its leadership word, for the person who reviews it ("Giám đốc điều hành" ->
    "Giám đốc Công ty")."""
    import difflib

    labels = [r.label for r in rules.posts if kind in r.unit_kinds]
    holding = [label for label in labels if fold(word) in fold(label)]
    scored = [(difflib.SequenceMatcher(None, title, fold(label)).ratio(), label) for label in holding or labels]
    best = max(scored, default=(0.0, None))
    return best[1] if holding or best[0] >= 0.6 else None
