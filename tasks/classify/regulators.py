"""Who acts: Chinese regulators and policy bodies, and foreign ones that are not our news.

Foreign bodies are listed so that the longest match wins where a foreign name
contains a Chinese one (美国证监会 is the US SEC, not 证监会, the CSRC).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import ahocorasick

from tasks.common.text import HAN_CHARS

FOREIGN = "FOREIGN"

# code -> names as written in English and Chinese news (simplified and traditional).
REGULATORS: dict[str, tuple[str, ...]] = {
    "SAMR": (
        "State Administration for Market Regulation", "SAMR", "market regulator", "market watchdog",
        "market regulation authority", "Administration for Market Regulation", "antitrust regulator",
        "anti-monopoly regulator", "antitrust watchdog", "competition regulator", "State Anti-Monopoly Bureau",
        "antitrust authority", "anti-monopoly authority", "antitrust authorities", "competition authority",
        "国家市场监督管理总局", "市场监管总局", "市场监督管理总局", "市场监管局", "市场监督管理局", "市场监管部门",
        "国家反垄断局", "反垄断局", "市場監管總局", "國家市場監督管理總局", "市場監督管理總局", "市場監管局",
        "國家反壟斷局", "市场监管机构", "市場監管部門", "市监总局", "市監總局", "市监局", "市監局",
        "market regulation bureau", "market supervision bureau", "market regulation administration",
        "market supervision administration",
        # machine translations of 国家市场监督管理总局 on translated news sites
        "State Administration of Market Supervision", "General Administration of Market Supervision",
        "State Market Supervision Administration", "State Administration of Market Regulation",
    ),
    "CAC": (
        "Cyberspace Administration of China", "Cyberspace Administration", "CAC", "cyberspace regulator",
        "cyberspace office", "cyberspace affairs office", "Internet Information Office", "cyberspace authorities",
        "internet regulator", "online regulator", "cyberspace watchdog", "internet watchdog", "cybersecurity regulator",
        "Office of the Central Cyberspace Affairs Commission", "国家互联网信息办公室", "国家网信办", "网信办",
        "网信部门", "網信辦", "國家網信辦", "國家互聯網信息辦公室", "网络安全审查办公室", "網絡安全審查辦公室",
    ),
    "PBOC": (
        "People's Bank of China", "People’s Bank of China", "PBOC", "PBoC", "China's central bank",
        "Chinese central bank", "中国人民银行", "人民银行", "央行", "中國人民銀行", "人民銀行", "人行",
    ),
    "CSRC": (
        "China Securities Regulatory Commission", "CSRC", "securities regulator", "securities watchdog",
        "中国证监会", "证监会", "中國證監會", "證監會",
    ),
    "NFRA": ("National Financial Regulatory Administration", "NFRA", "国家金融监督管理总局", "金融监管总局",
             "國家金融監督管理總局",
             # machine translations of 国家金融监督管理总局 on translated news sites
             "State Financial Supervision and Administration Bureau", "State Administration of Financial Supervision",
             "National Administration of Financial Supervision", "General Administration of Financial Supervision",
             "National Financial Supervision and Administration", "State Financial Regulatory Administration"),
    "CBIRC": ("China Banking and Insurance Regulatory Commission", "CBIRC", "banking regulator", "银保监会",
              "中国银保监会", "銀保監會"),
    "MIIT": ("Ministry of Industry and Information Technology", "MIIT", "industry ministry", "工业和信息化部",
             "工信部", "工業和信息化部", "工業和資訊化部"),
    "NDRC": ("National Development and Reform Commission", "NDRC", "state planner", "economic planner", "top planner", "国家发展改革委", "国家发改委",
             "发改委", "發改委", "國家發改委"),
    "SAT": ("State Taxation Administration", "tax authorities", "tax bureau", "国家税务总局", "税务部门", "税务局",
            "國家稅務總局", "稅務局"),
    "MOFCOM": ("Ministry of Commerce", "MOFCOM", "commerce ministry", "商务部", "商務部"),
    "MOE": ("Ministry of Education", "education ministry", "教育部"),
    "NPPA": ("National Press and Publication Administration", "NPPA", "国家新闻出版署", "國家新聞出版署",
             "gaming regulator", "video game regulator", "games regulator", "game regulator", "gaming watchdog",
             "publication regulator", "publishing regulator", "press and publication regulator", "国家新闻出版总署"),
    "MPS": ("Ministry of Public Security", "公安部"),
    # broadcasting, online video and livestreaming; online performances and (before 2018) online games
    "NRTA": ("National Radio and Television Administration", "NRTA", "broadcast regulator", "broadcasting regulator",
             "radio and television regulator", "国家广播电视总局", "国家广电总局", "广电总局", "國家廣播電視總局",
             "國家廣電總局", "廣電總局"),
    "MCT": ("Ministry of Culture and Tourism", "culture ministry", "culture and tourism ministry", "文化和旅游部",
            "文化和旅遊部", "文旅部"),
    "SAFE": ("State Administration of Foreign Exchange", "SAFE", "foreign exchange regulator", "foreign exchange watchdog",
             "国家外汇管理局", "外汇管理局", "外汇局", "國家外匯管理局", "外匯管理局", "外匯局", "外管局"),
    "STATE_COUNCIL": ("State Council", "cabinet", "国务院", "國務院", "Premier Li Qiang", "Li Qiang", "李强", "李強",
                      "Premier Li Keqiang", "李克强", "李克強", "Premier", "Vice Premier", "Vice-Premier",
                      "Liu He", "刘鹤", "劉鶴", "He Lifeng", "何立峰", "Han Zheng", "韩正", "韓正", "副总理", "副總理",
                      "国务院常务会议", "國務院常務會議", "Financial Stability and Development Committee",
                      "金融稳定发展委员会", "金融穩定發展委員會", "金融委", "Anti-Monopoly Commission", "反垄断委员会",
                      "反壟斷委員會",
                      # the Premier delivers it for the State Council, each March at the NPC session
                      "government work report", "Government Work Report", "政府工作报告", "政府工作報告"),
    "POLITBURO": ("Politburo", "Political Bureau", "中央政治局", "政治局", "中共中央", "Communist Party leadership",
                  "Xi Jinping", "习近平", "習近平", "Central Committee", "President Xi", "总书记", "總書記",
                  "Communist Party", "Chinese Communist Party", "ruling party", "中央全面深化改革委员会",
                  "中央全面深化改革委員會", "Central Commission for Comprehensively Deepening Reform", "中央财经委员会",
                  "中央財經委員會", "Central Financial and Economic Affairs Commission"),
    "NPC": ("National People's Congress", "NPC Standing Committee", "top legislature", "top lawmakers", "全国人大", "人大常委会",
            "全國人大", "人大常委會"),
    "CEWC": ("Central Economic Work Conference", "中央经济工作会议", "中央經濟工作會議"),
    "SSE": ("Shanghai Stock Exchange", "Shanghai's stock exchange", "Shanghai’s stock exchange", "STAR Market", "上交所", "上海证券交易所", "上海證券交易所", "科创板", "科創板"),
    "SZSE": ("Shenzhen Stock Exchange", "深交所", "深圳证券交易所"),
    "HKEX": ("Hong Kong stock exchange", "Hong Kong Exchanges", "HKEX", "港交所", "香港交易所"),
    # Unnamed authorities: "Regulators summoned 34 platforms", 有关部门约谈...
    "AUTHORITIES": ("regulators", "Regulators", "financial regulators", "financial regulator", "Chinese regulators",
                    "authorities",
                    "Chinese authorities", "Chinese government", "Chinese officials", "Beijing authorities",
                    "government", "law enforcement", "中国政府", "中國政府", "监管层", "監管層", "政府部门", "政府部門",
                    "执法部门", "執法部門", "central bank", "Central bank", "监管部门", "有关部门", "监管机构", "相关部门",
                    "監管部門", "有關部門", "監管機構", "相關部門", "金融管理部门", "金融管理部門"),
    "COURT": ("Supreme People's Court", "People's Court", "人民法院", "最高法", "中院"),
    FOREIGN: (
        "European Commission", "EU", "European Union", "Brussels", "Federal Trade Commission", "FTC",
        "Securities and Exchange Commission", "SEC", "U.S. Securities", "US Securities", "Department of Justice",
        "Justice Department", "DOJ", "Commerce Department", "Department of Commerce", "U.S. Commerce",
        "Competition and Markets Authority", "CMA", "Korea Fair Trade Commission", "KFTC", "Fair Trade Commission",
        "Japan Fair Trade Commission", "Bundeskartellamt", "CNIL", "Irish Data Protection Commission",
        "Data Protection Commission", "Ofcom", "Indian government", "India's", "New Delhi", "Washington",
        "U.S. regulators", "US regulators", "Treasury", "CFIUS", "Biden administration", "Trump administration",
        "欧盟", "歐盟", "欧洲委员会", "歐洲委員會", "欧委会", "美国证券交易委员会", "美國證券交易委員會", "美国证监会",
        "美國證監會", "美国联邦贸易委员会", "美國聯邦貿易委員會", "美国商务部", "美國商務部", "美国司法部", "印度政府",
        "印度", "韩国公平交易委员会", "日本公平交易委员会", "英国竞争与市场管理局", "美国政府", "美國政府", "白宫",
        "Irish", "Dutch", "French", "German", "Italian", "Turkish", "Indonesian", "Vietnamese", "Indian",
        "Korean", "Japanese", "American", "British", "Australian", "Canadian",
        "法国", "法國", "英国", "英國", "德国", "德國", "日本", "韩国", "韓國", "意大利", "荷兰", "荷蘭", "澳大利亚",
        "澳洲", "加拿大", "土耳其", "越南", "印尼", "新加坡", "巴西", "欧洲", "歐洲", "美方", "美国", "美國",
    ),
}

# Descriptions rather than names: Chinese only when no other country is named just
# before them ("South Korea's antitrust watchdog") and the story is about China.
GENERIC = frozenset({
    "market regulator", "market watchdog", "antitrust regulator", "anti-monopoly regulator", "antitrust watchdog",
    "competition regulator", "cyberspace regulator", "internet regulator", "online regulator", "cyberspace watchdog",
    "antitrust authority", "anti-monopoly authority", "antitrust authorities", "competition authority",
    "economic planner", "top planner",
    "market regulation bureau", "market supervision bureau", "market regulation administration",
    "market supervision administration", "publication regulator", "publishing regulator",
    "cyberspace office", "cyberspace affairs office", "cyberspace authorities",
    "internet watchdog", "cybersecurity regulator", "securities regulator", "securities watchdog",
    "banking regulator", "industry ministry", "state planner", "tax authorities", "tax bureau", "commerce ministry",
    "education ministry", "culture ministry", "culture and tourism ministry", "broadcast regulator",
    "broadcasting regulator", "radio and television regulator", "gaming regulator", "video game regulator", "games regulator", "game regulator",
    "gaming watchdog", "cabinet", "top legislature", "top lawmakers", "Premier", "Vice Premier", "Vice-Premier", "副总理", "副總理",
    "government", "law enforcement", "Communist Party", "ruling party",
    "Ministry of Commerce", "Ministry of Education", "Ministry of Public Security", "State Council",
    "Central Committee", "Treasury", "Politburo", "Political Bureau", "regulators", "Regulators",
    "financial regulators", "financial regulator", "authorities", "central bank", "Central bank",
})
_COUNTRIES = (
    r"(?:Korea|Japan|India|Indian|EU|European|Europe|U\.S\.|US|America|American|Britain|British|UK|U\.K\.|German|"
    r"Germany|France|French|Ital|Turk|Brazil|Australia|Canad|Indonesia|Vietnam|Russia|Singapore|Taiwan|"
    r"Dutch|Netherlands|Irish|Ireland|Spain|Spanish|Mexic|South Africa|Nigeria|Kenya|Pakistan|Bangladesh|"
    r"Malaysia|Thai|Philippine|Swiss|Sweden|Norw|Denmark|Finland|Poland|Israel|Saudi|Emirat|Egypt|Nepal)"
)
_OTHER_COUNTRY = re.compile(_COUNTRIES + r"\w*(?:'s|’s)?\s+(?:\w+\s+){0,2}$")
# ... or just after them: "the government of Indonesia", "regulators in the Netherlands"
_OF_OTHER_COUNTRY = re.compile(r"\s+(?:of|in)\s+(?:the\s+)?" + _COUNTRIES)

# Local offices, by the ending of their name after a place (上海市, 黄浦区): the national body each is a branch
# of (LOCAL: none) and what a reader calls it. The AIC (工商局) was the market regulator's name until 2018.
_LOCAL_OFFICES = (
    ("SAMR", "market regulator", "市场监督管理局|市场监管局|市場監督管理局|市場監管局|工商行政管理局|工商局"),
    ("CAC", "cyberspace office", "网信办|網信辦|互联网信息办公室|互聯網信息辦公室"),
    ("MIIT", "communications administration", "通信管理局"),
    ("LOCAL", "transport bureau", "交通运输局|交通局|运输管理局|道路运输管理所"),
    ("LOCAL", "urban management bureau", "城市管理综合行政执法局"),
    ("LOCAL", "local government", "人民政府|政府办公厅|政府办公室|政府新闻办公室"),
    ("LOCAL", "education bureau", "教育委员会|教委|教育局|教育厅"),
    ("LOCAL", "culture and tourism bureau", "文化和旅游局|文化旅游局|文旅局|文化市场(?:综合|行政)?执法(?:总队|大队|支队)"),
)
# Short Chinese names that are the start of other words when these characters follow: 人行道, 人行横道, 人行天桥.
_WORD_GOES_ON = {"人行": "道横天"}
# A penalty decision addressed to the one penalised (你公司的上述行为…, 现对你单位作出…): a regulator's own notice,
# whose author is the authority acting even where the excerpt does not name it.
_NOTICE_VOICE = re.compile(r"你[（(]?(?:公司|单位|單位)[)）]?(?:的|之)?(?:上述)?(?:行为|行為)"
                           r"|(?:现|現)?(?:对|對)你[（(]?(?:公司|单位|單位)[)）]?(?:作出|處以|处以)"
                           # ... or written in the author's own voice: 我部将依法处置, 本局决定
                           r"|(?:我|本)(?:部|局|委|厅|廳|机关|機關)(?=将|將|决定|決定|依法|责令|責令|要求|对|對)")
# ... and in English: "Shanghai Administration for Market Regulation", "Beijing Administration for Industry and
# Commerce", "Beijing Transport Bureau", "Guangdong Communications Administration".
_LOCAL_OFFICES_EN = (
    ("CAC", "cyberspace office", "Cyberspace"),
    ("MIIT", "communications administration", "Communications"),
    ("LOCAL", "transport bureau", "Transport|Transportation"),
    ("LOCAL", "culture and tourism bureau", "Culture and Tourism|Cultural Market"),
)
_LOCAL = re.compile(
    r"(?:[A-Z][a-z]+ (?:Municipal |Provincial |District )?"
    r"(?:Administration for Market Regulation|market regulator|Administration for Industry and Commerce"
    r"|Market (?:Supervision|Regulation)(?: and Administration| Administration)? (?:Bureau|Administration)"
    r"|(?:" + "|".join(names for _, _, names in _LOCAL_OFFICES_EN) + r") (?:Bureau|Commission|Administration"
    r"|Department|Office)))"
    r"|(?:[" + HAN_CHARS + "]{2,6}(?:省|市|区|區|县|州)(?:" + "|".join(names for _, _, names in _LOCAL_OFFICES) + "))"
)

# "Xi'an orders Didi to ...", "Shanghai fines ...", "Zhejiang has issued opinions on ...": a mainland city or
# province as the actor is its government (Hong Kong, Macau and Taipei are not mainland authorities). Fewer
# verbs than for the country: a city also "launches" things of every kind; a document it issues is policy only
# if the policy cues say so.
_PLACES = (
    r"Shanghai|Shenzhen|Guangzhou|Hangzhou|Xi[’']an|Chengdu|Wuhan|Nanjing|Tianjin|Chongqing|Suzhou|Qingdao"
    r"|Dalian|Xiamen|Zhengzhou|Changsha|Jinan|Hefei|Kunming|Harbin|Shenyang|Fuzhou|Ningbo|Dongguan|Foshan"
    r"|Zhejiang|Guangdong|Jiangsu|Shandong|Fujian|Sichuan|Hubei|Hunan|Henan|Hebei|Anhui|Jiangxi|Shaanxi|Shanxi"
    r"|Yunnan|Guizhou|Liaoning|Jilin|Heilongjiang|Hainan|Gansu|Guangxi"
)
# (No leading \b, here and in _COUNTRY_ACTS: with one, the search tries every name at every word start, five
# times slower; `find` checks the word boundaries of every Latin name it is given.)
# A story is about China when it says so, or names a mainland city or province ("Shanghai Daily": "the Ministry
# of Education said", no country named).
_CHINA = re.compile(r"China|Chinese|Beijing|PRC|中国|中國|国家|國家|我国|我國|内地|內地|" + _PLACES)
_CITY_ACTS = re.compile(
    rf"(?:{_PLACES})(?:\s+(?:city|municipal|provincial)\s+(?:government|authorities))?"
    r"(?=\s+(?:has\s+|have\s+|also\s+|recently\s+)?(?i:fine[sd]?|penali[sz]e[sd]?|order(?:s|ed)?|tell(?:s)?|told|ban(?:s|ned)?|bar(?:s|red)?"
    r"|suspend(?:s|ed)?|halt(?:s|ed)?|prob(?:es|ed)|investigat(?:es|ed)|summon(?:s|ed)?|issu(?:es|ed)"
    r"|releas(?:es|ed)|unveil(?:s|ed)|publish(?:es|ed))\b)"
)

def _local_office(surface: str) -> tuple[str, str]:
    """The code and the reader's word for a local office's name (`_LOCAL` found it)."""
    if surface.isascii():
        return next(((code, kind) for code, kind, names in _LOCAL_OFFICES_EN if re.search(f"\\b(?:{names}) ", surface)),
                    ("SAMR", "market regulator"))
    return next((code, kind) for code, kind, names in _LOCAL_OFFICES if re.search(f"(?:{names})$", surface))


# Every _LOCAL name has "market", "Commerce" or an office's word in it, or Chinese characters: a text with none is
# not searched (the search tried its alternatives at every position, 0.16 ms of a worker's time on an English page).
_LOCAL_HINT = re.compile(f"arket|ommerce|Bureau|Commission|Administration|Department|Office|[{HAN_CHARS}]")
_WORD = re.compile(r"[A-Za-z0-9]")
# "China fines Meituan", "Beijing slaps...", "the government ordered": a country or capital as the actor.
# Each alternative names China, Beijing, 中国/中國 or 内地/內地, all of which _CHINA finds: a text it finds
# nothing in is not searched (the search cost a worker 0.3 ms a page). A new alternative needs a _CHINA word.
_COUNTRY_ACTS = re.compile(
    r"(?:China|Beijing)(?:'s government)?(?=\s+(?:has\s+|have\s+|on\s+\w+\s+|also\s+|now\s+)?"
    r"(?i:fine[sd]?|slap(?:s|ped)?|hit(?:s)?|penali[sz]e[sd]?|order(?:s|ed)?|ban(?:s|ned)?|bar(?:s|red)?|block(?:s|ed)?"
    r"|remov(?:es|ed)|suspend(?:s|ed)?|halt(?:s|ed)?|launch(?:es|ed)?|open(?:s|ed)|prob(?:es|ed)|investigat(?:es|ed)"
    r"|summon(?:s|ed)?|impos(?:es|ed)|levi(?:es|ed)|issu(?:es|ed)|unveil(?:s|ed)|tighten(?:s|ed)?|eas(?:es|ed)"
    r"|pledg(?:es|ed)|vow(?:s|ed)|curb(?:s|ed)?|cap(?:s|ped)|limit(?:s|ed)?|restrict(?:s|ed)?)\b)"
    # 内地向阿里巴巴开出罚单: the mainland (as Hong Kong writes) or the country as the actor
    r"|(?:中国|中國|内地|內地)(?:当局|當局|政府|监管机构|監管機構)?(?=向|对|對)"
    # "China's shock, last-minute decision to suspend ...": the action named as the country's decision
    r"|(?:China|Beijing)['’]s\s+(?:[\w-]+,?\s+){0,4}(?:decision|move|order|ruling|orders)\s+(?:to|that)\b"
)


def _ascii_lower(text: str) -> str:
    """`text` with A-Z lowered and every other character left as it is, so positions stay the same.

    bytes.lower() lowers ASCII letters only, and UTF-8 writes every other character in bytes above 0x7F,
    which it leaves alone: 40 times faster than str.translate with a table, on every text classified."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class RegulatorName:
    """How a person reads a regulator's name: "the State Administration for Market Regulation (SAMR)"."""

    name: str
    acronym: str | None = None  # what English news calls it for short, where it has one
    article: str = "the"  # "by the State Council", "by regulators" (none), "by a local market regulator"

    @property
    def full(self) -> str:
        """The name with its acronym: for the Regulator field and the history table."""
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short(self) -> str:
        """The acronym, or the name: for one-line context ("largest fine by SAMR since 2021")."""
        return self.acronym or self.name

    def by(self, short: bool = False) -> str:
        """The phrase that closes a notification: "by the State Council"."""
        shown = self.short if short and self.acronym else self.full
        return " ".join(p for p in ("by", self.article, shown) if p)


