"""Compliance lint: words the law forbids in ads and things a platform refuses.

The PRC Advertising Law (《广告法》, art. 9(3)) bans "国家级", "最高级", "最佳" and
similar absolute terms in advertising; regulators fine brands for them in social
posts too, so every superlative is flagged with its position, in simplified and
traditional characters. Platform no-gos come from the catalog's notes: Weibo's public
``statuses/share`` refuses ``#话题#`` and needs a link on the app's bound domain, and
Xiaohongshu does not want external links. Findings are warnings: a human decides.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from smmkit.catalog import PlatformLike, resolve_platform
from smmkit.content._checks import str_tuple
from smmkit.models._base import SmmkitModel
from smmkit.models.content import NoteSeverity
from smmkit.models.platform import HashtagStyle
from smmkit.text._checks import require_text
from smmkit.text._entities import EntityKind, HashtagForm, extract_entities

__all__ = ["ABSOLUTE_TERMS", "ComplianceIssue", "check_compliance"]

_AD_LAW = "PRC Advertising Law art. 9(3) (absolute terms)"

ABSOLUTE_TERMS: tuple[str, ...] = (
    "最",
    "最佳",
    "最好",
    "最高",
    "最高级",
    "最高級",
    "最低价",
    "最低價",
    "最先进",
    "最先進",
    "最优",
    "最優",
    "第一",
    "全网第一",
    "全網第一",
    "全国第一",
    "全國第一",
    "销量第一",
    "銷量第一",
    "第一品牌",
    "国家级",
    "國家級",
    "世界级",
    "世界級",
    "唯一",
    "顶级",
    "頂級",
    "顶尖",
    "頂尖",
    "极致",
    "極致",
    "极品",
    "極品",
    "绝对",
    "絕對",
    "万能",
    "萬能",
    "首选",
    "首選",
    "首个",
    "首個",
    "首家",
    "独家",
    "獨家",
    "史无前例",
    "史無前例",
    "无敌",
    "無敵",
    "王牌",
    "销量冠军",
    "銷量冠軍",
    "领导品牌",
    "領導品牌",
    "巅峰",
    "巔峰",
    "至尊",
    "全球首发",
    "全球首發",
    "100%",
    "NO.1",
    "No.1",
    "TOP1",
)
"""Absolute terms flagged under the Advertising Law (simplified and traditional)."""

# "最近" (recently), "第一次" (the first time)... are ordinary words, not claims.
_NOT_CLAIMS = ("最近", "最后", "最後", "最初", "最终", "最終")
_ORDINAL_NOUNS = "次天步章期季集届屆周週篇页頁节節课課轮輪场場"

_TERMS = regex.compile(
    "|".join(
        regex.escape(t) + (f"(?![{_ORDINAL_NOUNS}])" if t == "第一" else "")
        for t in sorted(ABSOLUTE_TERMS, key=len, reverse=True)
    )
)
_ALLOWED = regex.compile("|".join(_NOT_CLAIMS))


class ComplianceIssue(SmmkitModel):
    """One finding: what, where (code-point offsets, when it has a place) and under
    which rule.

    Example:
        >>> check_compliance("全网第一的茶")[0].term
        '全网第一'
    """

    code: str
    message: str
    rule: str
    severity: NoteSeverity = NoteSeverity.WARNING
    term: str | None = None
    start: int | None = None
    end: int | None = None


def _absolute_terms(text: str) -> Iterable[ComplianceIssue]:
    allowed = {m.start() for m in _ALLOWED.finditer(text)}
    for m in _TERMS.finditer(text):
        if m.start() in allowed:
            continue
        term = m.group(0)
        yield ComplianceIssue(
            code="absolute_term",
            message=f"absolute term {term!r} is banned in advertising; rephrase the claim",
            rule=_AD_LAW,
            term=term,
            start=m.start(),
            end=m.end(),
        )


def check_compliance(
    text: str,
    platform: PlatformLike | None = None,
    *,
    bound_domains: Iterable[str] = (),
    weibo_share_api: bool = True,
) -> tuple[ComplianceIssue, ...]:
    """Lint ``text`` for absolute advertising terms and ``platform``'s no-gos.

    ``bound_domains`` are the safe domains bound to your Weibo app; with
    ``weibo_share_api`` (the only public Weibo posting API) the text must link to one
    of them and must not contain ``#话题#``.

    Example:
        >>> [(i.code, i.term, i.start) for i in check_compliance("国家级品质，最近很火")]
        [('absolute_term', '国家级', 0)]
        >>> [i.code for i in check_compliance("看 example.com #好物#", "weibo")]
        ['weibo_share_topic', 'weibo_share_unbound_link']
        >>> [i.code for i in check_compliance("链接 https://shop.cn/x", "xiaohongshu")]
        ['external_link']
    """
    require_text(text)
    domains = str_tuple(bound_domains, "bound_domains")
    issues = list(_absolute_terms(text))
    if platform is None:
        return tuple(issues)
    spec = resolve_platform(platform)
    entities = extract_entities(text)
    urls = [e for e in entities if e.kind is EntityKind.URL]
    if spec.hashtag_style is HashtagStyle.HASH_WRAPPED and weibo_share_api:
        for e in entities:
            if e.kind is EntityKind.HASHTAG and e.form is HashtagForm.WRAPPED:
                issues.append(
                    ComplianceIssue(
                        code="weibo_share_topic",
                        message="statuses/share refuses #话题# in the text",
                        rule="Weibo statuses/share",
                        term=e.text,
                        start=e.start,
                        end=e.end,
                    )
                )
        domains = tuple(d.lower().lstrip(".") for d in domains)
        if not any(_on_domain(e.text, domains) for e in urls):
            issues.append(
                ComplianceIssue(
                    code="weibo_share_unbound_link",
                    message="statuses/share needs a link on the app's bound safe domain"
                    + (f" ({', '.join(domains)})" if domains else ""),
                    rule="Weibo statuses/share",
                )
            )
    if not spec.links.allowed:
        for e in urls:
            issues.append(
                ComplianceIssue(
                    code="external_link",
                    message=f"{spec.name_en} does not allow external links"
                    + (f": {spec.links.note}" if spec.links.note else ""),
                    rule=f"{spec.id} link policy",
                    term=e.text,
                    start=e.start,
                    end=e.end,
                )
            )
    issues.sort(key=lambda i: (i.start is None, i.start or 0))
    return tuple(issues)


def _on_domain(url: str, domains: tuple[str, ...]) -> bool:
    if not domains:
        return False
    host = regex.sub(r"^[a-z][a-z0-9+.\-]*://", "", url, flags=regex.IGNORECASE)
    host = host.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].lower()
    return any(host == d or host.endswith("." + d) for d in domains)
