"""Rule and lexicon parsers for the slots of a need record: kind, urgency, budget,
confidentiality, contact consent, remote help, requester role; contact details come from
`core.contacts` (re-exported here: `extract_contacts`, `find_contacts`).

Each parser returns `None` when the text does not say, so the dialog knows which slots to ask
for; "不急" or "面议" are answers, not silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cn2an

from core.contacts import KindFinder, find_contacts
from core.contacts import extract_contacts as extract_contacts  # re-exported

if TYPE_CHECKING:
    from knowledge.gazetteer import Region

# ---- kind ------------------------------------------------------------------------------------
_TALENT = re.compile(r"招聘|招人|招个|招一|招[两三几][个名位]|聘请|聘用|聘个|聘一|长期聘|引进人才|"
                     r"人才引进|柔性引进|"
                     r"全职|兼职|驻厂|驻场|技术副总|技术总监|首席专家|挂职|长期顾问|常年顾问|"
                     r"科技特派员|入驻|带头人|技术负责人|技术骨干|场长|缺人|"
                     r"引进[^，,。；;]{0,20}(?:人才|专家|团队|骨干|负责人|工程师|博士)")
_TRANSFER = re.compile(r"专利|成果转化|转化.{0,4}成果|技术转让|转让|许可|授权使用|买断|"
                       # "有一项茶树扦插快繁的成果 想找茶企转化落地"
                       r"成果[^。！!？?]{0,12}(?:转化|落地|推广|合作)|转化落地|落地转化|"
                       r"(?:购买|买|引进|采购).{0,20}(?:技术|成果|工艺|配方|品种)|"
                       r"成熟技术|现成的?[^，,。]{0,8}技术|"
                       # "想找个企业合作 把茶饼病的生物防治技术转化一下"
                       r"技术转化|(?:找|寻找|对接)[个家]?(?:企业|公司|厂家|厂商)合作[^。！!？?]{0,24}"
                       r"(?:转化|落地|产业化)|"
                       # "有项技术想找企业转化", "这个品种想找公司合作推广"
                       r"(?:技术|专利|品种|成果)[^。！!？?]{0,8}(?:找|寻找|对接)[^。！!？?]{0,6}"
                       r"(?:企业|公司|厂家|厂商)[^。！!？?]{0,4}(?:转化|落地|推广|合作)|"
                       # "我们团队有个…生防菌剂 想找企业合作转化": what they have, for a firm
                       r"(?:找|寻找|对接)[^。！!？?]{0,4}(?:企业|公司|厂家|厂商)[^。！!？?]{0,4}"
                       r"(?:合作)?(?:转化|落地|产业化)|"
                       # "想找合作社做再生稻的示范推广", "想找蚕农做示范种植": a result
                       # tried out and spread with growers
                       r"找[^，,。？?\s]{0,6}(?:合作社|大户|种植户|养殖户|蚕农|农户|果园|茶园|基地|"
                       r"示范户)[^，,。？?]{0,16}示范|示范(?:种植|推广)|"
                       # "有现成的低盐发酵技术，想买过来用"
                       r"(?:技术|成果|工艺|配方)[^，,。]{0,6}[，,\s]*(?:想|要)?(?:买过来|买来|买下|买断)")
_RD = re.compile(r"攻关|联合|合作研发|共同研发|共同开发|研发|研制|开发(?:一|新|出)|"
                 r"研究(?![所院员生])|"
                 r"新工艺|技术难题|卡脖子|瓶颈|突破|中试|产学研|课题|国产化|替代进口")
# asking for a need or an expert in so many words: "我们公司想发布一个技术需求",
# "有没得专家会弄魔芋软腐病" (the dialog reads the same words as a request, bot/journeys/words.py)
EXPERT_REQUEST = (r"(?:发布|发|提|登记)(?:个|一个)?(?:技术)?需求|"
                  r"(?:有没得|有没有|有莫得|有得)(?:啥子|哪个|哪位)?(?:专家|懂行|技术员|老师)|"
                  r"有(?:专家|懂行的|技术员)(?:没得|没有|不)|"
                  # "有没有搞饲料配方的专家", "有没得懂樱桃的专家"
                  r"(?:有没得|有没有|有莫得)(?:搞|懂|做|研究|会)[^，,。！!？?\s]{1,10}的"
                  r"(?:专家|老师|技术员)")
# advice asked of an expert, and nothing for anyone to come and do
# ("找个专家问问" is still a service: every writer asked its budget)
_CONSULT = re.compile(r"(?:帮我|给我)?(?:找|请|问|约)个?(?:专家|老师|技术员|兽医|农技员)"
                      r"(?:咨询|资询|请教)[下哈一]*|"
                      r"(?:咨询|资询|请教)(?:一?下|哈)?(?:专家|老师|技术员|兽医|农技员)?")
# no one to come: "不是要人上门哈", "不需要专家来现场"
NO_VISIT = re.compile(r"(?:不用|不需要|不必|用不着|莫|不是要|不要)(?:专家|人|老师|技术员)?"
                      r"(?:专门|特意|特地)?"
                      # ("亏了莫来哭" is no visit ruled out)
                      r"(?:上门|来(?!哭|怪|骂|闹|吵|烦|找我)|跑一趟|跑过来|跑来|过来|到[^，,。]{1,6}来|"
                      r"[到去下]现场)(?:现场)?")
_REMOTE_ONLY = re.compile(NO_VISIT.pattern + r"|"
                          r"(?:电话|微信|视频|线上|网上)(?:上|里)?头?(?:说|讲|聊|指导|问|交流|沟通|连线)")
# work someone comes to do (what a service asks for, less the bare request and "咨询")
# ("含水量检测偶有超标", "检测结果不合格": a test's finding, the problem itself, no test wanted)
_WORK_WORDS = (r"检测(?!偶有|结果|超标|出来?|发现|不合格|不达标|数据|报告|显示|值)|"
               r"化验|测一下|测下|来测|(?:来|过来)(?:取|采)个?样|指导|培训|上门|现场|(?<![牵拉抱赶])来看|过来看|"
               r"人来(?:弄|整|搞|修|剪|做|打药|改|装|把)|(?:找|请|喊)[个位]?人来|看一哈|看哈|"
               r"看下|看一下|看看|"
               r"诊断|派人|来人|辅导|鉴定|教下|教我|设计|规划|方案|评估|认证|改造|优化|调试|"
               # ("37℃保温试验里胀袋率有1.2%": a test's finding)
               r"试验(?!里|中|时|结果|发现|显示|数据)|"
               r"维修|验收|讲课|(?<!听)(?<!听了)(?<!听了个)(?<!听个)讲座|筛选|研发|开发|攻关|合作(?!社)|来个?(?:专家|兽医|技术员|农技员)|专家来|帮忙|(?<![我他她])帮我|做个|"
               # "…死了 三个 兽医 要": a vet wanted is a vet who comes
               r"(?:兽医|技术员|农技员)\s*(?:要|想要|需要)[嘛哦啊]*\s*$")
_WORK = re.compile(_WORK_WORDS)
_SERVICE = re.compile(_WORK_WORDS + r"|测测|测哈|带一|想学|弄好|搭建|咨询|评价|服务|"
                      # "想请个师傅来帮她弄一哈", "请个人拿糖度计来园子头测一哈"
                      r"(?:找|请|喊|约)[个位两几]?(?:师傅|人)(?:来|帮|拿|过来|上门)|"
                      r"(?:找|求|摇|约|喊).{0,10}(?:专家|老师|技术员|教授|团队|学生|兽医|农技员|expert|"
                      r"懂行|内行|行家)|"
                      r"请.{0,4}(?:专家|老师|技术员|教授|兽医|农技员|医生|大夫|expert)|"
                      # "帮…小伙子申请技术服务", "想对接个兽医"
                      r"(?:申请|对接).{0,10}(?:专家|老师|技术员|教授|兽医|农技员|技术服务)|"
                      + EXPERT_REQUEST)


_RELAYED = re.compile(r"帮[^，,。！!？?\s找请专家]{0,8}?问(一?下|哈)?")


def advice_only(text: str) -> bool:
    """"想找个专家咨询下 兔儿一到热天就死", "…不用上门 电话里说下就行": advice asked in so
    many words, no one to come and no money offered ("帮我们村李嬢嬢问下" relays the
    question: no help asked of anyone to come)."""
    text = _RELAYED.sub(" ", text)
    text = re.sub(r"帮我(?=找|问|请|联系|对接)", "", text)  # ("帮我找个专家网上问下": a request)
    rest = _REMOTE_ONLY.sub("", _CONSULT.sub("", text))
    if _AT_A_DISTANCE.search(text):
        # "请个专家视频帮我看看", "远程指导一下 视频里说就行": looking and advising from afar
        rest = _AT_A_DISTANCE.sub("", _LOOK_OR_ADVISE.sub("", rest))
    # ("不需要专家到基地来，想打电话请教一下全年的防控方案": no one comes, whatever the
    # advice is about)
    asked = _CONSULT.search(text) or _REMOTE_ONLY.search(text) or _AT_A_DISTANCE.search(text)
    return bool(asked and (not _WORK.search(rest) or (NO_VISIT.search(text) and (
        _CONSULT.search(text) or _AT_A_DISTANCE.search(text)))) and parse_budget(text) is None)


# ("在网上卖核桃", "视频号带货": selling at a distance is no help at a distance)
_AT_A_DISTANCE = re.compile(r"视频(?!号|直播|带货)|远程|"
                            r"(?:网上|线上)(?!卖|开|销|买|直播|带货|下单)|电话里头?|微信上|"
                            # ("想请个专家电话给我们讲下具体方案 不用来")
                            r"电话(?:给[我你他她]们?)?(?=讲|说|聊|指导)|"
                            r"(?:不用|不需要|不必)跑(?:现场|来|一趟)")
_LOOK_OR_ADVISE = re.compile(r"(?:帮我们?|帮忙)?(?:看看|看一下|看下|看一哈|指导一?下|指导|"
                             r"说一?下|讲一?下)")


def parse_kind(text: str) -> str:
    """question | service | rd_challenge | talent | achievement_transfer.

    A farmer describing symptoms without asking anyone to come, test or design is asking a
    question; a service needs a service word."""
    if _TALENT.search(text):
        return "talent"
    if _TRANSFER.search(text):
        return "achievement_transfer"
    if _RD.search(text):
        return "rd_challenge"
    if advice_only(text):
        return "question"
    if _SERVICE.search(text) or parse_budget(text) is not None:
        return "service"  # offering money is asking for a service
    return "question"


# ---- urgency ---------------------------------------------------------------------------------
# "不是很急", "不太急", "莫得那么急" are not urgent: the negation is checked first
_NOT_URGENT = re.compile(r"(?<!急)不急|不着急|不赶|不用急|慢慢来|时间不限|不慌|不得急|不消急|"
                         # ("边坡的长期稳定性…很急": 长期 of what is wanted, not of when)
                         r"长期(?:都|也)?(?:可以|行|要得)|^长期[的嘛哈]*$|"
                         # "时间上没有要求，专家什么时候方便都行"
                         r"(时间|时限)上?(没有|没得|莫得|无)(要求|限制)|(什么|啥子?)时候(方便|都行|都可以)|"
                         r"急啥子|莫慌|等得起|不赶时间|不紧急|"
                         # "不是啥子急事", "没得啥急事"
                         r"(?:不是|不算|没得|没有|莫得)(?:啥子?|什么|多|好)?(?:急事|着急的事|急的)|"
                         r"不(是|太|算|咋|怎么|那么|用|需要|必)(说|讲)?(很|太|特别|那么|好)?急|"
                         # "不咋个急", "不用那么急", "不是那么紧急", "等得", "不紧不慢"
                         r"不咋个急|不用(那么|太|好)急|不(是|算)?(那么|很|太|特别)紧急|"
                         r"^等得[嘛哈哦了的]*$|不紧不慢|(随时|啥时候|什么时候)都(行|可以|要得)|"
                         # "看专家时间", "等天晴了再来": when it suits, no hurry
                         r"看专家(的)?时间|专家(哪天|啥时候|什么时候)?(有空|方便)(就|再)?来|"
                         r"等[^，,。]{1,6}(了|以后|之后)再来|"
                         r"有空(再|就)?来|(年底|明年|年前|过完?了?年|年后|开春|秋天|冬天|夏天|(两|三|几)个月)"
                         r".{0,4}(前|之前|内|以内|后|再说)?.{0,3}(都行|都可以|都要得|就行|再说)|"
                         r"(莫|没)得?(那么|好|啥子?)?急|没有(很|那么|太|特别|多)?急(?!救|诊)|"
                         # "下个月都行": any time next month will do (not "下个月之前就要")
                         r"下个?月.{0,3}(都行|都可以|都要得|也行|也可以|再说)|"
                         r"(紧急|急)[^，,。]{0,4}(谈不上|说不上|算不上)")
# "这几天" is a deadline before a request ("这几天要请人来看"), not when symptoms began
# ("猪这几天不吃食")
# 今天/明天 likewise: "明天能来不" is a deadline, "今天早上好多鱼浮头" is when it began
_URGENT = re.compile(r"十万火急|(?<!应)急(?!救|诊|性|症|腹)|马上|立刻|立即|"
                     r"(今天|明天)(?=.{0,4}(要|(?<!起)来|请|帮|能|就|内|之内|前|处理|解决|上门|看))|"
                     r"(这两天|这几天|两三天)(?=.{0,3}(要|来|请|帮|能|就|内|之内|处理|解决|上门|看))|"
                     r"三天内|这周内|"
                     r"本周内|这周|本周|"
                     r"这个星期|这个?礼拜|越快越好|等不及|火烧眉毛|赶紧|快死|快要?不行|"
                     r"等不得|(?:快点|赶快|快些)(?:来|过来|上门)")
# ("这周班上有三个娃娃得了手足口": when it began, whoever it struck)
_MONTH_IT_BEGAN = re.compile(r"(这个月|本月|这周|本周|这个星期|这个?礼拜|这几天|这两天|这?半个月|"
                             r"这?十来天|这一两周|这两周)"
                             r"(?=[^，,。！!？?\s要能来请找]{0,8}?(已经|都|就|又|一共|总共)?"
                             r"(死|病|发现|开始|遭|出现|掉|烂|拉|得了|发了|长了|流产|咳|发病|减产|"
                             # "这个礼拜每天早上鱼都浮头": what keeps happening, no deadline
                             r"浮头|不吃|不长|发黄|黄了|蔫|枯|每天|天天|老是|一直|总是|"
                             # "沼气池这半个月产气少得很": how it has been, no deadline
                             r"少得很|少了|差得很|不行了|严重|厉害))")
_OWN_HURRY = re.compile(r"(?:我|我们|他|她)(?:得|要|该)赶紧|"
                        r"(?:今天|明天|后天|这两天|这几天)(?:要|会)?"
                        r"(?:下雨|下雪|降温|刮风|出太阳|打霜|下霜)")
_LASTED = re.compile(r"(?:[了过]|下去|进去)(?:半个月|十天|一两周|两周|"
                     r"[一两三四五六七八九十几]+个?(?:天|周|星期))")
_AT_LEAST = re.compile(r"(?:半个月|十来?天|一两周|两周|"
                       r"[一二两三四五六七八九十几]+个?(?:天|周|星期|月))(?:以上|多)")
_KEPT_FOR = re.compile(r"(?:放|存|搁|摆|储存|存放|保存|泡|腌|晾)了?个?"
                       r"(?:一两|两三|三四|几|[一两二三四五六七八九十]+)天")
_ENGLISH_URGENCY = {"not urgent": "不急", "no rush": "不急", "asap": "尽快", "urgent": "很急"}
_DOUBLE_NEGATION = re.compile(r"(并)?不是说?不(着)?急|不能说不急|(莫|别|不要)说不急|并非不急|"
                              r"不急是假的?|哪个说不急|(咋个|怎么|啷个|哪里)(会|能)?不急")
# "急是急 但也没急到火烧眉毛那种 尽快嘛": urgent, but said as this month
_URGENT_BUT = re.compile(r"急是急[^。！!]{0,6}(但|不过|就是)")
_NOT_VERY = re.compile(r"不(是|算|用|必)?(说|讲)?(很|太|特别|那么|好)着?急|不算急|不甚(紧急|急)|"
                       r"(没|莫)得?(那么|很|太|好)急|"  # "没那么急哈 这个月内来就行"
                       r"急倒(是|也)?不急|"
                       r"(紧急|急)[^，,。]{0,4}(谈不上|说不上|算不上)")
# what will happen soon, not when help is wanted: "尽快嘛 马上又要落第二轮了"
_COMING = re.compile(r"马上(?:又|就)?要")
# soon, said as such ("下个月来都要得" after "不是很急" is still not urgent)
_SOON_SAID = re.compile(r"尽快|尽早|早点|抓紧|不能拖|别拖|莫拖|拖不得|不能再拖|拖不起")
_SOMEWHAT = re.compile(r"(有点|有些|比较|稍微)急")
# ("不是特别急 月底之前有人来就要得": this month, the card's 尽快; "两三个月内" is not)
# "没那么急 这个月来看都要得": any time this month will do, a bound said loosely (不急)
# ("这个月底之前来都可以的" is a deadline: 尽快)
_LOOSE = re.compile(r"(这个月|本月)(来看?|看|过来)?都(要得|行|可以|得|没问题)")
_THIS_MONTH = re.compile(r"这个月|本月|(?<!个)月内|(?<!下个)(?<!下)月底")
# ("最近叶子发黄", "近期危害严重", "之前打过药" say when the trouble began, not how urgent)
_NOT_THAT_URGENT = re.compile(r"(没|莫|不|并非|谈不上|算不上)得?(那么|好|是)?(急到|到)?"
                              r"(火烧眉毛|十万火急|火急火燎)")
# ("下周就要", "半个月内": within the month)
_SOON = re.compile(r"尽快|尽早|这个月内|这个月|本月内|本月|月底|下个月|早点|抓紧|赶在|前要|"
                   r"下周|下个?(星期|礼拜)|半个月|十天|一两周|两周|过几天|拖不得|不能再?拖|拖不起")


# "宣汉的，不对不对，厂子在开江，不是宣汉": the place denied, and the correction marks
_NOT_PLACE = re.compile(r"不(?:是|在)[^，,。！!？?；;\s]{1,12}")
_NOT_BUT = re.compile(r"不(?:是|在)[^，,。！!？?；;\s]{1,12}[，,\s]*(?:是|在)(.+)$")
_CORRECTED = re.compile(r"不对|说错了?|搞错了?|写错了?|错了|改成|改为|应该是|"
                        r"(?:哦|噢|喔)不是?(?=[，,\s])")  # "我是犍为的 哦不是 …在沐川县"
_PLACE_CUED = re.compile(r"(?:在|是)([^，,。！!？?；;\s]{2,10})")
_MINE = re.compile(r"(?:我|我们|我家|我屋|厂子?|基地|公司)[就也才都]?$")
_THEIRS = re.compile(r"(?:娘屋头?|娘家|婆家|亲戚|女儿|儿子|我妈|我爸|老汉儿?|妹妹|哥哥|姐姐|老人)"
                     r"[^，,\s]{0,2}$")
# a place said again as a correction ("不在康定", "地址更正", "刚才说错了")
PLACE_CORRECTED = re.compile(r"更正|不在|不是在|(?:搞|说|写|填|弄)?错了|"
                             # "哦不对 果园在木里那边": where it is, said again
                             r"(?:^|[，,\s])(?:哦|噢|啊|诶)?不对[，,\s]+(?=\S{0,6}在)|"
                             r"(?:地址|地区|地点|位置).{0,2}改|应该是|"
                             # "不是丹棱 是青神 丹棱是我老丈人屋头"
                             r"(?:^|[，,\s])不是[^，,。\s]{1,8}[，,\s]+(?:是|在)|"
                             r"(?:地址|地区|地点)(?:就|还是)?[写填]")


_WRITE_PLACE = re.compile(r"(?:地区|地址|地点)(?:就|还是)?(?:写|填|改成|改为|写成|填成|填写)"
                          r"[：:\s]*([\u4e00-\u9fff]{2,12})")


def region_meant(text: str) -> Region | None:
    """The place the text means: a place said with 不是 is not it, and after a correction
    ("不对", "说错了", "改成") the place named after the last one is."""
    from knowledge import gazetteer

    # "中江…不是不是 不是中江 是三台": the denial said twice is one
    text = re.sub(r"(?:不是|不对)(?:[，,\s]*(?:不是|不对))+(?=[，,\s])", "不对", text)
    # "基地在马边 合作社是在沐川注册的 地区写沐川": the place to write, said in so many words
    for m in reversed(list(_WRITE_PLACE.finditer(text))):
        if said := gazetteer.find_region(m.group(1)):
            return said
    # "厂在沐川，哦不是沐川，是屏山那个车间": the place after "不是X，是" is meant
    if (m := _NOT_BUT.search(text)) and (said := gazetteer.find_region(m.group(1))):
        # ("不是金堂 是金堂旁边的青白江": the place denied is no answer, named again or not)
        denied = gazetteer.find_region(m.group(0)[:m.start(1) - m.start(0)])
        others = [r for r in map(gazetteer.get, gazetteer.regions_named(m.group(1)))
                  if r is not None and denied is not None and r.code != denied.code]
        return others[0] if said == denied and len(others) == 1 else said
    cleaned = _NOT_PLACE.sub("，", text)
    marks = list(_CORRECTED.finditer(cleaned))
    # ("哦不对 田在大邑 我记错了": the last correction followed by a place)
    marks = [m for m in marks if gazetteer.find_region(cleaned[m.end():])] or marks
    if marks:
        tail = cleaned[marks[-1].end():]
        if _AWAY.search(tail) and (site := _where_the_work_is(tail)) != tail and (
                found := gazetteer.find_region(site)) is not None:
            # "哦不对 果园在木里那边 我是住盐源": the orchard's county, not the home's
            return found
        # "不对不对 汉源是我女儿屋头 我是石棉的": the place said as where one is, not the one
        # the correction explains
        said = [(r, tail[max(0, m.start() - 5):m.start()]) for m in _PLACE_CUED.finditer(tail)
                if (r := gazetteer.find_region(m.group(1))) is not None]
        # ("是苍溪 我娘屋才在旺苍": a relative's place is not the one meant)
        said = [(r, before) for r, before in said if not _THEIRS.search(before)] or said
        cued = [(r, bool(_MINE.search(before[-4:]))) for r, before in said]
        if cued:
            # ("我们是蓬安的 我娘屋头才是营山": where we are, not where mother's family is)
            mine = [r for r, said_of_us in cued if said_of_us]
            meant = (mine or [r for r, _ in cued])[-1]
            within = gazetteer.find_region(tail)
            # ("应该是雨城区 我们茶叶所在雅安": the county of the city said as well)
            return within if meant.level == "city" and within is not None \
                and within.parent_code == meant.code else meant
        if (after := gazetteer.find_region(tail)) is not None:
            return after
    if (found := gazetteer.find_region(_where_the_work_is(cleaned))) is not None:
        return found
    from retrieval.homophones import place_heard

    # "我们是望苍的天麻公司": a county typed by ear
    heard = place_heard(cleaned)
    return gazetteer.find_region(heard) if heard else None


# "我在绵阳涪城上班 我妈在梓潼老家种了二十亩苞谷", "公司办公室在眉山东坡 基地在夹江": of two
# counties, the one where the farm or base is, not where the writer works or the office sits
_SITE = re.compile(r"基地|老家|屋头|地里|园子|果园|茶园|厂子|车间|养殖场|种了|种的|养了|养的|"
                   r"(?:地|田|土|园|棚|场|塘)(?:是|就)?在")
# (where one lives or works, or the firm's office: "场子在阆中 公司在南部" is the farm's place)
_AWAY = re.compile(r"上班|工作|打工|办公|读书|住在|(?<![居])住(?!院)|注册|总部|公司在")


def _where_the_work_is(text: str) -> str:
    from knowledge import gazetteer

    clauses = [c for c in re.split(r"[，,。！!？?；;\s]+", text) if c]
    placed = {c: r.code for c in clauses if (r := gazetteer.find_region(c)) is not None
              and r.level == "county"}
    if len(set(placed.values())) < 2:
        return text
    away = {c for c in placed if _AWAY.search(c) and not _SITE.search(c)}
    site = {c for c in placed if _SITE.search(c) and not _AWAY.search(c)}
    if away and len(away) < len(placed):  # the office's clauses left out
        return "，".join(c for c in clauses if c not in away)
    if site and len(site) < len(placed):  # only the farm's county clauses kept
        return "，".join(c for c in clauses if c not in placed or c in site)
    return text


def parse_urgency(text: str) -> str | None:
    """urgent | soon | normal, or None when the text does not say; after a correction ("不急吧
    哦不对 虫子长得快 还是这周要来") what follows it."""
    parts = _URGENCY_FIX.split(text)
    if len(parts) > 1 and (after := _urgency(parts[-1])) is not None:
        return after
    return _urgency(text)


# ("这周 算了这个月嘛"; "哦不急了" is no correction)
_URGENCY_FIX = re.compile(r"不对|说错了|搞错了|哦不(?!急|着急|用急)|改成|改为|算了")
_THIS_WEEK = re.compile(r"这周|本周|这几天|这两天|三天内|马上|今天|明天")


def _urgency(text: str) -> str | None:
    lower = text.lower()
    for said, meant in _ENGLISH_URGENCY.items():  # "ASAP", "not urgent，下一季开花前来就行"
        if said in lower:
            text = re.sub(re.escape(said), meant, text, flags=re.IGNORECASE)
            lower = text.lower()
    text = re.sub(r"不是尽快", "不急", text)  # "不是ASAP"
    # "急不急？…算尽快嘛": the question said back; "紧急程度改成尽快": the field's name
    text = re.sub(r"(?<!不)急不急|紧急程度", " ", text)  # ("不急不急" is an answer)
    # the homophone typed ("不及的 等冬天嘛"; "来不及" is no 不急)
    text = re.sub(r"(^|[，,。\s])不及(?=[嘛哈哦的呀啦了]|[，,。\s]|$)", r"\1不急", text.strip())
    # "不对不对 不是这周 这个月来就行": the time denied is not the urgency
    text = re.sub(r"不是(这周|本周|这个星期|这礼拜|今天|明天|马上|这两天|这几天)", " ", text)
    # "这周不行 下周来嘛": the week ruled out is not the urgency either
    # ("改成尽快 这周怕搞不赢": the week it cannot be done in)
    text = re.sub(r"(这周|本周|这个星期|这礼拜|今天|明天)(不行|不得行|来不了|不得空|没空|不方便|"
                  r"怕?(搞不赢|来不及|赶不上|弄不完|做不完|搞不完))", " ", text)
    # "兔儿这个月死了三只": when the trouble came, not when help is wanted
    text = _MONTH_IT_BEGAN.sub(" ", text)
    text = _KEPT_FOR.sub(" ", text)  # "放两三天就发粘": how long it keeps, no deadline
    text = _LASTED.sub(" ", text)  # "下了半个月的雨": how long something went on
    text = _AT_LEAST.sub(" ", text)  # "咳嗽两周以上的老人": how long, of whom; no deadline
    # "明天要下雨了 我得赶紧把苞谷掰回来": the weather and the asker's own hurry
    text = _OWN_HURRY.sub(" ", text)
    # "尽快嘛 马上又要落第二轮了", "这个月内吧 马上要开采了" ("马上要采收了" alone is urgent)
    if _SOON_SAID.search(text) or _THIS_MONTH.search(text):
        text = _COMING.sub(" ", text)
    if _URGENT_BUT.search(text):
        return "soon"
    if (within := _within(text)) is not None:
        return within
    text = _NOT_THAT_URGENT.sub("尽快", text)  # "也没那么火烧眉毛": soon, not this week
    if (_DOUBLE_NEGATION.search(text) or _NOT_VERY.search(text)) and (
            _SOON_SAID.search(text) or _THIS_MONTH.search(text)) and not _LOOSE.search(text):
        # ("急倒是不急 但是…这个月能来最好", "不甚紧急，本月内能来即可": this month is 尽快;
        # a plain "不急，这个月有人来就行" stays 不急, as every writer read it)
        # "倒也不是不急哈，尽快吧", "不算特别急 但也不能拖 尽快嘛", "急倒不是好急 这个月来就行"
        return "soon"
    text = _DOUBLE_NEGATION.sub("急", text)  # "不是不急哈，急得很"
    if _NOT_URGENT.search(text):
        return "normal"
    if _SOMEWHAT.search(text) and not _THIS_WEEK.search(text):
        return "soon"  # "有点急", "比较急": this month rather than this week ("比较急，这周内最好")
    if _URGENT.search(text):
        return "urgent"
    if _SOON.search(text):
        return "soon"
    return None


# "一个月之内", "一个礼拜以内", "两个月内": a deadline by its length (not "下了半个月的雨")
_WITHIN = re.compile(r"(?<![了过\d])(半|[一两二三四五六七八九十]+|\d+)个?(天|周|星期|礼拜|月)"
                     r"(?:之内|以内|内)")
_DAYS = {"天": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30}


def _within(text: str) -> str | None:
    """urgent within a week, soon within a month, normal beyond; None when no such deadline."""
    if (m := _WITHIN.search(text)) is None:
        return None
    said = m.group(1)
    # ("两三天之内": the longer of the two; "二十天": cn2an's reading)
    if said == "半":
        count = 0.5
    elif said.isdigit():  # "1个月内"
        count = float(said)
    elif len(said) == 2 and "十" not in said:
        count = max(_cn(c) for c in said)
    else:
        count = _cn(said)
    days = count * _DAYS[m.group(2)]
    return "urgent" if days <= 7 else "soon" if days <= 31 else "normal"


# ---- budget ----------------------------------------------------------------------------------
_NEGOTIABLE = re.compile(r"面议|面谈|面意|面仪|见面再说|当面(?:说|谈|讲)|"
                         r"(?:自己|他|专家)?开价|好商量|可商量|可以商量|能商量|再商量|"
                         # "钱先不说嘛 来了看了再说", "先不说钱"
                         r"钱的?事?先不(说|谈|讲)|先不(说|谈|讲)钱|钱.{0,6}(来了|看了)再说|"
                         r"商量着?来|看情况|"
                         # "这个谈了再说", "到时候再谈"
                         r"谈了再说|谈好再说|(?:到时候?|以后|后面|见面|来了|看了|来了看了)再谈|再谈嘛|"
                         r"价格好说|看[着到倒]给|随便给|你们?看[着到倒](?:办|定)|看[着到倒](?:办|定)|"
                         r"费用好说|(到时候|见面|跟专家|和专家|再).{0,4}商量|一分钱都.{0,4}(拿不出|没得|没有)|"
                         r"拿不出钱|凑不出|拿不出|(?:没得|没有|莫得|没)经费|"
                         # "县里项目补贴的 合作社自己不出钱", "想先听听专家报价再定"
                         r"(?:自己|我们|合作社|公司)?不(?:用|要)?出钱|补贴的|报价|再定|"
                         r"(?:钱|费用|价钱|价格)的?事情?.{0,4}(?:见面|到时候|以后|后头)再?(?:说|谈|讲)|"
                         # "村上出钱 公家出": someone else pays, the amount is theirs
                         r"(?:村上|村里|公家|政府|项目|镇上|县上)(?:出钱|出|的钱|给钱)|"
                         r"不差钱|待定|(?:没有|没得|莫得|没)(?:啥子?|这笔|这项|专门的?)?预算|看效果(?:了|以后)?再(?:说|定|谈)|免费|公益|按行情|看行情|(没|莫)得?(啥子?|好多|多少)?钱|没有钱|钱不多|"
                         r"钱\s*(也)?(莫得|没得|没有)|"
                         # "看效果给钱", "钱好说", "还没想好": an amount left open
                         r"看效果.{0,3}给|效果好.{0,3}(再|就)?给|钱好说|好说好说|不要钱最好")
# no money at all, however said ("莫得钱", "不出钱", "拿不出"): the card says it one way
NO_MONEY = re.compile(r"(?:没|莫)得?(?:啥子?|好多|多少)?钱|没有钱|钱\s*(?:也)?(?:没有|没得|莫得)|"
                      r"不出钱|拿不出|凑不出|出不起|"
                      r"(?:没|莫)得?(?:这笔|这项)?(?:预算|经费)|没有(?:预算|经费)|"
                      r"给不起|一分钱都")
# ("打了除草剂都没得用" is no money said)
_CANNOT_EVEN = re.compile(r"都(?:拿不出|出不起|给不起|凑不出|"
                          # ("蜜蜂都莫得几个" counts bees: money, or nothing, after it)
                          r"(?:没得|没有|莫得)(?=钱|[了嘛哦啊哈的]*(?:$|[，,。！!\s])))")
_PAST_SPEND = re.compile(r"(去年|上次|上回|以前|之前|那次|前年)[^。！!？?]{0,16}"
                         r"(花了|给了|出了|用了|付了)\s*$")
_BOUGHT = re.compile(r"\s*(?:多)?(?:块钱?|元钱?|钱)?(?:去)?买")
_CN = "零〇一二两三四五六七八九十百千万"
_FINANCIAL = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟萬", "一二三四五六七八九十百千万")
# "5,000" is a number; "5000," ends one ("预算大概5000,想找…" once read as no amount)
_NUM = rf"[0-9](?:[0-9]|[.,](?=[0-9]))*|[{_CN}]+"
_AMOUNT = re.compile(
    rf"(?P<a>{_NUM})\s*(?P<au>[万千kKwW])?\s*(?:[-~～到至]\s*(?P<b>{_NUM}))?\s*"
    rf"(?P<unit>万|千|百|[kKwW])?\s*(?P<cur>块钱|块|元|rmb|RMB)?(?P<approx>左右|上下|以内|以下|之内|多)?")
_UNIT_TENTH = re.compile(r"(?<![\d.])(\d+)\s*([万千wWkK])(\d)(?:千)?(?![\d.%百千万])")
# ("出现", "长出", "花椒", "开花": no money words)
_CUE = re.compile(r"预算|budget|按|"
                  r"(?<![长冒生产])出(?!现|来|去|了|在|门|差|生|产|血|汗|问题|苗|芽)|"
                  r"月薪|年薪|工资|薪资|待遇|费用|经费|报酬|酬劳|价钱|价格|开价|"
                  r"出价|愿意出|能出|可出|出得起|"
                  r"(?<!开)(?<!攀枝)花(?!椒|生|卉|期|朵|苞|蕾|粉|瓣|园|木|草|开|叶|斑)|"
                  r"付|给|投入|投资|钱(?:的话|嘛|呢|就|是|方面|再|上)|加到|涨到|提到|改成|改为|"
                  r"资金|合同|服务费|咨询费|补贴")
_ALTITUDE = re.compile(r"(海拔|高差|山高)[^，,。\s\d一两二三四五六七八九]{0,3}"
                       r"[\d一两二三四五六七八九十百千万多几]+(米|m)?")
# a count of things, not money: "三千多棵", "五万左右只鸡"
MEASURE = re.compile(r"\s*(?:来|多|余)?(棵|株|只|头|亩|斤|公斤|个|条|尾|箱|袋|吨|人|米|平|方|粒|"
                      r"枝|瓶|包|件|台|户|羽|窝|桶|年|天|棒|筒|盆|罐|根|张|份|颗|片|批|袋子)")
# the budget named, just before a plain number: "预算3000", "能出 800"
# ("预算还是给个800嘛", "预算写个1000": a verb between the word and the amount)
_BUDGET_WORD = re.compile(r"(预算|budget|费用|经费|报酬|服务费|咨询费|愿意出|能出|可出|出得起|"
                          # "想请专家来看看 出3500 在洪雅": 出 opening a clause
                          r"给得起|最多出|最多给|能给|(?:^|(?<=[\s，,]))出)"
                          r"(?:[是为有大概约]|还是|就|写|给|改成|改为|定|填|出|个){0,4}\s*$")
# "…想请专家来看下 尽快 1500 同意": an amount standing alone among the other answers
_LONE_AMOUNT = re.compile(r"(?:^|(?<=\s))"
                          r"(\d{3,7}|\d+(?:\.\d+)?[kKwW千万]|[一两二三四五六七八九]+[千万])"
                          r"(?:块钱?|元)?(?=\s|$)")
_ASKS_FOR_SOMEONE = re.compile(r"专家|技术员|兽医|农技员|老师|来看|上门|指导|检测|方案|培训|"
                               r"请人|来教|教下")
# units MEASURE does not hold: "温度 300 度" is no amount either
_AFTER_COUNT = re.compile(r"\s*(度|℃|%)")
_UNIT_VALUE = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "百": 100}
# Two adjacent numerals are a spoken range: 两三千 → 2000–3000, 一两万 → 10000–20000.
_SPOKEN_RANGE = re.compile(r"^([一两二三四五六七八九])([二两三四五六七八九])([十百千万]+)$")


