"""The sentence extractor: a Chinese authority acting, on the tech sector, in a fresh sentence, yields events."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tasks.classify.companies import CompanyMatch
from tasks.classify.currency import Rates
from tasks.classify.events.attach import (
    chinese_object,
    choose_amount,
    company_totals,
    named_as_channel,
    named_as_investor,
    one_per_company,
    other_parties,
    owned_names,
    pair_amounts,
    targets,
    untracked_name,
)
from tasks.classify.events.cues import (
    ANAPHOR,
    BACKGROUND,
    BINDING_ORDER,
    CAMPAIGN_END,
    COMPANY_ANAPHOR,
    CUMULATIVE,
    DECIDED_FINE,
    DESCRIBED_TARGET,
    EXCHANGES,
    FINE_SPECULATED,
    GROUP_MEMBERS,
    GROUP_TARGET,
    HYPOTHETICAL,
    INTENT,
    ISSUED_UNDER_LAWS,
    LAW_APPLIED,
    MAXIMUM_IMPOSED,
    MEETING_ANAPHOR,
    MONEY_PENALTY,
    NARRATIVE_PROBE,
    NEGATED,
    NEGATOR,
    NOT_TECH,
    NOT_YET,
    OBJECT_ANAPHOR,
    ORDERED_BY,
    OWN_LISTING,
    PASSIVE_BEFORE,
    PENALTY_IS_ORDER,
    PER_CASE,
    PERSON_ROLE,
    PLATFORM_STANCE,
    PLEDGE,
    PLURAL_ANAPHOR,
    POLICY_ACTION,
    POLICY_BODIES,
    PRIVATE_SECTOR,
    RECTIFY_NAMED,
    RECTIFY_ORDER,
    SAME_TIME,
    SECTOR,
    SECTOR_DUTY,
    SECTOR_PROBED,
    STATUTE,
    SUMMONED_PEOPLE,
    TOTAL,
    TRIGGERS,
    UNCONFIRMED,
    VAGUE_TARGET,
    direction_of,
)
from tasks.classify.events.merging import drop_followups, drop_policy_chatter, merge_events
from tasks.classify.events.model import Event
from tasks.classify.events.timing import is_recap, is_recap_at, mentions_date, reference_date
from tasks.classify.money import Money, find_money
from tasks.classify.regulators import FOREIGN, RegulatorFinder, RegulatorMention
from tasks.common.text import Sentence, split_sentences


def _chinese_regulators(mentions: list[RegulatorMention]) -> list[RegulatorMention]:
    """Chinese bodies in a sentence, named ones before "the regulators"."""
    return sorted((m for m in mentions if m.code != FOREIGN), key=lambda m: m.code == "AUTHORITIES")


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
            reference=reference_date(document, published),
            exact=published is not None,
            main_company=_main_company(document, companies, len(title)),
            companies=companies,
        )
        events: list[Event] = []
        last_chinese: RegulatorMention | None = None
        since_named = 0
        recent: list[CompanyMatch] = []  # the companies of the last sentence that named any, and that sentence
        recent_text = ""
        since_recent = 0
        previous = ""
        group_fine: Sentence | None = None  # "fined 12 companies", whose members a next sentence may name
        since_group_fine = 0
        headlines: set[str] = set()  # the headline sentences, whose fines the body may date
        dated_old: set[str] = set()  # companies the body tells of an old fine on
        old_list = False  # the clause before was skipped as the next item of a list of old fines
        body_start = len(title) + 2 if title else 0
        foreign_story = any(m.code == FOREIGN for m in mentions)
        for sentence in split_sentences(document):
            before, previous = previous, sentence.text
            if SAME_TIME.search(sentence.text) and is_recap(before, context.reference, context.exact):
                continue  # "In October the regulator fined it ... At the same time, it ordered ...": both old
            after_semicolon = before.endswith((";", "；"))
            if after_semicolon and not mentions_date(sentence.text) and (old_list or _old_fine(before, context)):
                old_list = True
                continue  # 去年A被罚款50万元；B被罚款30万元: the list's date holds for B too
            old_list = False
            if sentence.start < len(title) or _headline_line(sentence, document):
                headlines.add(sentence.text)
            elif TRIGGERS["fine"].search(sentence.text) and is_recap(sentence.text, context.reference, context.exact):
                dated_old.update(m.company_id for m in companies if sentence.start <= m.start < sentence.end)
            regs = [m for m in mentions if sentence.start <= m.start < sentence.end]
            chinese = _chinese_regulators(regs)
            foreign = [m for m in regs if m.code == FOREIGN]
            if not after_semicolon:
                since_named += 1  # a list of violations split at its semicolons is still one sentence of distance
            carried = last_chinese if not foreign and since_named <= CARRY_SENTENCES else None
            if carried is not None and carried.code == "AUTHORITIES" and foreign_story:
                carried = None  # "Chinese officials" in a story of a foreign regulator's: their own sentence only
            acting = chinese[0] if chinese else carried
            if chinese:
                last_chinese, since_named = chinese[-1], 0
            named = bool(chinese) or bool(acting and MEETING_ANAPHOR.search(sentence.text))
            if acting is None and not foreign and (sentence.start < len(title) or _headline_line(sentence, document)
                                                   or _agentless_lede(sentence, body_start, companies)):
                acting = _lead_regulator(mentions, sentence.end)
                named = acting is not None  # a headline's (or lede's) regulator is named in the first paragraph
            if acting is None or acting.code == "COURT":
                continue
            local = [
                CompanyMatch(m.company_id, m.company, m.surface, m.start - sentence.start, m.end - sentence.start, m.weak)
                for m in companies if sentence.start <= m.start < sentence.end
            ]
            since_recent += 1
            if local:
                recent, recent_text, since_recent = local, sentence.text, 0
            elif since_recent <= CARRY_SENTENCES and (plural := PLURAL_ANAPHOR.search(sentence.text)):
                # "JD.com, Meituan and Ele.me were summoned. The companies were told to ...": those three
                if is_recap(recent_text, context.reference, context.exact):
                    continue  # "In December it fined A, B and C. Each was fined ...": the same old story
                local = [CompanyMatch(m.company_id, m.company, plural.group(0), plural.start(), plural.end(), m.weak)
                         for m in recent]
            if not (local or SECTOR.search(sentence.text) or context.tech_story or acting.code in POLICY_BODIES):
                continue  # (what the top bodies say is checked for the sector in _is_policy_shift)
            if STATUTE.search(sentence.text):
                continue  # the law quoted, not applied
            found = self._sentence_events(sentence, acting, local, named, context)
            if group_fine and since_group_fine < CARRY_SENTENCES and all(e.kind == "policy_shift" for e in found):
                found = _group_members(group_fine, sentence, acting, local) or found
            events.extend(found)
            if not found and _fines_a_group(sentence.text) and not is_recap(sentence.text, context.reference,
                                                                              context.exact):
                group_fine, since_group_fine = sentence, 0
            else:
                since_group_fine += 1
        # "China Imposes Penalty against Didi" over "On 21 July, the CAC fined Didi ...": the body dates the headline
        events = [e for e in events if not (e.kind == "fine" and e.amount is None and e.evidence in headlines
                                            and e.company_ids and set(e.company_ids) <= dated_old)]
        return merge_events(drop_followups(drop_policy_chatter(events)), self.rates)

    def _sentence_events(
        self, sentence: Sentence, acting: RegulatorMention, companies: list[CompanyMatch], named: bool,
        context: _Context,
    ) -> list[Event]:
        found: list[Event] = []

        def fresh(match: re.Match[str]) -> bool:
            return not is_recap_at(sentence.text, match.start(), context.reference, context.exact)

        fine = _new_fine(sentence.text, fresh)
        amounts = find_money(sentence.text) if fine else []
        if fine and not amounts and PENALTY_IS_ORDER.search(sentence.text) and not MONEY_PENALTY.search(sentence.text):
            fine = None  # the penalty decided is the order in it (责令…), which is read below as one
        if fine:
            paired = pair_amounts(companies, amounts, sentence.text)
            money = choose_amount(sentence, fine, amounts, context.reference, context.exact)
            explicit = DECIDED_FINE.search(sentence.text)
            if paired:
                found.extend(self._fine_pairs(sentence, acting, paired))
            elif money is not None or explicit:
                found.extend(self._per_company("fine", sentence, fine, acting, companies, money, context))
            used = {m.start for m in amounts if any(e.amount_text == m.text for e in found)}
            for name, other in other_parties(sentence.text, amounts, used, companies) if found else ():
                found.append(_fine_event(sentence, acting, name, "", other))
        elif context.fine_story and companies and TOTAL.search(sentence.text) and not CUMULATIVE.search(
                sentence.text) and not is_recap_at(
                sentence.text, 0, context.reference, context.exact):
            # "Alibaba was involved in six cases, for a total of 3 million yuan."
            amounts = find_money(sentence.text)
            found.extend(self._fine_pairs(sentence, acting, company_totals(companies, amounts, sentence.text)))
        ended = CAMPAIGN_END.search(sentence.text)
        if ended and INTENT.search(sentence.text[max(0, ended.start() - 40):ended.start()]):
            ended = None  # "as they aim to conclude the crackdown": not ended yet
        if ended and ((companies and not PLATFORM_STANCE.search(sentence.text))
                      or PLEDGE.search(sentence.text[max(0, ended.start() - 80):ended.start()])):
            ended = None  # one company's rectification done ("Tenpay says most fixes are complete") is not policy
        if ended and named and fresh(ended) and acting.code not in EXCHANGES:
            event = Event("policy_shift", sentence.text, regulator=acting.code, regulator_text=acting.surface,
                          direction="ease")
            found.append(event)
        for kind in ("ipo_block", "merger_block", "app_removal", "investigation", "rectification"):
            # "complete the rectification of platforms" is the Politburo setting policy; a probe of a whole
            # industry is still a probe
            if acting.code in POLICY_BODIES and not companies and not (
                    kind == "investigation" and SECTOR_PROBED.search(sentence.text)):
                continue
            if acting.code in EXCHANGES and kind != "ipo_block":
                continue
            # "will carry out the rectifications ordered by the watchdog": the order the pledge answers
            ordered = ORDERED_BY.search(sentence.text) if kind == "rectification" else None
            match = ordered or TRIGGERS[kind].search(sentence.text)
            if not match or not fresh(match) or (not ordered and _not_an_action(sentence.text, match)):
                continue
            if kind == "investigation" and (fine or NARRATIVE_PROBE.search(sentence.text)):
                continue
            if kind == "rectification" and SECTOR_DUTY.search(sentence.text):
                continue  # "Platforms would be required to strengthen rules": a rule for the sector, not an order
            if kind == "ipo_block" and OWN_LISTING.search(match.group(0)):
                continue  # "SenseTime said it would postpone its listing": the company's own decision
            if CUMULATIVE.search(sentence.text):
                continue  # "上半年约谈网站平台3000余家", "summoned 40 platforms so far this year": a tally
            if kind == "rectification" and any(e.kind == "investigation" for e in found) and not (
                    RECTIFY_ORDER.search(sentence.text) or BINDING_ORDER.search(sentence.text)):
                continue  # "opened an investigation and told it to abide by the rules": the probe is the news
            if kind == "rectification" and (ended or any(e.kind == "app_removal" for e in found) or (
                    fine and not RECTIFY_NAMED.search(sentence.text)
                    and not BINDING_ORDER.search(sentence.text))):
                continue
            events = self._per_company(kind, sentence, match, acting, companies, None, context)
            if not events and kind == "rectification":
                # "fined the platform 1.5 million yuan and ordered it to rectify": whoever the fine fell on
                events = [Event(kind, sentence.text, list(e.companies), list(e.company_ids), acting.code, acting.surface)
                          for e in found if e.kind == "fine"]
            found.extend(events)
        if not found and not ended and named and self._is_policy_shift(sentence.text, acting, fresh, context, companies):
            event = Event("policy_shift", sentence.text, regulator=acting.code, regulator_text=acting.surface)
            event.direction = direction_of(sentence.text)
            event.companies = list(dict.fromkeys(m.company for m in companies))
            event.company_ids = list(dict.fromkeys(m.company_id for m in companies))
            found.append(event)
        return found

    @staticmethod
    def _is_policy_shift(
        text: str, acting: RegulatorMention, fresh: Callable[[re.Match[str]], bool], context: _Context,
        companies: list[CompanyMatch],
    ) -> bool:
        """A named body issues, decides or states something about the sector.

        The Politburo, the State Council and the leaders speak on every sector, so their sentence must
        itself be about tech; they need no document word ("the Party supports the platform economy"). A
        regulator needs a rule, notice, meeting or ban in the sentence. A penalty is never policy, and what
        unnamed sources say is coming is not decided."""
        # (laws named as a document's basis are not a penalty: 根据《电子商务法》等…制定发布了《…指引》)
        law_applied = LAW_APPLIED.search(text) and not ISSUED_UNDER_LAWS.search(text)
        if acting.code in ("AUTHORITIES", *EXCHANGES) or TRIGGERS["fine"].search(text) or law_applied or (
                UNCONFIRMED.search(text)):
            return False
        statement = POLICY_ACTION.search(text)
        if statement is None or not fresh(statement):
            return False
        if acting.code in POLICY_BODIES:  # a leader meeting tech founders is a stance on the sector too
            return bool(PLATFORM_STANCE.search(text) or SECTOR.search(text) or PRIVATE_SECTOR.search(text) or companies)
        cue_ = TRIGGERS["policy_shift"].search(text) or PLATFORM_STANCE.search(text)
        return bool(cue_ and fresh(cue_) and (SECTOR.search(text) or context.tech_story))

    def _fine_pairs(
        self, sentence: Sentence, acting: RegulatorMention, pairs: list[tuple[CompanyMatch, Money]]
    ) -> list[Event]:
        events = []
        for company, money in pairs:
            event = _fine_event(sentence, acting, company.company, company.company_id, money)
            event.per_case = bool(PER_CASE.search(sentence.text[money.end:money.end + 25]))
            events.append(event)
        return events

    def _per_company(
        self, kind: str, sentence: Sentence, trigger: re.Match[str], acting: RegulatorMention,
        companies: list[CompanyMatch], money: Money | None, context: _Context,
    ) -> list[Event]:
        acted_on = targets(sentence, trigger, companies, kind)
        names = [(t.company, t.company_id) for t in acted_on]
        if not names and VAGUE_TARGET.search(sentence.text, 0, trigger.end() + 60):
            return []  # "针对个别互联网企业…对其采取罚款": 其 is the unnamed few, not the story's company
        object_anaphor = OBJECT_ANAPHOR.search(sentence.text, max(0, trigger.start() - 30), trigger.end() + 80)
        if not names and object_anaphor and context.main_company:
            names = [(context.main_company.company, context.main_company.company_id)]  # "fined ... on the company"
        if not names and kind == "fine" and GROUP_TARGET.search(sentence.text, max(0, trigger.start() - 20),
                                                                trigger.end() + 60):
            if money is None:
                return []
            names = [("", "")]  # "fined two pharmaceutical companies": not the story's company
        if not names:
            # "The company was ordered ..., and its apps were pulled": the story's company, whatever name follows
            subject_anaphor = context.main_company and COMPANY_ANAPHOR.search(sentence.text, 0, trigger.start())
            untracked = None if subject_anaphor else untracked_name(sentence.text, trigger)
            object_text = sentence.text[trigger.end():trigger.end() + 60] + " " + chinese_object(sentence.text, trigger)
            if PASSIVE_BEFORE.search(sentence.text, 0, trigger.start()):  # "X, a policy bank, was fined": X's words
                object_text += " " + sentence.text[max(0, trigger.start() - 80):trigger.start()]
            if kind == "fine" and NOT_TECH.search((untracked or "") + " " + object_text):
                return []  # "fined the larger drug maker", 对扬子江药业处罚, a bank's fine: not tech news
            if untracked and (PERSON_ROLE.fullmatch(untracked) or _titled_person(sentence.text, untracked)):
                return []  # 对负责人立案调查, "its chairman was summoned", "chief executive Simon Hu": people
            if untracked and (owner := context.owned.get(untracked)):
                names = [(owner.company, owner.company_id)]  # "Alibaba-owned Quark was fined": Alibaba
            elif untracked:
                names = [(untracked, "")]
            elif context.main_company and (kind == "fine" or ANAPHOR.search(sentence.text)):
                names = [(context.main_company.company, context.main_company.company_id)]
            elif ((kind == "fine" and money is not None) or GROUP_TARGET.search(sentence.text)
                  or DESCRIBED_TARGET.search(sentence.text)
                  or (kind == "investigation" and SECTOR_PROBED.search(sentence.text))):
                names = [("", "")]  # "summoned 34 internet platforms", "ordered news portal X": unnamed companies
            else:
                return []  # a probe or order of nobody in particular is policy talk, not an action
        events = []
        for name, company_id in names:
            event = Event(kind, sentence.text, regulator=acting.code, regulator_text=acting.surface)
            event.companies = [name] if name else []
            event.company_ids = [company_id] if company_id else []
            if money is not None:
                event.amount, event.currency, event.amount_text = money.amount, money.currency, money.text
                event.per_case = bool(PER_CASE.search(sentence.text[money.end:money.end + 25]))
            events.append(event)
        return events


def _titled_person(text: str, name: str) -> bool:
    """`name` follows a person's title where it first appears ("chief executive Simon Hu", 董事长张三)."""
    start = text.find(name)
    return start > 0 and bool(PERSON_ROLE.search(text[max(0, start - 20):start].split(",")[-1]))


