"""Need extraction by rules and lexicons: chat text → `NeedDraft` with the missing slots.

The default path needs no model: the gazetteer finds the region, the discipline lexicon and
the product list (`knowledge/data/products.csv`) the field, `matching/slots.py` the kind,
urgency, budget, confidentiality and consent. With an LLM configured, `matching/llm_extract`
tries first and these rules check and complete what it returns.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import replace

from knowledge import gazetteer, taxonomy
from knowledge.taxonomy import product_codes
from matching import slots
from matching.need import (
    KIND_LABELS,
    NeedDraft,
    discipline_name,
    only_names_a_product,
    problem_size,
)
from retrieval.intent import asks
from retrieval.tokenize import Tokenizer, normalise

_MAX_CHARS = 4000  # a need longer than this is pasted documents; the start says what matters
# Words that say "I need help" rather than what with: not keywords.
_GENERIC = frozenset(
    """
    专家 教授 老师 技术员 团队 技术 公司 企业 我司 本公司 我厂 厂里
    合作 寻求 寻找 找个 需要 希望 想找 帮忙 帮助 解决 问题 咨询 指导
    服务 方面 相关 有关 一家 单位 项目 联系 电话 微信 预算 费用 经费
    左右 目前 现在 今年 去年 最近 这边 那边 我们 这里 那里 地方 一下
    一些 看看 看下 看一下 请问 能否 是否 可以 能够 进行 开展 提供 具有
    经验 急需 尽快 马上 着急 面议 同意 平台 科技 四川 四川省 本地 附近
    开始 发现 出现 感觉 好像 不知道 晓得 不晓得 莫得 咋个 啥子 怎么
    为啥 哪个 好多 几个 一个 两个
    屋头 那个 这个 娃子 喊个 那喊个 来看 看哈 一哈 有股 小厂 这两天 这几天
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# "一项", "一位", "三十几", "快满了", "调一调": counts and fillers, not topics
_FILLER = re.compile(r"^(?:[一二两三四五六七八九十几百千万0-9]+"
                     r"[个位项条家些点种下次头只亩年天月块元]?|"
                     r".一.|.了|.{1,2}几)$")
_SENTENCE = re.compile(r"[。！？!?\n；;]+")
_lock = threading.Lock()
_tokenizer: list[Tokenizer] = []


def default_tokenizer() -> Tokenizer:
    with _lock:
        if not _tokenizer:
            _tokenizer.append(Tokenizer(products()))
        return _tokenizer[0]


def products() -> list[str]:
    return sorted(product_codes(), key=len, reverse=True)


# a product word inside a pest's name: 草地贪夜蛾 is no 草地
_NOT_A_PRODUCT = re.compile(r"草地(?=贪夜蛾)")


