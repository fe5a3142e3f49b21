"""Watchlists: brand, product and executive names plus industry risk terms.

The playbook's early warning starts with *what* to listen for: the brand, its products,
its executives, and the risk words of the industry ("food safety" and "hygiene" for food,
"allergy" and "烂脸" (ruined skin) for cosmetics). A :class:`Watchlist` folds every term
and every text the same way (full-width/half-width, traditional/simplified Chinese,
letter case) and drops what users insert into a word to dodge filters (``爆 炸``,
``召.回``, zero-width characters), then finds all of them in one pass with a
multi-pattern automaton, so the cost per comment does not grow with the number of terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import Field, field_validator

from smmkit.crisis._automaton import MAX_PATTERN_LENGTH, Matcher, build_matcher
from smmkit.crisis._checks import instance_of, items_of
from smmkit.crisis._normalize import fold, full_pass_pattern, squeeze, squeeze_map
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel

__all__ = [
    "MAX_TERM_LENGTH",
    "RISK_PACKS",
    "TermKind",
    "WatchMatch",
    "WatchTerm",
    "Watchlist",
    "fold",
    "risk_pack",
]


#: The longest a watched name or alias may be once folded and squeezed (what the automaton
#: matches): 256 characters. Real terms are names and short phrases; a longer one is
#: refused whichever automaton runs, because pyahocorasick crashes the interpreter when it
#: frees a trie that deep (see ``smmkit.crisis._automaton.MAX_PATTERN_LENGTH``).
MAX_TERM_LENGTH = MAX_PATTERN_LENGTH

_SURROGATE = re.compile("[\ud800-\udfff]")


def _term_problem(value: str) -> str | None:
    if not value.isascii() and _SURROGATE.search(value):
        return "must be valid Unicode: a lone surrogate has no UTF-8 form"
    key = squeeze(fold(value))
    if not key.strip():
        return "must hold a visible character"
    if len(key) > MAX_TERM_LENGTH:
        return f"is longer than {MAX_TERM_LENGTH} characters once folded ({len(key)})"
    return None


def term_text(value: object, field: str) -> str:
    """``value`` when it is a str a watchlist can match (a visible character, at most
    :data:`MAX_TERM_LENGTH` once folded), else an ``InvalidInputError`` naming ``field``.

    Example:
        >>> term_text("过敏", "topic")
        '过敏'
        >>> try:
        ...     term_text(" \u200b", "topic")
        ... except InvalidInputError as exc:
        ...     print(exc)
        topic: must hold a visible character (got ' \u200b')
    """
    text = instance_of(value, str, field)
    problem = _term_problem(text)
    if problem is not None:
        raise InvalidInputError.single(field, problem, text)
    return text


class TermKind(str, Enum):
    """What a watched term names.

    Example:
        >>> TermKind("risk") is TermKind.RISK
        True
    """

    BRAND = "brand"
    PRODUCT = "product"
    EXECUTIVE = "executive"
    RISK = "risk"
    OTHER = "other"


class WatchTerm(SmmkitModel):
    """One watched term with its aliases.

    ``whole_word`` decides whether a Latin-letter alias must stand alone (so ``"ill"``
    does not fire inside ``"will"``); ``None`` means yes for aliases that start and end
    with an ASCII letter or digit and no otherwise (Chinese has no spaces to rely on).

    Example:
        >>> t = WatchTerm(name="SK-II", aliases=("神仙水",), kind=TermKind.BRAND)
        >>> t.patterns
        ('SK-II', '神仙水')
    """

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    kind: TermKind = TermKind.OTHER
    category: str | None = None
    whole_word: bool | None = None

    @field_validator("name")
    @classmethod
    def _name_matchable(cls, value: str) -> str:
        problem = _term_problem(value)
        if problem is not None:
            raise ValueError(f"name {problem}")
        return value

    @field_validator("aliases")
    @classmethod
    def _no_empty_alias(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, alias in enumerate(value):
            problem = _term_problem(alias)
            if problem == "must hold a visible character":
                raise ValueError("aliases must not be empty")
            if problem is not None:
                raise ValueError(f"aliases.{index} {problem}")
        return value

    @property
    def patterns(self) -> tuple[str, ...]:
        """The name followed by its aliases, duplicates removed."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))


