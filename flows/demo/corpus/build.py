"""Render the demo corpus's `site/` from `stories/` and check it against `expected.yaml`.

    .venv/bin/python flows/demo_corpus/build.py          # rewrite site/, then check
    .venv/bin/python flows/demo_corpus/build.py --check  # check the committed site/ only

`stories/<outlet>/*.md` hold the article texts (UTF-8, a YAML header then
paragraphs; a line starting with "## " is a subheading). Each outlet has its own
page template here, so the same extractor meets different boilerplate: Pacific
Wire uses <article>, Mainland Business Daily <div class="story-body">, 财经观察
JSON-LD, 南方科技报 an old portal layout served as GB18030 bytes with
<meta charset="gb2312">, Newsroll an aggregator's post layout.

Placeholders are left in the output for the server (flows/corpus_server.py) to
fill when serving: {{BASE}}, {{RFC822:-3h}}, {{ISO:-3h}}. The check fills them
with a dummy base and date, parses every feed with lxml, decodes every page in
its declared charset, follows every feed link (unwrapping /rd?u= and dropping
tracking parameters and fragments) to a file, and compares the pages, events
and duplicates with expected.yaml.
"""

# ruff: noqa: E501  (page templates: one line of markup per line reads better than wrapped strings)
from __future__ import annotations

import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent
SITE = ROOT / "site"
STORIES = ROOT / "stories"

OUTLETS = {
    "pacific-wire": "Pacific Wire",
    "mbd": "Mainland Business Daily",
    "caijing": "财经观察",
    "nfkj": "南方科技报",
    "newsroll": "Newsroll",
}

# Items of the Newsroll aggregator feed that link to other outlets through {{BASE}}/rd?u=...:
# (target page, query string carried by the wrapped URL, age of the Newsroll item).
NEWSROLL_LINKS = (
    ("/pacific-wire/business/alibaba-fined-record-antitrust-penalty.html",
     "?utm_source=newsroll&utm_medium=aggregator&utm_campaign=topstories", "-1h"),
    ("/pacific-wire/tech/xiaomi-unveils-12s-ultra-leica-camera.html", "?utm_source=newsroll&utm_medium=aggregator",
     "-13h"),
    ("/mbd/economy/politburo-pledges-support-for-platform-economy.html", "?utm_source=newsroll", "-26h"),
)


@dataclass
class Story:
    outlet: str
    path: str
    title: str
    author: str
    published: str  # offset for the server's date placeholders, e.g. "-5h"
    summary: str
    section: str
    body: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".html")

    @property
    def minutes(self) -> int:
        return age_minutes(self.published)

    @property
    def iso(self) -> str:
        return f"{{{{ISO:{self.published}}}}}"

    @property
    def rfc822(self) -> str:
        return f"{{{{RFC822:{self.published}}}}}"

    @property
    def canonical(self) -> str | None:
        value = self.meta.get("canonical", "self" if self.outlet in ("pacific-wire", "mbd") else "none")
        if value == "none":
            return None
        return "{{BASE}}" + (self.path if value == "self" else value)


def age_minutes(offset: str) -> int:
    match = re.fullmatch(r"-(\d+)([mhd])", offset)
    if not match:
        raise ValueError(f"bad date offset {offset!r}")
    return int(match.group(1)) * {"m": 1, "h": 60, "d": 1440}[match.group(2)]


def load_stories() -> list[Story]:
    stories = []
    for file in sorted(STORIES.glob("*/*.md")):
        text = file.read_text(encoding="utf-8")
        _, header, body = text.split("---\n", 2)
        meta = yaml.safe_load(header)
        paragraphs = [" ".join(block.split("\n")).strip() for block in body.strip().split("\n\n")]
        stories.append(Story(
            outlet=file.parent.name, path=meta.pop("path"), title=meta.pop("title"), author=meta.pop("author"),
            published=meta.pop("published"), summary=meta.pop("summary"), section=meta.pop("section"),
            body=[p for p in paragraphs if p], meta=meta,
        ))
    return sorted(stories, key=lambda s: (s.outlet, s.minutes))


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def body_html(story: Story, ad: str, ad_after: int, paragraph: str = "<p>{}</p>") -> str:
    out = []
    for index, block in enumerate(story.body):
        if block.startswith("## "):
            out.append(f"<h2>{esc(block[3:])}</h2>")
        else:
            out.append(paragraph.format(esc(block)))
        if index + 1 == ad_after:
            out.append(ad)
    return "\n".join(out)


def related_html(story: Story, item: str) -> str:
    """`related:` is a list of [title, path]; an unquoted title with commas arrives split, so rejoin it."""
    links = [(", ".join(map(str, entry[:-1])), entry[-1]) for entry in story.meta.get("related", [])]
    return "\n".join(item.format(href="{{BASE}}" + esc(path), title=esc(title)) for title, path in links)


def head_common(story: Story, site_name: str, lang_title: str) -> str:
    canonical = f'<link rel="canonical" href="{story.canonical}">\n' if story.canonical else ""
    image = f"{{{{BASE}}}}/{story.outlet}/img/{story.slug}.jpg"
    return f"""<title>{esc(lang_title)}</title>
<meta name="description" content="{esc(story.summary)}">
<meta name="author" content="{esc(story.author)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{esc(site_name)}">
<meta property="og:title" content="{esc(story.title)}">
<meta property="og:description" content="{esc(story.summary)}">
<meta property="og:url" content="{story.canonical or '{{BASE}}' + story.path}">
<meta property="og:image" content="{image}">
<meta property="article:published_time" content="{story.iso}">
<meta property="article:section" content="{esc(story.section)}">
{canonical}"""


# --- Pacific Wire: a modern wire-service site, <article>, self-canonical ----------------------------------------