def find_products(text: str) -> list[str]:
    """Products named in the text, longest first and without overlaps (蜂糖李 beats 李子)."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    text = _NOT_A_PRODUCT.sub(lambda m: " " * len(m.group(0)), text)
    for word in products():
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                found.append((start, word))
                break
            start = text.find(word, start + 1)
    return [w for _, w in sorted(found)][:8]


# a farm product made into food: its processing, packing and keeping
_PROCESSED = re.compile(r"加工|罐头|软包装|袋装|真空包装|保质期|货架期|灭菌|杀菌|腌制|酿造|"
                        r"胀袋|胀气|榨油|压榨|炒籽|生产线|产线|成品|出厂")
_FOOD_SCIENCE = "0832"


def _discipline(text: str, found_products: list[str]) -> str | None:
    """The product decides when one is named ("猪场…免疫记录" is animal husbandry, not
    basic medicine); otherwise the discipline lexicon."""
    codes = product_codes()
    for p in found_products:
        code = codes.get(p)
        if code and taxonomy.get(code):
            if code.startswith("09") and _PROCESSED.search(text):
                # "软包装竹笋放一段时间就发酸": the bamboo shoot as food made, not as grown
                return _FOOD_SCIENCE
            return code
    matches = taxonomy.match_disciplines(text)
    return matches[0][0].code if matches else None


def _region_words() -> frozenset[str]:
    return _REGION_WORDS


_REGION_WORDS = frozenset(
    w for r in gazetteer.all_regions() for w in (r.name, r.short_name, r.name[:2]))


def keywords(text: str, found_products: list[str], tokenizer: Tokenizer | None = None,
             limit: int = 8) -> list[str]:
    """Up to `limit` content words: named products first, then the longest other words."""
    tok = tokenizer or default_tokenizer()
    words: dict[str, int] = {}
    for i, t in enumerate(tok.tokenize(text)):
        if (len(t) < 2 or t in _GENERIC or t in _REGION_WORDS or t.isdigit()
                or _FILLER.match(t) or not re.search(r"[\u4e00-\u9fffA-Za-z]", t)):
            continue
        words.setdefault(t, i)
    ordered = sorted(words, key=lambda w: (w not in found_products, -min(len(w), 4), words[w]))
    # cut_for_search yields both 猕猴桃溃疡病 and 溃疡病: keep the longer unless it adds nothing
    result: list[str] = []
    for w in ordered:
        if any(w in kept for kept in result):
            continue
        result.append(w)
        if len(result) >= limit:
            break
    return result


# clauses end at punctuation, or at a space between words: people type "A B C" for "A，B，C"
_CLAUSE = re.compile(r"[。！？!?\n；;，,]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_INTRO = re.compile(r"^(?:我们?(?:是|这边|这里|家|在|屋头|屋里)|"
                    r"我们?(?:公司|合作社|厂|单位|村|基地|养殖场)|"
                    r"我司|本公司|我公司|我厂|本厂|你好|您好|请问|老师|专家|"
                    # "另外个事哈 我们厂污水处理一直不达标": the opener says nothing of it
                    r"另外|还有(个|一个|件)?事|对了|顺便)")
# "我们是…一个做豆腐干的小厂": who they are, however long
_WHAT_WE_DO = re.compile(r"(?:(?:做|种|养|生产|加工)[^，,。]{1,8}的|的[^，,。]{1,8})"
                         r"(?:小厂|厂子?|工厂|企业|公司|合作社|农场|小?作坊|基地|厂家|养殖场)$")
# "会理县一家石榴合作社": who they are, said without 我们是
_ONE_OF_US = re.compile(r"^[^，,。]{0,8}(?:一家|一个|这家)[^，,。]{0,8}"
                        r"(?:小厂|厂子?|工厂|企业|公司|合作社|农场|小?作坊|基地|厂家|养殖场|门店|店)$|"
                        # "长宁 做竹笋罐头的 胀罐率高": what they do, not what is wrong
                        r"^(?:我们?|我家|我屋头)?(?:是)?(?:做|种|养|开|搞|卖|加工|生产)[^，,。]{1,10}的$")
_GUESS_ASKED = re.compile(r"是不是|会不会|[吗？?]|[咋啥]|怎么|什么")
# "想问下猕猴桃啥时候摘最好": information asked by the way, answered there, not the need
_ASKS_INFO = re.compile(r"^(?:另外|还有|顺便)?(?:我)?(?:想问下|想问一下|想问问|请问|问一下|问下|"
                        r"想了解一下|想了解)")
_REQUEST = re.compile(r"寻求|希望|想找|想请|需要|求助|请.{0,4}专家|找.{0,4}专家")
_SIDE = re.compile(r"预算|费用|经费|面议|电话|微信|联系|急|尽快|这周|马上|［")



# a clause that only says which outfit writes ("犍为一个乡镇卫生院", "我们是夹江的瓷砖厂")
_OUTFIT_ONLY = re.compile(r"(?:我们是|我们|我是)?[^，,。！!？?\s]{0,8}?(?:一个|一家|的)?"
                          r"[^，,。！!？?\s]{0,6}(?:卫生院|医院|诊所|公司|厂|合作社|学校|养殖场|农场|基地|酒厂|民宿|"
                          r"作坊|家庭农场)")


def title_of(text: str, hints: list[str] | None = None, limit: int = 24) -> str:
    """A short title: the clause that says most about the problem (not "我们是…合作社", not
    the budget, the deadline or the phone number)."""
    clauses = [c.strip(" 、：:") for c in _CLAUSE.split(text)]
    clauses = [c for c in clauses if len(re.sub(r"\W", "", c)) >= 4]
    # "牦牛肉干保质期太短想找专家合作研发…预算3万" (typed with no breaks): the problem, before
    # the ask and the budget
    clauses = [c[:m.start()] if (m := _REQUEST.search(c)) and problem_size(c[:m.start()]) >= 4
               else c for c in clauses]
    if not clauses:
        best = text.strip()
    else:
        codes = product_codes()
        named = [h for h in hints or [] if h in codes]

        def score(item: tuple[int, str]) -> tuple[float, int]:
            i, c = item
            s = sum(1.0 for h in hints or [] if h in c)
            # ("我们厂污水处理一直不达标" opens with who, but says the problem)
            s -= 2.0 if _SIDE.search(c) else (
                (4.0 if _WHAT_WE_DO.search(c) else 2.0 if problem_size(c) < 4 else 1.0)
                if _INTRO.search(c) else 4.0 if _ONE_OF_US.search(c) else 0.0)
            s -= 0.5 if _REQUEST.search(c) else 0.0
            s -= 1.5 if _GUESS_ASKED.search(c) else 0.0  # ("是不是猪瘟哦": a guess)
            s -= 1.5 if _ASKS_INFO.match(c) else 0.0
            # ("那常压灭菌要蒸好久", answered along the way: a fact asked, no problem said)
            # (or any question: "怀起儿的母羊能打不" asked along the way is no title)
            s -= 1.0 if asks(c) else 0.0
            # "种了二十亩猕猴桃" (the products among the hints: "树干流胶" is trouble)
            s -= 1.5 if only_names_a_product(c, named) else 0.0
            s -= 2.0 if problem_size(c) < 3 else 0.0  # "厂子还是在叙州区": where, no problem
            s -= 3.0 if _OUTFIT_ONLY.fullmatch(c) else 0.0  # "犍为一个乡镇卫生院": who
            # ("不用专家过来", "电话视频讲一下就行": how the help comes, no problem)
            s -= 2.0 if slots.NO_VISIT.search(c) or slots.parse_remote(c) else 0.0
            return (-s, i)

        best = min(enumerate(clauses), key=score)[1]
    return best if len(best) <= limit else best[:limit - 1] + "…"


def extract_need(messages: str | Iterable[str], *, role: str | None = None,
                 tokenizer: Tokenizer | None = None) -> NeedDraft:
    """Build a need record from one or several chat messages (joined in order)."""
    raw = messages if isinstance(messages, str) else "\n".join(m for m in messages if m)
    text = slots.join_thousands(normalise(raw[:_MAX_CHARS]).strip())
    # normalise lower-cases; keep the user's own casing in what we show back
    shown = raw[:_MAX_CHARS].strip()
    description, contact = slots.extract_contacts(shown)
    draft = NeedDraft(description=description, contact=contact, requester_role=role or "citizen")
    if not text:
        draft.recompute_missing()
        return draft
    clean, _ = slots.extract_contacts(text)
    draft.kind = slots.parse_kind(clean)
    draft.products = find_products(clean)
    draft.discipline_code = _discipline(clean, draft.products)
    draft.discipline = discipline_name(draft.discipline_code)
    budget = slots.parse_budget(clean) or _amount_alone(clean)  # "…想喊个专家来看 尽快 一千五"
    if budget is not None and budget.amount is not None:
        budget = _amount_corrected(clean, budget)
    if budget is not None:
        draft.budget, draft.budget_text = budget.amount, budget.text
    # keywords say what the need is about: not its budget, deadline or hidden contacts
    topic = clean.replace("［联系方式已隐藏］", " ")
    if budget is not None and budget.text:
        topic = topic.replace(budget.text, " ")
    draft.keywords = keywords(slots.strip_side_phrases(topic), draft.products, tokenizer)
    draft.title = title_of(description, draft.products + draft.keywords)
    region = slots.region_meant(clean)
    draft.region_code = region.code if region else None
    draft.urgency = slots.parse_urgency(clean)
    draft.confidentiality = slots.parse_confidentiality(clean)
    draft.visibility_set = slots.states_visibility(clean)
    draft.contact_consent = slots.parse_contact_consent(text)
    draft.remote_ok = slots.says_remote(clean)
    # a known role wins; a citizen's own words may say more ("我们公司…", "我家果园…")
    draft.requester_role = (role if role and role != "citizen"
                            else slots.parse_role(clean))
    draft.recompute_missing()
    return draft


# ("同意之前先问下，…": before agreeing, a question)
_YES = re.compile(r"^(?:同意(?!之前|以前|前先|前问)|可以|好的?(?!像|不|多|久)|行|得行|要得|中|"
                  r"是的?|没问题|"
                  r"莫得问题|没得问题|没啥问题|"
                  r"对头|不存在|给嘛|给他|给专家|给吧|给[。！!]?$|留嘛|愿意|ok|yes|嗯|"
                  # "不反对", "没得意见": no objection is consent
                  r"不反对|没意见|没得意见|莫得意见|没有意见|无所谓)",
                  re.IGNORECASE)
# who answers, before the answer: "我们同意", "他说可以", "领导意见：同意"
_SPEAKER = re.compile(r"^(?:我们?|咱们?|俺们?|我家|他|她|老板|领导|老公|老婆|屋头人|家里人|公司)?"
                      r"(?:都|也)?(?:说|讲|觉得|意见[:：]?)?(?:都|也)?")
_NO = re.compile(r"^(?:先|暂时|还是)?"
                 r"(?:不同意|不可以|不行|不得行|不要|不用|不愿意|不给|莫给|别给|算了|否|no|不想给|不消|不必|"
                 r"不想留|[不莫](?=[嘛哦噻啊了。！!\s]*$)|"
                 # "先不告诉，等专家接了再说", "暂时不给"
                 r"(?:先|暂时|还是)?(?:不|莫|别)(?:告诉|给|留|说))",
                 re.IGNORECASE)


def fill_slot(draft: NeedDraft, slot: str, answer: str, *, edit_only: bool = False) -> bool:
    """Apply the user's answer to the slot the dialog asked for; False if it did not fit
    (the dialog then asks again, saying what it expects)."""
    text = slots.join_thousands(normalise(answer).strip())
    if not text:
        return False
    if slot == "description":
        # ("预算写五百嘛 写面议怕人家不来": why not 面议, no 面议)
        answer = _NOT_NEGOTIABLE.sub(" ", answer)
        text = slots.join_thousands(normalise(answer).strip())
        if draft.description and len(parts := [p for p in _EDIT_PARTS.split(answer)
                                                if p.strip()]) > 1:
            # "改三个地方：不公开；预算写三万；紧急程度改成尽快", "不公开，另外预算改成两万":
            # each part a change of its own, applied in turn, when at least two change a field
            changing = [p for p in parts if changes_a_field(draft, p)]
            if len(changing) > 1:
                for part in parts:  # (a change is no addition to what experts read)
                    fill_slot(draft, "description", part, edit_only=part in changing)
                return True
        edits = [c for c in _CLAUSES.split(answer) if c]
        if sum(bool(_CORRECTION.search(c)) for c in edits) > 1:
            # "预算改成面议，紧急程度改成紧急": each change on its own, none lost
            for clause in edits:  # ("改成很急 钱改成两千 电话不给了": the phone too)
                if _CORRECTION.search(clause) or problem_size(normalise(clause)) >= 2 \
                        or changes_a_field(draft, clause):
                    fill_slot(draft, "description", clause)
            return True
        _, contact = slots.extract_contacts(answer.strip())
        shifted = _budget_shifted(text, draft.budget)
        # "预算改成三万", "这个不要公开哈": the fields change, the text experts read does not
        # ("我说错了哈，厂子是在雨城区…茶园是在名山那边的，地区改成名山嘛": a field corrected
        # in many words is still only an edit)
        edit_only = bool(draft.description) and (edit_only or problem_size(
            _EDIT_NOISE.sub(" ", slots.problem_text(text))) < 2 or bool(
            _FIELD_FIXED.search(text)) or _only_visibility(text) or bool(
            _WRITE_AMOUNT.search(text)) or shifted is not None or bool(
            _ANYWHERE.search(text) and (slots.parse_remote(text) or _NO_PLACE.search(text))))
        merged = extract_need(draft.description if edit_only
                              else f"{draft.description}\n{answer}", role=draft.requester_role)
        # "不是两千，是800", "预算改成三万": what comes after 是/改成 is what they mean
        said = _CORRECTION.split(answer)[-1] if _CORRECTION.search(answer) else answer
        update = extract_need(said, role=draft.requester_role)
        if update.urgency is None and said is not answer:
            # "改哈 其实急得很 钱加到三千": the urgency said before the corrected amount
            update.urgency = slots.parse_urgency(normalise(answer))
        if update.contact_consent is None and said is not answer:
            # "联系方式还是不要直接给，公开范围也改成不公开": the consent said before it
            update.contact_consent = slots.parse_contact_consent(answer)
        if update.contact_consent is None and (m := _CONSENT_WORD.fullmatch(said.strip())):
            update.contact_consent = not m.group(1)  # "改成同意": the card's consent field
        if update.budget is None and not update.budget_text and said is not answer:
            bare = _bare_amount(said.strip())  # "…，是800"
            if bare is not None:
                update.budget, update.budget_text = bare.amount, bare.text
        if said is not answer and _MONEY_WORDS.search(answer) and (
                first := slots.parse_budget(_CLAUSES.split(said.strip())[0]) or _bare_amount(
                    _CLAUSES.split(said.strip())[0])) is not None and first.amount is not None:
            # "那个钱改成两千嘛 一千块钱怕没得人愿意来": the amount right after 改成
            update.budget, update.budget_text = first.amount, first.text
        if update.budget is None and not update.budget_text and _BUDGET_FIX.search(text) and \
                _MONEY_WORDS.search(text) and (fixed := _budget_answer(text)) is not None \
                and fixed.amount is not None:
            # "预算更正一下：领导刚批了，最高可以到三万五。"
            update.budget, update.budget_text = fixed.amount, fixed.text
        # visibility changes only when the new words speak of it ("预算不是十万，是八万"
        # keeps 仅匹配的专家可见 said at the consent prompt)
        merged.confidentiality = (slots.parse_confidentiality(text)
                                  if slots.states_visibility(text) else draft.confidentiality)
        merged.visibility_set = draft.visibility_set or update.visibility_set
        merged.contact = {**draft.contact, **contact}
        # what the user says now wins ("预算改成一万"); what they do not mention stays
        for name in ("region_code", "urgency", "contact_consent"):
            value = getattr(update, name)
            setattr(merged, name, value if value is not None else getattr(draft, name))
        if _coarser(update.region_code, draft.region_code):
            merged.region_code = draft.region_code  # "眉山" said again keeps 眉山市东坡区
        if slots.PLACE_CORRECTED.search(text) and (
                moved := slots.region_meant(text)) is not None and not _coarser(
                moved.code, draft.region_code):
            # "地方搞错了，工厂不在旌阳，在广汉，预算也改成1.5万": both changes, not the last only
            merged.region_code = moved.code
        elif update.region_code is None and _PLACE_SAID.search(text) and (
                moved := slots.region_meant(text)) is not None and moved.level == "county" \
                and moved.code != draft.region_code:
            # "不好意思 基地是在犍为县 钱也改成两万五": the place said with the other change
            merged.region_code = moved.code
        if shifted is not None:  # "预算再加两千", "预算砍一半": from the amount on the card
            merged.budget, merged.budget_text = shifted.amount, shifted.text
        elif update.budget is not None or update.budget_text:
            merged.budget, merged.budget_text = update.budget, update.budget_text
        elif draft.budget is not None or draft.budget_text:
            merged.budget, merged.budget_text = draft.budget, draft.budget_text
        merged.remote_ok = merged.remote_ok or draft.remote_ok
        if _ANYWHERE.search(text) and (slots.parse_remote(text) or _NO_PLACE.search(text)) \
                and not update.region_code:
            # "地区就写不限 远程就行", "其实远程指导就可以 专家在哪都行": no place on the card
            merged.region_code, merged.remote_ok = None, True
        merged.problem_asked = draft.problem_asked
        if draft.kind != "question" or edit_only:
            # "预算改成上限八万" on a firm's service need: an edit never makes it a question
            # (a question forwarded to an expert may still become a service: "来现场看下")
            merged.kind = draft.kind
        if (named := _KIND_FIXED.search(text)) is not None:
            merged.kind = _KIND_NAMED[named.group("kind")]  # the kind as they name it
        merged.recompute_missing()
        _copy(merged, draft)
    elif slot == "region":
        bare = _PLACE_WORDS.sub("", text).strip()
        region = (gazetteer.resolve(text) or slots.region_meant(text)
                  or (gazetteer.resolve(bare) if bare else None))
        if region is not None and region.level == "province" and not draft.region_code:
            region = None  # ("四川噻": the province says no 市 or 县, asked again)
        if region is None:
            if slots.parse_remote(text):
                draft.remote_ok = True
                if draft.kind == "service" and slots.advice_only(text) \
                        and not _MADE_OR_TESTED.search(draft.description):
                    # "我发照片远程看就行": no one comes, advice only — a consultation, no
                    # budget asked ("远程就行" for a design or a test is still work)
                    draft.kind = "question"
            elif not (draft.county_asked and draft.city_only()):
                return False  # (asked which county of the city: "不清楚", or anything else,
                # keeps the city — never a loop)
        else:
            draft.region_code = region.code
    elif slot == "urgency":
        urgency = slots.parse_urgency(text) or (
            "urgent" if re.search(r"很急|紧急|特别急", text)
            or (len(text) <= 8 and re.search(r"今天|明天|后天", text))
            # ("这两天" alone; "这几天热惨了…" is the weather)
            or re.fullmatch(r"就?(?:这两天|这几天|两三天)(?:就要|内|之内|要)?[嘛哈吧哦啊]*", text)
            else
            # an answer to "急不急?" in months: not urgent
            "normal" if re.search(r"[两二三四五六几]个?多?月|半年|年底|明年|过段时间|有空", text)
            # a bare "不" to "急不急？": not urgent
            or re.fullmatch(r"(不|莫|不得|没)[嘛哦噻啊了。！!\s]*", text) else None)
        if urgency is None:
            return False
        draft.urgency = urgency
    elif slot == "budget":
        budget = _budget_answer(text) or (
            slots.Budget(None, "面议") if _UNSAID.search(text) or _WITHHELD.search(text)
            else None)
        if budget is None:
            return False
        draft.budget, draft.budget_text = budget.amount, budget.text
    elif slot == "contact_consent":
        if (last := slots.said_last(text)) is not None:
            # "不同意……算了算了 不告诉他他咋个联系我嘛 同意": the word said last
            draft.contact_consent = last
            draft.recompute_missing()
            return True
        # "给电话做啥？……好嘛 可以给": the answer comes after the question asked back
        after = re.split(r"[？?…]+|\.{2,}", text)[-1].strip()
        if after and after != text and fill_slot(draft, slot, after):
            return True
        # the answer first ("不给", "要得"), else said anywhere ("不公开，电话先不给"); who
        # answers is not the answer ("我们同意", "老板说可以")
        plain = slots.parse_contact_consent(text)  # "电话不是不能给，给嘛": read whole
        text = _SPEAKER.sub("", slots.NOT_AGAINST.sub("同意", text)) or text
        said = slots.parse_contact_consent(text)
        said = plain if said is None else said
        if (m := _TAKEN_BACK.search(text)) and (slots.parse_contact_consent(
                rest := text[m.end():].strip(" ，,。")) is not None or (
                    len(rest) <= _BARE_ANSWER and not _AMOUNT_CHARS.search(rest)
                    and (_YES.search(rest) or _NO.search(rest)))):
            # "可以嘛…… 算了算了 还是不给电话了", "不同意 哦 打错了 同意": what is said after
            # taking it back
            said = slots.parse_contact_consent(rest)
            text = rest
        if _NO.search(text) or (said is False and not _YES.search(text)):
            draft.contact_consent = False
        elif _YES.search(text) or said:
            draft.contact_consent = True
            _, contact = slots.extract_contacts(answer)
            for kind, value in contact.items():  # (one given before is kept, never lost)
                draft.contact.setdefault(kind, value)
        else:
            return False
    else:
        return False
    draft.recompute_missing()
    return True


_BARE_ANSWER = 4  # characters: "同意", "不同意" after 打错了 ("是两千五" is the budget corrected)
_AMOUNT_CHARS = re.compile(r"[0-9一二两三四五六七八九十百千万]")
_TAKEN_BACK = re.compile(r"算了|不对(?=[，,。！!\s]|$)|想了一?下|[打说搞按点]错了")


def _coarser(new: str | None, old: str | None) -> bool:
    """Whether `new` is the city that contains the county `old`."""
    region = gazetteer.get(old) if new and old else None
    return region is not None and region.parent_code == new


def fill_others(draft: NeedDraft, text: str) -> None:
    """After a prompt's own answer, what the same message says plainly about the other open
    questions ("不急，预算五千" at the urgency prompt): never asked again."""
    clean = normalise(text)
    # "刚才说错了 大棚不在崇州 在大邑 预算一千八" at the budget prompt: the place changes too
    moved = "region" not in draft.missing and slots.PLACE_CORRECTED.search(clean)
    # ("绵阳涪城 急倒是不急" for a development no one need come for: where they are, kept)
    if ("region" in draft.missing or moved or draft.region_code is None) and (
            region := slots.region_meant(clean)) is not None and not _coarser(
            region.code, draft.region_code):
        draft.region_code = region.code
    if "urgency" in draft.missing:
        draft.urgency = slots.parse_urgency(clean)
    elif _MIND_CHANGED.search(clean) and (urgency := slots.parse_urgency(clean)):
        draft.urgency = urgency  # "哦不对，其实不急，预算五千" at the budget prompt
    if "contact_consent" in draft.missing and (
            consent := slots.parse_contact_consent(clean)) is not None:
        draft.contact_consent = consent  # "没得钱 同意给电话" at the budget prompt
    # (a consultation asks no budget, but one said is kept: "不急 预算面议")
    unpriced = "budget" in draft.missing or (draft.budget is None and not draft.budget_text)
    if unpriced and (budget := slots.parse_budget(clean) or _amount_alone(clean)) is not None \
            and (budget.amount is not None or _OF_MONEY.search(clean)):
        # ("看情况 不是很急" at the urgency prompt: how urgent, nothing said of money)
        draft.budget, draft.budget_text = budget.amount, budget.text
    elif draft.budget is None and draft.budget_text and not slots.says_negotiable(clean) and (
            budget := slots.parse_budget(clean) or _capped(clean)) is not None \
            and budget.amount is not None:
        # "你看着给嘛", then "同意 哦对了 最多五百块钱哈": an amount said later beats 面议
        draft.budget, draft.budget_text = budget.amount, budget.text
    elif "budget" in draft.missing and _MONEY_UNSURE.search(clean):
        draft.budget, draft.budget_text = None, "面议"  # "急得很 这周 钱不晓得"
    elif _MONEY_FIXED.search(clean) and (budget := _budget_answer(clean)) is not None \
            and budget.amount is not None:
        # "1. 时间：尽快；2. 预算更正为4000元" at the urgency prompt: the amount changes too
        draft.budget, draft.budget_text = budget.amount, budget.text
    if "contact_consent" in draft.missing:
        draft.contact_consent = slots.parse_contact_consent(text)
    if slots.parse_confidentiality(clean) == "experts_only":  # "可以给，但是不要公开"
        draft.confidentiality, draft.visibility_set = "experts_only", True
    if draft.kind == "service" and "budget" in draft.missing and (
            slots.NO_VISIT.search(clean) or _ONLY_THAT.search(clean)) \
            and slots.advice_only(clean):
        # "都江堰的 不是要人上门哈 打个电话问一哈就行了", "不急 电话里头问一下就行": advice
        # only, no one to pay
        draft.kind = "question"
    draft.recompute_missing()


_ONLY_THAT = re.compile(r"就行|就可以|就够了|就好")
_OF_MONEY = re.compile(r"钱|预算|费用|经费|报酬|面议|面谈|商量|价|多少|好多|待遇")
# money said at all, an amount too ("很急 三千", "2k", "没得钱"): only then is the budget
# filled from an answer at another prompt ("一批要坏几百罐" is a loss counted)
MONEY_SAID = re.compile(_OF_MONEY.pattern + r"|[0-9一二两三四五六七八九十几]\s*[万千块元kKwW]|"
                        r"\d{3,}|[百千万][块元]?(?:左右|以内|上下|的样子)|莫得|没得|没有")
# work with a product, whoever does it and from wherever
_MADE_OR_TESTED = re.compile(r"检测|化验|测[一个]?下|设计|规划|方案|研发|开发|攻关|改造|培训|讲课|"
                             r"讲座|试验|"
                             r"维修|调试|评估|认证|剪辑|制作|编写|写[个份]")
# the budget changed by so much, not to it: "预算再加两千", "钱少给五百", "预算砍一半", "翻一倍"
_BY_AMOUNT = re.compile(r"(?:(?P<up>再加|多加|加|增加|追加|多给|再给|涨|提高)|"
                        r"(?P<down>减少?|少给?|降低?|砍掉?|扣掉?))了?"
                        r"(?P<amount>[0-9零一二两三四五六七八九十百千万.]+(?:块钱?|元|[kKwW])?)"
                        r"(?!.{0,3}(?:到|成))")
_MONEY_NAMED = re.compile(r"钱|预算|费用|经费|块|元")
_HALVED = re.compile(r"砍一半|减半|少一半|降一半|减一半|打对折|对半砍")
_DOUBLED = re.compile(r"翻一?倍|加一倍|翻番|多一倍")


def _budget_shifted(text: str, before: float | None) -> slots.Budget | None:
    """The card's amount changed by what is said, when no new amount is said outright ("预算
    再加两千 五千嘛" says the new one)."""
    if not before or not _MONEY_NAMED.search(text):
        return None  # ("产量少五百斤" is no money)
    if m := _HALVED.search(text):
        return slots.Budget(round(before / 2, 2), m.group(0))
    if m := _DOUBLED.search(text):
        return slots.Budget(round(before * 2, 2), m.group(0))
    if (m := _BY_AMOUNT.search(text)) is None or (
            by := _bare_amount(m.group("amount"))) is None or by.amount is None:
        return None
    rest = text[:m.start()] + text[m.end():]
    said = slots.parse_budget(rest) or _amount_alone(rest)
    if said is not None and said.amount != before:
        return None  # the new amount said as well ("怕五千请不到人": the old one, named)
    amount = before + by.amount if m.group("up") else before - by.amount
    return slots.Budget(round(amount, 2), m.group(0)) if amount > 0 else None