def _not_an_action(text: str, match: re.Match[str]) -> bool:
    """A cue that names no new action: planned or expected ("plans to end its review", 拟结束审查), denied
    ("no app was removed", 未出现下架), the company's own pledge ("accepted the decision and would conduct
    rectification"), or the background of the sentence's news ("the ruling followed an investigation")."""
    before = text[max(0, match.start() - 80):match.start()]
    denied = NEGATED.search(before[-30:]) or NEGATOR.search(match.group(0))
    return bool(NOT_YET.search(before[-30:]) or denied or PLEDGE.search(before)) or _in_background(text, match)


def _in_background(text: str, match: re.Match[str]) -> bool:
    """The cue sits in a phrase that makes it the background of the news ("following a record fine")."""
    return any(m.start() <= match.start() < m.end() for m in BACKGROUND.finditer(text))


def _on_a_person(text: str, match: re.Match[str]) -> bool:
    """A fine on executives, before the cue ("its founder was fined") or as its object ("also fined its
    chairman and its president 1 million yuan apiece"), is not the company's. Executives summoned before the
    fine ("约谈…相关负责人, 并处罚款") were the summons' object, not the fine's."""
    before = text[max(0, match.start() - 80):match.start()]
    if any(not SUMMONED_PEOPLE.search(before, 0, role.start()) for role in PERSON_ROLE.finditer(before)):
        return True
    following = text[match.end():match.end() + 80]
    amount = re.search(r"\d", following)
    return bool(PERSON_ROLE.search(following[:amount.start() if amount else 40]))


