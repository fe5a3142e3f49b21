"""Word lists for crisis posts: product safety and failure, questions, sarcasm.

Written by hand from general knowledge of how people report a faulty or dangerous
product (like the lists in ``_wordlists``, not derived from, trained on or tuned against
any labelled corpus). Each family names its inflections and synonyms explicitly, so a
form is scored only when it is listed here: "recall" and "recalled" are, "recollect" is
not.

* ``*_RISK_WORDS``: safety and failure vocabulary. They score like ordinary words and
  also mark a sentence as a worry when it is a question ("会不会爆炸？"), and a sarcastic
  opener before them as sarcasm ("太好了，手机炸了").
* ``EN_PHRASES``: two-word English phrases whose words mean nothing alone ("caught
  fire", "blew up"): the first word, then the second with the phrase's weight.
* ``*_FIXED_WORDS``: complaint words that negation does not turn around ("no refund",
  "没有退款").
* ``*_DOUBT_WORDS``: what people ask about when they doubt ("is it safe?", "正品吗？").
  Outside a question they keep their ordinary weight; asked about, they are a worry.
* ``ZH_QUESTIONS``: question particles and A-not-A forms ("会不会", "有没有"). They make
  the sentence a question, and keep the "不" / "没" inside them from negating the next
  word ("会不会爆炸" is not "不会爆炸"); the ``True`` ones are worries in themselves.
* ``*_OPENERS``, ``*_FILLERS``, ``*_AGAIN``: the parts of common sarcasm: "great,
  another ...", "oh great, it broke", "太好了，又 ...".
"""

from __future__ import annotations

__all__ = [
    "EN_AGAIN",
    "EN_DOUBT_WORDS",
    "EN_FILLERS",
    "EN_FIXED_WORDS",
    "EN_OPENERS",
    "EN_PHRASES",
    "EN_RISK_WORDS",
    "ZH_AGAIN",
    "ZH_DOUBT_WORDS",
    "ZH_FILLERS",
    "ZH_FIXED_WORDS",
    "ZH_NEUTRAL_SAFETY",
    "ZH_OPENERS",
    "ZH_QUESTIONS",
    "ZH_RISK_WORDS",
]


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