class WatchMatch(NamedTuple):
    """One occurrence of a watched term; offsets index the original text.

    A named tuple rather than a model: a stream of millions of comments yields millions
    of matches, and these are built by the library from validated terms.

    Example:
        >>> wl = Watchlist([WatchTerm(name="过敏", kind=TermKind.RISK)])
        >>> m = wl.scan("用了就過敏")[0]
        >>> (m.start, m.end, m.text, m.term)
        (3, 5, '過敏', '过敏')
    """

    start: int
    end: int
    text: str
    term: str
    alias: str
    kind: TermKind
    category: str | None


# Each entry is one risk topic: its name first, then aliases in other languages/forms.
_RISK_PACKS: dict[str, tuple[str, ...]] = {
    "food_safety": (
        "食品安全|food safety",
        "食物中毒|food poisoning|食源性",
        "拉肚子|腹泻|diarrhea",
        "呕吐|vomiting",
        "变质|spoiled",
        "过期|expired",
        "发霉|霉变|moldy|mouldy",
        "异物|吃出|foreign object",
        "虫子|bug in",
        "地沟油|gutter oil",
        "添加剂超标|超标",
        "致癌|carcinogen",
        "召回|recall",
        "沙门氏菌|salmonella",
        "contaminated|污染",
    ),
    "hygiene": (
        "卫生|hygiene",
        "不卫生|unhygienic",
        "脏|dirty",
        "蟑螂|cockroach",
        "老鼠|rat|rats",
        "苍蝇|flies",
        "头发|hair in",
        "不干净|not clean",
        "后厨|kitchen",
    ),
    "cosmetics": (
        "过敏|allergy|allergic|allergic reaction",
        "烂脸|ruined skin|ruined my skin",
        "红肿|swelling|swollen",
        "刺痛|stinging|burning",
        "爆痘|起痘|闷痘|breakout|breakouts",
        "泛红|redness",
        "脱皮|peeling",
        "激素|hormone|steroid",
        "毁容|disfigured",
        "瘙痒|itchy|itching",
        "起疹子|rash",
        "荧光剂|fluorescent agent",
        "重金属|heavy metal",
        "irritation|刺激",
    ),
    "product_safety": (
        "安全隐患|safety hazard",
        "质量问题|quality problem",
        "召回|recall",
        "起火|caught fire",
        "自燃|spontaneous combustion",
        "爆炸|explode|exploded|explosion",
        "漏电|electric shock",
        "刹车失灵|brake failure",
        "断裂|snapped",
        "受伤|injury|injured",
    ),
    "service": (
        "投诉|complaint|complain",
        "维权|rights protection",
        "退款|refund",
        "不退|no refund",
        "骗子|scammer|scam",
        "欺诈|fraud",
        "虚假宣传|false advertising",
        "客服不理|ignored",
        "态度差|rude",
        "rip off|ripoff|坑人",
    ),
    "legal_media": (
        "曝光|exposed",
        "315|3·15",
        "举报|report to",
        "起诉|lawsuit|sue",
        "律师函|legal letter",
        "市场监管|regulator",
        "热搜|trending",
        "抵制|boycott",
    ),
}

RISK_PACKS: Mapping[str, tuple[str, ...]] = MappingProxyType(_RISK_PACKS)
"""Built-in industry risk terms by pack name (``food_safety``, ``hygiene``, ``cosmetics``,
``product_safety``, ``service``, ``legal_media``); ``"a|b"`` is term ``a`` with alias ``b``."""


def risk_pack(name: str) -> tuple[WatchTerm, ...]:
    """The built-in risk terms of one pack as :class:`WatchTerm` values.

    Example:
        >>> [t.name for t in risk_pack("cosmetics")][:2]
        ['过敏', '烂脸']
        >>> risk_pack("cosmetics")[0].aliases[:1]
        ('allergy',)
    """
    try:
        words = RISK_PACKS[instance_of(name, str, "name")]
    except KeyError:
        raise InvalidInputError.single(
            "name", f"unknown risk pack; known: {', '.join(sorted(RISK_PACKS))}", name
        ) from None
    terms = []
    for entry in words:
        head, *aliases = entry.split("|")
        terms.append(
            WatchTerm(name=head, aliases=tuple(aliases), kind=TermKind.RISK, category=name)
        )
    return tuple(terms)


