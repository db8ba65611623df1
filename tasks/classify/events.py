"""Regulatory events in a story: fines, policy shifts, probes, IPO and merger blocks,
app removals and rectification orders, in English and Chinese.

Rules over sentences, chosen because they are explainable (every event carries
the sentence that produced it) and were measured on the labelled set in
`tests/data/labelled/` (`regwatch eval`). A sentence yields an event when:
- it has a trigger for the kind (fined / 罚款, probe / 立案调查, ...);
- a Chinese authority acts in it, or in the sentence just before, and no
  foreign regulator does instead (an EU fine on Google is not our news);
- it concerns the tech sector: a tracked company, or sector words;
- it is not a recap: no older year or date than the article's, no "which was
  fined", "last year", 此前, 曾 ...
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tasks.classify.companies import CompanyMatch
from tasks.classify.currency import Rates
from tasks.classify.money import Money, find_money
from tasks.classify.regulators import FOREIGN, RegulatorFinder, RegulatorMention
from tasks.common.text import Sentence, split_sentences

KINDS = ("fine", "policy_shift", "investigation", "ipo_block", "merger_block", "app_removal", "rectification")


def _re(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


TRIGGERS: dict[str, re.Pattern[str]] = {
    "fine": _re(
        r"\bfin(?:ed|es|ing)\b", r"\bfine\b(?!-tun)", r"\bpenalt(?:y|ies)\b", r"\bpenali[sz](?:ed|es|ing)\b",
        r"\bconfiscat\w*", r"\bordered to pay\b", r"\bslapped\b",
        r"罚款", r"罚没", r"罰款", r"罰沒", r"被[罚罰]", r"罚金", r"没收违法所得", r"沒收違法所得", r"处以.{0,20}罚", r"處以.{0,20}罰",
    ),
    "investigation": _re(
        r"\binvestigat(?:e|es|ed|ing|ion|ions)\b", r"\bprob(?:e|es|ed|ing)\b", r"\bcybersecurity review\b",
        r"\bsecurity review\b", r"\bantitrust review\b", r"\binquiry\b", r"\blaunched a review\b",
        r"立案调查", r"立案調查", r"网络安全审查", r"網絡安全審查", r"網路安全審查", r"展开调查", r"展開調查", r"开展调查",
        r"開展調查", r"进行调查", r"進行調查", r"啟動調查", r"启动调查", r"反垄断调查", r"反壟斷調查", r"(?:对|對).{1,20}(?:调查|調查)",
        r"(?:反垄断|反壟斷|安全)审查", r"(?:反垄断|反壟斷|安全)審查",
    ),
    "ipo_block": _re(
        r"\b(?:IPO|initial public offering|listing|flotation|share sale|debut)\b[^.;]{0,80}?"
        r"\b(?:suspend|halt|postpone|delay|block|shelve|call(?:ed)? off|scrap|derail|pull|put on hold|die|died|kill|collaps"
        r"|sank|sink|torpedo)\w*",
        r"\b(?:suspend|halt|postpone|delay|block|shelve|scrap|derail)\w*\b[^.;]{0,60}?"
        r"\b(?:IPO|initial public offering|listing|flotation)\b",
        r"暂缓上市", r"暫緩上市", r"暂停上市", r"暂缓.{0,12}上市", r"暫緩.{0,12}上市", r"叫停.{0,12}(?:IPO|上市)",
        r"中止.{0,8}上市", r"(?:IPO|上市).{0,12}(?:暂缓|叫停|中止|暫緩|推迟|推遲|延迟|延遲)",
        r"(?:推迟|推遲|延迟|延遲|暂停|暫停).{0,10}(?:上市|IPO)",
    ),
    "merger_block": _re(
        r"\b(?:block|prohibit|ban|veto|reject)\w*\b[^.;]{0,60}?\b(?:merger|acquisition|tie-up|combination|takeover)",
        r"\b(?:merger|acquisition|tie-up|takeover)\b[^.;]{0,40}?\b(?:blocked|prohibited|vetoed|rejected)\b",
        r"\b(?:said no to|nixed|torpedoed)\b[^.;]{0,60}?\b(?:merge|merger|fold|combine|combination|tie-up|takeover)",
        r"禁止.{0,25}(?:合并|經營者集中|经营者集中|合併|收购|收購)", r"(?:合并|合併).{0,12}(?:被禁止|叫停)",
    ),
    "app_removal": _re(
        r"\b(?:remov|pull|delist|tak)\w*\b[^.;]{0,50}?\bapp ?stores?\b",
        r"\bapps?\b[^.;]{0,40}?\b(?:removed|pulled|taken down|taken off)\b",
        r"\b(?:remove|removal of)\b[^.;]{0,30}?\bapps?\b",
        r"\bapp ?stores?\b[^.;]{0,30}?\b(?:stop|cease)\w* (?:offering|distributing|carrying|listing)",
        r"\bapps?\b[^.;]{0,30}?\boff (?:the )?(?:app )?stores\b",
        r"\bapp ?stores?\b[^.;]{0,30}?\b(?:take|took|taken|takes) down\b",
        r"\b(?:suspend|halt|stop)\w*\b[^.;]{0,30}?\bnew (?:user )?(?:registrations?|sign-?ups|users)\b",
        r"下架.{0,12}(?:App|APP|应用|應用|程序|软件|軟件)", r"(?:App|APP|应用|應用|程序|软件|軟件).{0,12}下架",
        r"暂停新用户注册", r"停止新用户注册", r"暫停新用戶註冊", r"暂停.{0,6}新用户注册", r"暫停.{0,6}新用戶註冊",
    ),
    "rectification": _re(
        r"\brectif\w+", r"\bsummon(?:ed|s)?\b", r"\bcorrective\b",
        r"\b(?:ordered|told|instructed|required|asked)\b[^.;]{0,60}?\bto (?:fix|correct|overhaul|restructure|stop|end|submit"
        r"|give up|halt|return|unwind|divest|sell|cancel|terminate|scrap|remedy|rectify)\b",
        r"\bmust (?:end|stop|give up|submit|terminate|scrap|unwind)\b",
        r"\btold\b[^.;]{0,30}?\bto (?:fix|correct|overhaul)\b", r"\bmust (?:fix|correct)\b", r"\bfor approval\b",
        r"(?:责令|責令|要求|约谈|約談|督促|限期|提出|部署)[^。；]{0,20}整改", r"整改要求",
        r"要求[^。；]{0,30}(?:须|須|必须|必須|需经|需經|先经|先經|暂停|暫停|停止|送检|送檢)", r"约谈", r"約談", r"责令.{0,6}改正", r"責令.{0,6}改正", r"限期改正", r"责令.{0,20}(?:解除|停止|恢复|终止)",
        r"責令.{0,20}(?:解除|停止|恢復|終止)",
    ),
    "policy_shift": _re(
        r"\b(?:rules?|regulations?|guidelines?|draft|law|measures|provisions|polic(?:y|ies)|framework|directive"
        r"|opinions|plan|crackdown|campaign|supervision|oversight)\b",
        r"\bplatform economy\b", r"\bsupport(?:s|ed|ing)? (?:the )?(?:healthy )?development\b",
        r"\bfreeze\b", r"\b(?:game |gaming )?(?:licen[cs]es|approvals)\b", r"版号", r"版號", r"\brequirements?\b",
        r"\bwill (?:be )?(?:allowed|required|banned|barred|limited|restricted)\b", r"\bsymposium\b", r"\bmeeting\b",
        r"\b(?:restrict|ban|limit|require|prohibit)s?\b", r"会议", r"會議", r"座谈会", r"座談會",
        r"规定", r"规範", r"規定", r"办法", r"辦法", r"指南", r"意见", r"意見", r"草案", r"征求意见稿", r"徵求意見稿",
        r"《[^》]{2,40}》", r"政策", r"平台经济", r"平台經濟", r"常态化监管", r"常態化監管",
    ),
}

# Words showing that something was issued, said or decided (policy shifts need one).
POLICY_ACTION = _re(
    r"\b(?:issued|issues|unveil\w*|released|releases|published|publishes|passed|passes|adopted|approved|took effect"
    r"|take effect|takes effect|introduc\w+|propos\w+|announc\w+|pledg\w+|vow\w*|signal\w*|said|says|will|calls? for"
    r"|called for|urged|launched|rolled out|finaliz\w+|finalis\w+|withdr[ae]w\w*|scrapp\w+|eas\w+|relax\w+|tighten\w*"
    r"|stepped up|step up|ended|ends|ending|outlin\w+|set out|sets out|vowed|promised|effective|approved|resum\w+"
    r"|lift\w*|granted|would|could|held|hold|met|meets|praised|praising|told|encourag\w+|urg\w+|allow\w*|limit\w*"
    r"|restrict\w*|ban\w*|requir\w+)\b",
    r"发布", r"發布", r"印发", r"印發", r"出台", r"通过", r"通過", r"施行", r"实施", r"實施", r"公布", r"征求意见", r"徵求意見",
    r"提出", r"强调", r"強調", r"表示", r"指出", r"要求", r"召开", r"召開", r"撤回", r"删除", r"刪除", r"放宽", r"放寬",
    r"明确", r"明確", r"部署", r"起施行", r"正式", r"宣布", r"支持", r"鼓励", r"鼓勵", r"推动", r"推動", r"促进", r"促進",
    r"提升", r"举行", r"舉行", r"落实", r"落實",
)

SECTOR = _re(
    r"\bplatform\w*", r"\binternet\b", r"\bonline\b", r"\bgam(?:e|es|ing)\b", r"\bvideo games?\b", r"\btutoring\b",
    r"\bafter-school\b", r"\bedtech\b", r"\beducation\b", r"\bdata\b", r"\balgorithm\w*", r"\bAI\b",
    r"\bartificial intelligence\b", r"\bgenerative\b", r"\bfintech\b", r"\btech\w*", r"\be-commerce\b",
    r"\bapps?\b", r"\bride-hailing\b", r"\bdelivery\b", r"\bchip\w*", r"\bsemiconductor\w*", r"\bdatabase\b",
    r"\bcybersecurity\b", r"\bpersonal information\b", r"\bprivacy\b", r"\blive-?stream\w*", r"\bsocial media\b",
    r"\bsearch engine\b", r"\bpayments?\b", r"\bmicro-?lend\w*", r"\bcloud\b", r"\bsoftware\b", r"\boverseas listings?\b",
    r"\bvariable interest\b", r"\bVIE\b", r"\bstreaming\b", r"\bmusic\b", r"\bcontent\b", r"\bwebsites?\b",
    r"平台", r"互联网", r"互聯網", r"网络", r"網絡", r"網路", r"线上", r"在线", r"游戏", r"遊戲", r"校外培训", r"校外培訓",
    r"双减", r"雙減", r"教育", r"数据", r"數據", r"資料", r"算法", r"演算法", r"人工智能", r"生成式", r"金融科技", r"科技",
    r"电商", r"電商", r"App", r"APP", r"应用", r"網約車", r"网约车", r"外卖", r"外賣", r"芯片", r"晶片", r"半导体", r"半導體",
    r"个人信息", r"個人信息", r"個人資訊", r"境外上市", r"直播", r"支付", r"知网", r"知網", r"数据库", r"資料庫", r"软件", r"軟件",
    r"云", r"雲", r"出行", r"货运", r"貨運", r"招聘", r"音乐", r"音樂", r"版权", r"版權", r"信息", r"资讯",
    # Foreign tech companies Chinese regulators act on (probes of Nvidia, Qualcomm, Google, Micron).
    r"\b(?:Google|Apple|Microsoft|Amazon|Meta|Facebook|Nvidia|Qualcomm|Intel|Micron|Tesla|Samsung|Broadcom)\b",
    r"谷歌", r"苹果公司", r"蘋果公司", r"微软", r"微軟", r"亚马逊", r"亞馬遜", r"英伟达", r"輝達", r"英偉達", r"高通", r"英特尔",
    r"英特爾", r"美光", r"特斯拉", r"三星", r"博通",
)

EASE = _re(
    r"\bsupport\w*", r"\beas(?:e|ed|es|ing)\b", r"\brelax\w*", r"\bloosen\w*", r"\bencourag\w+", r"\bboost\w*",
    r"\bhealthy development\b", r"\bwithdr[ae]w\w*", r"\bscrap\w*", r"\bend(?:ed|s)? (?:the )?(?:crackdown|rectification)",
    r"\bnormali[sz]ed supervision\b", r"\bpromot\w+", r"\bconfidence\b", r"\bback(?:ing|ed)?\b", r"\bturn(?:ed)? the page\b",
    r"\bexempt\w*", r"\bfewer\b", r"\blighter\b", r"\bsoften\w*", r"\brevive\b", r"\bgrowth\b",
    r"\bresum\w+", r"\blift\w*", r"\bending (?:a|the) freeze\b", r"\bapproved\b", r"恢复", r"恢復", r"发放", r"發放",
    r"支持", r"放宽", r"放寬", r"促进", r"促進", r"鼓励", r"鼓勵", r"松绑", r"鬆綁", r"撤回", r"健康发展", r"健康發展",
    r"常态化监管", r"常態化監管", r"提振", r"信心", r"删除", r"刪除", r"豁免", r"便利", r"优化", r"優化", r"规范健康",
)
TIGHTEN = _re(
    r"\btighten\w*", r"\bcurb\w*", r"\bcrack(?:ing|s)? down\b", r"\bcrackdown\b", r"\brestrict\w*", r"\bban\w*",
    r"\blimit\w*", r"\bstricter\b", r"\banti-?monopoly\b", r"\bprohibit\w*", r"\bstep(?:ped)? up\b", r"\brein\w* in\b",
    r"\bclamp\w* down\b", r"\bpenalt\w+", r"\bforbid\w*", r"\brequir\w+", r"\bcontrols?\b", r"\bstrict\w*",
    r"\bcap(?:s|ped)?\b", r"\bbarred\b", r"\bmust\b", r"\bscrutiny\b",
    r"加强", r"加強", r"限制", r"禁止", r"整治", r"严格", r"嚴格", r"规范", r"規範", r"反垄断", r"反壟斷", r"收紧", r"收緊",
    r"不得", r"严禁", r"嚴禁", r"防止", r"遏制", r"打击", r"打擊", r"监管", r"监督", r"限时", r"限時",
)

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_EN_DATE = re.compile(
    r"\b(?:in|since|during|from|back in|as of|until|on|by|of)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?:(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},?)?\s+)?(?P<year>(?:19|20)\d\d)\b(?!\s+(?:domestic |annual |full-year )?(?:sales|revenue|turnover))"
    r"|\b(?P<month2>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},?)?\s+(?P<year2>(?:19|20)\d\d)\b"
)
_EN_MONTH_ONLY = re.compile(
    r"\b(?:in|since|during|from|back in|until|by)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)"
)
_ZH_MONTH_ONLY = re.compile(r"(?<![\d年])(?:今年|去年)?(?P<month>\d{1,2})\s*月(?!\d)")
_ZH_DATE = re.compile(
    r"(?:于|於|在|自|从|從|早在|至)?(?P<year>(?:19|20)\d\d)\s*年(?:\s*(?P<month>\d{1,2})\s*月)?(?!度|全年|中国境内|中國境內|销售|銷售|营收|營收)"
)
RECAP = _re(
    r"\blast year\b", r"\ba year ago\b", r"\byears ago\b", r"\byears earlier\b", r"\ba year earlier\b",
    r"\bpreviously\b", r"\bwhich was (?:fined|hit|penalized|penalised|ordered|probed)\b", r"\bthat was (?:fined|hit)\b",
    r"\bwho was (?:fined|hit)\b", r"\bhad been (?:fined|hit|ordered|probed|investigated)\b",
    r"\bafter (?:being|it was|it had been) (?:fined|hit|penali[sz]ed)\b", r"\bsince (?:being|it was) fined\b",
    r"\bonce fined\b", r"\brecord fine it\b", r"\bits (?:\d{4} |earlier |previous |record )?(?:fine|penalty)\b",
    r"\bthe (?:\d{4} )?(?:record )?(?:fine|penalty) (?:it|imposed on it)\b", r"\bwas fined\b[^.;]{0,60}\bin (?:19|20)\d\d\b",
    r"\bstill\b[^.;]{0,30}\brecover", r"\bin the wake of\b", r"\bsince the crackdown\b", r"\bcrackdown that\b",
    r",\s*(?:which was |once )?fined\b(?:[^,]|,\d){0,60},\s", r"\b(?:was|were|had been) then\b",
    r"\b(?:months?|years?) (?:after|before|earlier)\b", r"\b(?:comes?|came|coming)\b[^.;]{0,40}\bafter\b",
    r"\b(?:days?|weeks?) ago\b", r"\bfor (?:a|one|two|three|several|\d+) (?:years?|months?)\b", r"\bhad already\b", r"\blast (?:week|month)\b", r"\bearlier this (?:week|month|year)\b",
    r"\bsince then\b", r"[一二三四五六七八九十两兩几幾\d]+\s*(?:天|日|周|週|个月|個月|月|星期)前", r"本月初", r"上周", r"上週",
    r"上个月", r"上個月",
    r"曾", r"此前", r"去年", r"前年", r"早前", r"早在", r"年前", r"以来", r"以來", r"当年", r"當年", r"彼时", r"彼時",
    r"此後", r"之前", r"被罚后", r"被罰後", r"受罚后", r"罚款后", r"回顾", r"回顧", r"回看", r"过去[一二三四五两几\d]+年",
    r"過去[一二三四五兩幾\d]+年",
)
_EACH = _re(r"\beach\b", r"\brespectively\b", r"\bapiece\b", r"各", r"分别", r"分別", r"均被")
_CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")
_NOT_AMOUNT_BEFORE = _re(r"(?:revenue|sales|turnover|income|profit|valuation|worth|market value|revenues)\W{0,3}(?:of|at|was|were|totall?ing)?\W{0,3}$",
                         r"(?:销售额|銷售額|营业额|營業額|收入|营收|營收|利润|利潤|市值|估值)\D{0,3}$")
_REVENUE = _re(r"\b(?:revenue|revenues|sales|turnover)\b", r"销售额|銷售額|营业额|營業額|营收|營收")
_COMPARISON = _re(r"\b(?:times|than|compared with|versus|dwarf\w*|exceed\w*|eclips\w*|beyond)\s+(?:the\s+|a\s+)?(?:record\s+)?$",
                  r"(?:超过|超過|高于|高於|相比|是)\s*$")
_HYPOTHETICAL = _re(
    r"\b(?:face|faces|facing|risk|risks|could|can|may|might|would|will|shall)\s+(?:be\s+)?(?:\w+\s+)?(?:fines?|fined|penalt)",
    r"\bup to\b", r"\bas much as\b", r"\bmaximum\b", r"最高", r"可处", r"可處", r"将被处以", r"將被處以", r"不超过", r"以下罚款",
)
_PERSON_ROLE = _re(r"\b(?:founder|chief executive|CEO|president|chairman|chairwoman|executives?|director|manager|officials?)\b",
                   r"董事长|董事長|总裁|總裁|创始人|創始人|高管|负责人|負責人|首席执行官|首席執行官")
_NOT_AMOUNT_AFTER = _re(r"^\s*(?:in (?:annual |domestic )?(?:revenue|sales)|of (?:revenue|sales)|的?销售额|\d+(?:\.\d+)?%)")
# An untracked company named after the trigger: "a probe into Google", "fined CNKI",
# "a cybersecurity review of products sold by US chipmaker Micron Technology".
_UNTRACKED_EN = re.compile(r"\b(?P<name>[A-Z][A-Za-z0-9&\-]+(?:\s+(?:[A-Z][A-Za-z0-9&\-]+|of|and)){0,3})")
_UNTRACKED_ZH = re.compile(
    r"[对對](?P<name>[\u4e00-\u9fffA-Za-z（）()]{2,16}?)(?:公司)?"
    r"(?:作出|處以|处以|立案|实施|實施|启动|啟動|开展|開展|进行|進行|依法|罚款|罰款|予以)"
)
_GENERIC_NAMES = {
    "The", "China", "Chinese", "Beijing", "State", "Administration", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "It", "Its", "This", "That", "A", "An", "US", "U.S.", "American", "EU", "European",
    "Japanese", "Korean", "Taiwanese", "Dutch", "German", "British", "Anti-Monopoly", "Law", "Cybersecurity",
    "Review", "Office", "Market", "Regulation", "SAMR", "CAC", "PBOC", "CSRC", "MIIT", "Ministry", "Commission",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Shanghai", "Shenzhen", "Hong", "Kong", "Hangzhou", "Mr", "Ms", "In", "On", "For", "With", "As",
    "Measures", "Rules", "Regulations", "Provisions", "Guidelines", "Revised", "Draft", "Internet", "Platform",
    "Firms", "Companies", "Cyberspace", "Platforms", "Operators", "Authorities", "Regulators", "Officials", "Apps",
}


@dataclass
class Event:
    """One regulatory action a story reports, with the sentence that shows it."""

    kind: str
    evidence: str
    companies: list[str] = field(default_factory=list)  # canonical names, or names as written if untracked
    company_ids: list[str] = field(default_factory=list)
    regulator: str | None = None
    regulator_text: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    amount_text: str | None = None
    amount_cny: float | None = None
    amount_usd: float | None = None
    direction: str | None = None
    sector: str | None = None
    reason: str | None = None
    per_case: bool = False  # "500,000 yuan per case": superseded by a company's stated total


def _reference_date(text: str, published: date | None) -> date | None:
    """The article's date, or failing that the end of the latest year the text mentions."""
    if published:
        return published
    years = [int(m.group("year") or m.group("year2")) for m in _EN_DATE.finditer(text)]
    years += [int(m.group("year")) for m in _ZH_DATE.finditer(text)]
    return date(max(years), 12, 31) if years else None