def _weights(spec: dict[float, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for weight, words in spec.items():
        for word in words.split():
            out[word] = weight
    return out


EN_RISK_WORDS: dict[str, float] = _weights(
    {
        -3.0: (
            # explode
            "explode explodes exploded exploding explosion explosions "
            # electric shock, poison, cancer, fire
            "electrocuted electrocution electrocute electrocutes poisoned poisonous "
            "carcinogen carcinogens carcinogenic ablaze"
        ),
        -2.5: (
            # overheating
            "overheat overheats overheated overheating "
            # fire and smoke
            "flames aflame combusted combustion scorched charred "
            # failure
            "malfunction malfunctions malfunctioned malfunctioning defect defects "
            "bricked short-circuit short-circuited short-circuits shorted "
            # harm
            "hazard hazards hazardous injured injury injuries injuring contaminated "
            "contamination poison"
        ),
        -2.0: (
            # recall
            "recall recalls recalled recalling "
            # fire and heat
            "burn burns burned burnt scalding smoke sparking "
            # failure
            "leak leaks leaked leaking leakage crash crashes crashed crashing swollen choking"
        ),
        -1.5: "smoking fumes melted broke died dies freezes danger cracked shattered emergency",
    }
)
# The built-in risk packs' words (food safety, hygiene, cosmetics, service, legal), so
# that a mention naming one is a complaint (the watchlist finds them; see RISK_PACKS).
EN_RISK_WORDS.update(
    _weights(
        {
            -2.5: (
                "diarrhea diarrhoea vomiting vomited vomit salmonella moldy mouldy cockroach "
                "cockroaches unhygienic disfigured ruined scammer scammers ripoff"
            ),
            -2.0: "spoiled expired swelling stinging redness peeling itching lawsuit boycott",
            -1.5: "rats snapped",
        }
    )
)
# Words that negation does not turn around: "no refund" is as bad as "refund".
EN_FIXED_WORDS: dict[str, float] = dict.fromkeys(_split("refund refunds refunded refunding"), -2.0)

# head word -> second word -> weight: the first word alone means nothing here.
EN_PHRASES: dict[str, dict[str, float]] = {
    **{head: {"fire": -3.0} for head in _split("caught catch catches catching")},
    **{head: {"up": -2.5} for head in _split("blew blow blows blown blowing")},
    "short": {"circuit": -2.5, "circuits": -2.5, "circuited": -2.5},
    **{
        head: {"working": -2.5, "charging": -2.5}
        for head in _split("stopped stop stops quit quits")
    },
    "electric": {"shock": -3.0, "shocks": -3.0},
}

EN_DOUBT_WORDS: dict[str, float] = {
    "safe": 1.0,
    "safety": 0.0,
    "secure": 1.0,
    "reliable": 2.5,
    "legit": 1.0,
    "genuine": 2.5,
    "authentic": 2.5,
    "trustworthy": 1.0,
    "normal": 0.0,
    "okay": 1.0,
    "ok": 1.0,
    "fine": 2.5,
}

# Sarcasm-prone interjections, with their ordinary weights (as in the main lists).
EN_OPENERS: dict[str, float] = _weights(
    {
        3.5: (
            "wonderful fantastic perfect awesome brilliant terrific marvelous marvellous excellent"
        ),
        2.5: "great lovely nice good thanks splendid",
        2.0: "yay",
        1.0: "cool",
    }
)
EN_FILLERS: frozenset[str] = frozenset(_split("oh ohh ooh just yeah yea wow well ah gee"))
# True: "another" makes "great, another ..." sarcastic on its own; False: "again" only
# together with bad news ("great, it broke again").
EN_AGAIN: dict[str, bool] = {"another": True, "again": False}

ZH_RISK_WORDS: dict[str, float] = _weights(
    {
        -3.0: (
            # 爆炸
            "爆燃 炸毁 炸伤 炸机 "
            # 起火
            "自燃 烧毁 烧伤 起明火 冒火星 "
            # electric shock, poison, death
            "漏电 触电 电击 致死 致残 有毒"
        ),
        -2.5: (
            # 爆炸
            "炸了 爆裂 爆开 炸开 "
            # 起火, smoke
            "着火 冒烟 冒火 冒白烟 冒黑烟 浓烟 烧焦 烧坏 烧起来 烫伤 明火 "
            # 召回
            "召回 召回令 "
            # failure
            "短路 鼓包 漏液 报废 无法开机 质量问题 安全问题"
        ),
        -2.0: (
            # 爆炸, 起火 (their weights as before)
            "爆炸 起火 "
            # 过热
            "过热 过烫 烫手 烧手 温度过高 焦味 糊味 "
            # failure
            "失效 黑屏 花屏 返修 漏气 不工作 无法充电 充不进电 不充电 掉链子"
        ),
        -1.5: "断电 返厂",
    }
)
ZH_RISK_WORDS.update(
    _weights(
        {
            -2.5: "沙门氏菌 起疹子 荧光剂",
            -2.0: "不退 抵制 苍蝇 重金属",
            -1.5: "激素 律师函",
        }
    )
)
ZH_FIXED_WORDS: dict[str, float] = dict.fromkeys(_split("退款 退钱 退货"), -2.0)

# Everyday words that hold a safety word: food (炸鸡 is fried chicken) and idioms.
ZH_NEUTRAL_SAFETY: frozenset[str] = frozenset(
    _split("炸鸡 炸酱 炸串 油炸 炸薯 炸虾 炸物 炸糕 炸丸子 炸街 信息爆炸 爆炸头 爆炸性")
)

ZH_DOUBT_WORDS: dict[str, float] = {
    "安全": 0.0,
    "放心": 2.0,
    "安心": 2.0,
    "靠谱": 2.0,
    "可靠": 1.0,
    "正品": 2.0,
    "正常": 1.0,
    "无毒": 1.0,
    "无害": 1.0,
    "合格": 1.0,
    "健康": 1.0,
    "没事": 0.0,
}

# Question forms; True: a worry in itself ("危不危险" asks about danger).
ZH_QUESTIONS: dict[str, bool] = {
    **dict.fromkeys(
        _split("吗 会不会 是不是 有没有 能不能 可不可以 要不要 行不行 对不对 好不好 是否 会否"),
        False,
    ),
    **dict.fromkeys(
        _split(
            "安不安全 靠不靠谱 正不正常 有没有毒 有没有事 危不危险 严不严重 合不合格 "
            "健不健康 有没有害 有没有副作用"
        ),
        True,
    ),
}

ZH_OPENERS: dict[str, float] = _weights(
    {
        3.0: "太好了 好极了 太棒了 棒极了 完美",
        2.0: "真好 厉害了 恭喜 谢谢 感谢 好样的",
    }
)
ZH_FILLERS: frozenset[str] = frozenset(_split("哇 哦 噢 啊 嗯 呃 唉 哎"))
ZH_AGAIN: dict[str, bool] = {"又": True, "又是": True, "又一次": True, "又来了": True}