# The one table of what each code is called in front of a person: Slack, the console, history and context
# all read it. Codes that stand for no one body (AUTHORITIES, COURT) show the words the story used instead.
DISPLAY_NAMES: dict[str, RegulatorName] = {
    "SAMR": RegulatorName("State Administration for Market Regulation", "SAMR"),
    "CAC": RegulatorName("Cyberspace Administration of China", "CAC"),
    "PBOC": RegulatorName("People's Bank of China", "PBOC"),
    "CSRC": RegulatorName("China Securities Regulatory Commission", "CSRC"),
    "NFRA": RegulatorName("National Financial Regulatory Administration", "NFRA"),
    "CBIRC": RegulatorName("China Banking and Insurance Regulatory Commission", "CBIRC"),
    "MIIT": RegulatorName("Ministry of Industry and Information Technology", "MIIT"),
    "NDRC": RegulatorName("National Development and Reform Commission", "NDRC"),
    "SAT": RegulatorName("State Taxation Administration"),
    "MOFCOM": RegulatorName("Ministry of Commerce", "MOFCOM"),
    "MOE": RegulatorName("Ministry of Education"),
    "NPPA": RegulatorName("National Press and Publication Administration", "NPPA"),
    "MPS": RegulatorName("Ministry of Public Security"),
    "NRTA": RegulatorName("National Radio and Television Administration", "NRTA"),
    "MCT": RegulatorName("Ministry of Culture and Tourism"),
    "SAFE": RegulatorName("State Administration of Foreign Exchange", "SAFE"),
    "STATE_COUNCIL": RegulatorName("State Council"),
    "POLITBURO": RegulatorName("Politburo"),
    "NPC": RegulatorName("National People's Congress", "NPC"),
    "CEWC": RegulatorName("Central Economic Work Conference"),
    "SSE": RegulatorName("Shanghai Stock Exchange"),
    "SZSE": RegulatorName("Shenzhen Stock Exchange"),
    "HKEX": RegulatorName("Hong Kong stock exchange", "HKEX"),
}
# No one national body: shown by the story's own words, or not at all (LOCAL: a local office of no national
# body's, a transport or a culture bureau).
UNNAMED = ("AUTHORITIES", "COURT", "LOCAL", FOREIGN)
_THE = ("government", "central bank", "court")  # "by the government", but "by regulators", "by Beijing"


