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
    """The rated post this row holds (or None), and the reasons a person must review it."""
    memo = _memo(rules)
    title, review = _title(post.title, rules, memo)
    review = list(review)
    key = (title, post.unit_kind)
    matches = memo["kind"].get(key)
    if matches is None:
        # Rules that match the title and the kind of unit; the unit's own name is checked
        # below, so that one entry serves every unit of a roster (100,000 posts: few titles).
        # PostRule.matches without its unit-name test, which is applied below.
        matches = memo["kind"][key] = [p for p in rules.posts if post.unit_kind in p.unit_kinds
                                       and any(x.search(title) for x in p.patterns)]
    if not matches:  # most posts of a roster: nothing below can add a match
        return None, review
    if any(p.unit_patterns for p in matches):
        unit = fold(post.unit)
        matches = [p for p in matches if not p.unit_patterns or any(x.search(unit) for x in p.unit_patterns)]
    matches = [p for p in matches if not (p.requires_ubnd_member and not post.ubnd_member)]
    if unit_post_ids is not None:
        matches = [p for p in matches if not (p.unless_unit_has and p.unless_unit_has in unit_post_ids)]
    if not matches:
        return None, review
    if len({m.category for m in matches}) > 1:
        review.append("Chức vụ khớp nhiều nhóm chức danh (" + ", ".join(m.label for m in matches) + ")")
    return matches[0], review


# What classify derives from a title or a (title, kind of unit) pair, for one rule set at a time:
# a national roster repeats the same few thousand titles across 100,000 posts, and each post is
# classified several times (decide, unit_post_ids, voter roles).
_MEMO: dict = {}


def _memo(rules: RuleSet) -> dict:
    if _MEMO.get("rules") is not rules:
        _MEMO.clear()
        _MEMO.update(rules=rules, title={}, kind={})
    return _MEMO


def _title(raw: str, rules: RuleSet, memo: dict) -> tuple[str, tuple[str, ...]]:
    """The folded title without its review markers, and the reasons those markers give."""
    hit = memo["title"].get(raw)
    if hit is None:
        title = fold(raw)
        review: list[str] = []
        for rr in rules.review:
            if rr.pattern.search(title):
                review.append(rr.reason)
                title = rr.pattern.sub(" ", title).strip()
                title = " ".join(title.split())
        hit = memo["title"][raw] = (title, tuple(review))
    return hit


def decide(roster: Roster, rules: RuleSet, meeting_date: dt.date | None = None,
           schedule: Schedule | None = None) -> tuple[list[Decision], Problems]:
    """One Decision per post of categories a-d, in roster order; problems found on the way."""
    problems = Problems()
    # Which posts each unit has, for rules such as "Kiểm soát viên only where no board".
    unit_posts: dict[str, set[str]] = {}
    for post in roster.posts:
        rule, _ = classify(post, rules)
        if rule:
            unit_posts.setdefault(fold(post.unit), set()).add(rule.id)

    decisions: list[Decision] = []
    for post in roster.posts:
        rule, review = classify(post, rules, unit_posts.get(fold(post.unit), set()))
        if rule is None:
            continue
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
    return decisions, problems


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
        if post.since is None:
            d.rated, d.reason, d.detail = False, "needs_review", "thiếu ngày giữ chức vụ"
            problems.add("ROSTER_NO_SINCE", f"Thiếu ngày giữ chức vụ của {post.name} ({post.title}): bắt buộc với chức danh được lấy phiếu.", column="Ngày giữ chức vụ", **where)
            return True
        if D is None:
            d.rated, d.reason, d.detail = False, "needs_review", "chưa có ngày lấy phiếu"
            return True
        if not period_complete(post.since, rules.tenure_months, D, rules.tenure_strict):
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
