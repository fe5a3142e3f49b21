"""Adapt N pieces (default 100,000) to all 16 catalog platforms with smmkit.adapt_all.

Pieces are deterministic and varied: Chinese, English and mixed text of 1-12
sentences (so some need truncation or threads), inline topics in several forms,
tags, landing links (UTM-tagged on the way), media (images, videos in and out of
the sweet spots, oversized files) and UGC with recorded permission. Every 100th
result is validated, and the script fails if any adapted post has an error.

There is no peer library that adapts one piece to 16 platforms, so the reference
row is the cost of the X length check alone with twitter-text-parser, measured in
the same run on the same X outputs: it shows what one platform's counting costs
when done with the usual tool.

Run: python bench/adapt_all.py [N]      (--quick: 300 pieces)
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timezone

from _common import fail, peer

from smmkit.catalog import platform_ids
from smmkit.content import adapt_all, has_errors, validate
from smmkit.models import ContentPiece, Creator, MediaAsset, UGCPermission

SENTENCES = (
    "下午三点，给自己泡一杯冷泡茶。",
    "只要三分钟，办公室也能有仪式感！",
    "营养师说，下午补水比咖啡更能提神；",
    "Our cold brew takes three minutes, and it tastes like a holiday.",
    "Office hydration matters (really) — try it_now!",
    "雨天DIY挑战开始啦，晒出你的茶饮 #雨天DIY#",
    "新品上市，第二杯半价。",
    "Join the tasting on Friday at 3 pm #TeaTime",
    "试试 #办公室茶 吧",
    "东京的朋友也说好喝 🍵👍🏽",
)
TAGS = ("健康饮水", "下午茶", "办公室茶", "ColdBrew", "OfficeLife", "节气茶", "冷泡", "tea")
LINKS = (
    "https://tea.example.cn/menu",
    "https://tea.example.cn/store?id=7",
    "https://b2b.example.com/x",
)
NOW = datetime(2026, 8, 26, tzinfo=timezone.utc)


def make_pieces(n: int, seed: int = 7) -> list[ContentPiece]:
    """N reproducible pieces."""
    rng = random.Random(seed)
    pieces = []
    for i in range(n):
        body = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 12)))
        media: list[MediaAsset] = []
        r = rng.random()
        if r < 0.3:
            media = [
                MediaAsset(
                    kind="image",
                    url=f"https://cdn.example/img{i}_{k}.jpg",
                    size_bytes=rng.choice((300_000, 3_000_000, 9_000_000)),
                )
                for k in range(rng.randint(1, 12))
            ]
        elif r < 0.6:
            media = [
                MediaAsset(
                    kind="video",
                    url=f"https://cdn.example/v{i}.mp4",
                    duration_seconds=rng.choice((18, 25, 90, 240, 420, 1200)),
                )
            ]
        ugc = rng.random() < 0.1
        pieces.append(
            ContentPiece(
                id=f"piece-{i}",
                title=rng.choice(
                    (None, "三分钟办公室冷泡茶：下午三点的仪式感", "Cold brew in three minutes")
                ),
                body=body,
                tags=tuple(rng.sample(TAGS, rng.randint(0, 5))),
                links=tuple(rng.sample(LINKS, rng.randint(0, 2))),
                media=tuple(media),
                campaign="spring",
                source="ugc" if ugc else "ogc",
                creator=Creator(name="小林", handle="lin_tea") if ugc else None,
                permission=UGCPermission(granted_at=NOW) if ugc else None,
            )
        )
    return pieces


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=100_000, help="pieces")
    parser.add_argument("--quick", action="store_true", help="300 pieces")
    args = parser.parse_args(argv)
    n = 300 if args.quick else args.n
    pieces = make_pieces(n)
    platforms = platform_ids()
    t0 = time.perf_counter()
    results = [adapt_all(p, platforms, allow_threads=True) for p in pieces]
    t_adapt = time.perf_counter() - t0
    posts = sum(len(r.posts) for r in results)
    errors = sum(len(r.errors) for r in results)
    bad = 0
    checked = 0
    for r in results[::100]:
        for post in r.posts:
            checked += 1
            bad += has_errors(validate(post))
    x_texts = [
        t
        for r in results
        for post in r.posts
        if post.platform == "x"
        for t in (post.parts or (post.body,))
    ]
    rows = [
        ("smmkit.adapt_all (16 platforms, per piece)", n, t_adapt),
        ("  = single adaptations", posts, t_adapt),
    ]
    twitter_text = peer("twitter_text")
    if twitter_text is not None:
        t0 = time.perf_counter()
        for text in x_texts:
            twitter_text.parse_tweet(text)
        t_peer = time.perf_counter() - t0
        rows.append(("twitter-text-parser on the X outputs only", len(x_texts), t_peer))
    print(f"{'task':<44}{'items':>10}{'seconds':>10}{'items/s':>12}")
    for name, items, seconds in rows:
        print(f"{name:<44}{items:>10}{seconds:>10.2f}{items / seconds:>12,.0f}")
    print(f"refusals: {errors}; validated {checked} sampled posts, {bad} with errors")
    if bad:
        fail(f"{bad} of {checked} sampled adapted posts do not validate")


if __name__ == "__main__":
    main()