def _is_recap(sentence: str, reference: date | None, exact: bool = True) -> bool:
    """True when the sentence tells of the past: recap words, or a date well before the article's."""
    if RECAP.search(sentence):
        return True
    if reference is None:
        return False
    for pattern in (_EN_DATE, _ZH_DATE):
        for match in pattern.finditer(sentence):
            groups = match.groupdict()
            year = int(groups.get("year") or groups["year2"])
            month_text = groups.get("month") or groups.get("month2")
            if month_text and not month_text.isdigit():
                month = _MONTHS[month_text.lower()]
            elif month_text:
                month = max(1, min(12, int(month_text)))
            else:
                month = None
            if month is None:
                if year < reference.year:
                    return True
            elif (reference.year - year) * 12 + (reference.month - month) >= 2:
                return True
    for pattern in (_EN_MONTH_ONLY, _ZH_MONTH_ONLY) if exact else ():
        for match in pattern.finditer(sentence):
            text = match.group("month")
            month = int(text) if text.isdigit() else _MONTHS[text.lower()]
            if 1 <= month <= 12 and (reference.month - month) % 12 >= 2:
                return True
    return False


def _chinese_regulators(mentions: list[RegulatorMention]) -> list[RegulatorMention]:
    """Chinese bodies in a sentence, named ones before "the regulators"."""
    return sorted((m for m in mentions if m.code != FOREIGN), key=lambda m: m.code == "AUTHORITIES")