@dataclass(frozen=True)
class Budget:
    amount: float | None   # yuan; None when negotiable or vague
    text: str              # the words as written ("五万左右", "面议")


def _cn(token: str) -> float:
    return float(cn2an.cn2an(token.replace("两", "二"), "smart"))


def _number(token: str) -> float | None:
    token = token.replace(",", "")
    if not token:
        return None
    try:
        return float(token)
    except ValueError:
        pass
    try:
        m = _SPOKEN_RANGE.match(token)
        if m:
            scale = _cn("一" + m.group(3))
            return (_cn(m.group(1)) + _cn(m.group(2))) / 2 * scale
        return _cn(token)
    except (ValueError, KeyError, IndexError, TypeError):
        return None


_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


def join_thousands(text: str) -> str:
    """"3,000元", "12,000": digits grouped by thousands are one number, not a list."""
    return _THOUSANDS.sub("", text)


# before an amount that is not the budget itself: one ruled out, or one added to it
# ("至少五千" is the budget itself)
_ASIDE_AMOUNT = re.compile(r"(不是|并非|再加|多加|加上?|再给|追加|增加|减少?|(?<!至)少)$")


def _as_written(text: str, written: str, start: int, end: int) -> str:
    """The amount as the message wrote it ("3,000元", not the "3000元" read from it), so that
    it can be cut from the description."""
    said = text[start:end].strip()
    if said in written:
        return said
    if len(text) == len(written):  # rewritten in place ("个把万" read as "一万多")
        return written[start:end].strip()
    gaps = re.search("[,，\\s]?".join(map(re.escape, said)), written)
    return gaps.group(0) if gaps else said