def _group_members(
    group_fine: Sentence, sentence: Sentence, acting: RegulatorMention, companies: list[CompanyMatch]
) -> list[Event]:
    """ "It fined 12 companies. ... the companies include Baidu, Tencent and a ByteDance-backed firm": a fine on
    Baidu and on Tencent (the backed firm is not ByteDance), told by both sentences; [] when the sentence names
    no members. Its own reading as policy ("said in its notice that ...") gives way."""
    if not GROUP_MEMBERS.search(sentence.text):
        return []
    members = one_per_company([m for m in companies if not named_as_investor(sentence.text, m)])
    return [Event("fine", f"{group_fine.text} {sentence.text}", [m.company], [m.company_id], acting.code,
                  acting.surface) for m in members]


def _old_fine(text: str, context: _Context) -> bool:
    """A fine the clause itself dates in the past (去年A被罚款50万元), not a fine next to an old date of
    something else (阿里巴巴涉及6起，其中包括2014年收购…，合计罚款300万元)."""
    fine = TRIGGERS["fine"].search(text)
    return bool(fine and is_recap_at(text, fine.start(), context.reference, context.exact))


def _fines_a_group(text: str) -> bool:
    """ "it fined a dozen firms over ten deals": a new fine on a group the sentence does not name."""
    fine = _new_fine(text, lambda match: True)
    return bool(fine and GROUP_TARGET.search(text, max(0, fine.start() - 20), fine.end() + 60))