def _new_match(fields: tuple[Any, ...]) -> WatchMatch:
    # tuple.__new__ skips the generated __new__'s argument handling: this is the hot path.
    return tuple.__new__(WatchMatch, fields)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class _Entry(NamedTuple):
    term: str
    alias: str
    kind: TermKind
    category: str | None
    left: bool  # must not be preceded by a word character
    right: bool


class Watchlist:
    """Terms compiled into one automaton; scan texts for all of them at once.

    ``accelerator`` is ``"auto"`` (use ``pyahocorasick`` when installed), ``"python"``
    or ``"pyahocorasick"``; every choice returns the same matches.

    Example:
        >>> wl = Watchlist.for_brand("Glowa", aliases=("格洛娃",), industries=("cosmetics",))
        >>> [(m.text, m.kind.value) for m in wl.scan("ＧＬＯＷＡ面霜用完烂脸了")]
        [('ＧＬＯＷＡ', 'brand'), ('烂脸', 'risk')]
    """

    __slots__ = ("_entries", "_matcher", "_variants", "accelerator", "terms")

    def __init__(self, terms: Iterable[WatchTerm], *, accelerator: str = "auto") -> None:
        self.terms: tuple[WatchTerm, ...] = tuple(items_of(terms, WatchTerm, "terms"))
        self.accelerator = instance_of(accelerator, str, "accelerator")
        by_pattern: dict[str, list[_Entry]] = {}
        for index, term in enumerate(self.terms):
            for alias in term.patterns:
                key = squeeze(fold(alias))
                if not key.strip() or len(key) > MAX_TERM_LENGTH:
                    # Models check this too; one made with model_construct is caught here.
                    _refuse_term(index, term, alias)
                whole = term.whole_word
                if whole is None:
                    whole = _is_word_char(key[0]) and _is_word_char(key[-1])
                entry = _Entry(
                    term.name,
                    alias,
                    term.kind,
                    term.category,
                    whole and _is_word_char(key[0]),
                    whole and _is_word_char(key[-1]),
                )
                entries = by_pattern.setdefault(key, [])
                if entry not in entries:
                    entries.append(entry)
        patterns = list(by_pattern)
        self._entries: tuple[tuple[_Entry, ...], ...] = tuple(
            tuple(by_pattern[p]) for p in patterns
        )
        self._matcher: Matcher = build_matcher(patterns, accelerator=accelerator)
        # Word-boundary checks look at ASCII letters and digits, so those count too.
        alphabet = set("".join(patterns)) | set("abcdefghijklmnopqrstuvwxyz0123456789")
        # One scan tells whether a text needs the full fold or squeezing (rarely).
        self._variants: re.Pattern[str] = full_pass_pattern(alphabet)

    @classmethod
    def for_brand(
        cls,
        brand: str,
        *,
        aliases: Sequence[str] = (),
        products: Iterable[str | WatchTerm] = (),
        executives: Iterable[str | WatchTerm] = (),
        industries: Iterable[str] = (),
        extra: Iterable[WatchTerm] = (),
        accelerator: str = "auto",
    ) -> Watchlist:
        """A watchlist for one brand: its names, products, executives and risk packs.

        Example:
            >>> wl = Watchlist.for_brand("Glowa", products=("Glowa Serum",), executives=("Li Na",))
            >>> sorted({t.kind.value for t in wl.terms})
            ['brand', 'executive', 'product']
        """
        listed = items_of(aliases, str, "aliases")
        names = [term_text(a, f"aliases.{i}") for i, a in enumerate(listed)]
        terms = [
            WatchTerm(name=term_text(brand, "brand"), aliases=tuple(names), kind=TermKind.BRAND)
        ]
        for kind, items, where in (
            (TermKind.PRODUCT, products, "products"),
            (TermKind.EXECUTIVE, executives, "executives"),
        ):
            for i, item in enumerate(_listed(items, where)):
                if isinstance(item, WatchTerm):
                    terms.append(item)
                elif isinstance(item, str):
                    terms.append(WatchTerm(name=term_text(item, f"{where}.{i}"), kind=kind))
                else:
                    instance_of(item, WatchTerm, f"{where}.{i}")  # names the item
        for i, pack in enumerate(items_of(industries, str, "industries")):
            try:
                terms.extend(risk_pack(pack))
            except InvalidInputError as exc:
                raise InvalidInputError.single(
                    f"industries.{i}", exc.problems[0].problem, pack
                ) from None
        terms.extend(items_of(extra, WatchTerm, "extra"))
        return cls(terms, accelerator=accelerator)

    def scan(self, text: str) -> tuple[WatchMatch, ...]:
        """Every match in ``text``, overlapping ones too, ordered by end offset.

        Offsets index ``text``; a match of a word with spacers inserted (``爆 炸``)
        spans them.

        Example:
            >>> wl = Watchlist([WatchTerm(name="烂脸"), WatchTerm(name="脸")])
            >>> [(m.start, m.end, m.term) for m in wl.scan("烂脸")]
            [(0, 2, '烂脸'), (1, 2, '脸')]
            >>> [(m.text, m.term) for m in wl.scan("烂 . 脸")]
            [('烂 . 脸', '烂脸'), ('脸', '脸')]
        """
        if not isinstance(text, str):
            raise InvalidInputError.single("text", "must be a str", type(text).__name__)
        folded = text.lower()
        if len(folded) == len(text) and (text.isascii() or self._variants.search(folded) is None):
            raw = self._matcher.find_all(folded)  # the common case: lower-casing is enough
        else:
            folded = fold(text)
            squeezed, kept = squeeze_map(folded)
            raw = self._matcher.find_all(squeezed)
            if kept is not None:
                raw = [(kept[s], kept[e - 1] + 1, pid) for s, e, pid in raw]
        if not raw:
            return ()
        entries = self._entries
        limit = len(text)
        found: list[WatchMatch] = []
        for start, end, pid in raw:
            for e in entries[pid]:
                if e.left and start > 0 and _is_word_char(folded[start - 1]):
                    continue
                if e.right and end < limit and _is_word_char(folded[end]):
                    continue
                found.append(
                    _new_match((start, end, text[start:end], e.term, e.alias, e.kind, e.category))
                )
        return tuple(found)

    def scan_many(self, texts: Iterable[str]) -> Iterator[tuple[WatchMatch, ...]]:
        """:meth:`scan` over a stream of texts, lazily.

        Example:
            >>> wl = Watchlist([WatchTerm(name="allergy")])
            >>> [len(m) for m in wl.scan_many(["Allergy!", "no", "ALLERGY allergy"])]
            [1, 0, 2]
        """
        for text in texts:
            yield self.scan(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.terms, self.accelerator))

    def __repr__(self) -> str:
        return f"Watchlist({len(self.terms)} terms, accelerator={self.accelerator!r})"


def _listed(items: object, field: str) -> list[object]:
    """Names or terms given together: a plain string is one name, not its characters."""
    if isinstance(items, (str, bytes, WatchTerm)) or not isinstance(items, Iterable):
        raise InvalidInputError.single(
            field,
            f"must be an iterable of names or WatchTerm values, not of type"
            f" {type(items).__name__} (wrap a single one in a list)",
            items if isinstance(items, str) else type(items).__name__,
        )
    return list(items)


def _refuse_term(index: int, term: WatchTerm, alias: str) -> None:
    part = "name" if alias == term.name else f"aliases.{term.aliases.index(alias)}"
    problem = _term_problem(alias) or "cannot be matched"
    raise InvalidInputError.single(f"terms.{index}.{part}", problem, alias)


def _rebuild(terms: tuple[WatchTerm, ...], accelerator: str) -> Watchlist:
    return Watchlist(terms, accelerator=accelerator)