def parse_budget(text: str) -> Budget | None:
    """Money the requester will spend, in yuan. "五万左右" → 50000, "两三千块" → 2500,
    "3-5万" → 40000, "一万五" → 15000, "面议" → Budget(None, "面议"); None if unsaid."""
    written = text
    # "1万5", "2w5", "3千5", "1万5千": the digit after the unit is its tenth
    text = join_thousands(text)
    # "万五左右", "千五": one ten-thousand (thousand) and a half, the 一 left unsaid
    # ("万一出事了" is no amount)
    text = re.sub(r"(?<![0-9一二两三四五六七八九十百千万])([万千])(?=[一二三四五六七八九]"
                  r"(?:左右|上下|的样子|块|元|吧|嘛|哈|以内|$|[\s，,。]))", r"一\1", text)
    text = re.sub(r"([一两二三四五六七八九\d])个([wW万千kK])", r"\1\2", text)  # "两个w", "三个万"
    # "个把万", "万把块": about one ten-thousand (thousand); rewritten in as many characters,
    # so that what was written can still be cut from the message
    text = re.sub(r"个把([万千])", r"一\1多", text)
    text = re.sub(r"(?<![0-9一二两三四五六七八九十百千万])([万千])[把多](?=块|元|钱)", r"一\1",
                  text)
    text = _UNIT_TENTH.sub(lambda m: f"{m.group(1)}.{m.group(3)}{m.group(2)}", text)
    text = text.translate(_FINANCIAL)  # "人民币陆仟元整": the banker's numerals
    # "十来万吧": about ten
    text = re.sub(r"([十百千])来([万千]?)(?=[块元]|钱|左右|吧|嘛|$|\s|[，,。])", r"\1\2", text)
    text = _ALTITUDE.sub(" ", text)  # "海拔四千多": metres, not money
    if m := _CANNOT_EVEN.search(text):  # "五百块钱都拿不出来": no amount, 面议
        return Budget(None, m.group(0))
    aside: Budget | None = None  # an amount ruled out or added on, kept if no other is said
    capped = False  # a cap said before ("一万以内"): the next amount is money too
    for m in _AMOUNT.finditer(text):
        a_tok, b_tok = m.group("a"), m.group("b") or ""
        unit = (m.group("unit") or m.group("au") or "").lower()
        scaled = bool(unit) or any(c in "万千百" for c in a_tok + b_tok)
        big = unit in ("万", "w", "千", "k") or any(c in "万千" for c in a_tok + b_tok)
        cue = _CUE.search(text[max(0, m.start() - 8):m.start()]) or capped
        # A bare number is money only with a currency word, a 万/千 amount next to a cue
        # ("预算", "能出") or hedged like one ("五万左右", "三千左右"), or right after the
        # word for the budget itself ("预算3000").
        plain = (a_tok.isdigit() and int(a_tok) >= 100
                 and _BUDGET_WORD.search(text[max(0, m.start() - 10):m.start()]))
        # "三千多棵", "五万左右只鸡": not money ("费用出三千 人在会东县": a space ends it)
        counted = MEASURE.match(text, m.end()) and not m.group(0)[-1:].isspace()
        if _PAST_SPEND.search(text[max(0, m.start() - 24):m.start()]):
            continue  # ("以前请过县上的技术员 给了两百块钱烟钱 这回你们看着给嘛": then, not now)
        if text[max(0, m.start() - 2):m.start()].endswith(("花了", "花")) \
                and _BOUGHT.match(text, m.end()):
            continue  # ("花了八千买保健品": what was bought, not what help may cost)
        # (a range of thousands is hedged too: "搞配方 三千到五千 不急")
        hedged = big and (m.group("approx") or m.group("b")) and not counted
        # "预算不是五万哈 是五千": the amount put in place of one ruled out
        instead = aside is not None and scaled and bool(
            re.search(r"(?:是|改成|改为)\s*$", text[max(0, m.start() - 4):m.start()]))
        if not (m.group("cur") or (scaled and cue and not counted) or hedged or plain
                or instead):
            continue  # ("有五百亩芒果基地" counts land, whatever cue is near)
        a = _number(a_tok)
        if a is None:
            continue
        if m.group("cur") == "块" and not cue and a < 100 and not scaled:
            continue  # "叶子黄一块绿一块", "三块地": a piece, not a yuan
        a *= _UNIT_VALUE.get((m.group("au") or m.group("unit") or "").lower(), 1) \
            if not m.group("b") or m.group("au") else 1
        amount = a
        if b_tok:
            b = _number(b_tok)
            if b is None:
                continue
            b *= _UNIT_VALUE.get((m.group("unit") or "").lower(), 1)
            while a > 0 and a * 10 <= b:  # "3-5万", "五到八万": the first shares the unit
                a *= 10
            amount = (a + b) / 2
        if round(amount, 2) <= 0 or amount > 1e10:
            continue  # ("0.001元" is no money)
        found = Budget(round(amount, 2), _as_written(text, written, m.start(), m.end()))
        if _ASIDE_AMOUNT.search(text[max(0, m.start() - 4):m.start()]) or (
                _CAP.search(m.group(0)) and _AMOUNT.search(text, m.end())):
            # ("一万以内 八千嘛": the cap, then the amount within it, money by the cap's cue)
            capped = capped or bool(_CAP.search(m.group(0)))
            # "预算是二十万 不是两万", "预算再加两千 五千嘛": the other amount is the budget
            aside = aside or found
            continue
        return found
    if aside is not None:
        return aside
    m2 = _NEGOTIABLE.search(text)
    if m2:  # (面议 typed by ear is 面议)
        return Budget(None, re.sub(r"面[意仪]", "面议", m2.group(0)))
    if _ASKS_FOR_SOMEONE.search(text):
        for m in _LONE_AMOUNT.finditer(text):
            if MEASURE.match(text, m.end()) or _AFTER_COUNT.match(text, m.end()):
                continue  # ("养了 200 头"): a count, whatever stands alone
            amount = parse_budget(m.group(0) + "元")
            if amount is not None and amount.amount and amount.amount >= 100:
                return Budget(amount.amount, m.group(0))
    m3 = re.search(r"(?:预算|费用|经费)[^，。,.!！?？]{0,6}?"
                   r"(几[百千万]|[十百千万]来|[一二三四五六七八九十]+几[百千万])", text)
    if m3:
        return Budget(None, m3.group(0))  # a vague amount: noted, not guessed
    return None