def _new_fine(text: str, fresh: Callable[[re.Match[str]], bool]) -> re.Match[str] | None:
    """The first fine cue in a sentence that reports a new fine on a company: not dated in the past, not
    expected or possible, not an executive's, not a running total, not the background of something else."""
    if CUMULATIVE.search(text):
        return None
    for match in TRIGGERS["fine"].finditer(text):
        if _in_background(text, match) or _on_a_person(text, match):
            continue
        window = text[max(0, match.start() - 60):match.end() + 20]
        if (HYPOTHETICAL.search(window) and not MAXIMUM_IMPOSED.search(window)) or UNCONFIRMED.search(text):
            continue
        if FINE_SPECULATED.match(text, match.end()):
            continue
        return match if fresh(match) else None  # later cues in a dated sentence tell of the same old fine
    return None


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
    companies: list[CompanyMatch]

    @property
    def has_companies(self) -> bool:
        return bool(self.companies)

    @functools.cached_property
    def owned(self) -> dict[str, CompanyMatch]:
        """Untracked names the story ties to a tracked owner ("Alibaba-owned Quark")."""
        return owned_names(self.document, self.companies)

    @functools.cached_property
    def tech_story(self) -> bool:
        """The story is about tracked companies or the tech sector."""
        words = [m.group(0).lower() for m in SECTOR.finditer(self.document)]
        return self.has_companies or bool(self.title and SECTOR.search(self.title)) or len(set(words)) >= 2 or (
            len(words) >= 3)

    @functools.cached_property
    def fine_story(self) -> bool:
        """The story reports a fine somewhere."""
        return bool(TRIGGERS["fine"].search(self.document))


