"""The soak test's world: news outlets whose feeds change every cycle, and a record of what they served.

Every cycle (`World.begin`) each outlet publishes a story (English or Chinese,
one outlet's pages in GB18030), every other cycle one of them a regulatory fine
that must alert, now and then a foreign regulator's fine that must not; feeds
re-date old items, decorate every link with tracking parameters that change each
cycle, and an aggregator republishes other outlets' stories under its own URLs.
`Faults` says which feeds answer 500, when one host accepts connections and never
answers, and when Slack answers 429. The feed handlers record which stories each
feed listed, so what the soak expects (stories stored, alerts sent) is computed
from what was served, not from what was planned.

Deterministic for a cycle count and seed, except the dates, which follow the clock.
"""

from __future__ import annotations

import html
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from fakes.stories import filler_story
from flows.demo.corpus_server import Handler, send, send_cacheable

FEED_PATH = "/feed.xml"
FEED_WINDOW = 20  # items a feed lists, newest first: a stretch of failures shorter than this loses nothing
BACKLOG = 3  # stories each outlet already has when the first cycle polls it
HANG_LIMIT = 300.0  # seconds a hanging request is held at most, whatever happens to the harness


@dataclass(frozen=True)
class Outlet:
    """One news site on a loopback host of its own, with its feed's habits."""

    name: str
    host: str
    language: str  # "en" or "zh"
    form: str = "rss"  # "rss" or "atom"
    guid: str = ""  # "link" (the permalink), "urn" or "" (no GUID: the link is all there is)
    charset: str = "utf-8"
    decoration: str = ""  # tracking query added to every link, "{cycle}" replaced: a new spelling each cycle
    restamp_all: bool = False  # every item re-dated to the poll, as some CMSs do; others re-date two a cycle
    every: int = 1  # publishes on cycles divisible by this
    syndicates: bool = False  # its stories are copies of other outlets' stories


OUTLETS = (
    Outlet("pacific-wire", "127.0.0.21", "en", guid="link",
           decoration="utm_source=rss&utm_medium=feed&utm_campaign=c{cycle}"),
    Outlet("market-daily", "127.0.0.22", "en", form="atom", guid="urn", decoration="from=rss&ref=c{cycle}"),
    Outlet("nanfang-tech", "127.0.0.23", "zh", decoration="spm=a2c{cycle}.feed.0"),
    Outlet("huabei-finance", "127.0.0.24", "zh", charset="gb18030", restamp_all=True),
    Outlet("newsroll", "127.0.0.25", "en", guid="link", every=2, syndicates=True),
    Outlet("harbour-post", "127.0.0.26", "en", guid="link", every=2),
)
REPORTERS = [o for o in OUTLETS if not o.syndicates and o.every == 1]  # where planted events appear
HANGING = "harbour-post"

# Tracked companies, as English and Chinese stories name them.
COMPANIES = (
    ("Tencent", "腾讯"), ("Alibaba Group", "阿里巴巴集团"), ("Meituan", "美团"), ("JD.com", "京东集团"),
    ("Baidu", "百度"), ("NetEase", "网易"), ("ByteDance", "字节跳动"), ("Kuaishou", "快手科技"),
    ("Weibo", "微博"), ("Bilibili", "哔哩哔哩"), ("Didi Global", "滴滴出行"), ("PDD Holdings", "拼多多"),
)
VIOLATIONS = (
    ("failing to protect the personal data of its users", "违反《个人信息保护法》"),
    ("forcing merchants to sell only on its platform", "违反《电子商务法》"),
    ("misleading pricing during a shopping festival", "违反《价格法》"),
    ("failing to report an acquisition for antitrust review", "违反《反垄断法》"),
)
FOREIGN = ("Apple", "Google", "Meta", "Microsoft", "Amazon")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
FINE_STEP = 1.3  # a company's next fine is this much larger: more than the 12% that makes two fines one action
FIRST_FINE = 10_000_000  # yuan
# 400 cycles plant 200 fines, 17 a company, from 10 million to 0.86 billion yuan: clear of every fine of a tracked
# company in config/enforcement_history.yaml (3 million or less, 2.99 billion or more), which a story would be
# read as recalling.
MAX_CYCLES = 400


@dataclass(frozen=True)
class Fine:
    """A planted regulatory fine: one real-world action, which must alert once."""

    company: str
    amount_cny: int