_CAP = re.compile(r"(以内|以下|之内|封顶)\s*$")


def says_negotiable(text: str) -> bool:
    """Whether the text leaves the money open ("面议", "看着给", "不要写死")."""
    return bool(_NEGOTIABLE.search(text)) or "写死" in text


# ---- confidentiality, consent, remote, role ----------------------------------------------------
_CONFIDENTIAL = re.compile(r"保密|不公开|不要公开|别公开|不想公开|勿公开|不予公开|不要对外|"
                           # "请不要让无关的人看到", "不要给不相干的人看"
                           r"(?:不要|别|莫)(?:让|给)(?:无关|不相干|不相关|外|别)的?人.{0,2}看|"
                           # "这个事不想让别个晓得"
                           r"不(?:想|要|愿意?)(?:让|给)(?:别个|别人|外人|同行|外头的?人)(?:晓得|知道|看)|"
                           r"不(需要|用|必|消)公开|无[需须]公开|莫公开|公开(就|还是)?(算了|免了|不要|不得行|不行|不好)|不能公开|"
                         r"只(让|给).{0,6}(看|可见)|"
                           r"仅.{0,5}专家|只给.{0,4}专家|"
                           r"只让.{0,4}专家|商业机密|技术秘密|内部资料|不对外|"
                           # "取消公开 我们不想让同行晓得"
                           r"(?:取消|撤销|撤掉|关掉|关闭)公开")