HEADLINE_ZONE = 1500  # headlines, decks and bullets sit in a page's first characters
_SENTENCE_END = re.compile(r"[.!?。！？;；:：]['\"”’」』)）]*\s*$")


def _headline_line(sentence: Sentence, document: str) -> bool:
    """A headline, deck or bullet inside the text (pages often repeat the headline after a photo caption):
    a short line near the top, on a line of its own, that does not end like a sentence."""
    if sentence.start > HEADLINE_ZONE or _SENTENCE_END.search(sentence.text):
        return False
    starts_line = sentence.start == 0 or document[sentence.start - 1] == "\n"
    ends_line = sentence.end >= len(document) or document[sentence.end:sentence.end + 1] in ("\n", "")
    short = len(sentence.text) <= 160 if sentence.text.isascii() else len(sentence.text) <= 60
    return starts_line and ends_line and short


# "X has been hit with a fine of N", 某公司被罚款50万元: the fined company as the subject, no one named as fining it.
_AGENTLESS_PENALTY = re.compile(
    r"\b(?:was|were|has been|have been|had been|got|gets|is|are)\s+(?:\w+\s+){0,2}?"
    r"(?:fined|slapped|hit|penali[sz]ed|punished)\b|被(?:罚|罰|处以|處以|处罚|處罰)"
)
LEDE_ZONE = 250  # characters into the body within which a sentence is the lede