def _describes_revenue(lead: str) -> bool:
    """A sales or revenue word before the amount, with no fine word between them."""
    revenue = _REVENUE.search(lead)
    return revenue is not None and not TRIGGERS["fine"].search(lead[revenue.end():])


def _choose_amount(sentence: Sentence, trigger: re.Match[str], amounts: list[Money],
                   reference: date | None = None, exact: bool = False) -> Money | None:
    """The fine's amount: the one nearest after the trigger, else nearest before; not revenue, a
    percentage, a comparison ("three times the 6.09 billion yuan Qualcomm paid") or a recap."""
    usable = []
    for money in amounts:
        before = sentence.text[max(0, money.start - 40):money.start]
        after = sentence.text[money.end:money.end + 30]
        if _NOT_AMOUNT_BEFORE.search(before) or _NOT_AMOUNT_AFTER.search(after) or _COMPARISON.search(before):
            continue
        if _describes_revenue(sentence.text[max(0, money.start - 90):money.start]):
            continue  # "... 4% of domestic sales, which totalled 455.71 billion yuan"
        if money.start > trigger.end() and _is_recap_at(sentence.text, money.start, reference, exact):
            continue
        if before.rstrip().endswith(("(", "（", "about", "around", "approximately", "约合", "約合", "or", "equivalent to")) \
                and any(m.end <= money.start for m in amounts):
            continue  # a conversion of the amount just before it
        usable.append(money)
    before_trigger = [m for m in usable if m.end <= trigger.start() and trigger.start() - m.end <= 60]
    if _CJK_TEXT.search(sentence.text) and before_trigger and trigger.start() - before_trigger[-1].end <= 12:
        return before_trigger[-1]  # 处80.26亿元罚款: Chinese puts the amount just before the word
    after_trigger = [m for m in usable if m.start >= trigger.start() and m.start - trigger.end() <= 80]
    if after_trigger:
        return after_trigger[0]
    if before_trigger:
        return before_trigger[-1]
    return usable[0] if usable else None