_PUBLIC_OK = re.compile(r"可以公开|能公开|公开也?(可以|行|没得?事|没问题|无所谓)|随便公开|"
                        r"公开嘛|公开吧|^公开$|不用保密|不怕公开|都可以看|大家都能看|"
                        # "想了下 改回公开": public again, said at the card
                        r"(?:改回|改成|换成|还是)公开(?!.{0,2}(算了|免了|不要))")
_CONSENT_NO = re.compile(r"不留电话|不留联系|不(?:给|提供)(?:电话|联系方式|号码|手机)|"
                         # "我怕骚扰 还是算了" at the consent prompt: the phone kept back
                         r"(?:怕|担心)[^，,。]{0,6}(?:骚扰|乱打|推销)[^。]{0,6}?(?:还是|就|那)?"
                         r"(?:算了|不给了?|莫给|别给|免了)|"
                         r"(?:改成|改为|换成|改)(?:了)?不同意|"
                         r"不想留|不方便留|先别给|不要给.{0,4}(?:电话|联系)|"
                         # "最好别给", "还是莫给他"
                         r"(?:最好|还是)(?:别|莫|不要)给(?=他|她|专家|电话|号码|[了嘛吧哈]|$)|"
                         r"(?:不|莫|别)(?:要|用)?告诉(?:他|她|专家|老师)|不想给|不愿意?给|不想留|"
                         r"不直接给|(?:别|莫|不要|不用)直接给|"
                         # "莫给电话 我怕骚扰", "电话不得行"
                         r"(?:莫|别)(?:给|留)(?:电话|联系方式|号码|手机)|"
                         r"(?:电话|联系方式|号码|手机)[嘛呢的]?\s*(?:就|还是)?(?:不行|不得行|算了|免了)|"
                         r"(?:电话|号码|联系方式)(?:就)?不留了?|"
                         r"(?:联系方式|电话|号码).{0,4}(?:不给|不留|别给|莫给|不要给|不要留|不得给|"
                         r"给不得|不能给)|"
                         # ("那不公开 电话可以给专家": the need private, the phone given)
                         r"不公开(?:我的|我|的)?(?:电话|联系)|不同意|"
                         # "不消得留电话 有事在平台上说", "在平台上沟通就行"
                         r"(?:不消得?|不必|不需要|用不着)(?:留|给|告诉)|"
                         r"(?:在|通过)?平台上?(?:与我|跟我|和我)?(?:联系|说|讲|沟通|留言|聊)|"
                         # "我不太愿意把手机号码直接交给陌生人"
                         r"不太?(?:愿意|想)把.{0,8}(?:电话|号码|手机|联系方式)|"
                         r"(?:电话|phone)[？?]?\s*不给|"
                         # "莫把我电话给别个", "别把号码告诉人家"
                         r"(?:莫|别|不要|不准|不许|不能)把.{0,6}(?:电话|号码|手机|联系方式)"
                         r"(?:给|告诉|发|透露)")