def render_pacific_wire(story: Story) -> str:
    ad = """<div class="ad-slot ad-slot--inarticle" data-ad-unit="pw_article_mid" aria-hidden="true">
<span class="ad-label">Advertisement</span>
<script>window.pwAds = window.pwAds || []; window.pwAds.push({slot: "pw_article_mid", sizes: [[300, 250], [728, 90]]});</script>
</div>"""
    topics = ", ".join(f'<a href="{{{{BASE}}}}/pacific-wire/topic/{esc(t.lower().replace(" ", "-"))}">{esc(t)}</a>'
                       for t in story.meta.get("tags", []))
    caption = story.meta.get("caption")
    figure = (f"""<figure class="lead-image">
<img src="{{{{BASE}}}}/pacific-wire/img/{story.slug}.jpg" alt="{esc(caption)}" width="1200" height="675">
<figcaption>{esc(caption)} <span class="credit">Pacific Wire/File Photo</span></figcaption>
</figure>""" if caption else "")
    section_href = "{{BASE}}/pacific-wire/" + story.path.split("/")[2] + "/"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head_common(story, "Pacific Wire", f"{story.title} | Pacific Wire")}<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@pacificwire">
<link rel="alternate" type="application/rss+xml" title="Pacific Wire: Business &amp; Technology" href="{{{{BASE}}}}/feeds/pacific-wire.rss.xml">
<style>
  :root {{ --pw-blue: #0b3d91; --pw-grey: #5f6b7a; }}
  body {{ margin: 0; font: 17px/1.6 Georgia, "Times New Roman", serif; color: #1a1a1a; }}
  .site-header {{ display: flex; align-items: center; gap: 2rem; padding: .75rem 2rem; border-bottom: 3px solid var(--pw-blue); }}
  .primary-nav ul {{ display: flex; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }}
  .pw-article {{ max-width: 720px; margin: 2rem auto; }}
  .ad-slot {{ min-height: 250px; background: #f3f4f6; text-align: center; margin: 2rem 0; }}
  .cookie-banner {{ position: fixed; bottom: 0; left: 0; right: 0; background: #111; color: #fff; padding: 1rem 2rem; z-index: 99; }}
  .share-buttons {{ display: flex; gap: .5rem; list-style: none; padding: 0; }}
</style>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag() {{ dataLayer.push(arguments); }}
  gtag("js", new Date());
  gtag("config", "PW-DEMO-0001", {{ content_group: "{esc(story.section)}", anonymize_ip: true }});
</script>
</head>
<body class="pw article-page">
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">
<p>We use cookies and similar technologies to personalise content and ads, provide social media features and analyse our traffic. You can change your choices at any time in Privacy Settings.</p>
<button type="button" class="cookie-accept">Accept all cookies</button>
<button type="button" class="cookie-manage">Manage preferences</button>
</div>
<header class="site-header">
<a class="logo" href="{{{{BASE}}}}/pacific-wire/">Pacific Wire</a>
<nav class="primary-nav" aria-label="Sections">
<ul>
<li><a href="{{{{BASE}}}}/pacific-wire/world/">World</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/business/">Business</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/markets/">Markets</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/tech/">Technology</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/science/">Science</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/opinion/">Opinion</a></li>
</ul>
</nav>
<form class="site-search" action="{{{{BASE}}}}/pacific-wire/search" method="get"><input type="search" name="q" placeholder="Search Pacific Wire"><button type="submit">Search</button></form>
<a class="subscribe-cta" href="{{{{BASE}}}}/pacific-wire/subscribe?utm_source=header">Subscribe</a>
</header>
<main id="main-content">
<article class="pw-article" itemscope itemtype="https://schema.org/NewsArticle">
<header class="article-header">
<p class="kicker"><a href="{section_href}">{esc(story.section)}</a></p>
<h1 itemprop="headline">{esc(story.title)}</h1>
<p class="standfirst">{esc(story.summary)}</p>
<div class="byline">By <a rel="author" href="{{{{BASE}}}}/pacific-wire/authors/{esc(story.author.lower().replace(" ", "-"))}" itemprop="author">{esc(story.author)}</a>
<span class="dateline"><time datetime="{story.iso}" itemprop="datePublished">{story.rfc822}</time></span></div>
<ul class="share-buttons" aria-label="Share this article">
<li><a href="https://x.com/intent/tweet?url={{{{BASE}}}}{story.path}">Share on X</a></li>
<li><a href="https://www.facebook.com/sharer/sharer.php?u={{{{BASE}}}}{story.path}">Facebook</a></li>
<li><a href="https://www.linkedin.com/sharing/share-offsite/?url={{{{BASE}}}}{story.path}">LinkedIn</a></li>
<li><a href="mailto:?subject={quote(story.title)}">Email</a></li>
<li><button type="button" class="copy-link">Copy link</button></li>
</ul>
</header>
{figure}
<div class="article-body" itemprop="articleBody">
{body_html(story, ad, 2)}
</div>
<footer class="article-footer">
<p class="credits">Reporting by {esc(story.author)}; Editing by {esc(story.meta.get("editor", "Paul Whitford"))}</p>
<p class="topics">Topics: {topics}</p>
<p class="standards"><a href="{{{{BASE}}}}/pacific-wire/trust-principles">Our Standards: The Pacific Wire Trust Principles.</a></p>
</footer>
</article>
<aside class="related-stories" aria-label="Related stories">
<h2>Related stories</h2>
<ul>
{related_html(story, '<li><a href="{href}">{title}</a></li>')}
</ul>
</aside>
<section class="newsletter-signup">
<h2>The Asia Tech Briefing</h2>
<p>Sign up for our daily newsletter: the stories shaping technology, markets and policy in Asia, in your inbox before the open.</p>
<form action="{{{{BASE}}}}/pacific-wire/newsletters/subscribe" method="post"><input type="email" name="email" placeholder="Your email address" required><button type="submit">Sign up</button></form>
<p class="fine-print">By signing up you agree to our Terms of Use and acknowledge our Privacy Policy.</p>
</section>
</main>
<footer class="site-footer">
<nav aria-label="Footer"><ul>
<li><a href="{{{{BASE}}}}/pacific-wire/about">About Pacific Wire</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/careers">Careers</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/contact">Contact us</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/privacy">Privacy</a></li>
<li><a href="{{{{BASE}}}}/pacific-wire/cookies">Cookie settings</a></li>
<li><a href="{{{{BASE}}}}/feeds/pacific-wire.rss.xml">RSS</a></li>
</ul></nav>
<p>All quotes delayed a minimum of 15 minutes. &copy; Pacific Wire. All rights reserved.</p>
</footer>
<script>
  document.querySelectorAll(".cookie-banner button").forEach(function (b) {{
    b.addEventListener("click", function () {{ document.getElementById("cookie-consent").remove(); }});
  }});
</script>
</body>
</html>
"""


# --- Mainland Business Daily: a business paper, <div class="story-body">, self-canonical or the original's ------

def render_mbd(story: Story) -> str:
    ad = """<div class="story-body__inline-ad" id="div-gpt-ad-mbd-inline">
<p class="ad-note">ADVERTISEMENT</p>
<script>googletag = window.googletag || {cmd: []}; googletag.cmd.push(function () { googletag.display("div-gpt-ad-mbd-inline"); });</script>
</div>"""
    original = story.meta.get("syndicated_from")
    syndication = (f"""<p class="syndication-note">This article was first published by
<a href="{{{{BASE}}}}{esc(original['path'])}">{esc(original['outlet'])}</a> and is republished under a content-sharing agreement.</p>"""
                   if original else "")
    byline = f"{story.author}, {original['outlet']}" if original else story.author
    section_slug = story.path.split("/")[2]
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{head_common(story, "Mainland Business Daily", f"{story.title} - Mainland Business Daily")}<meta name="keywords" content="{esc(", ".join(story.meta.get("tags", [])))}">
<style type="text/css">
  body {{ font-family: Arial, Helvetica, sans-serif; background: #fbf7f0; margin: 0; }}
  #page {{ width: 980px; margin: 0 auto; background: #fff; }}
  .masthead {{ background: #7a1f1f; color: #fff; padding: 12px 20px; }}
  .masthead a {{ color: #fff; text-decoration: none; }}
  .section-nav li {{ display: inline-block; margin-right: 14px; }}
  .story-body p {{ font-size: 16px; line-height: 26px; }}
  .story-body__inline-ad {{ border-top: 1px solid #ddd; border-bottom: 1px solid #ddd; height: 120px; }}
  .gdpr-notice {{ background: #ffefc6; padding: 8px 20px; font-size: 13px; }}
</style>
<script type="text/javascript">
  var _mbdq = _mbdq || [];
  _mbdq.push(["page", {{ section: "{section_slug}", type: "story", syndicated: {"true" if original else "false"} }}]);
  (function () {{ var s = document.createElement("script"); s.async = true; s.src = "/static/js/metrics.js"; document.head.appendChild(s); }})();
</script>
</head>
<body>
<div class="gdpr-notice" id="gdpr-notice">
Mainland Business Daily uses cookies to improve your experience and to show you relevant advertising. By continuing to browse you agree to our use of cookies.
<a href="{{{{BASE}}}}/mbd/cookie-policy">Find out more</a> <a href="#" class="gdpr-close">OK</a>
</div>
<div id="page">
<div class="masthead">
<div class="masthead__top"><span class="edition">International Edition</span> | <a href="{{{{BASE}}}}/mbd/login">Sign in</a> | <a href="{{{{BASE}}}}/mbd/subscribe">Subscribe from $1</a></div>
<a class="masthead__logo" href="{{{{BASE}}}}/mbd/">Mainland Business Daily</a>
<ul class="section-nav">
<li><a href="{{{{BASE}}}}/mbd/economy/">Economy</a></li>
<li><a href="{{{{BASE}}}}/mbd/companies/">Companies</a></li>
<li><a href="{{{{BASE}}}}/mbd/markets/">Markets</a></li>
<li><a href="{{{{BASE}}}}/mbd/world/">World</a></li>
<li><a href="{{{{BASE}}}}/mbd/science/">Science</a></li>
<li><a href="{{{{BASE}}}}/mbd/comment/">Comment</a></li>
<li><a href="{{{{BASE}}}}/mbd/markets/data">Market data</a></li>
</ul>
</div>
<div class="breadcrumbs"><a href="{{{{BASE}}}}/mbd/">Home</a> &gt; <a href="{{{{BASE}}}}/mbd/{section_slug}/">{esc(story.section)}</a></div>
<div class="story-wrap">
<div class="story-header">
<h1 class="headline">{esc(story.title)}</h1>
<div class="story-meta">
<span class="author">By {esc(byline)}</span>
<span class="timestamp">Published <time datetime="{story.iso}">{story.iso}</time></span>
</div>
<div class="share-tools">
<span>Share:</span>
<a class="share-tools__wechat" href="#wechat">WeChat</a>
<a class="share-tools__weibo" href="https://service.weibo.com/share/share.php?url={{{{BASE}}}}{story.path}">Weibo</a>
<a class="share-tools__twitter" href="https://twitter.com/share?url={{{{BASE}}}}{story.path}">Twitter</a>
<a class="share-tools__print" href="javascript:window.print()">Print</a>
<span class="share-tools__comments">Comments (0)</span>
</div>
</div>
<div class="story-body">
{body_html(story, ad, 3)}
</div>
{syndication}
<div class="more-on-this">
<h3>More on this story</h3>
<ul>
{related_html(story, '<li class="more-on-this__item"><a href="{href}">{title}</a></li>')}
</ul>
</div>
<div class="newsletter-box">
<h3>China Business Insider</h3>
<p>Our editors' pick of the day's most important China business news, every weekday morning. Free for registered readers.</p>
<form action="{{{{BASE}}}}/mbd/newsletter" method="post"><input type="text" name="email" value="" placeholder="Email"><input type="submit" value="Subscribe"></form>
</div>
</div>
<div class="footer">
<ul>
<li><a href="{{{{BASE}}}}/mbd/about">About us</a></li>
<li><a href="{{{{BASE}}}}/mbd/advertise">Advertise with us</a></li>
<li><a href="{{{{BASE}}}}/mbd/terms">Terms &amp; Conditions</a></li>
<li><a href="{{{{BASE}}}}/mbd/privacy">Privacy Policy</a></li>
<li><a href="{{{{BASE}}}}/mbd/syndication">Syndication &amp; reprints</a></li>
<li><a href="{{{{BASE}}}}/feeds/mbd.atom.xml">Atom feed</a></li>
</ul>
<p>Copyright &copy; Mainland Business Daily Ltd. Registered in England and Wales.</p>
</div>
</div>
<script type="text/javascript">
  document.querySelector(".gdpr-close").onclick = function () {{ document.getElementById("gdpr-notice").style.display = "none"; return false; }};
</script>
</body>
</html>
"""


# --- 财经观察: a Chinese financial site, UTF-8, JSON-LD, no canonical link ----------------------------------------

def render_caijing(story: Story) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": story.summary,
        "datePublished": story.iso,
        "dateModified": story.iso,
        "author": [{"@type": "Person", "name": story.author}],
        "publisher": {"@type": "Organization", "name": "财经观察",
                      "logo": {"@type": "ImageObject", "url": "{{BASE}}/caijing/static/logo.png"}},
        "image": [f"{{{{BASE}}}}/caijing/img/{story.slug}.jpg"],
        "mainEntityOfPage": {"@type": "WebPage", "@id": "{{BASE}}" + story.path},
        "articleSection": story.section,
        "keywords": story.meta.get("tags", []),
    }
    ad = """<div class="adv adv-inline" id="ad_art_mid"><ins class="adsbycjgc" data-slot="art_mid"></ins>
<script>(window.cjgcAds = window.cjgcAds || []).push({slot: "art_mid"});</script><span>广告</span></div>"""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
{head_common(story, "财经观察", f"{story.title}_{story.section}_财经观察")}<meta name="keywords" content="{esc(",".join(story.meta.get("tags", [])))}">
<script type="application/ld+json">
{json.dumps(ld, ensure_ascii=False, indent=2)}
</script>
<style>
  body {{ font-family: "PingFang SC", "Microsoft YaHei", sans-serif; color: #222; margin: 0; }}
  .top-nav {{ background: #c8102e; }} .top-nav a {{ color: #fff; padding: 0 12px; line-height: 44px; }}
  .container {{ width: 1100px; margin: 0 auto; display: flex; }}
  .main {{ width: 760px; }} .sidebar {{ width: 300px; margin-left: 40px; }}
  .art-content p {{ text-indent: 2em; font-size: 18px; line-height: 1.9; }}
  .cookie-tip {{ position: fixed; bottom: 0; width: 100%; background: rgba(0,0,0,.8); color: #fff; text-align: center; }}
</style>
<script>
  var _hmt = _hmt || [];
  (function () {{ var hm = document.createElement("script"); hm.src = "/static/js/stat.js?id=cjgc-demo"; document.head.appendChild(hm); }})();
</script>
</head>
<body>
<div class="cookie-tip" id="cookieTip">本网站使用Cookie以改善浏览体验和进行访问统计。继续浏览即表示您同意我们使用Cookie。<a href="{{{{BASE}}}}/caijing/privacy">隐私政策</a> <button id="cookieOk">我知道了</button></div>
<div class="top-nav">
<a href="{{{{BASE}}}}/caijing/">财经观察首页</a>
<a href="{{{{BASE}}}}/caijing/macro/">宏观</a>
<a href="{{{{BASE}}}}/caijing/finance/">金融</a>
<a href="{{{{BASE}}}}/caijing/company/">公司</a>
<a href="{{{{BASE}}}}/caijing/tech/">科技</a>
<a href="{{{{BASE}}}}/caijing/stock/">证券</a>
<a href="{{{{BASE}}}}/caijing/realestate/">地产</a>
<a href="{{{{BASE}}}}/caijing/app/">下载客户端</a>
</div>
<div class="container">
<div class="main">
<div class="crumbs"><a href="{{{{BASE}}}}/caijing/">首页</a> &gt; <a href="{{{{BASE}}}}/caijing/{story.path.split("/")[2]}/">{esc(story.section)}</a> &gt; 正文</div>
<h1 class="art-title">{esc(story.title)}</h1>
<div class="art-info">
<span class="time">{story.iso}</span>
<span class="source">来源：财经观察</span>
<span class="author">作者：{esc(story.author)}</span>
</div>
<div class="art-summary"><strong>摘要：</strong>{esc(story.summary)}</div>
<div class="art-content" id="main-content">
{body_html(story, ad, 3)}
</div>
<div class="editor">（责任编辑：{esc(story.meta.get("editor", "王立新"))}）</div>
<div class="share-bar">分享到：<a class="share-wx" href="#wx">微信</a> <a class="share-wb" href="#wb">微博</a> <a class="share-qzone" href="#qzone">QQ空间</a> <a class="share-copy" href="#copy">复制链接</a></div>
<div class="statement">版权声明：凡注明“来源：财经观察”的作品，版权均属财经观察所有，未经授权不得转载。</div>
<div class="related-read">
<h3>相关阅读</h3>
<ul>
{related_html(story, '<li><a href="{href}" target="_blank">{title}</a></li>')}
</ul>
</div>
</div>
<div class="sidebar">
<div class="subscribe-box">
<h3>订阅《财经观察早报》</h3>
<p>每个工作日早7点，一封邮件读懂宏观、市场与公司要闻。</p>
<form action="{{{{BASE}}}}/caijing/newsletter" method="post"><input type="email" name="email" placeholder="请输入邮箱"><button type="submit">免费订阅</button></form>
</div>
<div class="adv adv-side" id="ad_side_1"><span>广告</span></div>
<div class="hot-list">
<h3>24小时热文</h3>
<ol>
<li><a href="{{{{BASE}}}}/caijing/stock/a-shares-close.html">A股三大指数收涨 成交额重回万亿元</a></li>
<li><a href="{{{{BASE}}}}/caijing/finance/lpr-unchanged.html">本月LPR报价保持不变</a></li>
<li><a href="{{{{BASE}}}}/caijing/realestate/land-auction.html">一线城市土拍热度分化</a></li>
</ol>
</div>
</div>
</div>
<div class="footer">
<p><a href="{{{{BASE}}}}/caijing/about">关于我们</a> | <a href="{{{{BASE}}}}/caijing/contact">联系我们</a> | <a href="{{{{BASE}}}}/caijing/ads">广告服务</a> | <a href="{{{{BASE}}}}/caijing/copyright">版权声明</a> | <a href="{{{{BASE}}}}/caijing/jobs">加入我们</a> | <a href="{{{{BASE}}}}/feeds/caijing.rss.xml">RSS订阅</a></p>
<p>财经观察 版权所有 违法和不良信息举报电话：000-00000000（示例站点）</p>
</div>
<script>
  document.getElementById("cookieOk").onclick = function () {{ document.getElementById("cookieTip").style.display = "none"; }};
</script>
</body>
</html>
"""


# --- 南方科技报: an old Chinese portal layout, GB18030 bytes, <meta charset="gb2312">, no canonical -----------------

INDENTED = "<p>\u3000\u3000{}</p>"  # the full-width indent of old Chinese portals


def render_nfkj(story: Story) -> str:
    ad = """<div class="ad_box" id="ad_artibody_mid"><script type="text/javascript">var nfkj_ad_mid = {w: 580, h: 90};</script>
<span class="ad_tip">广告</span></div>"""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="gb2312">
{head_common(story, "南方科技报", f"{story.title}-南方科技报")}<meta name="keywords" content="{esc(",".join(story.meta.get("tags", [])))}">
<meta name="publishdate" content="{story.iso}">
<meta name="source" content="南方科技报">
<style type="text/css">
  body {{ font: 14px/1.8 "宋体", SimSun, serif; margin: 0; }}
  #top_bar {{ height: 30px; background: #f2f2f2; border-bottom: 1px solid #ddd; }}
  .nav {{ background: #005aa0; height: 40px; }} .nav a {{ color: #fff; margin: 0 10px; line-height: 40px; }}
  #main {{ width: 960px; margin: 10px auto; overflow: hidden; }}
  .left {{ float: left; width: 640px; }} .right {{ float: right; width: 300px; }}
  #artibody p {{ margin: 0 0 1em; font-size: 16px; }}
  .cookie_box {{ position: fixed; bottom: 0; width: 100%; background: #333; color: #eee; text-align: center; }}
</style>
<script type="text/javascript">
  var nfkjStat = {{ channel: "{esc(story.section)}", pageType: "article" }};
  document.write('<scr' + 'ipt src="/js/pv.js"></scr' + 'ipt>');
</script>
</head>
<body>
<div id="top_bar"><a href="{{{{BASE}}}}/nfkj/">南方科技报首页</a> | <a href="{{{{BASE}}}}/nfkj/epaper/">数字报</a> | <a href="{{{{BASE}}}}/nfkj/login">登录</a> | <a href="{{{{BASE}}}}/nfkj/reg">注册</a></div>
<div class="nav">
<a href="{{{{BASE}}}}/nfkj/">首页</a><a href="{{{{BASE}}}}/nfkj/news/">要闻</a><a href="{{{{BASE}}}}/nfkj/it/">互联网</a><a href="{{{{BASE}}}}/nfkj/chip/">芯片</a><a href="{{{{BASE}}}}/nfkj/policy/">政策</a><a href="{{{{BASE}}}}/nfkj/science/">科学</a><a href="{{{{BASE}}}}/nfkj/video/">视频</a>
</div>
<div id="main">
<div class="left">
<div class="position">您的位置：<a href="{{{{BASE}}}}/nfkj/">首页</a> &gt;&gt; {esc(story.section)} &gt;&gt; 正文</div>
<h1 id="artical_topic">{esc(story.title)}</h1>
<div id="artical_sth">
<span class="time">{story.iso}</span>&nbsp;&nbsp;
<span class="source">来源：南方科技报</span>&nbsp;&nbsp;
<span class="author">作者：{esc(story.author)}</span>&nbsp;&nbsp;
<span class="fontsize">字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></span>
</div>
<div id="artical_real">
<div id="artibody">
{body_html(story, ad, 4, INDENTED)}
</div>
</div>
<div class="editor_name">（编辑：{esc(story.meta.get("editor", "陈晓东"))}）</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">新浪微博</a> <a href="#">QQ好友</a> <a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
<div class="relate_news">
<h3>相关新闻</h3>
<ul>
{related_html(story, '<li>&middot; <a href="{href}" target="_blank">{title}</a></li>')}
</ul>
</div>
<div class="dingyue">
<h3>订阅南方科技报电子报</h3>
<p>留下邮箱，每周一、四收到科技产业与政策精选。</p>
<form action="{{{{BASE}}}}/nfkj/dingyue" method="post"><input type="text" name="mail" value="请输入您的邮箱"><input type="submit" value="订阅"></form>
</div>
</div>
<div class="right">
<div class="ad_box" id="ad_right_1"><span class="ad_tip">广告</span></div>
<div class="paihang">
<h3>热点排行</h3>
<ol>
<li><a href="{{{{BASE}}}}/nfkj/chip/wafer-capacity.html">国内晶圆代工产能持续扩张</a></li>
<li><a href="{{{{BASE}}}}/nfkj/science/satellite-internet.html">低轨卫星互联网组网提速</a></li>
<li><a href="{{{{BASE}}}}/nfkj/it/data-center-pue.html">数据中心能效新标准解读</a></li>
</ol>
</div>
</div>
</div>
<div class="cookie_box" id="cookie_box">本站使用Cookie技术统计访问量并改进服务，继续访问即视为同意。<a href="javascript:void(0);" onclick="document.getElementById('cookie_box').style.display='none';">关闭</a></div>
<div id="footer">
<p><a href="{{{{BASE}}}}/nfkj/about.html">关于本报</a> | <a href="{{{{BASE}}}}/nfkj/contact.html">联系方式</a> | <a href="{{{{BASE}}}}/nfkj/ad.html">广告刊例</a> | <a href="{{{{BASE}}}}/nfkj/law.html">法律声明</a> | <a href="{{{{BASE}}}}/feeds/nfkj.rdf.xml">RSS</a></p>
<p>南方科技报社 版权所有 未经书面授权禁止转载（示例站点）</p>
</div>
</body>
</html>
"""


# --- Newsroll: an aggregator that also hosts lightly rewritten wire copy; no canonical --------------------------

def render_newsroll(story: Story) -> str:
    ad = """<div class="nr-sponsored"><small>Sponsored</small>
<script>window.nrSponsored = (window.nrSponsored || []).concat(["post-mid"]);</script></div>"""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head_common(story, "Newsroll", f"{story.title} · Newsroll")}<style>
  .nr-wrap {{ max-width: 1040px; margin: 0 auto; font-family: system-ui, sans-serif; }}
  .nr-top {{ display: flex; justify-content: space-between; padding: 10px 0; border-bottom: 1px solid #e5e5e5; }}
  .post-content p {{ font-size: 1.05rem; line-height: 1.7; }}
  .nr-cookies {{ position: fixed; top: 0; left: 0; right: 0; background: #fffbe6; padding: 10px; }}
  .trending li {{ margin-bottom: 6px; }}
</style>
<script>
  (function (w) {{ w.nr = w.nr || {{}}; w.nr.page = {{ kind: "wire", id: "{story.slug}" }}; }})(window);
</script>
</head>
<body>
<div class="nr-cookies" id="nr-cookies">Newsroll and its partners use cookies to measure audiences and show personalised ads. <a href="{{{{BASE}}}}/newsroll/privacy">Learn more</a> <button onclick="this.parentNode.remove()">Got it</button></div>
<div class="nr-wrap">
<div class="nr-top">
<a class="nr-logo" href="{{{{BASE}}}}/newsroll/">Newsroll</a>
<nav class="nr-menu"><a href="{{{{BASE}}}}/newsroll/top">Top</a> <a href="{{{{BASE}}}}/newsroll/business">Business</a> <a href="{{{{BASE}}}}/newsroll/tech">Tech</a> <a href="{{{{BASE}}}}/newsroll/asia">Asia</a> <a href="{{{{BASE}}}}/newsroll/saved">Saved</a></nav>
<a class="nr-app" href="{{{{BASE}}}}/newsroll/app">Get the app</a>
</div>
<section class="post">
<div class="post-label">{esc(story.section)}</div>
<h1 class="post-title">{esc(story.title)}</h1>
<div class="post-meta"><span class="post-author">{esc(story.author)}</span> · <time datetime="{story.iso}">{story.rfc822}</time> · 4 min read</div>
<div class="post-actions"><button class="save">Save</button> <button class="share">Share</button> <a href="https://wa.me/?text={{{{BASE}}}}{story.path}">WhatsApp</a> <a href="https://t.me/share/url?url={{{{BASE}}}}{story.path}">Telegram</a></div>
<div class="post-content">
{body_html(story, ad, 3)}
</div>
<p class="post-disclaimer">Newsroll wire stories are compiled from agency and partner reports.</p>
</section>
<aside class="trending">
<h2>More from Newsroll</h2>
<ul>
{related_html(story, '<li><a href="{href}">{title}</a></li>')}
</ul>
</aside>
<section class="nr-newsletter">
<h2>Morning Roll</h2>
<p>Five stories, three minutes, every morning. Join the Morning Roll newsletter.</p>
<form action="{{{{BASE}}}}/newsroll/signup" method="post"><input type="email" name="e" placeholder="you@example.com"><button>Join</button></form>
</section>
<footer class="nr-footer"><a href="{{{{BASE}}}}/newsroll/about">About</a> · <a href="{{{{BASE}}}}/newsroll/terms">Terms</a> · <a href="{{{{BASE}}}}/newsroll/privacy">Privacy</a> · <a href="{{{{BASE}}}}/feeds/newsroll.rss.xml">RSS</a> · &copy; Newsroll</footer>
</div>
</body>
</html>
"""


RENDERERS = {
    "pacific-wire": render_pacific_wire,
    "mbd": render_mbd,
    "caijing": render_caijing,
    "nfkj": render_nfkj,
    "newsroll": render_newsroll,
}


# --- Feeds -------------------------------------------------------------------------------------------------------

def x(text: str) -> str:
    return html.escape(text, quote=False)


def feed_pacific_wire(stories: list[Story]) -> str:
    items = []
    for s in stories:
        campaign = s.path.split("/")[2]
        link = f"{{{{BASE}}}}{s.path}?utm_source=rss&utm_medium=feed&utm_campaign={campaign}#article-top"
        items.append(f"""<item>
<title>{x(s.title)}</title>
<link>{x(link)}</link>
<guid isPermaLink="true">{{{{BASE}}}}{s.path}</guid>
<pubDate>{s.rfc822}</pubDate>
<dc:creator>{x(s.author)}</dc:creator>
<category>{x(s.section)}</category>
<description>{x(s.summary)}</description>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Pacific Wire: Business &amp; Technology</title>
<link>{{{{BASE}}}}/pacific-wire/</link>
<atom:link href="{{{{BASE}}}}/feeds/pacific-wire.rss.xml" rel="self" type="application/rss+xml"/>
<description>Breaking business, markets and technology news from Pacific Wire's bureaus across Asia.</description>
<language>en-us</language>
<lastBuildDate>{{{{RFC822:-45m}}}}</lastBuildDate>
<ttl>15</ttl>
{chr(10).join(items)}
</channel>
</rss>
"""


def feed_mbd(stories: list[Story]) -> str:
    entries = []
    for s in stories:
        entries.append(f"""<entry>
<title type="text">{x(s.title)}</title>
<link rel="alternate" type="text/html" href="{{{{BASE}}}}{s.path}"/>
<id>{{{{BASE}}}}{s.path}</id>
<published>{s.iso}</published>
<updated>{s.iso}</updated>
<author><name>{x(s.author)}</name></author>
<category term="{x(s.section)}"/>
<summary type="text">{x(s.summary)}</summary>
</entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
<title>Mainland Business Daily - Latest</title>
<subtitle>China business, economy and markets news</subtitle>
<link rel="self" type="application/atom+xml" href="{{{{BASE}}}}/feeds/mbd.atom.xml"/>
<link rel="alternate" type="text/html" href="{{{{BASE}}}}/mbd/"/>
<id>{{{{BASE}}}}/mbd/</id>
<updated>{{{{ISO:-30m}}}}</updated>
<rights>Copyright Mainland Business Daily Ltd.</rights>
{chr(10).join(entries)}
</feed>
"""


def feed_caijing(stories: list[Story]) -> str:
    items = []
    for s in stories:
        items.append(f"""<item>
<title><![CDATA[{s.title}]]></title>
<link>{{{{BASE}}}}{s.path}</link>
<guid isPermaLink="true">{{{{BASE}}}}{s.path}</guid>
<pubDate>{s.rfc822}</pubDate>
<author>{x(s.author)}</author>
<category><![CDATA[{s.section}]]></category>
<description><![CDATA[<p>{s.summary}</p>]]></description>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>财经观察 - 最新资讯</title>
<link>{{{{BASE}}}}/caijing/</link>
<description>财经观察：宏观、金融、公司与科技财经新闻</description>
<language>zh-cn</language>
<copyright>财经观察 版权所有</copyright>
<lastBuildDate>{{{{RFC822:-1h}}}}</lastBuildDate>
{chr(10).join(items)}
</channel>
</rss>
"""


def feed_nfkj(stories: list[Story]) -> str:
    seq = "\n".join(f'<rdf:li rdf:resource="{{{{BASE}}}}{s.path}"/>' for s in stories)
    items = []
    for s in stories:
        items.append(f"""<item rdf:about="{{{{BASE}}}}{s.path}">
<title>{x(s.title)}</title>
<link>{{{{BASE}}}}{s.path}</link>
<description>{x(s.summary)}</description>
<dc:date>{s.iso}</dc:date>
<dc:creator>{x(s.author)}</dc:creator>
<dc:subject>{x(s.section)}</dc:subject>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{{{{BASE}}}}/feeds/nfkj.rdf.xml">
<title>南方科技报</title>
<link>{{{{BASE}}}}/nfkj/</link>
<description>南方科技报：互联网、芯片与科技政策新闻</description>
<dc:language>zh-cn</dc:language>
<dc:date>{{{{ISO:-1h}}}}</dc:date>
<items>
<rdf:Seq>
{seq}
</rdf:Seq>
</items>
</channel>
{chr(10).join(items)}
</rdf:RDF>
"""


def feed_newsroll(own: list[Story], by_path: dict[str, Story]) -> str:
    rows: list[tuple[int, str]] = []
    for s in own:
        rows.append((s.minutes, f"""<item>
<title>{x(s.title)}</title>
<link>{{{{BASE}}}}{s.path}</link>
<guid isPermaLink="false">newsroll-wire-{s.slug}</guid>
<pubDate>{s.rfc822}</pubDate>
<source url="{{{{BASE}}}}/feeds/newsroll.rss.xml">Newsroll</source>
<description>{x(s.summary)}</description>
</item>"""))
    for path, query, offset in NEWSROLL_LINKS:
        s = by_path[path]
        outlet = OUTLETS[s.outlet]
        feed = {"pacific-wire": "pacific-wire.rss.xml", "mbd": "mbd.atom.xml"}[s.outlet]
        link = "{{BASE}}/rd?u={{BASE}}" + quote(path + query, safe="")
        rows.append((age_minutes(offset), f"""<item>
<title>{x(s.title)} - {x(outlet)}</title>
<link>{x(link)}</link>
<guid isPermaLink="false">newsroll-link-{s.slug}</guid>
<pubDate>{{{{RFC822:{offset}}}}}</pubDate>
<source url="{{{{BASE}}}}/feeds/{feed}">{x(outlet)}</source>
<description>{x(s.summary)}</description>
</item>"""))
    items = "\n".join(item for _, item in sorted(rows))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>Newsroll - Asia Business &amp; Tech</title>
<link>{{{{BASE}}}}/newsroll/</link>
<description>Top stories from across the web, rolled up by Newsroll, plus Newsroll wire copy.</description>
<language>en</language>
<lastBuildDate>{{{{RFC822:-30m}}}}</lastBuildDate>
{items}
</channel>
</rss>
"""


def build(stories: list[Story]) -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    for story in stories:
        target = SITE / story.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        text = RENDERERS[story.outlet](story)
        data = text.encode("gb18030") if story.outlet == "nfkj" else text.encode("utf-8")
        target.write_bytes(data)
    by_outlet: dict[str, list[Story]] = {o: [] for o in OUTLETS}
    for story in stories:
        by_outlet[story.outlet].append(story)
    feeds = {
        "pacific-wire.rss.xml": feed_pacific_wire(by_outlet["pacific-wire"]),
        "mbd.atom.xml": feed_mbd(by_outlet["mbd"]),
        "caijing.rss.xml": feed_caijing(by_outlet["caijing"]),
        "nfkj.rdf.xml": feed_nfkj(by_outlet["nfkj"]),
        "newsroll.rss.xml": feed_newsroll(by_outlet["newsroll"], {s.path: s for s in stories}),
    }
    (SITE / "feeds").mkdir(parents=True, exist_ok=True)
    for name, text in feeds.items():
        (SITE / "feeds" / name).write_text(text, encoding="utf-8")


# --- Check -------------------------------------------------------------------------------------------------------

DUMMY_BASE = "http://127.0.0.1:8765"
_PLACEHOLDER = re.compile(r"\{\{(RFC822|ISO):-(\d+)([mhd])\}\}")


def fill(text: str) -> str:
    text = text.replace("{{BASE}}", DUMMY_BASE)
    return _PLACEHOLDER.sub(lambda m: "Mon, 01 Jan 2024 00:00:00 GMT" if m.group(1) == "RFC822"
                            else "2024-01-01T00:00:00+00:00", text)


def declared_charset(data: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:2048], re.I)
    if not match:
        raise ValueError("no <meta charset>")
    return match.group(1).decode("ascii")


def local_target(link: str) -> tuple[str, bool]:
    """The page path a feed link ends at, and whether it went through /rd."""
    parts = urlsplit(link)
    wrapped = parts.path == "/rd"
    if wrapped:
        parts = urlsplit(unquote(dict(parse_qsl(parts.query))["u"]))
    if f"{parts.scheme}://{parts.netloc}" != DUMMY_BASE:
        raise ValueError(f"{link}: not on {{{{BASE}}}}")
    leftover = [k for k, _ in parse_qsl(parts.query) if not k.startswith("utm_")]
    if leftover:
        raise ValueError(f"{link}: unexpected query keys {leftover}")
    return parts.path, wrapped


def feed_links(name: str, data: bytes) -> list[str]:
    from lxml import etree

    root = etree.fromstring(fill(data.decode("utf-8")).encode("utf-8"))
    ns = {"a": "http://www.w3.org/2005/Atom", "r": "http://purl.org/rss/1.0/"}
    if name.endswith(".atom.xml"):
        entries = root.findall("a:entry", ns)
        for e in entries:
            assert e.findtext("a:title", namespaces=ns) and e.findtext("a:summary", namespaces=ns), name
            assert e.findtext("a:published", namespaces=ns), name
        return [e.find("a:link[@rel='alternate']", ns).get("href") for e in entries]
    if name.endswith(".rdf.xml"):
        items = root.findall("r:item", ns)
        for i in items:
            assert i.findtext("r:title", namespaces=ns) and i.findtext("r:description", namespaces=ns), name
            assert i.findtext("{http://purl.org/dc/elements/1.1/}date"), name
            assert i.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") == i.findtext("r:link", namespaces=ns)
        return [i.findtext("r:link", namespaces=ns) for i in items]
    items = root.findall("channel/item")
    for i in items:
        assert i.findtext("title") and i.findtext("description") and i.findtext("pubDate"), name
        guid = i.find("guid")
        if guid is not None and guid.get("isPermaLink") == "true":
            assert local_target(guid.text)[0] == local_target(i.findtext("link"))[0], name
    return [i.findtext("link") for i in items]


def body_size(text: str) -> tuple[int, int]:
    """(English words, Han characters) of a story body."""
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.,%$-]*", text)), len(re.findall(r"[\u4e00-\u9fff]", text))


def check(stories: list[Story]) -> list[str]:
    problems: list[str] = []
    expected = yaml.safe_load((ROOT / "expected.yaml").read_text(encoding="utf-8"))
    feeds_yaml = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))["feeds"]
    pages = {"/" + str(p.relative_to(SITE)) for p in SITE.rglob("*.html")}
    by_path = {s.path: s for s in stories}
    if pages != set(by_path):
        problems.append(f"site/ pages differ from stories/: {sorted(pages ^ set(by_path))}")

    for path in sorted(pages):
        data = (SITE / path.lstrip("/")).read_bytes()
        charset = declared_charset(data)
        try:
            text = data.decode(charset)
        except UnicodeDecodeError as exc:
            problems.append(f"{path}: does not decode as {charset}: {exc}")
            continue
        leftover = set(re.findall(r"\{\{[^}]*\}\}", text)) - {"{{BASE}}"}
        if any(not _PLACEHOLDER.fullmatch(p) for p in leftover):
            problems.append(f"{path}: unknown placeholder {leftover}")
        from lxml import html as lhtml

        doc = lhtml.document_fromstring(fill(text))
        for query in ("//title", "//meta[@property='og:title']", "//meta[@name='author']",
                      "//meta[@property='article:published_time']"):
            if not doc.xpath(query):
                problems.append(f"{path}: no {query}")
        story = by_path.get(path)
        if story:
            words, han = body_size(" ".join(story.body))
            size_ok = 200 <= words <= 600 if story.outlet in ("pacific-wire", "mbd", "newsroll") else 350 <= han <= 1000
            if not size_ok:
                problems.append(f"{path}: body size {words} words / {han} han characters")

    # Feeds: well-formed, every link lands on a page; later sightings of a page are exact duplicates.
    reached: dict[str, str] = {}
    duplicates: list[dict[str, str]] = []
    feed_files = {"/" + str(p.relative_to(SITE)) for p in (SITE / "feeds").iterdir()}
    if {f["path"] for f in feeds_yaml} != feed_files:
        problems.append("feeds.yaml does not list exactly the files in site/feeds/")
    aggregator_last = sorted(feeds_yaml, key=lambda f: "newsroll" in f["path"])
    for feed in aggregator_last:
        try:
            links = feed_links(feed["path"], (SITE / feed["path"].lstrip("/")).read_bytes())
        except Exception as exc:  # report every broken feed, whatever broke it
            problems.append(f"{feed['path']}: {exc!r}")
            continue
        for link in links:
            target, _ = local_target(link)
            if target not in pages:
                problems.append(f"{feed['path']}: {link} -> {target} is not a page")
            elif target in reached:
                duplicates.append({"feed": feed["path"], "link_target": target})
            else:
                reached[target] = feed["path"]
    if missing := pages - set(reached):
        problems.append(f"pages in no feed: {sorted(missing)}")
    if sorted(duplicates, key=str) != sorted(expected["exact_duplicates"], key=str):
        problems.append(f"exact_duplicates: expected.yaml says {expected['exact_duplicates']}, feeds give {duplicates}")

    # expected.yaml: every page is in an event or noise, never both; freshness follows the dates.
    listed: list[str] = list(expected["noise"])
    for event in expected["events"]:
        listed += event["pages"]
        for path in event["pages"]:
            if path in by_path and (by_path[path].minutes <= 72 * 60) != event["fresh"]:
                problems.append(f"{event['id']}: {path} freshness does not match fresh: {event['fresh']}")
    if sorted(listed) != sorted(pages):
        problems.append(f"events+noise vs pages: {sorted(set(listed) ^ pages)} / repeated: "
                        f"{sorted({p for p in listed if listed.count(p) > 1})}")
    for group in expected["near_duplicates"]:
        if not set(group) <= pages:
            problems.append(f"near_duplicates: unknown page in {group}")
    return problems


def main(argv: list[str]) -> int:
    stories = load_stories()
    if "--check" not in argv:
        build(stories)
    problems = check(stories)
    for story in stories:
        words, han = body_size(" ".join(story.body))
        size = f"{han} han" if han > words else f"{words} words"
        print(f"{story.published:>5}  {size:>10}  {story.path}")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    print(f"{len(stories)} pages, {len(OUTLETS)} feeds: {'OK' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