def _targets(sentence: Sentence, trigger: re.Match[str], companies: list[CompanyMatch], kind: str) -> list[CompanyMatch]:
    """The companies a trigger acts on: all for "each"/各; else the nearest, preferring the one acted on."""
    if not companies:
        return []
    unique = list({m.company_id: m for m in companies}.values())
    if len(unique) == 1 or _EACH.search(sentence.text) or kind in ("rectification", "app_removal", "investigation"):
        return unique
    position = trigger.start()
    after = [m for m in companies if m.start >= trigger.end()]
    before = [m for m in companies if m.end <= position]
    passive = re.search(r"\b(?:was|were|been|being|be|is|are|got|get|gets)\s+(?:\w+\s+)?$",
                        sentence.text[max(0, position - 25):position])
    chinese = bool(re.search(r"[\u4e00-\u9fff]", sentence.text))
    if chinese:
        dui = sentence.text.rfind("对", 0, position)
        if dui == -1:
            dui = sentence.text.rfind("對", 0, position)
        between = [m for m in before if m.start > dui] if dui != -1 else []
        if between:
            return [between[0]]
    elif (passive or (before and position - before[-1].end <= 2)) and before:
        return [before[-1]]  # "Alibaba was fined ..." and the headline's "Ant fined 7.12 billion yuan"
    elif after and after[0].start - trigger.end() < 60:
        return [after[0]]
    if before:
        return [before[-1]]
    return [after[0]] if after else unique[:1]  # a name overlapping the trigger itself


_ZH_NAME_END = re.compile(r"(?:滥用|濫用|涉嫌|实施|實施|未依法|违法|違法|违规|違規|的|在|等)")


_PASSIVE_SUBJECT = re.compile(
    r"(?P<name>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,3}) (?:was|were|has been|had been|received|got|is) "
)


def _possessive_free(word: str) -> str:
    return word.removesuffix("'s").removesuffix("’s")


def _untracked_name(sentence: str, trigger_end: int) -> str | None:
    """The first proper name shortly after the trigger that is not a place, body or weekday."""
    for match in _UNTRACKED_EN.finditer(sentence, trigger_end, min(len(sentence), trigger_end + 90)):
        words = [w for w in match.group("name").split()
                 if _possessive_free(w) not in _GENERIC_NAMES and not w.endswith(("-like", "-style", "-based"))]
        while words and words[-1] in ("of", "and"):
            words.pop()
        if words and words[0] not in ("of", "and"):
            return " ".join(words)
    subject = _PASSIVE_SUBJECT.match(sentence)  # "Shixianghui received a 500,000 yuan fine"
    if subject and subject.group("name").split()[0] not in _GENERIC_NAMES:
        return subject.group("name")
    chinese = _UNTRACKED_ZH.search(sentence)
    if chinese:
        name = _ZH_NAME_END.split(chinese.group("name"), maxsplit=1)[0].strip()
        if len(name) >= 2:
            return name
    return None


def _direction(text: str) -> str:
    ease, tighten = len(EASE.findall(text)), len(TIGHTEN.findall(text))
    if ease > tighten:
        return "ease"
    if tighten > ease:
        return "tighten"
    return "neutral"


class EventExtractor:
    """Sentence rules over a story; `extract` is a pure function of its inputs."""

    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        self.regulators = RegulatorFinder()

    def extract(self, title: str, text: str, companies: list[CompanyMatch], published: date | None) -> list[Event]:
        """Events in `title` + `text`; `companies` are the matches over that same joined string."""
        document = f"{title}\n\n{text}" if title else text
        mentions = self.regulators.find(document)
        if not mentions:  # no authority named anywhere: nobody can act (most pages a feed carries)
            return []
        context = _Context(
            document=document,
            title=title,
            reference=_reference_date(document, published),
            exact=published is not None,
            main_company=_main_company(companies, len(title)),
            has_companies=bool(companies),
        )
        events: list[Event] = []
        last_chinese: RegulatorMention | None = None
        since_named = 0
        for sentence in split_sentences(document):
            regs = [m for m in mentions if sentence.start <= m.start < sentence.end]
            chinese = _chinese_regulators(regs)
            foreign = [m for m in regs if m.code == FOREIGN]
            since_named += 1
            carried = last_chinese if not foreign and since_named <= CARRY_SENTENCES else None
            acting = chinese[0] if chinese else carried
            if chinese:
                last_chinese, since_named = chinese[-1], 0
            named = bool(chinese)
            if acting is None and sentence.start < len(title) and not foreign:
                acting = _lead_regulator(mentions, len(title))
                named = acting is not None  # a headline's regulator is named in the first paragraph
            if acting is None or acting.code == "COURT":
                continue
            local = [
                CompanyMatch(m.company_id, m.company, m.surface, m.start - sentence.start, m.end - sentence.start, m.weak)
                for m in companies if sentence.start <= m.start < sentence.end
            ]
            if not (local or SECTOR.search(sentence.text) or context.tech_story):
                continue
            events.extend(self._sentence_events(sentence, acting, local, named, context))
        return _merge(_drop_followups(_drop_policy_chatter(events)), self.rates)

    def _sentence_events(
        self, sentence: Sentence, acting: RegulatorMention, companies: list[CompanyMatch], named: bool,
        context: _Context,
    ) -> list[Event]:
        found: list[Event] = []

        def fresh(match: re.Match[str]) -> bool:
            return not _is_recap_at(sentence.text, match.start(), context.reference, context.exact)

        fine = TRIGGERS["fine"].search(sentence.text)
        people = fine and _PERSON_ROLE.search(sentence.text[max(0, fine.start() - 80):fine.start()])
        hypothetical = fine and _HYPOTHETICAL.search(sentence.text[max(0, fine.start() - 40):fine.end() + 20])
        if fine and fresh(fine) and not people and not hypothetical:
            amounts = find_money(sentence.text)
            paired = _pair_amounts(companies, amounts, sentence.text)
            money = _choose_amount(sentence, fine, amounts, context.reference, context.exact)
            explicit = re.search(r"fined|罚款|罰款|罚没|罰沒|penalty of|fine of", sentence.text, re.IGNORECASE)
            if paired:
                found.extend(self._fine_pairs(sentence, acting, paired))
            elif money is not None or explicit:
                found.extend(self._per_company("fine", sentence, fine, acting, companies, money, context))
        elif context.fine_story and companies and _TOTAL.search(sentence.text) and not _is_recap_at(
                sentence.text, 0, context.reference, context.exact):
            # "Alibaba was involved in six cases, for a total of 3 million yuan."
            amounts = find_money(sentence.text)
            found.extend(self._fine_pairs(sentence, acting, _totals(companies, amounts, sentence.text)))
        ended = _CAMPAIGN_END.search(sentence.text)
        if ended and named and fresh(ended) and acting.code not in EXCHANGES:
            event = Event("policy_shift", sentence.text, regulator=acting.code, regulator_text=acting.surface,
                          direction="ease")
            found.append(event)
        for kind in ("ipo_block", "merger_block", "app_removal", "investigation", "rectification"):
            if acting.code in POLICY_BODIES and not companies:
                break  # "complete the rectification of platforms" is the Politburo setting policy
            if acting.code in EXCHANGES and kind != "ipo_block":
                continue
            match = TRIGGERS[kind].search(sentence.text)
            if not match or not fresh(match):
                continue
            if kind == "investigation" and (fine or _NARRATIVE_PROBE.search(sentence.text)):
                continue
            if kind == "rectification" and (ended or any(e.kind == "app_removal" for e in found) or (
                    fine and not re.search(r"整改|rectif", sentence.text, re.IGNORECASE)
                    and not _BINDING_ORDER.search(sentence.text))):
                continue
            found.extend(self._per_company(kind, sentence, match, acting, companies, None, context))
        policy = TRIGGERS["policy_shift"].search(sentence.text)
        if (policy and named and acting.code != "AUTHORITIES" and not found and not ended and fresh(policy) and POLICY_ACTION.search(sentence.text)
                and acting.code not in EXCHANGES and (SECTOR.search(sentence.text) or context.tech_story)):
            event = Event("policy_shift", sentence.text, regulator=acting.code, regulator_text=acting.surface)
            event.direction = _direction(sentence.text)
            event.companies = list(dict.fromkeys(m.company for m in companies))
            event.company_ids = list(dict.fromkeys(m.company_id for m in companies))
            found.append(event)
        return found

    def _fine_pairs(
        self, sentence: Sentence, acting: RegulatorMention, pairs: list[tuple[CompanyMatch, Money]]
    ) -> list[Event]:
        events = []
        for company, money in pairs:
            event = Event("fine", sentence.text, [company.company], [company.company_id], acting.code, acting.surface,
                          money.amount, money.currency, money.text)
            event.per_case = bool(_PER_CASE.search(sentence.text[money.end:money.end + 25]))
            events.append(event)
        return events

    def _per_company(
        self, kind: str, sentence: Sentence, trigger: re.Match[str], acting: RegulatorMention,
        companies: list[CompanyMatch], money: Money | None, context: _Context,
    ) -> list[Event]:
        targets = _targets(sentence, trigger, companies, kind)
        names = [(t.company, t.company_id) for t in targets]
        if not names:
            untracked = _untracked_name(sentence.text, trigger.end())
            if untracked:
                names = [(untracked, "")]
            elif context.main_company and (kind == "fine" or _ANAPHOR.search(sentence.text)):
                names = [(context.main_company.company, context.main_company.company_id)]
            elif kind == "fine" or _GROUP_TARGET.search(sentence.text):
                names = [("", "")]  # "summoned 34 internet platforms": an action on many unnamed companies
            else:
                return []  # a probe or order of nobody in particular is policy talk, not an action
        events = []
        for name, company_id in names:
            event = Event(kind, sentence.text, regulator=acting.code, regulator_text=acting.surface)
            event.companies = [name] if name else []
            event.company_ids = [company_id] if company_id else []
            if money is not None:
                event.amount, event.currency, event.amount_text = money.amount, money.currency, money.text
                event.per_case = bool(_PER_CASE.search(sentence.text[money.end:money.end + 25]))
            events.append(event)
        return events


@dataclass(frozen=True)
class _Context:
    """What a sentence needs to know about its story.

    The two story-wide scans are computed on first use: most sentences never
    ask, and scanning a long page with SECTOR's many alternatives costs more
    than the rest of the classification."""

    document: str
    title: str
    reference: date | None  # the story's date, for recap detection
    exact: bool  # reference is the real publication date, not a guess
    main_company: CompanyMatch | None  # who "the company" is when a sentence names nobody
    has_companies: bool

    @functools.cached_property
    def tech_story(self) -> bool:
        """The story is about tracked companies or the tech sector."""
        return self.has_companies or bool(self.title and SECTOR.search(self.title)) or len(
            {m.group(0).lower() for m in SECTOR.finditer(self.document)}) >= 2

    @functools.cached_property
    def fine_story(self) -> bool:
        """The story reports a fine somewhere."""
        return bool(TRIGGERS["fine"].search(self.document))


def _lead_regulator(mentions: list[RegulatorMention], title_end: int) -> RegulatorMention | None:
    """Headlines often leave the regulator to the first paragraph: take the first one named there."""
    body = [m for m in mentions if title_end <= m.start < title_end + 600]
    if any(m.code == FOREIGN for m in body):
        return None
    return next((m for m in body if m.code not in ("COURT", *EXCHANGES)), None)


def _main_company(companies: list[CompanyMatch], title_end: int) -> CompanyMatch | None:
    """The company a story is about: the first one in the title, else the most mentioned."""
    in_title = [m for m in companies if m.start < title_end]
    if in_title:
        return in_title[0]
    if not companies:
        return None
    counts: dict[str, int] = {}
    for match in companies:
        counts[match.company_id] = counts.get(match.company_id, 0) + 1
    best = max(counts, key=lambda company_id: counts[company_id])
    return next(m for m in companies if m.company_id == best)


_CAMPAIGN_END = _re(
    r"\b(?:end|ends|ended|ending|conclu\w+|complet\w+|finish\w*|wrap\w* up|close\w*)\b[^.;]{0,40}\b(?:rectification|crackdown|campaign|clean-?up)",
    r"\b(?:rectification|crackdown|campaign)\b[^.;]{0,40}\b(?:basically |largely |mostly )?(?:complete|completed|over|ended|concluded)\b",
    r"整改.{0,6}(?:基本完成|完成|结束|結束)", r"(?:基本完成|完成|结束|結束).{0,6}整改", r"常态化监管", r"常態化監管",
)


def _pair_amounts(
    companies: list[CompanyMatch], amounts: list[Money], sentence: str
) -> list[tuple[CompanyMatch, Money]]:
    """"fined Ant 7.123 billion yuan and Tenpay 2.99 billion yuan": each company with the amount after it;
    "penalties of RMB6.5m and RMB6m respectively": companies and amounts in the same order."""
    distinct = list({m.company_id: m for m in companies}.values())
    if len(distinct) < 2 or len(amounts) < 2:
        return []
    if _RESPECTIVELY.search(sentence) and len(distinct) == len(amounts):
        return list(zip(distinct, amounts, strict=True))
    pairs = []
    for index, company in enumerate(distinct):
        limit = distinct[index + 1].start if index + 1 < len(distinct) else 10**9
        following = [a for a in amounts if company.end <= a.start < limit and a.start - company.end <= 40]
        if not following:
            return []
        pairs.append((company, following[0]))
    return pairs if len({p[1].amount for p in pairs}) > 1 else []


def _totals(companies: list[CompanyMatch], amounts: list[Money], sentence: str) -> list[tuple[CompanyMatch, Money]]:
    """Each company with its amount: "6 million yuan for Tencent" (the amount just before "for"),
    else the first amount after the company and before the next one."""
    distinct = list({m.company_id: m for m in companies}.values())
    pairs = []
    for company in distinct:
        lead = [a for a in amounts if a.end <= company.start
                and _FOR.fullmatch(sentence[a.end:company.start])]
        if lead:
            pairs.append((company, lead[-1]))
    if pairs:
        return pairs
    for index, company in enumerate(distinct):
        limit = distinct[index + 1].start if index + 1 < len(distinct) else 10**9
        following = [a for a in amounts if company.end <= a.start < limit]
        if following:
            pairs.append((company, following[0]))
    return pairs


_GROUP_TARGET = _re(r"\b\d+\s+(?:[\w'’-]+\s+){0,5}(?:companies|platforms|firms|apps|operators)\b",
                    r"\b(?:all|the) (?:two|three|four|five|six)\b", r"\bboth (?:companies|apps|platforms|firms)\b",
                    r"[\d一二三四五六七八九十两]+家.{0,8}(?:平台|企业|企業|公司)", r"[\d一二三四五六七八九十两]+款.{0,4}(?:App|APP|应用)")
_FOR = re.compile(r"\s*(?:for|to|on)\s+(?:the\s+)?", re.IGNORECASE)
_RESPECTIVELY = _re(r"\brespectively\b", r"分别", r"分別")
_PER_CASE = _re(r"^\W{0,3}(?:per|a|each|for each|every) (?:case|deal|transaction|acquisition|violation)\b",
                r"^\W{0,3}(?:一起|每起|每宗|每件)")
_TOTAL = _re(r"\b(?:total(?:ling|ing)? of|in total|in all|adds? up to|amounting to|bringing (?:its|the) (?:total|penalties)"
             r" to|taking (?:its|the) (?:total|penalties|fines) to)\b", r"合计", r"合計", r"共计", r"共計", r"累计", r"累計", r"合共")
_ANAPHOR = _re(r"\b(?:it|its|the company|the firm|the group|the platform)\b", r"该公司", r"該公司", r"其", r"该平台", r"該平台")
_SUBORDINATE = re.compile(r"\s*(?:when|after|as|since|following|before)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;:，；：]|\s[-–—]\s")


def _is_recap_at(sentence: str, position: int, reference: date | None, exact: bool) -> bool:
    """Recap check for the clause holding the trigger, and for a short opening clause
    ("In 2021, ...", "此前，...") that dates the whole sentence."""
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence) + 1]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    index = next((i for i, (a, b) in enumerate(clauses) if a <= position < b), 0)
    here = clauses[index]
    if _is_recap(sentence[here[0]:here[1]], reference, exact):
        return True
    if index:
        before = clauses[index - 1]
        # "... in late December, when the regulator published draft rules"; "2021年4月，阿里因...被罚"
        short = before[1] - before[0] <= 14
        if (short or _SUBORDINATE.match(sentence[here[0]:here[1]])) and _is_recap(
                sentence[before[0]:before[1]], reference, exact):
            return True
    first = clauses[0]
    return first != here and first[1] - first[0] <= 25 and _is_recap(sentence[first[0]:first[1]], reference, exact)


POLICY_BODIES = ("POLITBURO", "STATE_COUNCIL", "CEWC", "NPC")
EXCHANGES = ("SSE", "SZSE", "HKEX")
CARRY_SENTENCES = 3  # "The regulator said ..." acts for the one named up to three sentences before


_POLICY_DOCUMENT = _re(
    r"《[^》]{2,40}》", r"\b(?:guidelines|regulations|provisions|measures|draft|rules|law|opinions|directive)\b",
    r"\b(?:Politburo|State Council|Central Economic Work Conference|symposium)\b",
    r"规定", r"規定", r"办法", r"辦法", r"指南", r"意见", r"意見", r"草案", r"征求意见稿", r"政治局", r"国务院", r"國務院",
)


_NEW_POLICY = _re(
    r"\b(?:issued|issues|published|released|unveil\w+|passed|adopted|approved|draft|proposed|took effect|takes effect"
    r"|introduc\w+|new (?:rules|regulations|guidelines|measures|law))\b",
    r"发布", r"發布", r"印发", r"印發", r"出台", r"通过", r"通過", r"施行", r"征求意见", r"徵求意見",
)


def _drop_policy_chatter(events: list[Event]) -> list[Event]:
    """In a story about an action on a company, a regulator's general remarks are not a policy shift;
    a named rule, policy body or campaign milestone still is."""
    if not any(e.kind != "policy_shift" for e in events):
        return events
    return [e for e in events if e.kind != "policy_shift"
            or (e.direction == "ease" and _CAMPAIGN_END.search(e.evidence))
            or (_POLICY_DOCUMENT.search(e.evidence) and _NEW_POLICY.search(e.evidence)
                and not TRIGGERS["fine"].search(e.evidence))]


def _drop_followups(events: list[Event]) -> list[Event]:
    """The probe behind a fine, and an exhortation to "rectify" that comes with it, are part of the
    fine; a binding order that comes with it ("must end exclusive licences", 责令解除) is news of its own."""
    fined = [e for e in events if e.kind == "fine"]
    if not fined:
        return events
    fined_ids = {i for e in fined for i in e.company_ids}
    fined_names = {n for e in fined for n in e.companies}

    def part_of_fine(event: Event) -> bool:
        if event.kind not in ("rectification", "investigation", "app_removal") or not event.companies:
            return False  # an order to "34 platforms" is not about the fined company
        if event.company_ids and not set(event.company_ids) & fined_ids and fined_ids:
            return False
        if not event.company_ids and not set(event.companies) & fined_names:
            return False
        return not (event.kind == "rectification" and _BINDING_ORDER.search(event.evidence))

    return [e for e in events if not part_of_fine(e)]


# Remedies beyond the fine itself; "stop the illegal conduct" (责令停止违法行为) is every fine's boilerplate.
_BINDING_ORDER = _re(
    r"\bmust (?:end|give up|terminate|scrap|unwind|divest|sell|cancel)\b",
    r"\bordered\b[^.;]{0,40}\bto (?:end|give up|terminate|unwind|divest|sell|cancel)\b",
    r"责令.{0,20}(?:解除|终止|恢复)", r"責令.{0,20}(?:解除|終止|恢復)", r"行政指导书", r"行政指導書",
)


_NARRATIVE_PROBE = _re(r"\bafter (?:a|an|its)\b[^.;]{0,30}\b(?:investigation|probe)\b", r"经查", r"經查", r"调查发现", r"調查發現",
                       r"\bfollowing (?:a|an|its)\b[^.;]{0,30}\b(?:investigation|probe)\b", r"\bconcluded\b")




def _same_event(a: Event, b: Event, rates: Rates) -> bool:
    if a.kind != b.kind:
        return False
    if a.company_ids and b.company_ids and not set(a.company_ids) & set(b.company_ids):
        return False
    if a.companies and b.companies and not set(a.companies) & set(b.companies):
        return False
    if a.kind == "fine" and a.amount is not None and b.amount is not None:
        usd_a = rates.to_usd(a.amount, a.currency or "")
        usd_b = rates.to_usd(b.amount, b.currency or "")
        if usd_a and usd_b:
            return abs(usd_a - usd_b) <= 0.12 * max(usd_a, usd_b)
    return True


def _better_amount(current: Event, other: Event) -> bool:
    """Prefer yuan (how Chinese regulators state fines) and more precise figures."""
    if other.amount is None:
        return False
    if current.amount is None:
        return True
    if (other.currency == "CNY") != (current.currency == "CNY"):
        return other.currency == "CNY"
    mine, theirs = _digits(current.amount_text), _digits(other.amount_text)
    # On a tie, the longer sentence (the body's, not the headline's) is the better evidence.
    return theirs > mine or (theirs == mine and len(other.evidence) > len(current.evidence))


def _digits(text: str | None) -> int:
    """Significant figures as reported: "18.228 billion" beats the headline's "18.2 billion"."""
    return sum(ch.isdigit() for ch in (text or "").replace(",000", ""))


# The sector an event concerns, first match wins (most specific first).
SECTORS = (
    ("fintech", _re(r"\b(?:fintech|payments?|lending|microlend\w*|credit|wealth management|financial holding)\b",
                    r"金融科技", r"支付", r"小贷", r"小貸", r"信贷", r"信貸", r"金融业务", r"金融業務", r"金融控股")),
    ("gaming", _re(r"\b(?:gam(?:e|es|ing)|video games?)\b", r"游戏", r"遊戲", r"版号", r"版號")),
    ("education", _re(r"\b(?:tutoring|after-school|education|edtech)\b", r"校外培训", r"校外培訓", r"双减", r"雙減", r"教育")),
    ("data and privacy", _re(r"\b(?:data|privacy|personal information|cybersecurity)\b", r"数据", r"數據", r"个人信息",
                             r"個人信息", r"网络安全", r"網絡安全")),
    ("artificial intelligence", _re(r"\b(?:AI|artificial intelligence|generative|algorithm\w*)\b", r"人工智能", r"生成式",
                                    r"算法", r"演算法")),
    ("semiconductors", _re(r"\b(?:chip\w*|semiconductor\w*)\b", r"芯片", r"晶片", r"半导体", r"半導體")),
    ("e-commerce and platforms", _re(r"\b(?:e-commerce|online retail|platform\w*|delivery|ride-hailing)\b", r"电商",
                                     r"電商", r"平台", r"外卖", r"外賣", r"网约车", r"網約車")),
)
_REASON = _re(
    r"\bfor (?P<en>(?:abus|violat|fail|forc|breach|illegal|unlawful|publish|collect|mislead|false|not |allegedly)[^.;()]{5,160})",
    r"(?:因|由于|由於)(?P<zh>[^，。；]{4,60}?)(?:被|而|，)",
)


def sector_of(evidence: str) -> str | None:
    return next((name for name, pattern in SECTORS if pattern.search(evidence)), None)


def reason_of(evidence: str) -> str | None:
    """Why a company was fined, when the sentence says: "for abusing its dominant position", 因"二选一"行为."""
    match = _REASON.search(evidence)
    if match is None:
        return None
    return (match.group("en") or match.group("zh")).strip(" ,，")


def _drop_per_case(events: list[Event]) -> list[Event]:
    """A company's stated total supersedes the per-case amount it was computed from."""
    totals = {i for e in events if e.kind == "fine" and not e.per_case and e.amount is not None for i in e.company_ids}
    return [e for e in events if not (e.kind == "fine" and e.per_case and set(e.company_ids) & totals)]


def _merge(events: list[Event], rates: Rates) -> list[Event]:
    """One event per real action: the title and body sentences reporting it are folded together."""
    merged: list[Event] = []
    for event in events:
        twin = next((m for m in merged if _same_event(m, event, rates)), None)
        if twin is None:
            merged.append(event)
            continue
        if _better_amount(twin, event):
            twin.amount, twin.currency, twin.amount_text = event.amount, event.currency, event.amount_text
            twin.evidence, twin.regulator, twin.regulator_text = event.evidence, event.regulator, event.regulator_text
        for name, company_id in zip(event.companies, event.company_ids or [""] * len(event.companies), strict=False):
            if name not in twin.companies:
                twin.companies.append(name)
                if company_id:
                    twin.company_ids.append(company_id)
        if twin.direction == "neutral" and event.direction not in (None, "neutral"):
            twin.direction = event.direction
    merged = _drop_per_case(merged)
    for event in merged:
        event.sector = sector_of(event.evidence)
        if event.kind == "fine":
            event.reason = reason_of(event.evidence)
        if event.amount is not None and event.currency:
            event.amount_cny = rates.to_cny(event.amount, event.currency)
            event.amount_usd = rates.to_usd(event.amount, event.currency)
    return merged