_CONSENT_YES = re.compile(r"留个?电话|电话是|电话号码|手机号|打我电话|给我打电话|联系我|加我微信|"
                          # "联系方式那个还是改成同意嘛"
                          r"(?<!不)(?:改成|改为|换成|改)(?:了)?同意|"
                          # "想了哈还是给嘛 不然专家联系不到我"
                          r"还是给(?:嘛|吧|他|她|专家|电话)|还是给[嘛吧哈了。！!\s]*$|"
                          r"(?:不然|要不然|否则)专家联系不到|"
                          # "算了还是同意嘛 不然专家咋个联系我"
                          r"还是同意|(?:不然|要不然|否则)专家(?:咋个?|怎么|咋样)联系|"
                          # "算了同意嘛 方便些": a yes given in, its reason after it
                          r"^(?:(?:那|哦|好嘛|好)?算了)?[，,\s]*同意[嘛吧哈了]*(?:[，,。\s]|$)|"
                          # "给是可以给 莫乱打就行": a yes, with a condition
                          r"给是可以给|可以给[，,\s]*(?:但是?|只是|就是)?(?:莫|别|不要)乱打|"
                          r"(?:莫|别|不要)乱打(?:电话)?就(?:行|好|可以)|"
                          # "电话嘛可以给他", "电话可以告诉专家", "可以跟专家说我电话"
                          r"(?:同意|愿意)给(?:电话|联系方式|号码|专家)|"  # "同意给电话"
                          # "联系方式同意", "电话同意给": said in one go with the rest
                          r"(?:电话|联系方式|号码|手机)[嘛呢的]?\s*(?:同意|愿意)|"
                          # "面议 电话要得", "电话莫得问题": the phone, and a yes to it
                          r"(?:电话|联系方式|号码|手机)[嘛呢的]?\s*(?:也|就)?"
                          r"(?:要得|莫得问题|没得问题|没问题|行|可以|中|好)[嘛的哈了。！!\s]*$|"
                          # "…尽快 1500 同意": a yes said last, after the other answers
                          r"(?:^|[\s，,])(?<!不)同意[嘛的哈了。！!\s]*$|"
                          r"(?:电话|联系方式|号码|手机)[嘛呢的]?\s*(?:也可以|也能|可以|能|就|也|还是)?(?:直接)?"
                          r"(?:提供)?"
                          # ("专家电话给我们讲下方案": a call to us, no phone given)
                          r"(?:给|告诉|发给|留给)(?![我你他她]们?(?:讲|说|聊|指导|解释|上课))|"
                          r"(?:可以|可|同意|愿意)(?:提供|留)|"
                          r"可以给(?:专家|他|她|老师)|"
                          r"可以告诉(?:他|她|专家|老师)(?:我的?)?(?:电话|联系方式|号码|手机)|"
                          # "phone可以share给expert", "可以把我的phone给接单的expert"
                          r"phone.{0,6}(?:给|share|告诉)|(?:给|share).{0,6}expert|"
                          r"(?:电话|号码|手机).{0,3}(?:转告|告诉|给)(?:给)?(?:专家|他|她|老师)|"
                          r"转告给?(?:专家|他|她|老师)|"
                          r"告诉(?:他|她|专家|老师)(?:嘛|吧|哈|也行|也可以|没事|没得事|$|\s)|"
                          r"可以(?:跟|和|给)?(?:专家|他|她|老师)?(?:说|讲|告诉)(?:我的?)?"
                          r"(?:电话|联系方式|号码|手机)|"
                          r"微信号|可以联系|愿意.{0,6}联系方式|联系方式可以|"
                          r"可以给.{0,4}(?:电话|联系)|(?:电话|联系方式|号码|手机)(?:可以|能|就)给|"
                          r"同意.{0,6}(?:联系|提供|公开|分享|告诉)|直接联系|"
                          # "同意专家接单后告知我司联系方式"
                          r"(?<!不)同意[^，,。；;]{0,10}(?:告知|告诉|提供|给)[^，,。；;]{0,4}"
                          r"(?:联系方式|电话|号码|手机)|"
                          # "电话随便给", "号码随便他打"
                          r"(?:电话|号码|手机|联系方式).{0,2}随便")