# "最多三万哈", "顶多两千": an upper bound said without 元 or 块
_CAP = re.compile(r"(?:最多|顶多|不超过|封顶)[给出]?"
                  r"([0-9零一二两三四五六七八九十百千万.]+[万千kKwW]?)")


def _capped(text: str) -> slots.Budget | None:
    if (m := _CAP.search(text)) is None:
        return None
    found = slots.parse_budget(m.group(1) + "元")
    return slots.Budget(found.amount, m.group(1)) if found is not None else None


def _amount_alone(text: str) -> slots.Budget | None:
    """A clause that is only an amount ("尽快，两千", "不急 八百", "急得很，一两万，可以给
    电话"): the budget, said with the other answers."""
    for m in _CLAUSE_SPANS.finditer(text):
        clause = m.group(0)
        if slots.MEASURE.match(text, m.end()):  # "种了 50 亩": a count, not money
            continue
        if _AMOUNT_ONLY.match(clause) and (bare := _bare_amount(clause)) is not None:
            return bare
    return None


_SPENT_BEFORE = re.compile(r"(去年|上次|上回|以前|之前|那次|前年).{0,12}(花了|给了|出了|用了)")


def _budget_answer(text: str) -> slots.Budget | None:
    """The answer at the budget prompt: the amount said last after a correction ("三千，不对
    不对，两千就够了"), from the clause about money ("120打了…。钱就一千嘛"), else the
    whole answer read as an amount ("五万", "3000")."""
    if (marks := list(_BUDGET_FIX.finditer(text))) and (
            fixed := _budget_answer(text[marks[-1].end():])) is not None:
        return fixed
    # "我老婆子说最多一千五": who said it is not the amount
    clauses = [_SAID_BY.sub("", c) or c for c in _CLAUSES.split(text)
               if c and not _HELP_NUMBER.search(c)]
    if len(clauses) > 1 and (now := [c for c in clauses if not _SPENT_BEFORE.search(c)]):
        clauses = now  # "去年请农技站的人来看花了五百 今年多出点嘛 一千二": 1200
    # ("…不是两千，是两万": the amount denied is not it)
    # ("预算不是五万哈 是五千": nor is a clause denying it, wherever 不是 stands)
    clauses = [c for c in clauses if not re.match(r"不是|并非", c) and not re.search(
        r"(?:不是|并非)[零一二两三四五六七八九十百千万\d]", c)] or clauses
    said = [b for c in sorted(clauses, key=lambda c: _MONEY_WORDS.search(c) is None)
            if (b := slots.parse_budget(c) or _bare_amount(c)) is not None]
    # "钱不多 八百块": the amount, not 面议 ("钱 没有": the clauses together)
    # ("一万以内 八千嘛": the amount within the cap said first)
    amounts = sorted((b for b in said if b.amount is not None),
                     key=lambda b: bool(_A_CAP.search(b.text)))
    return next(iter(amounts), said[0] if said else slots.parse_budget(text))


