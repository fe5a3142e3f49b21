"""Count mixed-language posts for X: smmkit.text.measure against twitter-text-parser.

Generates N deterministic posts (default 1,000,000) in English, Chinese, Japanese,
Korean, Russian and mixtures, with hashtags, mentions, emoji (ZWJ families, skin tones,
flags, keycaps), combining marks, CRLF line breaks and URLs with and without a scheme.
Both libraries count every post; the script checks they agree on every post
(weighted length and validity) and prints throughput and the speed-up.

Run: python bench/text_count_x.py [N]      (--quick: 2,000 posts)
"""

from __future__ import annotations

import argparse
import random
import time

from _common import fail, peer

from smmkit.text import measure

SENTENCES = (
    "Our new cold-brew tea is here, and it takes three minutes.",
    "Office workers deserve better than vending-machine coffee.",
    "Join the tasting this Friday at 3 pm!",
    "What's your favourite afternoon drink?",
    "下午三点，给自己泡一杯冷泡茶。",
    "我们的新品今天正式上市，欢迎品尝！",
    "办公室喝水这件事，其实很有讲究；你喝够了吗？",
    "雨天DIY挑战开始啦，晒出你的茶饮",
    "新しいお茶が発売されました。ぜひお試しください。",
    "오늘의 추천 메뉴는 냉침차입니다.",
    "Новый чай уже в продаже.",
    "Café crème, naïve résumé — déjà vu.",
    "Cafe\u0301 with combining accents, e\u0301 and a\u0308.",
    "Ünïcödé tëxt wïth dïäcrïtïcs",
    "限时优惠：第二杯半价，仅限本周。",
    "Tea time ☕ with friends",
    "Prices from $3.99 (tax incl.), see e.g. the menu",
)
HASHTAGS = ("#办公室茶", "#ColdBrew", "#健康饮水", "#TeaTime", "#雨天DIY", "#お茶", "#차")
MENTIONS = ("@smmkit", "@tea_lover", "@alice@mastodon.social", "@小红薯", "$TEA")
URLS = (
    "https://example.com/tea?utm_source=x",
    "http://t.co/AbC123xyz",
    "example.com/menu",
    "www.tea-shop.cn/新品",
    "https://例え.jp/お茶",
    "bit.ly/3abcDEF",
    "https://shop.example.co.uk/p/(limited)",
)
EMOJI = (
    "😀",
    "🍵",
    "👍🏽",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳",
    "🇯🇵",
    "1\ufe0f\u20e3",
    "❤\ufe0f",
    "🙋🏽\u200d♀\ufe0f",
    "☺",
    "©",
    "✨",
)
BREAKS = (" ", " ", " ", "\n", "\r\n", "", "  ")


def make_posts(n: int, seed: int = 20260826) -> list[str]:
    """N reproducible posts of 1-6 segments each."""
    rng = random.Random(seed)
    posts = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 6)):
            r = rng.random()
            if r < 0.55:
                parts.append(rng.choice(SENTENCES))
            elif r < 0.68:
                parts.append(rng.choice(HASHTAGS))
            elif r < 0.76:
                parts.append(rng.choice(MENTIONS))
            elif r < 0.86:
                parts.append(rng.choice(URLS))
            else:
                parts.append(rng.choice(EMOJI))
            parts.append(rng.choice(BREAKS))
        posts.append("".join(parts).strip())
    return posts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1_000_000, help="posts")
    parser.add_argument("--quick", action="store_true", help="2,000 posts")
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.n
    posts = make_posts(n)
    t0 = time.perf_counter()
    ours = [measure(p, "x") for p in posts]
    t_ours = time.perf_counter() - t0
    print(f"{'library':<28}{'posts':>10}{'seconds':>10}{'posts/s':>12}")
    print(f"{'smmkit.text.measure':<28}{n:>10}{t_ours:>10.2f}{n / t_ours:>12,.0f}")
    twitter_text = peer("twitter_text")
    if twitter_text is None:
        return
    t0 = time.perf_counter()
    theirs = [twitter_text.parse_tweet(p) for p in posts]
    t_peer = time.perf_counter() - t0
    mismatches = [
        (p, o.length, t.weightedLength, o.fits, t.valid)
        for p, o, t in zip(posts, ours, theirs, strict=True)
        if o.length != t.weightedLength or (o.fits and o.length > 0) != t.valid
    ]
    print(f"{'twitter-text-parser 3.0':<28}{n:>10}{t_peer:>10.2f}{n / t_peer:>12,.0f}")
    print(f"speed-up: {t_peer / t_ours:.1f}x; disagreements: {len(mismatches)} of {n}")
    for case in mismatches[:10]:
        print("  MISMATCH", case)
    if mismatches:
        fail(f"{len(mismatches)} posts counted differently from twitter-text-parser")


if __name__ == "__main__":
    main()