@dataclass
class Story:
    """One story as an outlet published it; `copies` are its republications (outlet, path)."""

    sid: str
    outlet: Outlet
    path: str
    title: str
    paragraphs: list[str]
    published: datetime
    fine: Fine | None = None
    copies: list[tuple[Outlet, str]] = field(default_factory=list)

    def places(self) -> list[tuple[Outlet, str]]:
        """Every (outlet, path) the story is published under: its own, then its copies'."""
        return [(self.outlet, self.path), *self.copies]


@dataclass
class Entry:
    """An item in a feed: a story under this outlet's path, with the date the feed gives it now."""

    story: Story
    path: str
    dated: datetime


@dataclass(frozen=True)
class Faults:
    """Which cycles each fault covers. Reported failing feeds follow: a feed failing `failing_runs` polls in a row
    is reported once per streak."""

    down: dict[str, list[range]]  # outlet -> stretches of cycles its feed answers 500
    hang: range  # cycles the hanging outlet's host accepts and never answers
    slack_429: range  # cycles Slack answers every request 429 with Retry-After
    quiet_head: int  # the first cycles with no fault (after cycle 0, the first run): the baseline
    quiet_tail: int  # the last cycles with no fault: the end measurement

    @classmethod
    def for_cycles(cls, cycles: int) -> Faults:
        """Faults in the middle of the run, with fault-free cycles before and after to compare.

        A long run gets a 5-cycle outage (reported), a 2-cycle one (too short to report), a hanging host, and a
        second outage reported while Slack answers 429. A short one (the test's, a developer's) puts a
        1-3-cycle outage, the hang and the 429s all at cycle 1."""
        if cycles < 40:
            stretch = range(1, max(1, min(4, cycles - 1)))
            return cls({"market-daily": [stretch]}, stretch, stretch, 0, max(0, cycles - stretch.stop))
        at = [cycles * tenth // 10 for tenth in range(10)]
        return cls(
            down={"market-daily": [range(at[2], at[2] + 5), range(at[6] - 1, at[6] + 3)],
                  "nanfang-tech": [range(at[5], at[5] + 2)]},
            hang=range(at[3], at[3] + 4),
            slack_429=range(at[6], at[6] + 4),
            quiet_head=at[2] - 1,
            quiet_tail=cycles - (at[6] + 4),
        )

    def is_down(self, outlet: str, cycle: int) -> bool:
        return any(cycle in stretch for stretch in self.down.get(outlet, []))

    def active(self, cycle: int) -> list[str]:
        """The faults of `cycle`, in words."""
        return ([f"500 {name}" for name in self.down if self.is_down(name, cycle)]
                + (["hang"] if cycle in self.hang else []) + (["slack 429"] if cycle in self.slack_429 else []))


class World:
    """The outlets' stories and feeds, cycle by cycle, and which stories each feed actually listed."""

    def __init__(self, cycles: int, port: int, seed: int = 7) -> None:
        if cycles > MAX_CYCLES:
            raise ValueError(f"at most {MAX_CYCLES} cycles: the planted fines would grow to the size of known ones")
        self.cycles, self.port = cycles, port
        self.faults = Faults.for_cycles(cycles)
        self.rng = random.Random(seed)
        self.cycle = -1
        self.now = datetime.now(UTC)
        self.stories: dict[str, Story] = {}
        self.feeds: dict[str, list[Entry]] = {o.name: [] for o in OUTLETS}
        self.pages: dict[tuple[str, str], bytes] = {}  # (host, path) -> page bytes
        self.served: dict[tuple[str, str], int] = {}  # (outlet, path) -> the cycle its feed first listed it in
        self.listed: dict[int, set[str]] = {}  # cycle -> outlets whose feed answered (200 or 304)
        self.released = {o.name: threading.Event() for o in OUTLETS}  # set: the host answers
        self._fines = 0
        self._serial = 0
        for event in self.released.values():
            event.set()

    # -- the world moving on -----------------------------------------------------------------------------------

    def begin(self, cycle: int) -> list[tuple[Outlet, str]]:
        """Move to `cycle`: publish, re-date, start or end the faults; the (outlet, path) of every new page."""
        self.cycle, self.now = cycle, datetime.now(UTC).replace(microsecond=0)
        new: list[tuple[Outlet, str]] = []
        if cycle == 0:
            for outlet in OUTLETS:
                if not outlet.syndicates:
                    new += [self._publish(outlet, self.now - timedelta(hours=2 + n), plain=True)
                            for n in range(BACKLOG, 0, -1)]
        for outlet in OUTLETS:
            if cycle % outlet.every == 0:
                new.append(self._republish(outlet) if outlet.syndicates else self._publish(outlet, self.now))
            self._restamp(outlet)
        hanging = self.released[HANGING]
        if cycle in self.faults.hang:
            hanging.clear()
        else:
            hanging.set()
        return new

    def _publish(self, outlet: Outlet, when: datetime, plain: bool = False) -> tuple[Outlet, str]:
        self._serial += 1
        sid = f"s{self._serial:05d}"
        fine = None
        if not plain and self.cycle % 2 == 1 and outlet is REPORTERS[(self.cycle // 2) % len(REPORTERS)]:
            fine = self._next_fine()
        foreign = not plain and fine is None and outlet.language == "en" and self.cycle % 5 == 2
        title, paragraphs = self._text(outlet.language, fine, foreign, self._serial)
        story = Story(sid, outlet, f"/{outlet.language}/{self.now:%Y/%m%d}/{sid}.html", title, paragraphs, when,
                      fine)
        self.stories[sid] = story
        return self._list(outlet, story, story.path)

    def _republish(self, outlet: Outlet) -> tuple[Outlet, str]:
        """A copy of the newest story of the next outlet in turn, under this outlet's URL."""
        source = REPORTERS[(self.cycle // outlet.every) % len(REPORTERS)]
        story = self.feeds[source.name][0].story
        path = f"/syndicated/{story.sid}.html"
        story.copies.append((outlet, path))
        return self._list(outlet, story, path)

    def _list(self, outlet: Outlet, story: Story, path: str) -> tuple[Outlet, str]:
        self.feeds[outlet.name].insert(0, Entry(story, path, story.published))
        del self.feeds[outlet.name][FEED_WINDOW:]
        self.pages[(outlet.host, path)] = render_page(outlet, story)
        return outlet, path

    def _restamp(self, outlet: Outlet) -> None:
        """Old items re-dated to now: the feed says they are new, and they are not."""
        old = self.feeds[outlet.name][1:]
        for entry in old if outlet.restamp_all else self.rng.sample(old, min(2, len(old))):
            entry.dated = self.now

    def _next_fine(self) -> Fine:
        """The companies in turn, each fine of a company larger than its last (so never the same action)."""
        rounds, turn = divmod(self._fines, len(COMPANIES))
        self._fines += 1
        return Fine(COMPANIES[turn][0], int(round(FIRST_FINE * FINE_STEP ** rounds, -5)))

    def _text(self, language: str, fine: Fine | None, foreign: bool, seed: int) -> tuple[str, list[str]]:
        filler = [filler_story(seed * 10 + n, 4, language) for n in range(3)]
        if fine is not None:
            title, lead = fine_story(fine, language, self.now.weekday(), seed)
            return title, [lead, *filler]
        if foreign:
            company = FOREIGN[seed % len(FOREIGN)]
            lead = (f"BRUSSELS - The European Commission on {WEEKDAYS_EN[self.now.weekday()]} fined {company} "
                    f"{20 + seed % 400} million euros for breaching EU competition rules in its online services.")
            return f"EU fines {company} over competition rules", [lead, *filler]
        title = filler[0].split("。")[0][:18] if language == "zh" else " ".join(filler[0].split()[:8])
        return title, filler

    # -- what the servers answer --------------------------------------------------------------------------------

    def feed_handler(self, outlet: Outlet) -> Handler:
        """The outlet's feed as it is this cycle: 500 while the outlet is down, nothing while its host hangs."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            if self._hangs(outlet, request):
                return
            if self.faults.is_down(outlet.name, self.cycle):
                send(request, 500, b"Internal Server Error", {"Content-Type": "text/plain"})
                return
            entries = list(self.feeds[outlet.name])
            for entry in entries:
                self.served.setdefault((outlet.name, entry.path), self.cycle)
            self.listed.setdefault(self.cycle, set()).add(outlet.name)
            kind = "application/atom+xml" if outlet.form == "atom" else "application/rss+xml"
            send_cacheable(request, render_feed(outlet, self.base(outlet), entries, self.cycle, self.now), kind)

        return handle

    def page_handler(self, outlet: Outlet, path: str) -> Handler:
        def handle(request: BaseHTTPRequestHandler) -> None:
            if not self._hangs(outlet, request):
                send_cacheable(request, self.pages[(outlet.host, path)], f"text/html; charset={outlet.charset}")

        return handle

    def _hangs(self, outlet: Outlet, request: BaseHTTPRequestHandler) -> bool:
        """Hold the request without a word while the outlet's host hangs (until it answers again)."""
        released = self.released[outlet.name]
        if released.is_set():
            return False
        released.wait(HANG_LIMIT)
        request.close_connection = True
        return True

    def release(self) -> None:
        """Let every held request go (the harness is stopping)."""
        for event in self.released.values():
            event.set()

    # -- what was served ----------------------------------------------------------------------------------------

    def base(self, outlet: Outlet) -> str:
        return f"http://{outlet.host}:{self.port}"

    def served_urls(self, story: Story) -> list[str]:
        """The clean URLs a feed listed the story under: its own, its copies'."""
        return [self.base(outlet) + path for outlet, path in story.places() if (outlet.name, path) in self.served]

    def served_stories(self) -> list[Story]:
        """Every story some feed listed (under its own URL or a copy's)."""
        return [story for story in self.stories.values() if self.served_urls(story)]

    def failing_streaks(self, failing_runs: int, cycles: int) -> list[tuple[int, str]]:
        """(cycle, outlet) for each streak of `failing_runs` cycles in a row, among the first `cycles`, in which the
        outlet's feed did not answer: the failing-feed reports the run should send, at the cycle of each."""
        reached = []
        for outlet in OUTLETS:
            streak = 0
            for cycle in range(cycles):
                streak = 0 if outlet.name in self.listed.get(cycle, set()) else streak + 1
                if streak == failing_runs:
                    reached.append((cycle, outlet.name))
        return reached


def fine_story(fine: Fine, language: str, weekday: int, seed: int) -> tuple[str, str]:
    """(title, lead) of a story reporting `fine`, told as news of this week."""
    violation_en, violation_zh = VIOLATIONS[seed % len(VIOLATIONS)]
    if language == "zh":
        name = dict(COMPANIES)[fine.company]
        amount = f"{fine.amount_cny // 10_000}万元"
        return (f"市场监管总局对{name}处以{amount}罚款",
                f"国家市场监督管理总局{WEEKDAYS_ZH[weekday]}发布消息，依法对{name}{violation_zh}的行为作出行政处罚决定，"
                f"责令其停止违法行为，并处罚款{amount}。")
    amount = f"{fine.amount_cny / 1e6:.1f} million yuan"
    return (f"Regulator fines {fine.company} {amount}",
            f"BEIJING - China's State Administration for Market Regulation on {WEEKDAYS_EN[weekday]} fined "
            f"{fine.company} {amount} for {violation_en}, the regulator said in a statement on its website.")


def render_page(outlet: Outlet, story: Story) -> bytes:
    """The story on `outlet`'s site, with that site's own navigation and footer around it."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    page = (f'<!DOCTYPE html><html lang="{story.outlet.language}"><head><meta charset="{outlet.charset}">'
            f"<title>{html.escape(story.title)} - {outlet.name}</title></head><body>"
            f'<header><a href="/">{outlet.name}</a> <nav><a href="/tech">Tech</a> <a href="/markets">Markets</a>'
            f"</nav></header><main><article><h1>{html.escape(story.title)}</h1>{body}</article></main>"
            f"<aside><h3>Most read</h3><ul><li><a href='/a'>Markets close higher</a></li></ul></aside>"
            f"<footer>Copyright {outlet.name}. All rights reserved.</footer></body></html>")
    return page.encode(outlet.charset)


def render_feed(outlet: Outlet, base: str, entries: Iterable[Entry], cycle: int, now: datetime) -> bytes:
    """RSS 2.0 or Atom, links decorated for this cycle; GUIDs as the outlet gives them (or none)."""
    decoration = outlet.decoration.replace("{cycle}", str(cycle))
    items = []
    for entry in entries:
        link, title = escape(base + entry.path + (f"?{decoration}" if decoration else "")), escape(entry.story.title)
        guid = {"link": base + entry.path, "urn": f"urn:{outlet.name}:{entry.path}"}.get(outlet.guid)
        if outlet.form == "atom":
            items.append(f'<entry><title>{title}</title><link href="{link}"/><id>{escape(guid or link)}</id>'
                         f"<updated>{entry.dated.isoformat()}</updated><summary>{title}</summary></entry>")
        else:
            items.append(f"<item><title>{title}</title><link>{link}</link>"
                         + (f"<guid>{escape(guid)}</guid>" if guid else "")
                         + f"<pubDate>{format_datetime(entry.dated, usegmt=True)}</pubDate>"
                         f"<description>{title}</description></item>")
    if outlet.form == "atom":
        document = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                    f"<title>{outlet.name}</title><id>urn:{outlet.name}</id><updated>{now.isoformat()}</updated>"
                    f"{''.join(items)}</feed>")
    else:
        document = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{outlet.name}'
                    f"</title><link>{base}/</link><description>{outlet.name}</description>{''.join(items)}"
                    f"</channel></rss>")
    return document.encode("utf-8")