_A_CAP = re.compile(r"(以内|以下|之内|封顶)$")


def _amount_corrected(text: str, budget: slots.Budget) -> slots.Budget:
    """"预算一万二 哦不对 一万八": the amount said right after a correction of the first."""
    at = text.find(budget.text)
    after = text[at + len(budget.text):] if at >= 0 else ""
    if (mark := _AMOUNT_FIX.match(after)) is None or _DENIES_NEXT.match(after):
        return budget  # ("预算是二十万 不是两万": the amount after 不是 is the one denied)
    # ("一千块 不是不是 山路远得很 两千嘛": the first clause after it that is an amount)
    for clause in (c for c in _CLAUSES.split(after[mark.end():]) if c):
        fixed = _bare_amount(clause)
        if fixed is not None and fixed.amount is not None:
            return fixed
    return budget


def _bare_amount(text: str) -> slots.Budget | None:
    """An answer to "how much?" may be just "五万", "3000" or "500": money by context."""
    if m := _ROUGHLY.search(text):  # "万把块", "千把块钱": about one of them
        return slots.Budget(_ROUGH_UNIT[m.group(1)], m.group(0))
    if (m := _PLAIN_NUMBER.match(text)) and 0 < float(m.group(1)) <= 1e10:
        if float(m.group(1)) < 10:
            return None  # "3": an option picked where there is none, never 3 yuan
        return slots.Budget(float(m.group(1)), text.strip())
    if (said := slots.parse_budget(f"预算{text}")) is not None:
        return said
    # "场地加路费大概要三千": what the money is for, then the amount
    if (m := _COST_LEAD.match(text.strip())) and m.end() < len(text.strip()):
        return _bare_amount(text.strip()[m.end():])
    # "那就4000嘛", "村集体出6000", "村集体经济能拿一万五出来": who pays and the verb around it
    amount = _PAYER.sub("", _PAID_TAIL.sub("", text.strip()))
    return _bare_amount(amount) if amount and amount != text.strip() else None