# help at a distance said outright ("远程指导就行", "视频看下"); by phone or no visit
# ("电话里说下", "不用上门") answers the place prompt, but a consultation by phone still names
# where the farm is (local experts know its soil and season)
_REMOTE_SAID = r"线上|远程|视频|网上(?!找|搜|查|发|买|看到)|在线|微信上"
_REMOTE = re.compile(_REMOTE_SAID + r"|电话指导|电话里|发照片|拍照片|不用来|不用上门|"
                     # "不想说在哪 打电话问问就行"
                     r"打个?电话(?:问|说|讲|聊)")
_ENTERPRISE = re.compile(r"公司|企业|我司|厂|集团|有限|股份|合作社|医院|诊所|卫生院|学校|园区|"
                         r"景区|酒店|协会|乡政府|镇政府|村委|街道")
_FARMER = re.compile(r"种了|种的|养了|养的|亩|果园|鱼塘|猪圈|鸡场|大棚|地里|田里|家庭农场|庄稼")

# ---- what is left when the form's answers are taken out --------------------------------------
_REQUEST = re.compile(
    r"(我们?|咱们?|俺们?)(是|这边|这里|那边)?|想|要|请|找到?|个|位|名|一下|专家|老师|教授|技术员|帮忙|帮我们?|"
    # "你们能找到懂蜜蜂的专家不？", "我是某合作社秘书，先说明基本情况：1. 地点…"
    r"你们?能|能不能|懂行?|合作社|专业|某|秘书|会计|负责人|社长|理事长|场长|先说明|基本情况|情况如下|"
    r"地点|地址|时间|(?:不|吗|没得|没有)(?=[？?])|"
    r"帮个忙|解决|指导|看看|来看一?[看下哈]|过来看|来看|上门|现场|合作|对接|预算|费用|左右|大概|大约|差不多|"
    r"做|搞|开|的|小厂|工厂|厂子|厂里|厂头|厂|公司|企业|合作社|家庭农场|农场|了|哈|嘛|呀|啊|吧|呢|"
    r"改成|改为|改一下|换成|改|把|这个|那个|就|也|还|可以|同意|不同意|留电话|电话|联系方式|公开|"
    # "想请个专家来园子头看一哈", "我想发个需求": where and that, but no problem yet
    r"发个|发布|技术需求|技术问题|技术服务|需求|来|看一?[哈下看]|一哈|瞧瞧|园子头|园子里|地头|田头|"
    r"场里|屋头|这边|那边|"
    # "你好，我们公司想发布一个技术需求": a greeting and the request, still no problem
    r"你好|您好|在吗|在不在|一个|有个|"
    # "家人们 我想找个专家 咋个弄哦", "想找个农业专家 有没有": whom, and how to go about it
    r"最多(能|可以)?出|最多给|能出|出得起|"
    r"家人们|宝子们|亲们|姐妹们|兄弟们|(咋个|怎么|咋)(弄|搞|整|办|找)|咋办|有没有|有没得|"
    r"(农业|农技|养殖|种植|畜牧|水产|植保|果树|食品)(方面)?的?(?=专家)|"
    # "想对接一位中药材方面的专家": the field of the expert wanted, no problem in it
    r"对接|一位|[\u4e00-\u9fff]{2,6}?方面的?(?=专家)|"
    # "我是农科院的 想通过你们找个专家合作": where the asker works and how they ask
    r"通过(?:你们|平台|这里|这个平台)|(?:农科院|农业科学院|研究所|研究院|农技站|农技中心)的?")


# the card's own words in an edit ("紧急程度改成紧急", "地区改成雨城区"): never the problem
_CARD_WORDS = re.compile(r"紧急程度|公开范围|联系方式|预算|费用|地区|改成|改为|换成|写成|"
                         r"改一?[下哈]|"
                         # "sorry 地方搞错了，工厂不在旌阳，在广汉": the place corrected, no problem
                         r"地方|地址|位置|[搞说写弄]错了?|sorry|不好意思|抱歉|不在|在|也|"
                         # "哎不对 还是两千五", "预算不要写面议了，写六千"
                         r"[哎唉诶]?不对|还是|不要写|写|面议|"
                         # "想了下 改回公开"
                         r"(?:想|考虑)了一?下|改回|不?公开")


