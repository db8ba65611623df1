"""Filler text for made-up stories: sentences of random neutral words, different for every seed.

Distinct stories must not fold into one another as near-duplicates (identical
boilerplate text would), and must not read as regulatory news by accident: the
words name no company, authority, penalty or policy. The fault-injection suite
and the soak test (`bench.soak_world`) write their pages with it.
"""

from __future__ import annotations

import random

EN_WORDS = (
    "platform", "merchants", "data", "pricing", "contracts", "review", "court", "province", "investors", "shares",
    "quarter", "revenue", "users", "app", "license", "order", "rules", "draft", "market", "competition",
    "security", "privacy", "export", "chips", "cloud", "payments", "lending", "games", "video", "delivery",
    "drivers", "riders", "deposits", "algorithms", "consumers", "listing", "bonds", "audit", "filing", "hearing",
    "appeal", "settlement", "guidance", "inspection", "campaign", "officials", "analysts", "earnings", "growth",
    "decline", "factory", "supply", "network", "telecom", "satellite", "battery", "vehicle", "charging",
)
ZH_WORDS = (
    "用户", "商户", "数据", "价格", "合同", "产品", "市场", "份额", "季度", "收入", "应用", "订单", "规划", "草图",
    "竞争", "安全", "隐私", "出口", "芯片", "云端", "支付", "游戏", "视频", "配送", "骑手", "司机", "算法", "消费者",
    "上市", "债券", "审计", "工厂", "供应", "网络", "电信", "卫星", "电池", "车辆", "充电", "直播", "电商", "物流",
    "仓库", "门店", "会员", "广告", "搜索", "地图", "音乐", "阅读", "教育", "医疗", "旅游", "酒店", "外卖", "快递",
    "社区", "团购", "短视频", "小程序", "服务器", "数据中心", "研发", "专利", "工程师", "实验室", "新品", "发布会",
)


def filler_story(seed: int, sentences: int = 12, language: str = "en") -> str:
    """`sentences` sentences of 14 random words in `language` ("en" or "zh"), the same for the same seed."""
    rnd = random.Random(seed)
    if language == "zh":
        return "".join("".join(rnd.choice(ZH_WORDS) for _ in range(14)) + "。" for _ in range(sentences))
    return " ".join(" ".join(rnd.choice(EN_WORDS) for _ in range(14)).capitalize() + "." for _ in range(sentences))