_COST_LEAD = re.compile(r"^[^，,。\s]{0,10}?(?:费用?|钱|开销|成本)(?:加起来|一共|总共|合计|算下来)?"
                        r"(?:大概|差不多|大约|估计|最多)?(?:要|是|得|需要)?")


_PAYER = re.compile(r"^(?:那就|那|就|嗯|好嘛?|行)?[，,\s]*"
                    r"(?:村集体(?:经济)?|集体|村上|村里|社里|合作社|公司|我们|我|厂里|老板|家里)?"
                    r"(?:能|可以|最多|大概|愿意)?(?:出|拿|给|投)?")
_PAID_TAIL = re.compile(r"(?:出来|得出来)?(?:嘛|吧|哈|哦|了|的样子)*$")


_CLAUSES = re.compile(r"[，,。！!？?；;、…\s]+|\.{2,}")
# a correction right after an amount: "一万二 哦不对 一万八", "三千，不对，两千"
_AMOUNT_FIX = re.compile(r"[元块钱\s，,。]*(哦|噢|哎呀?)?[\s，,]*"
                         r"(?:(不对|说错了?|搞错了?|打错了?|写错了?|不是|应该是)[\s，,。！!]*)+"
                         r"(是|应该是)?")
# "不是两万" said straight on, no pause: that amount is ruled out, not put in its place
_DENIES_NEXT = re.compile(r"[元块钱\s，,。]*(?:而|并)?不是(?=[0-9一二两三四五六七八九十百千万])")
_SAID_BY = re.compile(r"^[^，,。\s]{1,6}?(?<![不别莫])(?:说|讲)(?:的|了)?(?=[^好])")  # (先不说钱)
_CLAUSE_SPANS = re.compile(r"[^，,。！!？?；;、…\s]+")  # the clauses _CLAUSES splits into
_AMOUNT_ONLY = re.compile(r"^(那就|那)?(钱|预算|费用)?(大概|差不多|大约|就|最多)?"
                          r"(?=[^，,]*[0-9百千万])[0-9零一二两三四五六七八九十百千万几.]+把?"
                          r"(块钱?|元|万块|[kKwW])?(左右|上下|的样子|以内)?(就够了?|就行|嘛|吧|哈)?$")