def _fine_event(sentence: Sentence, acting: RegulatorMention, company: str, company_id: str, money: Money) -> Event:
    """A fine of `money` on one company (an untracked one has no id)."""
    return Event("fine", sentence.text, [company], [company_id] if company_id else [], acting.code, acting.surface,
                 money.amount, money.currency, money.text)


def _agentless_lede(sentence: Sentence, body_start: int, companies: list[CompanyMatch]) -> bool:
    """The story's lede reports a penalty on a tracked company, its subject, without naming who imposed it: wires
    name the regulator in the next paragraph, as headlines do."""
    if not 0 <= sentence.start - body_start < LEDE_ZONE:
        return False
    penalty = _AGENTLESS_PENALTY.search(sentence.text)
    if penalty is None:
        return False
    at = sentence.start + penalty.start()
    return any(sentence.start <= m.start and m.end <= at and at - m.end <= 80 for m in companies)


def _lead_regulator(mentions: list[RegulatorMention], title_end: int) -> RegulatorMention | None:
    """Headlines often leave the regulator to the first paragraph: take the first one named there."""
    body = [m for m in mentions if title_end <= m.start < title_end + 600]
    if any(m.code == FOREIGN for m in body):
        return None
    return next((m for m in body if m.code not in ("COURT", *EXCHANGES)), None)


def _main_company(document: str, companies: list[CompanyMatch], title_end: int) -> CompanyMatch | None:
    """The company a story is about: the first one in the title, else the most mentioned; never one named only
    as another's investor ("Tencent-backed Yuanfudao") or as the platform a statement was posted on ("according
    to a Weibo post")."""
    companies = [m for m in companies if not named_as_investor(document, m) and not named_as_channel(document, m)]
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


CARRY_SENTENCES = 3  # "The regulator said ..." acts for the one named up to three sentences before