# greetings and voice-input fillers: "喂喂，听得到不", "那个那个，就是说"
_FILLER = re.compile(r"喂+|听得?[到见]不|听得?[到见]吗|能听[到见]|你好|您好|老师好|在吗|在不在|"
                     # "你们这有没有专家嘛": the platform addressed
                     r"你们(?:这|那)[里边儿]?(?=有|能|可以|[\s，,]|$)|"
                     r"先说好|先说清楚|丑话说在前头|"
                     r"那个那个|就是说|嗯+|呃+|额+|"
                     # "孙女帮我打的字哈", "我帮我爷爷打字": who types, not what is wrong
                     r"(孙女|孙子|女儿|儿子|娃儿|幺儿|外孙女?)帮我打的?字[哈嘛呀]?|"
                     r"我帮我?(爷爷|奶奶|外公|外婆|老汉|我爸|我妈|婆婆|公公)打的?字[哈嘛呀]?|"
                     # "我是康定一家酒店的老板": who asks
                     r"我是[^，,。！!？?]{0,12}?的?(老板娘?|负责人|厂长|经理|会计|主任|书记|秘书|站长)|"
                     # "有个事情想请你帮忙", "我是农技站的", "我是回乡开小酒坊的": who asks and
                     # that there is something, not what it is
                     r"有(个|件|点)事情?|想?请你帮(个)?忙|"
                     r"我是[^，,。！!？?]{0,10}?(农技站|推广站|站上|村上|镇上|乡上|合作社|公司|厂)的|"
                     r"我是(回乡|返乡|回村|回来)[^，,。！!？?]{0,8}的|"
                     # "我在外头打工 屋头老汉喊我帮他在网上找个技术员": who asks for whom
                     r"我?在外(头|面|地)打工|(在)?网上|"
                     r"(屋头|家里|老家)?的?(老汉儿?|老爷子|老人|我爸|我妈|爷爷|奶奶|老妈|老爸|婆婆|公公)"
                     r"(喊|叫|让|要)我(帮他|帮她|帮忙|给他|给她)?|"
                     # "我们是一家中药饮片生产企业": who asks, in a firm's words
                     r"(我们|我司|本公司|我单位)(是|系)?[^，,。！!？?]{0,8}?一家[^，,。！!？?]{0,14}?"
                     r"(企业|公司|厂|工厂|合作社|作坊)|"
                     # "我单位系隆昌市某镇人民政府": a public body says who it is
                     r"(?:我|我们|本)单位(?:是|系|为)?[^，,。！!？?]{0,14}?(?:人民政府|政府|学校|小学|"
                     r"中学|医院|卫生院|卫生室|诊所|社区|居委会|村委会|委员会|中心|站|所|局|馆)|经费")


_EXPERT_ASKED = re.compile(EXPERT_REQUEST)  # "有没得专家", "有专家没得": the asking, no problem
# hurry and courtesy left over once urgency is taken out: "急得很 快点帮我找个专家"
_HURRY = re.compile(r"^得很|(?<=\s)得很|快点|赶快|赶紧|麻烦(你|您)?|谢谢|"
                    r"(帮我|想|给我)?(找|约|请)一?个|哦")  # ("有没得专家哦 帮我找一个")


def problem_text(text: str) -> str:
    """The text without who is asking, where, when, how much and for whom: what remains is
    the problem. "想找个专家帮忙解决，预算两万左右" leaves nothing; "袋装泡菜老是胀袋" stays."""
    from knowledge import gazetteer

    def without_places(rest: str) -> str:
        place = gazetteer.find_region(rest)
        while place is not None and any(
                form in rest for form in (place.name, place.short_name, *place.aliases)):
            # (its old name too: "我是郫县的")
            for form in sorted((place.name, place.short_name, *place.aliases), key=len,
                               reverse=True):
                rest = rest.replace(form, " ")
            place = gazetteer.find_region(rest)
        return rest

    # (places first: the 三 of "三台县" is no amount)
    rest = without_places(text)
    for pattern in (_FILLER, _EXPERT_ASKED, _CARD_WORDS, _AMOUNT, _NEGOTIABLE, _NOT_URGENT,
                    _URGENT, _SOON, _CONFIDENTIAL, _CONSENT_NO, _CONSENT_YES, _REMOTE, _REQUEST,
                    _HURRY):
        rest = pattern.sub(" ", rest)
    rest = without_places(rest)
    return re.sub(r"[\s，,。.!！?？、；;：:]+", " ", rest).strip()


# Contact details are found by one detector (core/contacts.py), shared with the log masker;
# the old pattern names stay for callers that only ask "is there a phone number?".
PHONE, EMAIL = KindFinder("phone"), KindFinder("email")
WECHAT, QQ = KindFinder("wechat"), KindFinder("qq")


def strip_side_phrases(text: str) -> str:
    """Remove urgency, confidentiality and consent phrases: they are not the topic."""
    for pattern in (_NOT_URGENT, _URGENT, _SOON, _CONFIDENTIAL, _CONSENT_NO, _CONSENT_YES,
                    _NEGOTIABLE):
        text = pattern.sub(" ", text)
    return text


def parse_confidentiality(text: str) -> str:
    text = _NOT_NOT_PUBLIC.sub("可以公开", text)  # "也不是不能公开"
    closed = list(_CONFIDENTIAL.finditer(text))
    if closed and (again := list(_PUBLIC_AGAIN.finditer(text))) \
            and again[-1].start() > closed[-1].end():
        return "public"  # "不公开……想了下 还是公开嘛": what is said last
    return "experts_only" if closed else "public"


# two negations allow it ("也不是不能公开", "不是不可以公开")
_NOT_NOT_PUBLIC = re.compile(r"(?:也|倒)?(?:不是|并不是|没说)不(?:能|可以|得行|行)公开")
_PUBLIC_AGAIN = re.compile(r"(?:改回|改成|换成|还是)公开(?!.{0,2}(算了|免了|不要))")


def states_visibility(text: str) -> bool:
    """Whether the text says if the need may be public at all ("不要公开", "公开也没得事")."""
    text = _NOT_NOT_PUBLIC.sub("可以公开", text)
    return bool(_CONFIDENTIAL.search(text) or _PUBLIC_OK.search(text))


_LAST_WORD = re.compile(r"(?:那|那就|还是)?(不)?同意[嘛吧了哈啦]*")
# "没有不同意的 给嘛": two negations agree
NOT_AGAINST = re.compile(r"(?:没有|没得|莫得|没|不是|并非|并不是|也不是)(?:说|啥子?|什么)?"
                         r"(?:不同意|不愿意|不给|不想给|不能给|不可以)|"
                         # "不要紧 给他嘛", "不介意 给嘛": no objection
                         # ("公开没关系" is said of the need's visibility, not of the phone)
                         # ("这个要不要紧" asks whether it is serious)
                         r"(?<!公开)(?<!公开也)(?<!要)(?:不要紧|不介意|无所谓|没关系|没得关系)")


_ASKED_BACK = re.compile(r"(?:就是|是)?(?:给不给|同不同意|愿不愿意|留不留)(?:电话|联系方式|号码)?"
                         r"[嘛哦哈啊呀]*(?=[，,。\s]+\S)")


def said_last(text: str) -> bool | None:
    """A bare 同意 or 不同意 closing a longer answer ("不同意……算了算了 不告诉他他咋个联系我嘛
    同意"): the decision, whatever was said before it."""
    clauses = [c for c in re.split(r"[，,。.…！!？?\s]+", text) if c]
    if len(clauses) > 1 and (m := _LAST_WORD.fullmatch(clauses[-1])):
        return not m.group(1)
    return None


def parse_contact_consent(text: str) -> bool | None:
    if (last := said_last(text)) is not None:
        return last
    # "就是给不给电话嘛 给嘛": the question said back is no answer; what follows it is
    if (said := _ASKED_BACK.sub(" ", text)) != text and (
            m := re.fullmatch(r"[\s哦嗯那]*(不|莫|别)?给[嘛吧哈了他她呀]*[。！!\s]*", said)):
        return not m.group(1)
    text = said
    # ("不是不愿意出钱哈" is money, not the phone)
    if (m := NOT_AGAINST.search(text)) and not re.match(r"(出|给|花|拿)?(钱|费用|预算|经费)",
                                                         text[m.end():]) \
            and not _CONSENT_NO.search(NOT_AGAINST.sub("", text)):
        return True  # "没说不给电话噻 给嘛": not refusing is agreeing ("不是说不给钱" is money)
    text = NOT_AGAINST.sub("同意", text)
    if _CONSENT_NO.search(text):
        return False
    if _CONSENT_YES.search(text) or find_contacts(text):
        return True  # a contact written into the need is consent to be contacted
    return None


def parse_remote(text: str) -> bool:
    return bool(_REMOTE.search(text))


def says_remote(text: str) -> bool:
    """Help at a distance said outright, so that no place is needed ("想远程请教一下")."""
    return bool(re.search(_REMOTE_SAID, text))


def parse_role(text: str) -> str:
    if _ENTERPRISE.search(text):
        return "enterprise"
    if _FARMER.search(text):
        return "farmer"
    return "citizen"