_ROUGHLY = re.compile(r"(万|千)把(块钱?|元)?")
_ROUGH_UNIT = {"万": 10000.0, "千": 1000.0}
_MONEY_WORDS = re.compile(r"钱|预算|费用|块|元|万|千|百")
# "120打了", "喊了119": an emergency number, never an amount
_HELP_NUMBER = re.compile(r"(?<![0-9])(110|119|120|122|12345)(?![0-9])")
# what comes after these is the amount meant: a correction, or the sum of the parts said
# ("1. 社里出1万；2. 补贴1万，合计2万元")
# what to write on the card: "一年七万多 你就写七万嘛" (an instruction, not the problem)
_WRITE_AMOUNT = re.compile(r"(?<![要不别莫])写(?=.{0,2}[0-9一二两三四五六七八九十百千万])")
_BUDGET_FIX = re.compile(r"不对|说错了?|搞错了?|打错了?|哦不|改成|改为|应该是|[加提涨降减]到|"
                         r"更正为?|"
                         # "月薪一万左右 一年下来差不多十二万", "一个人六千 两个人就一万二嘛":
                         # the whole sum
                         r"一年下来|全年|[两三四五几]个人(?:就|一共|总共|合起来)?|"
                         r"不是不是|(?<=[元块钱\s，,])不是(?=[\s，,])|"
                         r"调整为|合计|共计|总共|一共|加起来|可以到|能到|最高到?|最多|顶多|"
                         # "一亩一百 三十亩就是三千块": the total; "改一千五嘛"
                         r"就是(?=.{0,3}[0-9一二两三四五六七八九十百千万])|"
                         r"改(?!一下|一哈|一点)(?=[0-9一二两三四五六七八九十百千万])|"
                         # "两三千？算了太多了 一千 就一千": the amount said after
                         r"太多了?|太贵了?|算了(?=.{0,8}[0-9一二两三四五六七八九十百千万])|"
                         # "一个月六千 一年七万多 你就写七万嘛": what to write is the amount
                         + _WRITE_AMOUNT.pattern)