def display_regulator(code: str | None, surface: str | None = None) -> RegulatorName | None:
    """What to call the regulator of an event whose code is `code` and whose story wrote `surface`.

    A local office (上海市市场监管局, "Shanghai Administration for Market Regulation") is not the national
    body its code files it under: it is named as written. Unnamed authorities are shown by the story's
    English words ("Chinese regulators") or not at all: never by an internal code.
    """
    surface = (surface or "").strip()
    if surface and _LOCAL.fullmatch(surface) and surface not in REGULATORS.get(code or "", ()):
        if surface.isascii():
            return RegulatorName(surface)
        return RegulatorName(f"local {_local_office(surface)[1]} ({surface})", article="a")
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    if surface and surface.isascii() and any(c.isalpha() for c in surface):
        article = "the" if surface.lower().endswith(_THE) else ""
        return RegulatorName(surface, article=article)
    return None


def _folds(name: str) -> bool:
    """English names of several words match in any case ("Shanghai stock exchange"); one-word names and
    acronyms only as written ("premier" is an adjective, "Premier" the head of government)."""
    return name.isascii() and " " in name


@dataclass(frozen=True)
class RegulatorMention:
    code: str
    surface: str
    start: int
    end: int
    local: bool = False


class RegulatorFinder:
    """Longest-match dictionary lookup of regulators, Chinese and foreign."""

    def __init__(self) -> None:
        self._exact = ahocorasick.Automaton()
        self._folded = ahocorasick.Automaton()
        for code, names in REGULATORS.items():
            for name in names:
                if _folds(name):
                    self._folded.add_word(_ascii_lower(name), (code, name))
                else:
                    self._exact.add_word(name, (code, name))
        self._exact.make_automaton()
        self._folded.make_automaton()

    def _names(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """(code, canonical name, start, end) of every listed name, in any case where it folds."""
        for automaton, haystack in ((self._exact, text), (self._folded, _ascii_lower(text))):
            for end_index, (code, name) in automaton.iter(haystack):
                yield code, name, end_index + 1 - len(name), end_index + 1
        if _CHINA.search(text):  # every _COUNTRY_ACTS names China, Beijing, 中国 or 内地: a search per position spared
            for match in _COUNTRY_ACTS.finditer(text):
                yield "AUTHORITIES", "government", match.start(), match.end()
        for match in _CITY_ACTS.finditer(text):
            yield "LOCAL", match.group(0), match.start(), match.end()
        if "你" in text or "我" in text or "本" in text:
            for match in _NOTICE_VOICE.finditer(text):
                yield "AUTHORITIES", match.group(0), match.start(), match.end()

    def find(self, text: str) -> list[RegulatorMention]:
        found: list[RegulatorMention] = []
        china = bool(_CHINA.search(text))
        for code, name, start, end in self._names(text):
            if name.isascii():
                before = text[start - 1] if start else " "
                after = text[end] if end < len(text) else " "
                if _WORD.match(before) or _WORD.match(after):
                    continue
            if code == FOREIGN and text[end:end + 1] in ("語", "语"):
                continue  # 日本語 in a site's language menu is a language, not Japan acting
            if text[end:end + 1] in _WORD_GOES_ON.get(name, ""):
                continue  # 人行道 is a pavement, not the central bank (人行)
            if code != FOREIGN and name in GENERIC and (
                _OTHER_COUNTRY.search(text[max(0, start - 40):start]) or _OF_OTHER_COUNTRY.match(text, end) or not china
            ):
                code = FOREIGN
            found.append(RegulatorMention(code, text[start:end], start, end))
        for match in _LOCAL.finditer(text) if _LOCAL_HINT.search(text) else ():
            found.append(RegulatorMention(_local_office(match.group(0))[0], match.group(0), match.start(), match.end(),
                                          local=True))
        if any(m.code == FOREIGN for m in found):
            # "the authorities" in a story that names a foreign regulator are that regulator; "Chinese
            # regulators", 中国当局 are not
            found = [RegulatorMention(FOREIGN, m.surface, m.start, m.end)
                     if m.code == "AUTHORITIES" and not _CHINA.search(m.surface) else m for m in found]
        kept: list[RegulatorMention] = []
        for mention in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept
