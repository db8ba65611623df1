r"""Cue tables: the words that signal each kind of action, a sector, a direction, an amount that is not a fine.

Each cue is independent of the others; the extractor combines them per sentence. A gap within a clause is
written `(?:[^.;]|\.\d)`: a full stop or semicolon ends it, the point of "US$5.3 billion" does not."""

from __future__ import annotations

import re


def cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# A deadline set by the regulator is its order to rectify, whoever is named: 限期整改, 应在3月21日前完成整改,
# 请上述APP开发运营者在11月1日前完成整改, 责令其于3月30日前完成整改
# (with 逾期不整改的…依法处置 after it); not a company's report that the work is done (已完成整改).
# 整改 a few characters after the word that orders it, not reported done (已整改, 整改完成).
_TO_RECTIFY_ZH = r"[^。；]{0,20}(?<!完成)(?<!已)整改(?!完成|完毕|完畢)"
# 责令 the party, however long its name, to correct: 责令某某网络科技有限公司在某市设立的分公司改正违法行为
_ORDERED_TO_CORRECT_ZH = r"[责責]令[^，。；,]{0,40}改正"
RECTIFY_BY_DEADLINE = (r"限期整改", r"(?:应|應|须|須|必须|必須|请|請|责令|責令|要求|督促)[^。；，,]{0,20}?(?:在|于|於)[^。；，,]{2,16}前[^。；]{0,6}完成整改",
                       r"逾期(?:不|未)整改")

# Not a probe known by its company's name ("the Alibaba's anti-trust investigation was", "Didi's probe"); a
# regulator's or China's own probe is still one ("the market regulator's investigation into Alibaba").
_NOT_A_KNOWN_PROBE = (
    r"(?:(?<=regulator's )|(?<=regulator’s )|(?<=watchdog's )|(?<=watchdog’s )|(?<=China's )|(?<=China’s )"
    r"|(?<=regulator's antitrust )|(?<=China's antitrust )"
    r"|(?<!['’]s )(?<!['’]s antitrust )(?<!['’]s anti-trust ))"
)

TRIGGERS: dict[str, re.Pattern[str]] = {
    "fine": cue(
        r"\bfin(?:ed|es|ing)\b", r"\bfine\b(?!-tun)", r"\bpenalt(?:y|ies)\b", r"\bpenali[sz](?:ed|es|ing)\b",
        r"\bordered to pay\b", r"\bslapped\b",
        r"罚款", r"罚没", r"罰款", r"罰沒", r"被[罚罰]", r"罚金", r"处以.{0,20}罚", r"處以.{0,20}罰", r"行政处罚", r"行政處罰",
        r"罚单", r"罰單",
        r"[处處][罚罰](?:金额)?(?:人民币|人民幣)?\s*[\d一二两兩三四五六七八九十]",  # 被处罚300万元: a penalty with its amount
    ),
    "investigation": cue(
        _NOT_A_KNOWN_PROBE + r"\binvestigat(?:e|es|ed|ing|ion|ions)\b", _NOT_A_KNOWN_PROBE + r"\bprob(?:e|es|ed|ing)\b",
        # not a purpose or a result: "the purchases were not flagged for antitrust review", "failed a security review"
        r"(?<!\bfor )(?<!\bfor an )(?<!\bfor a )(?<!\bfailed )(?<!\bfailed a )(?<!\bpassed )(?<!\bpassed a )"
        r"\b(?:cybersecurity|security|antitrust) review\b", r"\binquiry\b", r"\blaunched a review\b",
        r"立案调查", r"立案調查", r"展开调查", r"展開調查", r"开展调查",
        r"開展調查", r"进行调查", r"進行調查", r"啟動調查", r"启动调查", r"反垄断调查", r"反壟斷調查", r"(?:对|對).{1,20}(?:调查|調查)",
        # not the review of a notified deal (经营者集中反垄断审查): its outcome is the clearance or the block
        # nor the cybersecurity review office's name (网络安全审查办公室)
        r"(?<!集中)(?:反垄断|反壟斷|安全)审查(?!决定|決定|结果|結果|办公室)", r"(?<!集中)(?:反垄断|反壟斷|安全)審查(?!決定|結果|辦公室)",
        r"被[^，。；]{0,24}(?:立案|上门|上門)?(?:调查|調查)", r"受到[^，。；]{0,6}(?:调查|調查)", r"上门(?:调查|检查)", r"上門(?:調查|檢查)",
    ),
    "ipo_block": cue(
        r"\b(?:IPO|initial public offering|listing|flotation|share sale|debut)\b(?:[^.;]|\.\d){0,80}?"
        r"\b(?:suspend|halt|postpone|delay|block|shelve|call(?:ed)? off|scrap|derail|pull|put on hold|die|died|kill|collaps"
        r"|sank|sink|torpedo)\w*",
        r"\b(?:suspend|halt|postpone|delay|block|shelve|scrap|derail)\w*\b(?:[^.;]|\.\d){0,60}?"
        r"\b(?:IPO|initial public offering|listing|flotation)\b",
        r"暂缓上市", r"暫緩上市", r"暂停上市", r"暂缓.{0,12}上市", r"暫緩.{0,12}上市", r"叫停.{0,12}(?:IPO|上市)",
        r"中止.{0,8}上市", r"(?:IPO|上市).{0,12}(?:暂缓|叫停|中止|暫緩|推迟|推遲|延迟|延遲)",
        r"(?:推迟|推遲|延迟|延遲|暂停|暫停).{0,10}(?:上市|IPO)",
    ),
    "merger_block": cue(
        r"\b(?:block|prohibit|ban|veto|reject)\w*\b(?:[^.;]|\.\d){0,60}?\b(?:merger|acquisition|tie-up|combination|takeover)",
        r"\b(?:merger|acquisition|tie-up|takeover)\b(?:[^.;]|\.\d){0,40}?\b(?:blocked|prohibited|vetoed|rejected)\b",
        r"\b(?:said no to|nixed|torpedoed)\b(?:[^.;]|\.\d){0,60}?\b(?:merge|merger|fold|combine|combination|tie-up|takeover)",
        r"禁止.{0,25}(?:合并|經營者集中|经营者集中|合併|收购|收購)", r"(?:合并|合併).{0,12}(?:被禁止|叫停)",
    ),
    "app_removal": cue(
        r"\b(?:remov|pull|delist|tak)\w*\b(?:[^.;]|\.\d){0,50}?\bapp ?stores?\b",
        r"\bapps?\b(?:[^.;]|\.\d){0,40}?\b(?:removed|pulled|taken down|taken off)\b",
        r"\b(?:remove|removal of)\b(?:[^.;]|\.\d){0,30}?\bapps?\b",
        r"\bapp ?stores?\b(?:[^.;]|\.\d){0,30}?\b(?:stop|cease)\w* (?:offering|distributing|carrying|listing)",
        r"\bapps?\b(?:[^.;]|\.\d){0,30}?\boff (?:the )?(?:app )?stores\b",
        r"\b(?:take|took|taken|takes|taking|pull\w*|remov\w*)\b(?:[^.;]|\.\d){0,50}?\boff (?:the |their |its )?(?:app )?shelves\b",
        r"\b(?:removes?|removed|pulls?|pulled)\b(?:[^.;]|\.\d){0,40}?\bapps?\b(?:[^.;]|\.\d){0,30}?\bfrom\b(?:[^.;]|\.\d){0,20}\bstores?\b",
        r"\bapp ?stores?\b(?:[^.;]|\.\d){0,30}?\b(?:take|took|taken|takes) down\b",
        # Not "stop registering new users" during a review: the app stays in the stores; that is the review.
        r"下架.{0,12}(?:App|APP|应用|應用|程序|软件|軟件)", r"(?:App|APP|应用|應用|程序|软件|軟件).{0,12}下架",
        # shut down outright: 清理关停“比邻”“聊聊”等9款通信App
        r"(?:关停|關停)[^。；]{0,30}(?:App|APP|应用|應用|程序|软件|軟件)", r"(?:App|APP|应用|應用)[^。；]{0,12}(?:关停|關停)",
    ),
    "rectification": cue(
        # not a campaign's name ("the big tech rectification campaign launched in 2020")
        *RECTIFY_BY_DEADLINE, r"\brectif\w+\b(?! (?:campaign|drive|movement|period)\b)", r"\bsummon(?:ed|s)?\b", r"\bcorrective\b",
        # (not a rule's text: "rules that required platforms to remove false content")
        r"(?<!\bthat )(?<!\bwhich )\b(?:ordered|ordering|told|instructed|required|asked)\b(?:[^.;]|\.\d){0,60}?\bto (?:fix"
        r"|correct|overhaul|restructure|step up"
        r"|stop(?! (?:registering|signing up|accepting|taking) new)|end|submit"
        r"|give up|halt|return|unwind|divest|sell|cancel|terminate|scrap|remedy|rectify"
        # what the order tells it to do to its business: "required to close the business", "told to remove the
        # additional bikes", "asked to freeze updates", "make corrections"
        r"|(?:close|shut)(?= (?:down|the|its|their|all|some)\b)|remove|suspend(?! (?:new|registering|registrations))|freeze"
        r"|make corrections|make public|publici[sz]e|disclose)\b",
        # an order to examine itself: "asked internet companies to conduct self examinations", 要求…开展自查自纠
        r"\b(?:ordered|ordering|told|instructed|required|asked|guid(?:e|es|ed|ing))\b(?:[^.;]|\.\d){0,60}?\bto (?:conduct"
        r"|carry out|undertake) (?:[\w-]+ ){0,2}?self[- ]?(?:examinations?|inspections?|checks?|reviews?)\b",
        r"(?:责令|責令|要求|督促)[^。；]{0,20}自查",
        r"\bmust (?:end|stop(?! (?:registering|signing up|accepting|taking) new)|give up|submit|terminate|scrap|unwind)\b",
        r"\btold\b(?:[^.;]|\.\d){0,30}?\bto (?:fix|correct|overhaul)\b", r"\bmust (?:fix|correct)\b", r"\bfor approval\b",
        r"\b(?:asked|told|urged|ordered|required|instructed|call(?:ed|ing|s)? on)\b(?:[^.;]|\.\d){0,60}?\bto (?:abide by"
        r"|comply with|compete fairly|obey|(?:strictly )?adhere to|strictly follow|regulate|standardi[sz]e|tighten|improve"
        r"|strengthen)\b",
        r"\b(?:imposed|issued|gave|handed)\b(?:[^.;]|\.\d){0,30}\bwarnings?\b", r"\badministrative guidance\b",
        # "has taken punitive measures against the platform", "took action against"
        r"\b(?:took|taken|take|takes|taking)\s+(?:[\w-]+\s+){0,3}(?:action|actions|measures)\s+against\b",
        r"\bmust (?:undergo|pass)\b(?:[^.;]|\.\d){0,30}\b(?:review|tests?|inspections?)\b",
        r"给予警告", r"給予警告", r"予以警告", r"通报批评", r"通報批評", r"行政指导", r"行政指導",
        r"(?:责令|責令|要求|约谈|約談|督促|限期|提出|部署)" + _TO_RECTIFY_ZH, r"整改要求",
        r"要求[^。；]{0,30}(?:须|須|必须|必須|需经|需經|先经|先經|暂停|暫停|停止|送检|送檢)", r"约谈", r"約談", _ORDERED_TO_CORRECT_ZH, r"限期改正", r"责令.{0,20}(?:解除|停止|恢复|终止)",
        r"責令.{0,20}(?:解除|停止|恢復|終止)",
    ),
    "policy_shift": cue(
        r"\b(?:rules?|regulations?|guidelines?|draft|law|measures|provisions|polic(?:y|ies)|framework|directive"
        r"|opinions|plan|proposals?|crackdown|campaign|supervision|oversight|restrictions|catalog(?:ue)?)\b",
        r"\bplatform economy\b", r"\bsupport(?:s|ed|ing)? (?:the )?(?:healthy )?development\b",
        r"\bfreeze\b", r"\b(?:game |gaming )?(?:licen[cs]es|approvals)\b", r"版号", r"版號", r"\brequirements?\b",
        r"\bwill (?:be )?(?:allowed|required|banned|barred|limited|restricted)\b", r"\bsymposium\b", r"\bmeeting\b",
        r"\b(?:restrict|ban|limit|require|prohibit)s?\b", r"会议", r"會議", r"座谈会", r"座談會",
        r"规定", r"规範", r"規定", r"办法", r"辦法", r"指南", r"意见", r"意見", r"草案", r"征求意见稿", r"徵求意見稿",
        r"《[^》]{2,60}》", r"政策", r"平台经济", r"平台經濟", r"常态化监管", r"常態化監管", r"\bnotice\b", r"\bcircular\b",
        r"通知", r"公告", r"集体学习", r"集體學習", r"\bstudy session\b", r"\bstandards?\b", r"标准", r"標準",
        r"专项行动", r"專項行動",  # a campaign, as "campaign" is in English
        r"\b(?:bar|ban|cap|limit)(?:s|red|ned|ped|ed)?\b", r"\bforbid\w*", r"禁止", r"不得", r"限制",
        r"\b(?:may|can|must) not\b", r"\bno (?:longer|more than)\b", r"\bonly (?:be )?(?:allowed|permitted)\b",
    ),
}


# Words showing that something was issued, said or decided (policy shifts need one).
POLICY_ACTION = cue(
    r"\b(?:issued|issues|unveil\w*|released|releases|published|publishes|passed|passes|adopted|approved|took effect"
    r"|take effect|takes effect|introduc\w+|propos\w+|announc\w+|pledg\w+|vow\w*|signal\w*|said|says|will|calls? for"
    r"|called for|urged|launched|rolled out|finaliz\w+|finalis\w+|withdr[ae]w\w*|scrapp\w+|eas\w+|relax\w+|tighten\w*"
    r"|stepped up|step up|ended|ends|ending|outlin\w+|set out|sets out|vowed|promised|effective|approved|resum\w+"
    r"|lift\w*|granted|would|could|held|hold|met|meets|praised|praising|told|encourag\w+|urg\w+|allow\w*|limit\w*"
    r"|restrict\w*|ban\w*|requir\w+|solicit\w*)\b",
    r"发布", r"發布", r"印发", r"印發", r"出台", r"通过", r"通過", r"施行", r"实施", r"實施", r"公布", r"征求意见", r"徵求意見",
    r"提出", r"强调", r"強調", r"表示", r"指出", r"要求", r"召开", r"召開", r"撤回", r"删除", r"刪除", r"放宽", r"放寬",
    r"明确", r"明確", r"部署", r"起施行", r"正式", r"宣布", r"支持", r"鼓励", r"鼓勵", r"推动", r"推動", r"促进", r"促進",
    r"提升", r"举行", r"舉行", r"落实", r"落實", r"下发", r"下發", r"颁布", r"頒布", r"发出", r"發出", r"审议", r"審議",
    r"印发", r"起草", r"制定", r"出手", r"主持", r"\b(?:presid(?:ed|es|ing)|chair(?:ed|s|ing)|stress\w*|emphasi[sz]\w*|reiterat\w*|underlin\w*|highlight\w*|vow\w*"
    r"|order\w*|bar\w*|forbid\w*|prohibit\w*|cap\w*|drafted|unveil\w*|pledg\w+|promis\w+)\b",
)
# What the Party's and the government's top bodies say about the sector, in words other than "policy".
PLATFORM_STANCE = cue(
    r"\bplatform (?:economy|companies|firms|enterprises)\b", r"\b(?:tech|technology|internet) (?:sector|industry|companies|firms|giants)\b",
    r"\bprivate (?:tech|technology|internet)\b", r"\bdisorderly expansion of capital\b", r"\bhealthy development\b",
    r"平台经济", r"平台經濟", r"平台企业", r"平台企業", r"平台垄断", r"平台壟斷", r"资本无序扩张", r"資本無序擴張",
    r"数字经济", r"數字經濟", r"数码经济", r"數碼經濟", r"互联网企业", r"互聯網企業", r"常态化监管", r"常態化監管",
    r"\bplatform (?:enterprises|operators|sector|industry)\b", r"\b(?:internet|tech|technology) platforms?\b",
)


SECTOR = cue(
    r"\bplatform\w*", r"\binternet\b", r"\bonline\b", r"\bgam(?:e|es|ing)\b", r"\bvideo games?\b", r"\btutoring\b",
    r"\bafter-school\b", r"\bedtech\b", r"\beducation\b", r"\bdata\b", r"\balgorithm\w*", r"\bAI\b",
    r"\bartificial intelligence\b", r"\bgenerative\b", r"\bfintech\b", r"\btech\w*", r"\be-commerce\b",
    r"\bapps?\b", r"\bride-hailing\b", r"\bdelivery\b", r"\bchip\w*", r"\bsemiconductor\w*", r"\bdatabase\b",
    r"\bcybersecurity\b", r"\bpersonal information\b", r"\bprivacy\b", r"\blive-?stream\w*", r"\bsocial media\b",
    r"\bsearch engine\b", r"\bpayments?\b", r"\bmicro-?lend\w*", r"\bmicro-?loans?\b", r"\bmicro-?financ\w*", r"\bcloud\b", r"\bsoftware\b", r"\boverseas listings?\b",
    r"\bvariable interest\b", r"\bVIE\b", r"\bstreaming\b", r"\bmusic\b", r"\bcontent\b", r"\bwebsites?\b",
    r"平台", r"互联网", r"互聯網", r"网络", r"網絡", r"網路", r"线上", r"在线", r"游戏", r"遊戲", r"校外培训", r"校外培訓",
    r"双减", r"雙減", r"教育", r"数据", r"數據", r"資料", r"算法", r"演算法", r"人工智能", r"生成式", r"金融科技", r"科技",
    r"电商", r"電商", r"App", r"APP", r"应用", r"網約車", r"网约车", r"外卖", r"外賣", r"芯片", r"晶片", r"半导体", r"半導體",
    r"个人信息", r"個人信息", r"個人資訊", r"境外上市", r"直播", r"支付", r"知网", r"知網", r"数据库", r"資料庫", r"软件", r"軟件",
    r"云", r"雲", r"(?<![作发發付支提])出行", r"货运", r"貨運", r"招聘", r"音乐", r"音樂", r"版权", r"版權", r"信息服务", r"資訊服務", r"网络信息", r"網絡信息",
    # Foreign tech companies Chinese regulators act on (probes of Nvidia, Qualcomm, Google, Micron).
    r"\b(?:Google|Apple|Microsoft|Amazon|Meta|Facebook|Nvidia|Qualcomm|Intel|Micron|Tesla|Samsung|Broadcom)\b",
    r"谷歌", r"苹果公司", r"蘋果公司", r"微软", r"微軟", r"亚马逊", r"亞馬遜", r"英伟达", r"輝達", r"英偉達", r"高通", r"英特尔",
    r"英特爾", r"美光", r"特斯拉", r"三星", r"博通",
)


EASE = cue(
    r"\bsupport\w*", r"\beas(?:e|ed|es|ing)\b", r"\brelax\w*", r"\bloosen\w*", r"\bencourag\w+", r"\bboost\w*",
    r"\bhealthy development\b", r"\bwithdr[ae]w\w*", r"\bscrap\w*", r"\bend(?:ed|s)? (?:the )?(?:crackdown|rectification)",
    r"\bnormali[sz]ed supervision\b", r"\bpromot\w+", r"\bconfidence\b", r"\bback(?:ing|ed)?\b", r"\bturn(?:ed)? the page\b",
    r"\bexempt\w*", r"\bfewer\b", r"\blighter\b", r"\bsoften\w*", r"\brevive\b", r"\bgrowth\b",
    r"\bresum\w+", r"\blift\w*", r"\bending (?:a|the) freeze\b", r"\bapproved\b", r"恢复", r"恢復", r"发放", r"發放",
    r"支持", r"放宽", r"放寬", r"促进", r"促進", r"鼓励", r"鼓勵", r"松绑", r"鬆綁", r"撤回", r"健康发展", r"健康發展",
    r"常态化监管", r"常態化監管", r"提振", r"信心", r"删除", r"刪除", r"豁免", r"便利", r"优化", r"優化", r"规范健康",
)


TIGHTEN = cue(
    r"\btighten\w*", r"\bcurb\w*", r"\bcrack(?:ing|s)? down\b", r"\bcrackdown\b", r"\brestrict\w*", r"\bban\w*",
    r"\blimit\w*", r"\bstricter\b", r"\banti-?monopoly\b", r"\bprohibit\w*", r"\bstep(?:ped)? up\b", r"\brein\w* in\b",
    r"\bclamp\w* down\b", r"\bpenalt\w+", r"\bforbid\w*", r"\brequir\w+", r"\bcontrols?\b", r"\bstrict\w*",
    r"\bcap(?:s|ped)?\b", r"\bbarred\b", r"\bmust\b", r"\bscrutiny\b",
    r"加强", r"加強", r"限制", r"禁止", r"整治", r"严格", r"嚴格", r"规范", r"規範", r"反垄断", r"反壟斷", r"收紧", r"收緊",
    r"不得", r"严禁", r"嚴禁", r"防止", r"遏制", r"打击", r"打擊", r"监管", r"监督", r"限时", r"限時",
)


EACH = cue(r"\beach\b", r"\brespectively\b", r"\bapiece\b", r"各", r"分别", r"分別", r"均(?:被|处|處|罚|罰|给予|給予)")




NOT_AMOUNT_BEFORE = cue(r"(?:revenue|sales|turnover|(?<!including confiscated )(?<!including illegal )income|profit|valuation|worth|market value|revenues)\W{0,3}(?:of|at|was|were|totall?ing)?\W{0,3}$",
                         r"(?:销售额|銷售額|营业额|營業額|收入|营收|營收|利润|利潤|市值|估值)\D{0,3}$",
                         # confiscated income, refunded deposits and losses are facts of a decision, not its fine
                         # ("没收违法所得并处100万元罚款": the amount after 并处 is the fine again)
                         r"(?<!including )(?<!includes )\b(?:confiscat\w*|seiz\w*|refund\w*|return\w*|give back|deposits?|loss(?:es)?|lost)\b(?:\s+(?!fin|penal)[\w'’-]+){0,4}\W{0,3}(?:of|worth|totall?ing)?\W{0,3}$",
                         # (not a fine that includes it: "罚款(含没收违法所得)71.23亿元")
                         r"(?<!含)(?<!包括)(?:没收|沒收|退还|退還|返还|返還|保证金|保證金|亏损|虧損)"
                         r"(?:(?!并处|並處|处以|處以|罚|罰)[^，。；,;]){0,12}$")


REVENUE = cue(r"\b(?:revenue|revenues|sales|turnover)\b", r"销售额|銷售額|营业额|營業額|营收|營收")


# "three times the 6.09 billion yuan Qualcomm paid" compares; "more than 8 billion yuan" is the amount, hedged.
COMPARISON = cue(r"\b(?:times|than|compared with|versus|dwarf\w*|exceed\w*|eclips\w*|beyond)\s+(?:the\s+|a\s+)(?:record\s+)?$",
                 r"\b(?:times|(?<!more )(?<!less )than|compared with|versus|dwarf\w*|exceed\w*|eclips\w*|beyond)\s+(?:record\s+)?$",
                 r"(?:超过|超過|高于|高於|相比|是)\s*$")


HYPOTHETICAL = cue(
    r"\b(?:face|faces|facing|risk|risks|could|can|may|might|would|will|shall)\s+(?:be\s+)?(?:\w+\s+)?(?:fines?|fined|penalt)",
    r"\bup to\b", r"\bas much as\b", r"\bmaximum\b", r"最高", r"可处", r"可處", r"将被处以", r"將被處以", r"不超过", r"以下罚款",
    # planned or proposed: 准备对腾讯罚款, 拟对其作出罚款300万元的行政处罚
    r"(?:准备|準備|拟|擬|计划|計劃|考虑|考慮|酝酿|醞釀)[^，。；]{0,12}(?:罚款|罰款|处罚|處罰)",
    # expected, pending, possible: not decided yet
    r"\b(?:expected|set|poised|preparing|prepares|planning|plans|likely|about|going|due|considering|weighing|mulling"
    r"|seeking|looking|readying|mull|consider\w*|weigh\w*)\s+(?:to\s+)?(?:[\w'’-]+\s+){0,3}(?:fines?|impos\w*|levy|levying|slap\w*"
    r"|penal\w*|punish\w*)",
    r"\b(?:faces?|facing|risks?|risking)\s+(?:[\w'’$.,-]+\s+){0,5}(?:fines?|penalt\w*)", r"\b(?:potential|possible|likely|expected|looming|impending)\s+(?:[\w'’$.-]+\s+){0,3}(?:fines?|penalt\w*)",
    r"\bcould (?:be|get|receive|include)\b", r"\bif (?:found|convicted)\b",
    r"\b(?:could|may|might)\s+(?:result|end|lead)\s+(?:in|to|with)\s+(?:[\w'’-]+\s+){0,2}(?:fines?|penalt)",  # "could result in substantial fines"
    # a headline's infinitive is its future ("Regulator to fine Meituan $1 bln"); a decision to fine is taken
    r"(?<!decided )(?<!decides )(?<!decision )(?<!agreed )(?<!voted )\bto (?:fine|penali[sz]e)\b",
    r"\b(?:would|will|could|might) be (?:[\w'’-]+\s+){0,4}(?:fines?|penalt\w*)\b",  # "would be the largest penalty"
    r"\b(?:fines?|penalt\w*) (?:would|could|might) be\b",
    r"\b(?:fines?|penalt(?:y|ies))\b(?:[^.;]|\.\d){0,30}\b(?:being|to be|was|were|is|are)\s+(?:\w+\s+)?(?:considered|discussed|proposed|planned|weighed|mulled|negotiated|finali[sz]ed|expected)\b",

    r"预计", r"預計", r"拟对", r"擬對", r"或将", r"或將", r"或面临", r"或面臨", r"面临.{0,12}(?:罚|處罰|处罚)", r"面臨.{0,12}罰",
    r"可能.{0,8}(?:罚|罰)", r"将对.{0,20}(?:罚|罰)", r"將對.{0,20}罰",
    r"(?:罚款|罰款|罚金|罰金)(?:金额|金額|数额|數額)?(?:可能|或将|或將|预计|預計|有望|或)",  # "the fine may exceed ..."
)


PERSON_ROLE = cue(r"\b(?:founder|chief executive|CEO|CFO|chief financial officer|president|chairman|chairwoman|executives?"
                   r"|director|manager|officials?)\b",
                   r"董事长|董事長|总裁|總裁|创始人|創始人|高管|负责人|負責人|首席执行官|首席執行官|总经理|總經理"
                   r"|法定代表人|行长|行長|总监|總監|经理|經理|时任|時任|大V|博主|网红|網紅|主播")  # 时任财务总监, 大V: people


# Executives summoned, not fined: "约谈腾讯公司相关负责人…并处100万元罚款", "summoned its executives and fined the
# company": the people are the summons' object, and the fine that follows is the company's.
SUMMONED_PEOPLE = cue(r"\b(?:summon(?:s|ed|ing)?|called in|met with)\b[^.;,]{0,40}$",
                      r"(?:约谈|約談|约见|約見)[^。；，,]{0,20}$")


# "中共中央政治局召开会议…。关于平台经济，会议指出：…": the meeting named in an earlier sentence speaks in this one.
MEETING_ANAPHOR = cue(r"\bthe (?:meeting|conference|session|gathering)\s+(?:said|stressed|noted|pledged|called|urged|vowed|pointed out|decided)",
                      r"会议(?:指出|强调|提出|要求|认为|明确|部署|决定)", r"會議(?:指出|強調|提出|要求|認為|明確|部署|決定)")


# A sentence told in the same breath as the one before it ("At the same time, the SAMR issued ..."): its time is
# that sentence's, so the continuation of a recap is a recap too.
SAME_TIME = cue(r"^\W*(?:at the same time|meanwhile|in the same decision)\b", r"^\W*(?:同时|同時|与此同时|與此同時)")


# "was fined the maximum amount", "punished with maximum fine", 顶格罚款 imposed: the ceiling was applied, a decided
# fine (HYPOTHETICAL's "maximum" is the ceiling a company could face).
MAXIMUM_IMPOSED = cue(r"\b(?:was|were|been|got|received|given|punished with|slapped with|hit with)\s+(?:fined\s+|slapped with\s+|hit with\s+)?(?:the\s+|a\s+)?maximum\b")


NOT_AMOUNT_AFTER = cue(r"^\s*(?:in (?:annual |domestic )?(?:revenue|sales)|of (?:revenue|sales)|的?销售额|\d+(?:\.\d+)?%)")


# A running total of many past penalties ("fined more than 40 times this year, 14.3 million yuan in all"):
# a fact about the record, not a new fine.
CUMULATIVE = cue(
    r"\b(?:more than |over |nearly |at least )?\d+ times\b", r"\bso far this year\b", r"\bthis year alone\b",
    r"\b(?:over|in|during) the (?:first|past|last) (?:\w+ )?(?:months|years?|quarters|half)\b", r"\bcumulative\w*\b",
    r"上半年|下半年|前三季度|第[一二三四]季度|一季度",  # a half-year's or a quarter's tally
    r"\bto date\b", r"累计", r"累計", r"全年", r"今年以来", r"今年以來", r"共计.{0,12}次", r"共計.{0,12}次", r"\d+次",
    r"\b\d+ (?:[\w-]+ ){0,3}cases\b(?:[^.;]|\.\d){0,200}\bin total\b",  # "175 monopoly cases ... 23.59 billion yuan in total"
    r"\bfines (?:top|topped|total|totalled|totaled|reach|reached|exceed|exceeded|surge|surged)\b",  # "fines top $3b"
    # a tally told by its examples: "fines in 98 cases, involving companies like A and B"
    r"\b\d+ (?:[\w-]+ ){0,2}(?:cases|instances)\b(?:[^.;]|\.\d){0,120}\b(?:companies|firms) (?:like|such as)\b",
    r"多次(?:予以|被|受到|遭)?(?:罚款|罰款|处罚|處罰)",  # fined many times: a record, not a decision
    r"不等", r"\branging from\b",  # "单案罚款从1万元到100万元不等", "fines ranging from": many cases' spread
    r"\byear[- ]on[- ]year\b", r"同比",  # "N firms were fined, M percent more than a year before": statistics
    # "fines totalling N since 2016": years' tally (not "abused its dominance since 2015", the decision's facts)
    r"\b(?:totall?ing|in total|a total of)\b(?:[^.;]|\.\d){0,80}\bsince (?:19|20)\d\d\b",
    r"(?:19|20)\d\d年(?:以来|以來)[^。；]{0,40}(?:共|合计|合計)",
)
# An action named as the cause or background of something else: "following a record fine", "since the probe".
BACKGROUND = cue(
    r"\b(?:following|follow(?:s|ed)|since|in the wake of|on the heels of|in the aftermath of|in light of|despite"
    r"|after)\s+"
    r"(?:a|an|the|its|their|his|her|this|that|last year's|[A-Z][\w.]*(?:'s|’s))\s+(?:[\w$.,'’-]+\s+){0,6}?"
    r"(?:fines?|penalt(?:y|ies)|probes?|investigations?|crackdowns?|review|suspension|ban)\b",
    r"(?:受|因|在)[^，。；]{0,12}(?:罚款|罰款|处罚|處罰|调查|調查)(?:影响|影響|之后|之後|后|後)",
    # "..., weeks after the watchdog fined X": a clause dated by an older fine is not the fine, nor is the rest of
    # the sentence after it ("..., a penalty read as a warning")
    r"\b(?:days|weeks|months|hours|shortly|soon|a (?:day|week|month))\s+after\s+[^,;.]{0,80}?"
    r"\b(?:fine[ds]?|penalt(?:y|ies)|penali[sz]ed)\b[^;]*",
    # 在阿里巴巴因反垄断被罚款182.28亿元后，…: the fine, amount and all, frames what came after it
    r"在[^，。；]{0,20}(?:罚款|罰款|被罚|被罰|处罚|處罰)[^，。；]{0,14}?(?:之后|之後|后|後)[，,]",
    r"\bsince\s+(?:[\w'’.-]+\s+){1,4}(?:was|were|had been)\s+(?:fined|penali[sz]ed|probed)\b",  # "largest since Didi was fined"
    r"\b(?:recently|newly|already|previously|once)[- ](?:fined|penali[sz]ed|sanctioned)\b",  # "the HQ of recently fined Alibaba"
    # An appositive naming the fine just told: "..., a penalty that signalled the end of ...".
    r"[,，]\s*(?:a|the|an)\s+(?:[\w-]+\s+){0,2}(?:fine|penalty)\s+(?:that|which)\b",
)
# A fine spoken of as a possibility after its noun: "a fine on Ant Group would be the largest ever".
FINE_SPECULATED = re.compile(r"[^.;,]{0,30}\b(?:would|could|might) be\b")


# A fine that was decided, with or without an amount: "fined", "a fine of", an administrative penalty decision.
DECIDED_FINE = cue(
    r"fined|罚款|罰款|罚没|罰沒|penalty of|fine of|pay a (?:\w+ )?(?:fine|penalty)|行政处罚决定|行政處罰決定|作出行政处罚|作出行政處罰"
    r"|(?:impos(?:e|es|ed|ing)|lev(?:y|ies|ied)|slap(?:s|ped)?|hand(?:s|ed)|issu(?:es|ed)|hit(?:s)?|dol(?:es|ed) out)\b"
    r"(?:[^.;]|\.\d){0,40}\b(?:fine|penalt(?:y|ies))|(?:fines?|penalt(?:y|ies))\b(?:[^.;]|\.\d){0,20}\bimposed",
)
# A penalty decision whose content is an order, not money: 作出行政处罚决定，责令腾讯解除独家版权; 作出责令…等处罚;
# "an administrative penalty ordering it to end ..."
PENALTY_IS_ORDER = cue(r"(?:行政处罚|行政處罰)(?:决定|決定)?(?:书|書)?[^。；，,]{0,6}[，,]?\s*(?:责令|責令)",
                       r"(?:责令|責令)[^。；]{0,40}等(?:处罚|處罰)", r"\bpenalt(?:y|ies)\b(?:[^.;]|\.\d){0,30}\bordering\b")
# The words that say money was levied, not only "penalty" or 处罚.
MONEY_PENALTY = cue(r"\bfin(?:e|ed|es|ing)\b", r"罚款|罰款|罚没|罰沒|罚金|罰金|罚单|罰單")
# The company acted on, named only as "the company" or "it": the one the story is about.
OBJECT_ANAPHOR = cue(
    r"\b(?:on|against|to|from) (?:the (?:company|firm|group|platform|giant|tech giant|e-commerce giant)|it)\b",
    r"(?:对|對)(?:其|该公司|該公司|该平台|該平台|该企业|該企業)",
)


def direction_of(text: str) -> str:
    ease, tighten = len(EASE.findall(text)), len(TIGHTEN.findall(text))
    if ease > tighten:
        return "ease"
    if tighten > ease:
        return "tighten"
    return "neutral"


# Anonymous sourcing: regulators announce what they decided themselves, so what "people familiar with the
# matter" describe is not decided yet.
UNCONFIRMED = cue(
    r"\b(?:sources?|people|persons?) (?:familiar|with knowledge|close to|briefed)\b", r"\breportedly\b",
    r"\baccording to (?:people|sources|a person)\b", r"消息人士", r"知情人士", r"据悉", r"據悉", r"消息称", r"消息稱",
)
# Before an action word: planned, expected or possible, not taken. (Unlike INTENT, "would" and "will" are
# left out: "the apps would be investigated, the regulator said" announces a probe.)
NOT_YET = cue(r"\b(?:plan\w*|aim\w*|seek\w*|hop\w+|expect\w*|intend\w*|consider\w*|mull\w*|weigh\w*|prepar\w+"
              r"|set|poised|likely)\s+(?:to\s+)?(?:\w+\s+){0,2}$", r"\b(?:could|may|might)\s+(?:\w+\s+){0,2}$",
              r"(?:计划|計劃|拟|擬|准备|準備|有望|或将|或將|可能)[^，。；]{0,20}$")
# Before "end the campaign": also "would", "wants to", 将 — a campaign is over only when said to be over.
INTENT = cue(NOT_YET.pattern, r"\b(?:would|want\w*|looking|about)\s+(?:to\s+)?(?:\w+\s+)?$", r"(?:将|將|或)\s*$")
CAMPAIGN_END = cue(
    r"\b(?:end|ends|ended|ending|conclu\w+|complet\w+|finish\w*|wrap\w* up|close\w*)\b(?:[^.;]|\.\d){0,40}\b(?:rectification|crackdown|campaign|clean-?up)",
    r"\b(?:rectification|crackdown|campaign)\b(?:[^.;]|\.\d){0,40}\b(?:basically |largely |mostly )?(?:complete|completed|over|ended|concluded)\b",
    # not a deadline (应在…前完成整改) or what is still undone (未完成整改)
    r"整改.{0,6}(?<![前未须須应應])(?:基本完成|完成|结束|結束)", r"(?<![前未须須应應])(?:基本完成|完成|结束|結束).{0,6}整改",
    r"常态化监管", r"常態化監管",
)


GROUP_TARGET = cue(r"\b\d+\s+(?:[\w'’-]+\s+){0,5}(?:companies|platforms|firms|apps|operators)\b",
                    r"\b(?:all|the) (?:two|three|four|five|six)\b", r"\bboth (?:companies|apps|platforms|firms)\b",
                    r"[\d一二三四五六七八九十两百千数几上]+家.{0,8}(?:平台|企业|企業|公司)", r"[\d一二三四五六七八九十两]+款[^，。；]{0,12}(?:App|APP|应用|應用)",
                    r"\b\d+ (?:[\w-]+ ){0,3}(?:cases|deals|transactions|acquisitions|mergers)\b",
                    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens of|several|a number of)\s+(?:[\w-]+\s+){0,3}"
                    r"(?:companies|firms|platforms|makers|operators|providers|enterprises|businesses)\b",
                    r"\b(?:major|leading|main|big|biggest|largest|several|top|dominant)\s+(?:[\w-]+\s+){0,3}"
                    r"(?:platforms|firms|companies|giants|operators|providers|apps)\b",
                    r"(?:主要|多家|各大|相关|相關|头部|頭部|大型|重点|重點)[^，。；]{0,8}(?:平台|企业|企業|公司)",
                    r"(?:相关|相關|上述|以上|这些|這些)(?:App|APP|应用|應用|网站|網站)",
                    r"[\d一二三四五六七八九十两]+起.{0,24}案")
# Parties described instead of named, as the action's object: "ordered news portal ifeng.com to", "summoned an online
# platform", "asked internet companies to"
DESCRIBED_TARGET = cue(r"(?<!\bthat )(?<!\bwhich )\b(?:order(?:s|ed)|told|asked|required|instructed|summon(?:s|ed)|punish(?:es|ed))"
                       r"\s+(?:(?:a|an|the)\s+)?"
                       r"(?:[\w.-]+\s+){0,2}?(?:portals?|platforms?|websites?|apps?|compan(?:y|ies)|firms?|operators?|providers?"
                       r"|publishers?)\b")
# A probe of a whole industry rather than of a firm: "an investigation of the country's food delivery platforms",
# 对外卖平台服务行业竞争情况展开调查
SECTOR_PROBED = cue(r"\b(?:investigation|probe|inquiry)s?\b(?:[^.;]|\.\d){0,30}?\b(?:into|of)\s+(?:the\s+)?"
                    r"(?:country's\s+|China's\s+)?(?:(?!and\b)[\w-]+\s+){0,3}(?:industry|sector|platforms)\b",
                    r"对[^，。；,]{0,16}(?:行业|平台)[^，。；,]{0,10}(?:展开|开展|进行)[^，。；,]{0,4}调查")
# A duty laid on a whole kind of company: "Platforms would be required to", "operators must not"
SECTOR_DUTY = cue(r"(?:^|[.;:,]\s*|\b(?:all|online|livestreaming|internet|gaming|e-commerce|that)\s+)(?:platforms|platform companies"
                  r"|operators|apps|app operators|companies)\s+(?:will|would|shall|must|are to)\s+(?:not\s+)?(?:be\s+)?"
                  r"(?:required|obliged|asked|barred|banned|prohibited|allowed|need)\b")
# The order a company's pledge answers: "will carry out the rectifications ordered by the watchdog"
ORDERED_BY = cue(r"\brectifications? (?:\w+ )?(?:ordered|required|demanded) by (?:the |its )?\w*\s*(?:regulator|authorities|watchdog"
                 r"|administration|ministry|SAMR|CAC|PBOC)\b")
# Rectification named as such beside a fine (整改, "rectify", 责令…改正): an order of its own, not the fine's wording
RECTIFY_NAMED = cue(r"整改", r"rectif", _ORDERED_TO_CORRECT_ZH, r"\bmake corrections\b")
# A company's own listing put off by it: "would postpone its listing", 推迟其上市
OWN_LISTING = cue(r"\b(?:its|their)\s+(?:own\s+|planned\s+|proposed\s+|Hong Kong\s+|Shanghai\s+)?"
                  r"(?:IPO|initial public offering|listing|flotation)\b")
# A passive verb just before a trigger: "was fined", "were heavily penalised"
PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|be|is|are|got|get|gets)\s+(?:\w+\s+)?$")
# "Some platforms", "individual companies": the unnamed few of a year's statistics, not an action on anyone.
VAGUE_TARGET = cue(r"(?:个别|部分|一些|若干|某些)[^，。；]{0,8}(?:平台|企业|公司|网站)",
                   # whoever breaks the rules, in a warning: 将对违规平台依法进行调查
                   r"(?:违规|違規|违法|違法)(?:的)?(?:平台|平臺|企业|企業|网站|網站|主体|主體)",
                   r"\b(?:some|certain|individual) (?:\w+ )?(?:companies|platforms|firms|websites)\b")
# Sectors that are not tech: a fine in them is not regwatch's news, whatever else the story mentions.
NOT_TECH = cue(
    r"\b(?:pharma\w*|drug ?makers?|drugs?|medicine|hospitals?|cement|property|real estate|developers?|banks?|insurers?"
    r"|brokerages?|steel|coal|auto parts|supermarkets?|restaurants?|liquor|baijiu|dairy|tobacco|agricultur\w*)\b",
    r"药业", r"藥業", r"医药", r"醫藥", r"制药", r"製藥", r"药品", r"藥品", r"水泥", r"房地产", r"房地產", r"地产", r"地產",
    r"银行", r"銀行", r"保险", r"保險", r"证券公司", r"證券公司", r"钢铁", r"鋼鐵", r"煤炭", r"白酒", r"乳业", r"乳業", r"烟草",
)
# The top bodies' stance on private enterprise covers the platforms too (Xi meeting entrepreneurs, 2025).
PRIVATE_SECTOR = cue(r"\bprivate (?:sector|economy|enterprises?|businesse?s?|firms|companies|entrepreneurs)\b",
                     r"民营企业", r"民營企業", r"民营经济", r"民營經濟", r"民营企业家", r"民營企業家")
# A law applied to a case ("under the Anti-Monopoly Law", 根据《反垄断法》规定) is enforcement, not new policy.
LAW_APPLIED = cue(r"\b(?:under|in accordance with|pursuant to|according to|violat\w+|breach\w*) (?:the |its )?(?:[A-Z][\w-]* ){0,5}Law\b",
                  r"(?:根据|根據|依据|依據|依照|按照|违反|違反)了?\s*《[^》]{1,30}法》")

# A document drawn up under the laws just named: "根据《电子商务法》…等法律法规，制定发布了《…指引》"
ISSUED_UNDER_LAWS = re.compile(r"(?:制定|出台|印发|印發|发布|發布)[^。；]{0,8}《")

# What a law provides, quoted to explain a decision (第十条规定：经营者有…的，责令改正，并处罚款): the
# penalty and the order it describes are the law's, not actions. Not a law applied (依据…第十条规定：对X处罚款).
STATUTE = cue(r"^(?:(?!依据|根据|依照|按照|依據|根據)[^。；])*?第[一二三四五六七八九十百零\d]+条[^。；:：]{0,12}(?:规定|規定)[:：]")


FOR_COMPANY = re.compile(r"\s*(?:for|to|on)\s+(?:the\s+)?", re.IGNORECASE)


RESPECTIVELY = cue(r"\brespectively\b", r"分别", r"分別")


PER_CASE = cue(r"^\W{0,3}(?:per|a|each|for each|every) (?:case|deal|transaction|acquisition|violation)\b",
                r"^\W{0,3}(?:一起|每起|每宗|每件)")


TOTAL = cue(r"\b(?:total(?:ling|ing)? of|in total|in all|adds? up to|amounting to|bringing (?:its|the) (?:total|penalties)"
             r" to|taking (?:its|the) (?:total|penalties|fines) to)\b", r"合计", r"合計", r"共计", r"共計", r"累计", r"累計", r"合共")


# Several companies named in an earlier sentence, referred to together: "the companies", 上述平台.
PLURAL_ANAPHOR = cue(r"\b(?:the|these|those|all (?:three|four|five|the)) (?:\w+ )?(?:companies|firms|platforms|giants|apps)\b",
                     r"^\s*(?:Each|Both|All three|All of them|Each of them)\b",
                     r"(?:这些|上述|以上|这几家|这三家|这两家)(?:企业|平台|公司)")
# The members of a group just fined, named in the next sentence: "The companies include Baidu, Tencent ...",
# 其中包括阿里巴巴、腾讯.
GROUP_MEMBERS = cue(r"\b(?:the|these|those) (?:\w+ )?(?:companies|firms|platforms|operators)\b(?:[^.;]|\.\d){0,60}?"
                    r"\b(?:include[sd]?|including|are|were)\b",
                    r"\b(?:among them|among the (?:companies|firms|platforms))\b", r"(?:其中)?(?:包括|涉及)")
ANAPHOR = cue(r"\b(?:it|its|the company|the firm|the group|the platform)\b", r"该公司", r"該公司", r"其", r"该平台", r"該平台")
# The same, without "it", which is as often the regulator ("it summoned and fined the company").
COMPANY_ANAPHOR = cue(r"\b(?:its|the company|the firm|the group|the platform)\b", r"该公司", r"其", r"该平台")


POLICY_BODIES = ("POLITBURO", "STATE_COUNCIL", "CEWC", "NPC")


EXCHANGES = ("SSE", "SZSE", "HKEX")


POLICY_DOCUMENT = cue(
    r"《[^》]{2,40}》", r"\b(?:guidelines|regulations|provisions|measures|draft|rules|law|opinions|directive)\b",
    r"\b(?:Politburo|State Council|Central Economic Work Conference|symposium)\b",
    r"规定", r"規定", r"办法", r"辦法", r"指南", r"意见", r"意見", r"草案", r"征求意见稿", r"政治局", r"国务院", r"國務院",
)


NEW_POLICY = cue(
    r"\b(?:issued|issues|published|released|unveil\w+|passed|adopted|approved|draft|proposed|took effect|takes effect"
    r"|introduc\w+|new (?:rules|regulations|guidelines|measures|law))\b",
    r"发布", r"發布", r"印发", r"印發", r"出台", r"通过", r"通過", r"施行", r"征求意见", r"徵求意見",
)


# Remedies beyond the fine itself; "stop the illegal conduct" (责令停止违法行为) is every fine's boilerplate.
BINDING_ORDER = cue(
    r"\bmust (?:end|give up|terminate|scrap|unwind|divest|sell|cancel)\b",
    r"\border(?:ed|ing)\b(?:[^.;]|\.\d){0,60}\bto (?:end|give up|terminate|unwind|divest|sell|cancel|release|relinquish|drop|abandon)\b",
    r"\b(?:release|relinquish|give up|end) (?:its |the |all )?exclusive\b",
    r"责令.{0,20}(?:解除|终止|恢复)", r"責令.{0,20}(?:解除|終止|恢復)", r"行政指导书", r"行政指導書",
)


# The company answering a decision: what it accepts, pledges or says it has done is not a new action.
PLEDGE = cue(r"\b(?:accept\w*|pledg\w+|promis\w+|vow\w*|committed to|apologi[sz]\w*)\b(?:[^.;]|\.\d){0,60}$",
             r"\bself-(?:examination|inspection|correction)\b(?:[^.;]|\.\d){0,20}$",
             r"(?:诚恳接受|虚心接受|坚决服从|表示接受|承诺|回应称|回应表示|已成立)[^。；]{0,40}$",
             # the company's part in a probe: "would cooperate with the investigation", 为配合网络安全审查工作
             r"\bcooperat\w+ (?:fully )?with (?:the |an? |its |their )?(?:[\w'’-]+ ){0,3}$", r"(?:为|為|积极|積極|全力|主动|主動|将|將|会|會)配合[^，。；,]{0,6}$")


# Said not to have happened: "no app was removed", 也未出现下架.
NEGATED = cue(r"\b(?:not|no|never|without)\s+(?:(?!only\b)\w+\s+){0,2}$", r"\b\w+n't\s+(?:\w+\s+){0,2}$",
              r"(?:未|没有|并未|不会|无须|无需|免于|免予)[^，。；]{0,6}$")
# ... or inside the cue's own span: "App…也未出现下架" matches the app_removal cue from "App" on.
NEGATOR = re.compile(r"未|没有|并未|不会|\b(?:not|never)\b")


# A regulator ordering rectification, as opposed to a company pledging it ("would conduct self-examination and
# rectification") or reporting it done (已完成整改).
RECTIFY_ORDER = cue(r"\b(?:ordered|required|demanded|instructed|told)\s+(?:[\w'’.-]+\s+){0,4}?(?:to\s+[\"“']?(?:\w+\s+){0,2}rectify"
                    r"|[\"“']?(?:\w+\s+)?rectifications?)\b", r"\brectifications? (?:was |were )?(?:ordered|demanded)\b",
                    # the order's corrective part after other duties: "required it to pay ... and implement
                    # rectifications", "ordered to step up its management" (not "to file self-inspection reports")
                    r"\b(?:ordered|ordering|required|demanded|instructed)\b(?:[^.;]|\.\d){0,160}?\b(?:rectif\w+|make corrections"
                    r"|step up (?:its |their )?(?:management|supervision|oversight|review))",
                    r"责令[^，。；]{0,12}整改", _ORDERED_TO_CORRECT_ZH, r"要求[^，。；]{0,12}(?:立即|全面)?整改",
                    # an order to rectify in a list of duties (责令其…自查和纠正，全面整改), or with a deadline:
                    # 限期整改, "应在3月21日前完成整改，逾期不整改的…依法处置"
                    r"(?:责令|責令)" + _TO_RECTIFY_ZH, *RECTIFY_BY_DEADLINE)


NARRATIVE_PROBE = cue(r"\bafter (?:(?:a|an|its|the)\b(?:[^.;]|\.\d){0,30})?\b(?:investigation|probe)\b", r"经查", r"經查", r"调查发现", r"調查發現",
                       r"\b(?:verified|found|established) (?:after|through|in) (?:an? |its |the )?(?:investigation|probe)\b",
                       r"\bfollowing (?:a|an|its)\b(?:[^.;]|\.\d){0,30}\b(?:investigation|probe)\b", r"\bconcluded\b",
                       r"\b(?:completed|finished|wrapped up|closed)\s+(?:its |the |an? )?(?:[\w-]+ ){0,2}(?:investigation|probe)",
                       r"调查结束|調查結束|结束调查|結束調查|完成调查|完成調查|调查完毕|調查完畢",
                       # what a probe found: "The investigation by the regulator found that ..." (not "opened a probe
                       # after a report revealed", where something else found it)
                       r"\b(?:investigation|probe)\b(?:(?!\b(?:after|following|when|because|as)\b)(?:[^.;]|\.\d)){0,60}?"
                       r"\b(?:found|showed|revealed)\b")


# The sector an event concerns, first match wins (most specific first).
SECTORS = (
    ("fintech", cue(r"\b(?:fintech|payments?|lending|microlend\w*|credit|wealth management|financial holding)\b",
                    r"金融科技", r"支付", r"小贷", r"小貸", r"信贷", r"信貸", r"金融业务", r"金融業務", r"金融控股")),
    ("gaming", cue(r"\b(?:gam(?:e|es|ing)|video games?)\b", r"游戏", r"遊戲", r"版号", r"版號")),
    ("education", cue(r"\b(?:tutoring|after-school|education|edtech)\b", r"校外培训", r"校外培訓", r"双减", r"雙減", r"教育")),
    ("data and privacy", cue(r"\b(?:data|privacy|personal information|cybersecurity)\b", r"数据", r"數據", r"个人信息",
                             r"個人信息", r"网络安全", r"網絡安全")),
    ("artificial intelligence", cue(r"\b(?:AI|artificial intelligence|generative|algorithm\w*)\b", r"人工智能", r"生成式",
                                    r"算法", r"演算法")),
    ("semiconductors", cue(r"\b(?:chip\w*|semiconductor\w*)\b", r"芯片", r"晶片", r"半导体", r"半導體")),
    ("e-commerce and platforms", cue(r"\b(?:e-commerce|online retail|platform\w*|delivery|ride-hailing)\b", r"电商",
                                     r"電商", r"平台", r"外卖", r"外賣", r"网约车", r"網約車")),
)


REASON = cue(
    r"\bfor (?P<en>(?:abus|violat|fail|forc|breach|illegal|unlawful|publish|collect|mislead|false|not |allegedly)[^.;()]{5,160})",
    r"(?:因|由于|由於)(?P<zh>[^，。；]{4,60}?)(?:被|而|，)",
)