# a field of the card named and changed ("地区改成名山", "预算更正为4000元"); the money alone
_FIX_VERB = (r"(改成|改为|换成|写成|更正|调整|应该是|[加提涨降减]到|"
             r"写(?=.{0,2}[0-9一二两三四五六七八九十百千万]))")  # "预算多写点 写一万"
_FIELD_FIXED = re.compile(r"(地区|地址|地方|地点|位置|预算|费用|紧急程度|急不急|公开范围|联系方式|"
                          r"电话|类型|类别)"
                          r"[^，,。；;！!？?]{0,4}"
                          r"(" + _FIX_VERB + "|写错|说错|搞错|填错|错了|不对)")
_MONEY_FIXED = re.compile(r"(预算|费用|经费|钱)[^，,。；;！!？?]{0,4}" + _FIX_VERB)
# a change of mind said with the new answer ("哦不对，其实不急")
_MIND_CHANGED = re.compile(r"不对|其实|说错|搞错|改成|改为|还是(?=.{0,3}(急|尽快|不急))")
_CONSENT_WORD = re.compile(r"(不)?同意[了嘛吧哈]?")
# what goes with a change to the card and says nothing of the problem: "哦其实也没那么急 改成
# 不急嘛", "不好意思 基地是在犍为县 钱也改成两万五", "五百怕是少了 改一千五嘛"
_EDIT_NOISE = re.compile(r"那里|这里|一下|一哈|不好意思|抱歉|其实|那个|基地|厂子|地方|地址|地点|"
                         r"钱|预算|"
                         r"费用|紧急程度|急不急|怕是|少了|多了|太少|太多|改成|改为|改|也|还是|就|哦|嘛|吧|"
                         r"[多少]写[点些]|写?[多少高低][点些]|写|"
                         r"地区|公司|注册|但是|不过|可是|实际上|"
                         # "联系方式可以给 我点错了": which button was pressed, no problem
                         r"我?(?:点|按|选|发)错了?|不对|"
                         r"旁边|隔壁|附近|边上|挨到|挨着|靠近|不是|不在|"
                         r"哈|呢|了|的|那|是|在|没那么急|"
                         # "不急了 下个月来都得行", "把预算去掉 写面议": how it is fine, what goes
                         r"都得行|都行|都可以|得行|就行|去掉|删掉|拿掉|不要了|把|"
                         # "可以是可以 就是预算再加点 三千"
                         r"可以是可以|再加点|加点|再减点|减点|就是")
# where the work is, said at the card: "基地是在犍为县", "厂子在高坪"
_PLACE_SAID = re.compile(r"(基地|厂子?|工厂|公司|园子|果园|茶园|鱼塘|猪场|我们|我家|屋头|地方|地址)"
                         r"(是|就)?在")
# the place given up for remote help: "地区就写不限", "专家在哪都行"
_ANYWHERE = re.compile(r"(地区|地址|地方|位置).{0,6}(不限|改|随便|都行|都可以)|不限地区|"
                       r"在哪(里|儿)?都(行|可以)|哪里都(行|可以)|远程(指导|看)?(就|也)?(行|可以)|"
                       r"网上(指导|看)?(就|也)(行|可以)")
# "地区改成不限", "地方写不限": no place, whether or not remote help is named in the same clause
_NO_PLACE = re.compile(r"(地区|地址|地方|位置)[^，,。]{0,4}不限|不限地区")
# 面议 named only to say why not: "写面议怕人家觉得我们不诚心"
# ("预算还是写面议嘛 怕吓到专家" wants 面议: the fear is of an amount)
_NOT_NEGOTIABLE = re.compile(r"(?:写|填|说|写成)?面议(?:的话)?"
                             r"(?=怕|不好|显得|觉得|没诚意|不诚心)[^，,。]*")
# the card's kind changed in words: "需求类型更正为技术攻关", "类型改成技术咨询"
_KIND_FIXED = re.compile(r"(?:类型|类别)[^，,。；;！!？?]{0,4}" + _FIX_VERB
                         + r"[^，,。；;！!？?]{0,2}"
                         r"(?:技术)?(?P<kind>服务|咨询|攻关|人才需求|人才|成果转化)")
_KIND_NAMED = {label.removeprefix("技术"): kind for kind, label in KIND_LABELS.items()}
_KIND_NAMED.update({"人才": "talent", "人才需求": "talent"})
# the parts of a message that changes several fields at the card
_EDIT_PARTS = re.compile(r"[；;]|[，,。\s]\s*(?=另外|还有|再就是|然后|并且|而且)")
# the fields a card shows besides the description
CARD_FIELDS = ("region_code", "urgency", "budget", "budget_text", "contact_consent",
               "confidentiality", "remote_ok")


# why a need is kept from the public: "配方要保密", "怕同行晓得了"
_SECRECY = re.compile(r"保密|机密|秘密|隐私|怕.{0,8}(晓得|知道|看到|看见|抄|学)|同行|竞争|对手|"
                      r"不想.{0,6}(晓得|知道|看到|看见)")


def _only_visibility(text: str) -> bool:
    """"不公开哈 我们的配方要保密": the visibility and why, nothing of the problem."""
    clauses = [c for c in _CLAUSES.split(text) if c]
    return slots.states_visibility(text) and problem_size("，".join(
        c for c in clauses if not (slots.states_visibility(c) or _SECRECY.search(c)
                                   or len(c) <= 3))) < 2  # ("商量了": who decided, no more)


def changes_a_field(draft: NeedDraft, text: str) -> bool:
    """Whether the text, read as a change to the card, changes any field of it."""
    trial = replace(draft, contact=dict(draft.contact), products=list(draft.products),
                    keywords=list(draft.keywords), missing=list(draft.missing))
    fill_slot(trial, "description", text)
    return any(getattr(trial, f) != getattr(draft, f) for f in CARD_FIELDS) or (
        trial.kind != draft.kind and _KIND_FIXED.search(text) is not None)


def says_no_amount(text: str) -> bool:
    """Asked the budget, words that leave the amount open ("不晓得给好多", "钱不晓得 你们看着
    定嘛"): short, or about money ("啥子都不晓得。那冬天猪圈咋个保暖？" is a question)."""
    if _WITHHELD.search(text):
        return True
    return bool(_UNSAID.search(text) or _UNSURE.search(text)) and (
        len(text) <= _UNSURE_SPAN or bool(_MONEY_TALK.search(text)))


# the amount withheld in formal words, said of money ("预算暂不便透露，待双方沟通后确定",
# "转让费用需视…而定，目前无法给出具体数额"; "个人电话不便提供" is of the phone)
_WITHHELD = re.compile(r"(?:预算|费用|经费|价格|金额|数额|转让费)[^。；;]{0,24}?"
                       r"(?:不便(?:透露|说|告知|提供)|"
                       r"无法(?:给出|确定|提供)|给不出|视[^。]{1,20}而定|待[^。]{0,6}(?:沟通|协商|商议|商量)|"
                       r"(?:双方|当面)(?:沟通|协商|商议|商量))")
_UNSURE = re.compile(r"不晓得|不知道|不清楚|搞不清|没得?数|看[着到倒]定|还?没(想好|定)|"
                     r"(专家|你们|他们?)(说嘛|说了|看着?定|看着?办)")
_UNSURE_SPAN = 12
# the amount left open in so many words, said with another answer
_MONEY_UNSURE = re.compile(r"(钱|费用|预算|价钱)(的事|方面|这块)?[^，,。\s]{0,2}"
                           r"(不晓得|不知道|不清楚|说不好|没想好|还没定|待定|你们定|专家定)")
_MONEY_TALK = re.compile(r"钱|费用|预算|给好多|要好多|出好多")


# no amount, and none coming, at the budget prompt: "这个不好说 你莫问了", "专家说了算"
_UNSAID = re.compile(r"不好说|说不好|说不准|(莫|别|不要)问|不想说|不方便说|说不来|"
                     r"(专家|你们|他们?)(说了算|定|来定)|"
                     # "你们说好多就好多": the expert names the price
                     r"(专家|你们|你|他们?)(说|要|开)好多(就|我们就|我就)(给|出)?好多")
_CORRECTION = re.compile(r"(?:^|[，,\s])\s*是|改成|改为|改回|换成|应该是|写成|还是写|就写|"
                         r"(?:^|[，,\s])写(?=[\u4e00-\u9fff]{2})|"  # "…基地在乐至 写乐至"
                         r"改(?!一下|一哈|一点)(?=[0-9一二两三四五六七八九十百千万])|"
                         r"[加提涨降减]到|"
                         # "哎不对 还是两千五", "不要写面议了，写六千": the amount after it
                         r"(?:还是|(?<!要)写)(?=[零一二两三四五六七八九十百千万\d])")
_PLAIN_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(块钱|块|元)?(左右|上下)?\s*$")
# "我在名山", "我们是蒲江的": the place without the words around it
_PLACE_WORDS = re.compile(r"^(我们?|咱们?)?(在|再|是|住在|来自)?|(的|这边|那边|这里|那里|这块|附近)"
                          r"[呀啊嘛哈哦]*$")


def _copy(src: NeedDraft, dst: NeedDraft) -> None:
    for name in src.__dataclass_fields__:
        setattr(dst, name, getattr(src, name))
