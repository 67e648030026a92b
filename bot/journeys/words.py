"""What people say, as patterns: agreement, refusal, leaving a form, offers answered in
words, commands. (What the assistant says is in `bot/texts.py`.)"""

from __future__ import annotations

import re

from bot import texts
from matching import slots
from matching.need import problem_size
from matching.slots import EXPERT_REQUEST, parse_contact_consent, parse_kind
from retrieval import smalltalk
from retrieval.intent import asks
from retrieval.safety import assess

CMD = re.compile(r"^\s*/?(start|help|帮助|菜单|cancel|取消|delete|删除我的数据|mine|我的需求|"
                  r"我的接单|link|关联|bind|绑定|注册)\b\s*(.*)$", re.IGNORECASE)
# a scientist asking for their offers in other words: "查看派单", "有没有单子", "我的邀请"
MY_OFFERS = re.compile(r"^\s*(?:查看|看看|看下|看一下)?(?:我的)?(?:派单|邀请|单子|订单)"
                       r"(?:列表)?[呢嘛吗哦。？?！!]*$|^有没有(?:新的?)?(?:派单|单子|邀请)[呢嘛吗哦。？?]*$"
                       r"|^有(?:新的?)?(?:派单|单子|邀请)(?:没得|没有|不)[呢嘛吗哦。？?]*$")
# a scientist asking what work there is for them: "有啥子需求适合我", "最近有没有活儿接"
NEEDS_FOR_ME = re.compile(r"(?:有|有没有|有没得|还有)(?:啥子?|什么|哪些|些)?(?:适合我的?|我能接的?|"
                          r"我可以接的?|新的?)?(?:需求|活儿?|单子?|任务|项目)(?:适合我|我能接|"
                          r"我可以接|可以接|能接|接)?|(?:能|可以)接(?:啥子?|什么|哪些)(?:单|活|需求)|"
                          r"(?:看看|看下|看一下)(?:有)?(?:哪些|啥子?|什么)(?:需求|单子?)")
# platform chat between the two sides of a match: "留言 明天上午来", "给专家留言：…"
RELAY = re.compile(r"^\s*(?:给(?:专家|老师|需求方|对方|老板)留言\s*[:：，,]?"
                    r"|留言(?:\s+|\s*[:：，,]|$))\s*(.*)$", re.S)
_PARTICLES = r"[呀啊嘛哈哦噢啦了呢的吧撒噻～~!！。,，.\s]*"
# the requester's "yes, tell that expert my number" typed instead of the button
SHARE_WORDS = re.compile(r"^\s*(?:可以|同意|好的?|行|要得)?" + _PARTICLES
                          + r"(?:把(?:我的)?(?:联系方式|电话)?)?告诉(?:专家|他|她|老师)"
                          r"(?:我的)?(?:联系方式|电话)?" + _PARTICLES + "$")
# Sichuanese and everyday agreement and refusal, as a whole message
_AGREE_WORDS = (r"莫得问题|没得问题|没问题|没啥问题|不存在|要得|可以了?嘛?|中|行了?|得行|对头|"
                r"对的|对了|"
                r"是的|好的?|好了|好嘛|嗯+|确认|确定|发|发了|发嘛|发吧|发布|发布出去|发出去|就这样|"
                r"就这么办|ok|okay|yes|confirmed?|go ahead")
# Sichuanese and everyday agreement, as a whole message: "莫得问题", "好 发吧", "就这样发嘛"
AGREE = re.compile(rf"^({_AGREE_WORDS})([\s，,]*({_AGREE_WORDS}))*{_PARTICLES}$", re.IGNORECASE)
_HOLD_WORDS = r"等一下|等一哈|等哈|等等|莫忙|慢点|稍等|先等哈"
REFUSE = re.compile(rf"^(不得行|不行|不对|不要发|先不发|莫发|别发|要不得|使不得){_PARTICLES}$"
                     rf"|^({_HOLD_WORDS}|我再想想|再想想|考虑一下|我考虑一下)")
# "等哈，紧急程度改成紧急", "莫忙，钱改成八百": a hold word before a change to the card
HOLD = re.compile(rf"^({_HOLD_WORDS})[，,。！!\s]*")
REFUSE_AND_FIX = re.compile(r"^((不得行|不行|不对|错了|写错了)[，,\s]*)+[，,。！!\s]*"
                             r"(?P<fix>[^呀啊嘛哈哦了的。！!，,\s].*)$")
# leaving a form in people's words, from any step: "算了，不要了", "不搞了", "重新来"
_LEAVE_WORDS = (r"算了先?不发了?|"
                r"算了|算球了|算逑了|算逑|算球|不要了|不搞了|不整了|莫搞了|莫弄了|莫整了|不弄了|"
                r"不做了|不找了|莫请了|不请了|溜了|"
                r"不发了|"
                r"删了|删掉|删除|撤掉|撤了|撤回|"
                r"不用了|不需要了|(?:全部|全都|都)?重新来|重来|从头来|取消吧|我要取消|取消了|撤销掉?|作废|退出|"
                r"不想发了|"
                r"不提交了|不报了|不申请了|"
                r"不想弄了|先不弄了|先不搞了|暂不处理|先不处理|不处理了|取消掉|"
                r"(先|就|暂时)?不(弄|搞|整|做)(这个|那个|这事|这件事)了|"
                # "先放到嘛 我去问哈农技员再说", "我问错了 没得事了"
                r"先放到起|先放起|先放到|先放一放|先放一哈|放一哈再说|以后再说|问错了|点错了|发错了|"
                # "那算了 不麻烦你们了": no bother, no need
                r"不麻烦(?:你们|你|您)了|"
                # "我不想填了", "懒得弄了", "我先走了", "等我想好了再来"
                r"不想填了|不填了|懒得(?:弄|搞|填|整|写)了?|(?:问题|事情)(?:已经)?(?:解决|搞定)了|"
                r"我?先走了|(?:等我)?想好了?再来|不用了?(?=谢谢|谢了|多谢)|"
                # "不用找专家了", "问题已经解决了", "改天再说", "拉倒"
                r"(暂时|先)?不(用|要|需要)(找)?专家了|不用找了|不想(搞|弄|整|找|发)了|放弃|拉倒|"
                r"(我们?)?自己(解决|搞定|弄好)了|(问题)?已经(解决|搞定|弄好)了|"
                # "加了就好了 问题自己解决了"
                r"(?:问题|事情)(?:已经|都)?自己(?:解决|搞定|弄好|好)了|(下次|改天|过段时间)再说|"
                r"取消发布|暂时不需要了?|(?:没得|没有|莫得|没)(?:啥子?)?必要了|"
                # "经研究，暂不申请，待理事会开会后再议", "该事项暂缓，本次不予发布"
                r"暂不申请|暂不发布|不予发布|不予申请|暂缓(申请|发布|处理|实施|执行)?|(开会|研究)后再议|"
                # "这个request cancel掉吧": English in the middle of Chinese
                r"cancel掉|cancel it|cancel")
# "哎呀不要了不要了，…", "等哈，不找了，兽医站的人下午就来": a sigh or a pause first
_LEAVE_LEAD = (rf"(?:(?:哎呀|哎哟|唉|哎|嗯|呃|额|不好意思|抱歉|{_HOLD_WORDS})[，,。！!\s]*)?"
               # "想了一下还是不搞了，成本太高"
               r"(?:(?:想了|考虑了|商量了|合计了)一?[下哈][，,\s]*)?"
               # "爷爷又说算了嘛 莫请了": who decided comes first
               # ("理事长说先不找了", "我们书记讲不搞了": anyone who decides)
               # ("等一下 我们老板说暂时不要了")
               r"(?:(?:我们|我家|村上|社里|厂里|公司)?"
               r"(?:爷爷|奶奶|婆婆|公公|外公|外婆|老汉|我爸|我妈|老板|领导|屋头人|老公|老婆|他|她|"
               r"理事长|书记|社长|主任|村长|组长|队长|厂长|经理|"
               r"老伴|儿子|女儿|家里人?|他们|她们)"
               # ("老板刚说今年不搞了")
               r"(?:又|也|刚|刚刚|才|已经)?(?:说|讲|喊|叫)了?[，,\s]*)?")
# "…已经跟江南大学联系好了 不用了谢谢": thanks may close a leave
_THANKS = r"(?:[，,\s]*(?:谢谢|谢了|多谢|麻烦了)(?:你们|你|您|哈|了|啦)*)?"
LEAVE = re.compile(rf"^{_LEAVE_LEAD}(我|我们|那|那就|还是|那我)?(?:今年|这次|这回|暂时|先)?"
                   rf"({_LEAVE_WORDS})"
                    rf"(([，,\s]*({_LEAVE_WORDS}|吧|哈))*{_THANKS}{_PARTICLES}$"
                    # "取消吧，老板说先不弄了", "那就算了嘛，我先去问下农技站": a reason may follow
                    rf"|{_PARTICLES}[，,。！!\s]+(?!还是|又)|({_LEAVE_WORDS}))"
                    # "抱歉，公司决定暂不处理，取消吧。": the reason first
                    rf"|.*[，,。！!？?\s](那|那就|我|还是)?({_LEAVE_WORDS}|取消){_THANKS}{_PARTICLES}$")
# an expert offering to work through the platform: "我是川农大搞植保的老师 想在你们这接点活"
JOIN_AS_EXPERT = re.compile(r"(想|(?<!需)要|准备|愿意|打算)(在|到|来)?"
                            r"(你们|平台|这里|这儿|这边)?[这那]?"
                            r"(接点?活|接活儿|揽活|入驻|注册成?为?专家|当专家|做专家)")
# a scientist saying who they are and what they work on
_EXPERT_INTRO = re.compile(r"我(叫|姓)|"
                           r"我是.{0,12}(老师|教授|研究员|博士|专家|技术员|农艺师|工程师|兽医)|"
                           r"(研究|从事|主攻|搞)[^，,。！!？?]{0,12}(的|方向|研究|工作)?$|研究方向|"
                           r"在.{0,10}(大学|学院|研究所|研究院|农科院|推广站|农技站|农业局)(工作|上班)?|"
                           r"^我是.{0,10}(大学|学院|研究所|研究院|农科院|推广站|农技站|畜牧站)的$")
# how to join, asked ("怎么注册", "想接点单子"): for someone with no profile yet
JOIN_ASKED = re.compile(r"(怎么|咋个?|如何|怎样|在哪里?|哪里)(才能|可以|能)?(注册|入驻|登记|"
                        r"成为专家|当专家|加入)|想接点?单子|想接点单")


def introduces_an_expert(text: str) -> bool:
    """"我叫王老师 在雅安雨城区 研究茶树病虫害": who and what, asking nothing."""
    return bool(_EXPERT_INTRO.search(text)) and not asks(text) and not ASKING.search(text) \
        and not NEED_REQUEST.search(text) and not _SEEKS_A_PARTNER.search(text)


# "有一项专利，想找企业做成果转化": the expert has a need of their own (a 成果转化)
_SEEKS_A_PARTNER = re.compile(r"成果转化|(?:专利|成果|技术)(?:转让|转化|落地)|"
                              r"找(?:个|家|几家)?(?:企业|厂家|公司|合作方|投资)|"
                              # "实验室想找人帮忙开发鱼塘溶氧在线监测的设备": help wanted
                              r"找(?:个|些|几个)?(?:人|团队|单位)(?:来)?(?:帮忙|帮我们?|合作|一起)|"
                              # "实验室想招一个搞微生物发酵的博士后": people wanted (人才需求)
                              r"招[^，,。？?]{0,14}(?:博士后|博士|硕士|研究生|技术员|工程师|人才|助理)|"
                              # "想找芒果园做水肥一体化的示范 需要当地合作社配合", "想跟魔芋
                              # 加工企业联合攻关": partners for a trial or a demonstration
                              r"找[^，,。？?\s]{0,6}(?:合作社|大户|种植户|养殖户|蚕农|农户|果园|"
                              r"茶园|基地|示范户|企业|厂家?)(?:做|来|配合|合作|一起|试验|示范)|"
                              r"(?:合作社|农户|企业|大户|基地|厂家?)[^，,。？?\s]{0,4}"
                              r"(?:配合|愿意合作|一起做)|联合攻关|示范(?:种植|推广)")


LABELS = {texts.CONFIRM, texts.EDIT, "接单", "婉拒", "详情", texts.FORWARD, texts.DELETE_YES}
MENU_WORDS = {"我要提问": "menu:ask", "发布技术需求": "menu:need", "我要发布需求": "menu:need",
               "我是科技工作者": "menu:scientist", "我是专家": "menu:scientist"}
# a scientist's words for the offer buttons, with the number "我的接单" shows
OFFER_WORDS = re.compile(r"^(接单|接了|我接|接|婉拒|拒绝|不接|推掉|详情|看看|看下|看一下)\s*第?"
                          r"([1-5])?\s*(个|号|条)?[呀啊嘛哈哦吧了。！!]*$")
OFFER_VERBS = {"接单": "accept", "接了": "accept", "我接": "accept", "接": "accept",
                "婉拒": "decline", "拒绝": "decline", "不接": "decline", "推掉": "decline",
                "详情": "details", "看看": "details", "看下": "details", "看一下": "details"}
# an expert saying the service is done, as a whole message
SERVED = re.compile(r"^(服务|活儿?|事情|那边|那个需求)?(已经)?"
                     r"(完成|做完|弄完|搞完|搞定|结束|弄好|整完)了?(的)?[呀啊嘛哈哦了。！!]*$")
# "我想发个需求", "帮我找个专家": a need, even with no problem said yet (asked next)
NEED_REQUEST = re.compile(EXPERT_REQUEST + r"|找(个|位)?专家|请(个|位)?专家|"
                           # "想找食品方面的专家", "想喊个专家来塘边看看"
                           r"(找|请|喊|求|摇|约)[^，,。！!？?\s]{0,10}专家(?!说|讲|讲的|说的)|"
                           # "想找个 expert 来教一下人工授粉"
                           r"(找|请|约)[个位]?\s*(an?\s+)?expert|"
                           # ("想找儿科医生来给老师培训下")
                           r"专家(来|帮)|(找|请|求|喊|约)(个|位)?([\u4e00-\u9fff]{1,3}科)?"
                           r"(懂行|内行|懂的|技术员|老师|兽医|农技员|"
                           r"营养师|医生|工程师|师傅|电工)|"
                           # "课题组想找人帮忙测一批土壤样品": someone to do a job
                           r"(?<!不)(?<!不用)找(?:个|位)?人(?:来)?(?:帮忙|帮我们?|帮下)?"
                           r"(?:测|检测|化验|分析|鉴定|做|看|弄|处理|设计)|"
                           # "我就想跟专家电话里头咨询一下"
                           # ("拟通过视频方式向油脂或食品方面专家请教")
                           r"(?:跟|和|向)[^，,。！!？?\s]{0,10}(?:专家|兽医|技术员|农技员|老师)"
                           r"[^，,。！!？?\s]{0,6}"
                           r"(?:咨询|资询|请教|问一?下|问问)|"
                           # "想找机构来检测一下蔬菜有没有农药残留"
                           r"(?:找|请|约)[个家]?[^，,。！!？?\s]{0,4}(?:机构|检测站|检测中心|实验室|"
                           r"质检站)(?:来|帮)?(?:检测|化验|测|做)|"
                           # "羊肚子胀 死了两只 要兽医来", "想要个技术员过来"
                           r"(?:要|想要)[个位]?(?:兽医|技术员|农技员)(?:来|过来|上门)(?!过|了)|"
                           # "…死了 三个 兽医 要": said word by word, the want last
                           r"(?:兽医|技术员|农技员|专家)\s*(?:要|想要|需要)[嘛哦啊]*\s*$|"
                           # "就想找个人来现场看下"
                           r"(找|请|喊)[个位]?人来(现场|实地|屋头|地头|田头|园子|看|测|检测|化验|弄|整|搞|"
                           r"修|剪|打药|改|装|把|帮|"
                           r"指导|帮忙|讲|培训|上课|教|设计|规划|做方案|出方案|评估)|"
                           # "请个人拿糖度计来园子头帮她测一哈"
                           r"(找|请|喊)[个位]?(人|师傅)[^，,。！!？?\s]{1,8}?来|"
                           # "这周能不能来个兽医", "派个技术员过来"
                           r"(来|派)(个|位|一个|一位)(专家|兽医|技术员|农技员|老师)(?!说|讲)|"
                           # "帮…小伙子申请技术服务", "想对接个兽医", "帮忙对接一下专家"
                           r"(申请|对接)[^，,。！!？?\s]{0,10}(专家|技术服务|兽医|技术员|老师|农技员)|"
                           # "想咨询一下专家 羊子好久驱一次虫", "想线上请教下专家": consultation
                           r"(?<![不莫别])(?:咨询|资询|请教|问问|问一?下|问一哈)(?:一下|一哈|下)?"
                           r"(?:[个位]|当地的?)?(?:专家|兽医|技术员|农技员)(?!说|讲|建议)|"
                           # "请问有没有人能来帮我们看下柑子树"
                           r"有没有人(?:能|可以)?(?:来|过来|上门)(?:帮(?:我们?|忙))?(?:看|瞧|指导)|"
                           # "想招一个长期驻场的兽医技术员": hiring is a need (人才需求)
                           r"(?:招|招聘)(?:一个|一名|一位|个|名|几个|两个)?[^，,。！!？?\s]{0,10}"
                           r"(?:技术员|兽医|工程师|研究生|农技员|人才|技术人员|专业人员)|"
                           # "需要兽医专家", "急需一位植保专家"
                           r"需要?[个位名]?[^，,。！!？?\s]{0,6}专家(?!说|讲|建议)|"
                           # "需要当地农技人员配合"
                           r"需要?[个位名]?[^，,。！!？?\s]{0,6}(?:农技人员|技术人员|农技员|技术员|"
                           r"兽医)(?:配合|指导|帮忙|协助|支持|来|上门)")
# the "请当地专家解答" button said in words, after a question: "那帮我转给专家嘛"
# ("帮我找个专家" is a request for a service: the form, with its budget)
FORWARD_WORDS = re.compile(r"^(那|那就|那你)?(帮我|给我|麻烦|烦请|请)?(转给?|转交|问下|问一下)"
                           r"(个|下)?"
                           r"(当地的?)?(专家|老师)(问下|问一下|解答)?" + _PARTICLES + "$"
                           r"|^请(当地的?)?专家解答" + _PARTICLES + "$")
FIELD_EDIT = re.compile(r"改成|改为|换成|写成|还是写|就写|(?<!是)不是.{0,8}是|改一下|改下|改哈|"
                        r"改过来|改回来|"
                        r"预算|"
                        # ("仔猪睡的地方要好多度" asks; 地方 is the field only when changed)
                        r"地区|(?:地方|地点|地址|位置)(?=.{0,3}(改|写|错|不对|是|在))|急不急(?=.{0,3}(改|写|错))|紧急程度|公开|联系方式|"
                        # ("接到电话说我涉嫌洗钱" is a call received, not the phone field)
                        r"(?<!接到)(?<!接了)(?<!打来)(?<!来的)电话")
# ("早上起来看到鱼浮起来": getting up and seeing is no one coming to look)
WANTS_EXPERT = re.compile(r"专家|帮忙|(?<![起回过])来看(?![到见])|上门|指导|请个|请人|对接")
SENTENCES = re.compile(r"(?<=[？?。！!])|[，,]\s*(?=(?:我|我们|想|能不能|可不可以|请))")


# "好了 医生来了 刚才说到哪了" after an emergency or an aside: the form's open question again
RESUME = re.compile(r"(我们|咱们)?(刚才|刚刚|之前|前面)?(说|讲|弄|搞)到哪(儿|里)?了?|接到说|"
                    r"接着(说|来|弄)|"
                    r"我们?继续|继续(吧|嘛|哈)?[。！!]*$|回到刚才|刚才那个(事|需求)")


# "120来了拉走了。刚才那个茶园的发布嘛": the last sentence publishes, the rest is news
_PUBLISH_END = re.compile(r"(发布|发出去|发了?吧|发了?嘛)[呀啊嘛哈哦吧了。！!]*$|"
                          r"^(就|那就)?发了[呀啊嘛哈哦吧。！!]*$")


# words that go with a yes but are none: thanks, pronouns, particles
_COURTESY_WORDS = r"谢了|谢谢|多谢|感谢|麻烦了|麻烦你了|你|我|帮|请|就|吧|嘛|哈|了|呀|啊|哦|那|先"
_COURTESY = re.compile(_COURTESY_WORDS)
# agreement in words no list holds: "确认无误，请发布", "嗯嗯，你帮我发出去嘛", "就按这个来"
_AGREEING = re.compile(r"确认无误|经核对|核对|请予|予以|无误|没错|没得错|对的|对头|对了|这下对了|"
                       r"这回对了|"
                       r"就按这个来?|就这样子|妥了|妥|整挺好|整起|冲|以上信息|信息|准确|同意|点头了|同意了|ok|绝绝子|yyds|666+|"
                       r"按这个来|就这样发布|就这么发布|按这个发布|就这么发|就这样发|就这样|就这么办|提交|发上去|发出去|发布|发了|"
                       r"帮我发|给我发|请发布|发嘛|发吧|可以可以|可以|要得|好的?|行|得行|嗯+|对|"
                       r"出去|上去|发|" + _COURTESY_WORDS)
# a field of the card said to be wrong ("地区不对", "钱写错了"), maybe with no new value
_WRONG_FIELD = re.compile(r"(?P<f>地区|地方|地点|地址|县|位置|预算|钱|费用|价钱|紧急程度|急不急)"
                          r"[^，,。？?]{0,3}"
                          r"(?:不对|错了|写错|搞错|弄错|填错|有误|不准|要改一?下|得改一?下|改一?下)")
_FIELD_SLOT = {"预算": "budget", "钱": "budget", "费用": "budget", "价钱": "budget",
               "紧急程度": "urgency", "急不急": "urgency"}


# a field put back as it was before the last change: "预算还是按原来的嘛", "地区改回去"
_BACK_TO_BEFORE = re.compile(
    r"(?P<f>地区|地方|地点|地址|预算|钱|费用|价钱|紧急程度|急不急|公开范围|公开)?[^，,。？?]{0,4}?"
    r"(?:(?:还是|改回|换回|恢复|回到)(?:按|用|写|成|到|为)?"
    r"(?:原来|之前|以前|刚才|开始|最开始|先前|起先|上一个)(?:的|那个|那样|那)?"
    r"|改回去|换回去|恢复原样)")
_BACK_FIELDS = {"预算": "budget", "钱": "budget", "费用": "budget", "价钱": "budget",
                "紧急程度": "urgency", "急不急": "urgency", "公开范围": "confidentiality",
                "公开": "confidentiality"}


def back_to_before(text: str) -> str | None:
    """The card field asked back to its value before the last change ("region", "budget",
    "urgency", "confidentiality"), "" when none is named ("改回去"), None if not asked."""
    if (m := _BACK_TO_BEFORE.search(text)) is None:
        return None
    f = m.group("f")
    return _BACK_FIELDS.get(f, "region") if f else ""


# asking to edit the card, saying nothing yet of what ("要改", "我要修改一下")
EDIT_REQUEST = re.compile(r"^(?:我|那|嗯|哦|等哈)?[，, ]?还?(?:要|想|得|需要)?(?:修改|改|更改|调整)"
                          r"(?:一下|下|哈|点|几个地方|个地方|些东西)?(?:嘛|哈|吧|啊|呀|哦|喃)?[。！!，,]?$")


def wrong_field(text: str) -> str | None:
    """The slot of a card field said to be wrong ("地区不对" → region), or None."""
    m = _WRONG_FIELD.search(text)
    return _FIELD_SLOT.get(m.group("f"), "region") if m else None


_NOT = re.compile(r"不|莫|别|没|再|等|改|先(?!发)")  # ("那先发出去嘛" publishes)
# "不用改，就按这个发布", "没问题了，发布": the negation says nothing is to change
_NO_CHANGE = re.compile(r"不用改了?|不用再改了?|不改了|没得问题了?|没有问题了?|没问题了?|"
                        r"莫得问题了?|"
                        r"不用动了?|"
                        r"(?:没有|没得|莫得|没啥)(?:要|需要|啥子?|什么)?改的(?:地方)?了?|"
                        # who agrees is not a change: "他说可以 就这样", "老板说发"
                        r"(?:他|她|奶奶|爷爷|老汉|老板|领导|老公|老婆|屋头人)(?:说|讲|也说)?")


def agrees(text: str) -> bool:
    """Whether a message at the card says yes and nothing else, in whatever words; after a
    question back ("发？发嘛，早点有人来") the answer is what follows it, and a yes may give
    its reason ("要得，早点弄好")."""
    tail = re.split(r"[？?]", text)[-1]
    if tail.strip() and tail != text:
        text = tail
    if _agrees(text):
        return True
    head, _, why = text.partition("，") if "，" in text else text.partition(",")
    return bool(why.strip()) and len(why) <= _WHY and _agrees(head) and not (
        _NOT.search(why) or _MORE.search(why) or FIELD_EDIT.search(why) or ASKING.search(why)
        or CHANGE.search(why))


def says_yes_beyond_no_change(text: str) -> bool:
    """"不改了 就这样发布" says yes; "不改了" alone only that nothing changes."""
    return bool(re.sub(r"[\s，,。.！!~～、]+", "", _NO_CHANGE.sub("", text)))


_WHY = 12  # characters: a reason after a yes, not a second matter
_MORE = re.compile(r"还有|另外|但|不过|顺便|对了|除了|只是|就是")


def _agrees(text: str) -> bool:
    said = _NO_CHANGE.sub("", re.sub(r"[\s，,。.！!~～、]+", "", text))
    if not said.strip() and text.strip():
        return True  # "不用改了", "没问题了"
    if not said or _NOT.search(said.replace("没错", "").replace("没得错", "")):
        return False
    if not _COURTESY.sub("", said):
        return False  # "谢谢哈" at the card thanks; it publishes nothing
    return not _AGREEING.sub("", said)


# a yes to "需要的话，我可以把您的问题转给当地专家" under an unanswered question: "要得",
# "需要", "好 麻烦你了", "转嘛" ("好的谢谢", "晓得了" close the matter instead)
_TAKE_UP = re.compile(r"^(?:(?:那|那就|那你)?(?:烦请|请)?(?:需要|要|转|转一下|转给他们|转给专家|"
                      r"帮我转|"
                      r"帮我问问?|问一下|问下|请专家|请他们|麻烦你了?|麻烦了|麻烦|劳慰了?|辛苦你了?)"
                      r"[呀啊嘛哈哦了吧撒噻～~!！。,，.\s]*)+$")


def takes_up_offer(text: str) -> bool:
    """Whether a reply to the forward-to-an-expert offer says yes to it, in whatever words."""
    said = text.strip()
    if "谢" in said or re.search(r"晓得|知道|明白|懂了|算了|不用|不要|不需要|先这样", said):
        return False
    head = re.split(r"[\s，,。！!]+", said, maxsplit=1)
    rest = head[1] if len(head) > 1 else ""
    if _TAKE_UP.match(said):
        return True
    return bool(AGREE.match(head[0]) and (not rest.strip() or _TAKE_UP.match(rest)
                                          or AGREE.match(rest)))


# a no to that offer: "不用了 谢谢 我去问镇上兽医站", "不需要 我自己查"
_OFFER_DECLINED = re.compile(r"^(?:哦|嗯|好)?[，,\s]*"
                             r"(?:(?:不用|不需要|不必)(?:转|转给专家|找专家|问专家)?了?|不麻烦了?|算了|不了|"
                             r"不要|不|莫)"
                             r"(?:[，,。！!\s]|$)")


def declines_offer(text: str) -> bool:
    """Whether a reply to the forward-to-an-expert offer turns it down, asking nothing more
    ("算了 还是要找个人来看下" wants the expert after all)."""
    return bool(_OFFER_DECLINED.match(text.strip())) and not ASKING.search(text) \
        and not STILL_WANTS.search(text)


# the expert still wanted after all ("那算了 还是找个专家来看下嘛")
# (or asked for right after 算了: "算了 帮我喊个兽医来看看" — never mind the question; not
# "取消吧 我先去问下兽医站", nor "刚才那个找专家的不搞了")
STILL_WANTS = re.compile(r"还是[^，,。！!？?]{0,4}(?:找|请|喊)|"
                         r"算了[，,。\s]*(?:那|那就|干脆)?(?:帮我|给我|麻烦你?)?(?:找|请|喊|约)[个位]?")


def only_thanks(text: str) -> bool:
    """Thanks and nothing else ("谢谢哈", "多谢您了！"): no yes to the card."""
    said = re.sub(r"[\W_]+", "", text)
    return "谢" in said and not _COURTESY.sub("", re.sub(r"您|非常|太|十分|辛苦了?", "", said))


_MURMUR = re.compile(r"[嗯哦噢喔]+[嘛哈了]*")
# a question at the card about what publishing brings: "发布了以后好久有人接哦"
_AFTER_PUBLISHING = re.compile(r"(发布|发出去|发了|发出)(了|之后|以后|后)|有人接|接单|"
                               r"专家.{0,4}(联系|来|找)")
_WHAT_NEXT = re.compile(r"专家|联系|好久|多久|啥时候|什么时候|几天|哪天|收费|通知")


_OH_RIGHT = re.compile(r"(哦|噢|啊)?对了")


def agrees_then_asks(text: str) -> bool:
    """A yes, then a question about what happens next: "可以 发嘛 发了专家啥时候联系我？"
    ("嗯 然后发布了以后好久有人接哦" asks before saying yes: a murmur is no yes)."""
    parts = [p for p in re.split(r"[，,。\s]+", text.strip()) if p]
    for i in range(len(parts) - 1, 0, -1):
        rest = "".join(parts[i:])
        head = "".join(parts[:i])
        # ("对了 泡菜亚硝酸盐好久最高": 对了 before a question is "by the way", no yes)
        if _agrees(head) and not _MURMUR.fullmatch(head) and not _OH_RIGHT.fullmatch(head) \
                and (ASKING.search(rest) or asks(rest)) \
                and _WHAT_NEXT.search(rest) and not (
                FIELD_EDIT.search(rest) or CHANGE.search(rest) or _NOT.search(rest)
                or _MORE.search(rest)):
            return True
    return False


def asks_what_next(text: str) -> bool:
    """"然后发布了以后好久有人接哦": what happens once the need is published, asked."""
    return bool((ASKING.search(text) or asks(text)) and _WHAT_NEXT.search(text)
                and _AFTER_PUBLISHING.search(text))


def publishes_last(text: str, edits_nothing: bool = False) -> bool:
    """Whether a message whose earlier sentences are not about the card ends by publishing
    ("问了 他说找专家 发嘛"); `edits_nothing`: what it says of a field is already on the card
    ("我不是说不发哈 只是电话不给 可以 发了")."""
    said = [s for s in re.split(r"[。！!？?，,\s]+", text) if s.strip()]
    if len(said) < 2 or (FIELD_EDIT.search(text) and not edits_nothing) \
            or any(asks(s) for s in said):
        return False
    return bool(_PUBLISH_END.search(said[-1])) and not re.search(r"不|莫|别|没|再|取消|撤|暂缓",
                                                                   said[-1])


_THIS = (r"(这条|这个|那个|本次|这次|此次|该|本|这)?(专家|技术)?"
         r"(服务申请|服务|申请|需求|发布|事项|事情?|单子|单)?")
_LEAVE_CLAUSE = re.compile(rf"^{_LEAVE_LEAD}(那我|那就|那|还是|我|你|我们)?"
                           # "刚才那个需求算了不要了"
                           rf"(?:刚才|刚刚|之前|前面|上面)?的?(这次的?|这个|那个)?"
                           # "专家的事情先算了"
                           # ("专家那个事不搞了", "培训的事先不搞了")
                           # ("菌棒那个不搞了": the matter named by what it was about)
                           rf"(申请|需求|(?:请|找)?(专家|技术员|兽医|培训)的?(那个|这个)?事情?|"
                           # ("培训就不要了")
                           rf"(?:请|找)?(?:专家|技术员|兽医|培训)(?=就|先|也)|"
                           rf"[\u4e00-\u9fff]{{1,4}}?的?(?:那个|这个)事?情?|"
                           # "稻子的事先不弄了"
                           rf"[\u4e00-\u9fff]{{1,4}}?的事情?)?"
                           rf"(就)?(麻烦|请)?(您|你)?"
                           rf"(给我|帮我|帮我们|替我|你)?"
                           rf"{_THIS}(请|请予以|请予|予以)?"
                           # "麻烦帮我们撤回这个需求", "本次专家需求予以撤销"
                           rf"(就|先){{0,2}}({_LEAVE_WORDS}|取消)+{_THIS}{_PARTICLES}$")
# a change to the form said with leaving words ("算了，预算还是写五万"): not leaving
CHANGE = re.compile(r"改成|改为|换成|写成|还是写|就写|(?<!是)不是.{0,8}是|改一下|改哈|"
                    # "三万 算了 …吃住路费也是我们出 写五万吧": the amount to write
                    r"(?<![要不别莫])写(?=[个成]?[0-9一二两三四五六七八九十百千万])|"
                    r"[加提涨降减]到")
_CALLED = re.compile(r"(打|来|接到|回)了?个?电话")
_LEAVE_SPAN = 60  # characters: a longer message is about something else
_NEVER_MIND = re.compile(r"(那|那就|还是|唉|哎)?(算了)+[嘛吧哈了]*")
_ANSWER_LEAD = re.compile(r"^(算了|[嘛吧哈了，,。！!\s])*")
_ANSWER_AFTER = re.compile(r"(算了|[嘛吧哈了，,。！!\s])*(就|还是|那就|直接)?\s*"
                           # "算了 钱的话五百": never mind, and the amount
                           r"((钱|预算|费用|价钱)(的话|嘛|就)?\s*(就|给)?\s*)?"
                           r"([0-9一二两三四五六七八九十百千万]+|(就?这样|这么)?(发|发布)|很急|尽快|不急|急)")


# spoken without punctuation (voice input): "算了嘛我婆娘说她已经喊了农技员明天就来看这里就不弄了"
_MISTAKE = re.compile(r"(?:点|问|发|选|按)错了")
_SPOKEN_LEAVE = re.compile(rf"^{_LEAVE_LEAD}(那|那就|还是)?({_LEAVE_WORDS})[呀啊嘛哈哦了吧]*"
                           rf".*(就|也|先|都)({_LEAVE_WORDS})[呀啊嘛哈哦了吧]*$"
                           rf"|(这里|这边|这儿|你们这|平台上|这个需求)(就|也|先)?({_LEAVE_WORDS})"
                           r"[呀啊嘛哈哦了吧]*$")


def leaves_plainly(text: str) -> bool:
    """Leaving in more words than 算了 ("算了不弄了 我自己拿去兽医站"): the need, not just
    the phone number, is given up."""
    clauses = [c for c in re.split(r"[，,。！!？?；;…\s]+", text) if c]
    return any(_LEAVE_CLAUSE.match(c) and not _NEVER_MIND.fullmatch(c)
               and not re.search(r"电话|联系方式|号码", c) for c in clauses)


def leaves(text: str) -> bool:
    """Whether the message leaves the form ("算了，不要了", "取消吧，老板说先不弄了"); 算了
    before a change to the form ("算了，预算还是写五万") is "never mind", not leaving."""
    if _MISTAKE.search(text) and FIELD_EDIT.search(text) and not re.search(
            _LEAVE_WORDS.replace("问错了|点错了|发错了|", ""), text):
        return False  # "不对 联系方式可以给 我点错了": the button pressed wrong, not the need
    if re.search(rf"算了[，,\s]*还是(?:先)?(?:{_LEAVE_WORDS})", text) and not CHANGE.search(text):
        return True  # "算了还是不发了 我先问下老板" (not "算了还是公开嘛": a change)
    marks = list(re.finditer(_LEAVE_WORDS, text))
    after = text[marks[-1].end():] if marks else ""
    if NEED_REQUEST.search(after) and not re.search(r"不|莫|别|没|自己", after):
        return False  # "那算了 还是找个专家来看下嘛": never mind (the cost), and the request
    m = LEAVE.match(text)
    if not m and _SPOKEN_LEAVE.search(text) and len(text) <= _LEAVE_SPAN \
            and not CHANGE.search(text):
        return True
    if not m:
        # "钱哦。。唉 算了算了 不要了 我自己挖了撒点石灰": a clause of leaving words alone
        # ("可以嘛…… 算了算了 还是不给电话了": 算了 takes back a yes, it does not leave)
        clauses = [c for c in re.split(r"[，,。！!？?；;…\s]+", text) if c]
        leaving = [c for c in clauses if _LEAVE_CLAUSE.match(c)]
        # ("电话号码还要给别个哦 那算了 我不搞了": more than 算了 leaves, whatever was said of
        # the phone before it)
        plainly = any(not _NEVER_MIND.fullmatch(c) for c in leaving)
        after = text[text.rfind("算了") + 2:] if "算了" in text else ""
        if leaving and not plainly and _ANSWER_AFTER.match(after) and not re.search(
                _LEAVE_WORDS, _ANSWER_LEAD.sub("", after)):
            return False  # "要好多钱哦我们也不晓得 算了 就两千嘛": never mind, and the answer
        return len(text) <= _LEAVE_SPAN and not CHANGE.search(text) and bool(leaving) and (
            plainly or parse_contact_consent(text) is None)
    rest = text[m.end(2):] if m.group(2) else ""  # (the reason-first form ends on the word)
    if m.group(2) and _NEVER_MIND.fullmatch(m.group(2)) and _ANSWER_AFTER.match(rest) \
            and not re.search(_LEAVE_WORDS, _ANSWER_LEAD.sub("", rest)):
        return False  # "唉 算了 就两千嘛", "算了 就这样发嘛": never mind, and the answer
    rest = _CALLED.sub("", rest)  # "蚕站的技术员刚刚打电话说明天来" is news, not the field
    return not (FIELD_EDIT.search(rest) and not re.search(_LEAVE_WORDS + "|取消", rest))


_AFTER_LEAVING = re.compile(rf"(?:{_LEAVE_WORDS})(?:吧|嘛|哈|了)*[，,。！!\s]*"
                            r"(?:那你|那|你|我)?(?:先|就)?(?:说下|讲下|告诉我|问你个正事|问个正事|问你个事)?"
                            r"[，,。！!：:\s]*")
_ASKED_AFTER = 5  # characters: a question, not "算了 谢谢"


def asked_after_leaving(text: str) -> str | None:
    """The question asked with leaving ("算了 那你说下无人机打药风大了能不能飞"): answered
    once the form is gone; None when nothing is asked."""
    marks = list(_AFTER_LEAVING.finditer(text))
    if not marks:
        return None
    rest = text[marks[-1].end():].strip()
    if len(rest) < _ASKED_AFTER or smalltalk.classify(rest) is not None:
        return None
    if (m := _WILL_ASK.match(rest)) and not asks(rest[m.end():]) \
            and not ASKING.search(rest[m.end():]) and not rest.endswith(("？", "?")):
        return None  # "算了先不发 我问下我老汉": who they will ask, no question of ours
    # ("院里说…要走学校的平台 我先去问下": whom they will ask, said last)
    said = _WILL_ASK_LAST.sub("", rest)
    # ("我自己拿去兽医站": a doctor named is where they go, no question)
    asked = [a for a in asks(said) if a != "doctor"]
    return rest if asked or ASKING.search(said) or rest.endswith(("？", "?")) else None


_WILL_ASK = re.compile(r"^(?:我|我们)?(?:先|再|还是|要)?去?(?:问一?下|问哈|问问|商量一?下|商量哈)")
_WILL_ASK_LAST = re.compile(r"[，,。\s]+(?:我|我们)?(?:先|再|还是|要)?去?(?:问一?下|问哈|问问|"
                            r"商量一?下|商量哈)[^，,。？?！!\s]{0,6}$")


# a mark of asking that `asks` does not classify ("主要靠什么传播？", "请问")
# ("这两天没咋死了" says "hardly any died": 没咋 asks nothing)
ASKING = re.compile(r"[？?吗]|请问|问一?下|问哈|是不是|(?<![没不莫])咋|怎么|如何|啥|什么|为什么")


# a follow-up "那…呢" anywhere in the message
WHAT_ABOUT = re.compile(r"(?:^|[，,。！!\s])那[^，,。？?！!\s]{1,12}[呢嘞喃]")
_BARE_WHAT_ABOUT = re.compile(r"^(?!我)[^，,。？?！!\s急]{1,8}[呢嘞喃][？?]?$")


def answers_a_form(text: str) -> bool:
    """A message that asks nothing and says only what a need form asks: a place, how urgent,
    money, the phone, an expert ("苍溪的", "急得很", "电话可以给专家")."""
    if asks(text) or ASKING.search(text) or _NOT_WANTED.search(text) \
            or WHAT_ABOUT.search(text) or _BARE_WHAT_ABOUT.match(text.strip()) \
            or _WHERE_ASKED.search(text) or _WHAT_IF.match(text.strip()):
        # ("康定哪里租得到越野车" names a place, asking; "要是马上要熟了又遇到连阴雨喃" asks
        # what to do then, 马上 is no urgency)
        # ("那李子树流胶呢 我是巴中南江的", "理塘呢" after Kangding's boiling point ask on)
        return False  # ("暂时不需要发布需求；不需要专家联系": no form wanted)
    return says_a_field(text)


_WHERE_ASKED = re.compile(r"(?:哪里|哪儿|哪点|哪个地方)(?!都)")
_WHAT_IF = re.compile(r"^(?:那|那么)?(?:要是|如果|假如|万一|若是)"
                      r".*(?:喃|呢|咋办|咋个办|怎么办|嘞)[？?]*$")


def says_a_field(text: str, place: bool = True) -> bool:
    """A place (with `place`), how urgent, money, the phone or an expert said."""
    return bool((place and slots.region_meant(text)) or slots.parse_urgency(text)
                or slots.parse_budget(text) or slots.parse_contact_consent(text) is not None
                or re.search(r"专家|技术员|兽医|农技员", text))


# "三十几亩", "教了三十几年书": a count, not "how many"
SOME = re.compile(r"(?<=[十百千0-9])几")


# a worry about the prompt asked back in its last clause ("电话给专家 会不会遭骚扰哦")
_WORRY = re.compile(r"会不会|是不是|啥子?意思|什么意思|做啥子?|干啥|为啥|为什么|咋个办")
_FEAR_SAID = re.compile(r"^[^，,。？?]{0,8}(?:最|就|很|好|都)?怕(?:这个|这些|这种|这样)?"
                        r"[的哦嘛啊了]*$")
_WORRY_ABOUT = re.compile(r"公开|骚扰|卖|泄露|网上|别个|别人|多给钱|多收|要钱|骗|推销|乱打|"
                          r"(?:一天到晚|天天|半夜|一直|老是|整天).{0,4}打(?:电话|来)")
# why the prompt is asked, or what it means ("问这个做啥子哦", "联系方式告诉专家是啥意思哦"); a
# 科普 word's meaning ("安全间隔期是啥子意思") is a question to answer
_ASKED_WHY = re.compile(r"问(?:这个|这些|这)?(?:做啥|干啥|干嘛|为啥)|为(?:啥|什么)要问|"
                        r"(?:急不急|联系方式|电话|地区|地址|预算|公开)[^，,。？?]{0,6}(?:是)?"
                        r"(?:啥子?|什么)意思")


def worried_back(text: str) -> bool:
    """The message ends on a worry about the prompt ("问这个做啥子哦 会不会把我屋头地址公开出去",
    "说急的话是不是要多给钱"): why it is asked is the reply, not a guess of an answer."""
    clauses = [c for c in re.split(r"[，,。！!？?；;…\s]+", text.strip()) if c]
    while len(clauses) > 1 and _FEAR_SAID.search(clauses[-1]):
        clauses.pop()  # ("…会不会有人打电话来推销东西哦？我们老年人最怕这个": the worry before)
    last = clauses[-1] if clauses else ""
    return bool(_WORRY.search(last) and _WORRY_ABOUT.search(last)) or bool(
        _ASKED_WHY.search(last))  # ("问这个做啥子嘛？……我在营山": asked, then answered)


_BACK = re.compile(r"是不是|吗|嘛[？?]|啥|咋|为什么|为啥|还分|哪个|凭啥|做啥|干啥|有啥用|"
                   r"要.{0,4}钱")


def checks_back(text: str) -> bool:
    """The prompt said back to be sure ("你这个意思是要把我电话给专家嗦"): asked, not answered."""
    return bool(_CHECKS_BACK.search(text.strip()))


# ("就是说" alone is a filler: "电话 就是说 不给 …在平台上留言嘛" answers)
_CHECKS_BACK = re.compile(r"嗦[？?]?$|(意思是|你是说|是不是说)[^，,。！!]{2,20}[吗哦][？?]?$")


def only_asks_back(text: str) -> bool:
    """Every sentence of the message is a question back ("急的是不是要多给钱？", "问这个做啥子？"):
    nothing in it answers the prompt."""
    said = [p.strip() for p in re.split(r"(?<=[？?])", text.strip()) if p.strip()]
    return bool(said) and all(p.endswith(("？", "?")) for p in said) and any(
        _BACK.search(p) for p in said)


# "你说啥子", "啥意思哦", "没听懂": the prompt was not understood — said again more plainly,
# never read as a question to answer from an article
_CONFUSED = re.compile(
    r"^(?:老师|哎呀|啊|嗯|哦|呃|额|你好)?[，,\s]*(?:"
    r"(?:你|你们)?(?:说|讲|问)(?:的|得)?(?:是)?(?:啥子?|什么|些啥|哪样)(?:哦|哟|呀|喔|啊|哇)?|"
    r"(?:啥子?|什么|啥个)意思(?:哦|哟|呀|喔|啊|哇|嘛)?|"
    r"(?:我|我们)?(?:没|没有|莫得|不|莫)(?:太|咋个|怎么|大)?(?:(?:听|看|搞)?(?:懂|明白)|"
    r"(?:听|看|搞)清楚)(?:你的?意思|你说的?)?|"
    r"(?:我|我们)?(?:听|看|搞)不(?:太|大)?(?:懂|明白|清楚)(?:你的?意思|你说的?)?|"
    r"(?:我|我们)?不晓得(?:你|你们)?(?:在)?(?:说|问)(?:的)?(?:啥子?|什么)|"
    r"(?:要我|我要|我该|该)?(?:咋个|怎么|啷个)(?:回|答|回答|回复|弄|整)(?:嘛|哦|呢)?|"
    r"(?:要我|我要|我该)?(?:回|答|回答|回复)(?:啥子?|什么)(?:嘛|哦|呢)?"
    r")[，,。！!？?\s哦嘛呢啊哈]*$")


# ("安全间隔期是啥子意思" asks what a word means: no 啥意思 here)
_NOT_UNDERSTOOD = re.compile(r"没听懂|听不懂|没懂|没明白|不明白|看不懂|搞不懂|你说啥")


def confused(text: str) -> bool:
    """The whole message says the prompt was not understood ("你说啥子", "没听懂")."""
    return bool(_CONFUSED.match(text.strip()))


def sounds_confused(text: str) -> bool:
    """A short message with a clause of not understanding in it ("啥子县哦 没听懂"): the prompt
    not understood, unless the rest answers it."""
    return len(text.strip()) <= 16 and bool(_NOT_UNDERSTOOD.search(text))


# a yes before the words: "可以 转给专家嘛"
YES_FIRST = re.compile(r"^(可以|好的?|要得|行|嗯|中)[，,\s]*")
# a need or an expert said as not wanted
_NOT_WANTED = re.compile(r"(?:不需要|不用|暂时不|暂不|不想|不必|(?<![要想得])不(?=找|请|喊))"
                         r"(?:给我|帮我|给我们|帮我们)?"
                         r"(?:发布?|提交|找|请|约|转给?|问)?"
                         r"(?:需求|专家|技术员|兽医|人)")
_NO_NEED = re.compile(r"(?:暂时|目前|现在)?(?:不需要|不用|不必|暂不|不想)(?:发布|提交|登记)"
                      r"(?:需求)?|"
                      r"(?:暂时|目前)?(?:不需要|不用)(?:专家|人)?(?:联系|上门|来)|"
                      r"(?:不需要|不用)(?:给我|帮我|给我们|帮我们)?找(?:专家|人)了?|"
                      # "也不用专家 就是随便问问"
                      r"(?:不需要|不用|不要)专家(?:了|哈|嘛)?|不(?:找|请|喊)(?:专家|人)了?(?:哈|嘛)?")


def declines_need(text: str) -> bool:
    """"再说明：1. 暂时不需要发布需求；2. 不需要专家联系。谢谢。": no need, and nothing else."""
    if not _NO_NEED.search(text) or asks(text) or ASKING.search(text):
        return False
    rest = _NO_NEED.sub(" ", text)
    rest = re.sub(r"再?说明|补充|谢谢|感谢|多谢|[0-9一二三四五]\s*[.、．]|"
                  # ("好 晓得了 不用帮我找专家哈": understood, and no expert)
                  r"好的?|晓得了|知道了|明白了|要得|行|嗯|哦|"
                  # "不用不用 不需要专家": the no said twice
                  r"不用|不要|不需要|算了|"
                  r"(?:就是|只是|我)?随便问一?问|(?:就是|只是)问一?问|"
                  # ("不找专家 我问村头老师傅就是了": what they will do instead)
                  r"我(?:自己)?[^，,。！!？?\s]{0,10}就是了?|我自己[^，,。！!？?\s]{0,10}",
                  " ", rest)
    return problem_size(rest) < 2


# ("除了找兽医 自己先能做啥子": what to do meanwhile, no request)
_NO_REQUEST = re.compile(r"(?:不是要|不是想|不需要|不用|暂时不需要|暂时不用|并不想|莫|不要|别|除了|"
                         r"(?<![要想得])不(?=找|请|喊))"
                         # ("不用给我找专家哈": for whom said between)
                         r"(?:给我|帮我|给我们|帮我们)?(?:找|请|喊|约)[^，,。！!？?；;\s]{0,10}")
# "我不是要问怎么防 就想找个人来现场看下": the question disowned is not asked
_NOT_ASKING = re.compile(r"不是(?:要|想)?问[^，,。！!？?；;\s]{0,8}")


def looks_like_need(text: str, role: str = "") -> bool:
    """A request for service, R&D, people or a technology is a need; a how/why is a
    question (which can still go to an expert if no vetted article answers it). A firm
    that states a problem and asks nothing ("我们是…企业，…溃疡病暴发，情况十分紧急。") is
    bringing a need."""
    text = _NO_REQUEST.sub("", text)  # "不是要找专家上门，只是想了解一下": no request
    text = _NOT_ASKING.sub("", text)
    text = _TOOL_HELPS.sub(" ", text)  # ("都发给AI帮忙整理 行不行": a tool's help, no expert)
    if NEED_REQUEST.search(text) or _SEEKS_A_PARTNER.search(text):
        return True
    if (m := _ASIDE_ASKED.search(text)) and m.start() > 0 \
            and looks_like_need(text[:m.start()], role):
        return True  # "…想跟科研单位合作研发花椒烘干设备 顺便问下 花椒好久采收最好"
    if (WANTS_EXPERT.search(text) or _CONSULTS.search(text)) and _BY_PHONE.search(text):
        # "想问下专家 山羊老是掉毛 不用上门 电话里说就行", "想咨询下医疗污水处理设备咋个
        # 选型 不用专家过来 电话视频讲一下就行": an expert, by phone
        return True
    if (role == "enterprise" and not asks(text) and not re.search(r"[？?]\s*$", text)
            and not WHAT_ABOUT.search(text)  # ("那叉车上换下来的铅酸蓄电池呢" asks on)
            and not _WHAT_IT_IS.search(text)  # ("AQI是130，这个算啥子级别")
            and not _ASKING.search(text)  # ("想问下采茶的标准…": said to be a question)
            and problem_size(text) >= _FIRM_PROBLEM
            # ("后厨防漏气还要装啥子设备", "泡发的木耳放一晚上呢": asked, in words no ask
            # list holds)
            and not _QUESTION_SHAPE.search(NOT_KNOWING.sub("", text))
            and not assess(text).kind):  # "后厨有两个师傅晕倒在地上叫不醒": 120 first
        return True
    if (asks(text) or _ASKING.search(text) or _ASKS_ON.match(text.strip())
            or _BARE_WHAT_ABOUT.match(text.strip())) \
            and not WANTS_EXPERT.search(text):
        # "叶子黄一块绿一块 是不是黄龙病" asks; it wants no expert yet ("那无人机喷花粉液给
        # 猕猴桃授粉的试验呢" asks on; "没培训过的人呢" after the CPR answer too)
        return False
    return parse_kind(text) != "question"


_FIRM_PROBLEM = 6
# a question's marks, wherever they stand ("袋子要先取下来不 怕碰伤了": V不 ends a clause)
_QUESTION_SHAPE = re.compile(r"啥|什么|咋|怎么|怎样|如何|哪|吗|[呢嘛哇嘞喃][？?]?$|[呢喃][，,\s]|"
                             # "炒断生就行了噻": is it enough, asked
                             r"就(?:行|可以|得行|要得|够)了?噻$|"
                             r"(?<![不没])不(?=$|[，,。\s])|(.)不\1")
# not knowing, said of the problem: "叶子发黄 不晓得咋回事 想找专家看下", "不知道啥原因"
# ask nothing of us
NOT_KNOWING = re.compile(r"(不晓得|不知道|不清楚|搞不清楚?|没搞懂)[^，,。！!？?\s]{0,8}")
# "那无人机喷花粉液给猕猴桃授粉的试验呢": the whole message asks on about something else
_ASKS_ON = re.compile(r"^那[^，,。？?！!]{1,30}[呢嘞喃][？?]?$")
_CONSULTS = re.compile(r"(?:想|要|需要)(?:咨询|请教)")
_ASIDE_ASKED = re.compile(r"[，,。！!；;\s]+(?:顺便|另外|对了|还有|再)(?:问|请教|咨询)"
                          r"(?:一?下|哈|个事?|一句)")
_TOOL_HELPS = re.compile(r"(?:AI|ai|人工智能|软件|机器人|电脑|手机|大模型)[^，,。]{0,4}帮忙")
_WHAT_IT_IS = re.compile(r"(?:算|属于|是)(?:啥子?|什么|哪个|哪种)(?:级别|等级|标准|程度|水平|档次)|"
                         r"哪一?年|几几年|哪个朝代")  # ("熊猫国家公园是哪年成立的")
_BY_PHONE = re.compile(r"(?:不用|不需要|不必|用不着)(?:专家)?(?:上门|过来|来|跑一趟)|"
                       r"(?:电话|视频)(?:里|上)?(?:视频)?(?:说|讲|聊)[一下哈]*"
                       r"(?:就行|就可以|就要得|都行)")

# "人工授粉是上午弄还是下午弄": a choice asked
_CHOICE = re.compile(r"是[^，,。？?\s]{1,10}还是[^，,。？?\s]{1,10}$")
# "问一哈，小猪儿拉稀要喂点啥子": said to be a question
_ASKING = re.compile(r"请问|问一?哈|问一下|问下|问个事?|问一?句|要紧不|"
                     # "想找点科学依据跟他们解释一下": facts wanted, not a person
                     r"(?:找|要|查)(?:点|一些|些)?(?:科学)?(?:依据|根据|资料|说法)|"
                     # "我帮我爷爷打字哈：他问…": a question passed on
                     r"(?:他|她|爷爷|奶奶|老汉|我爸|我妈|老人家)(?:又|还)?问")


_BARE_WORD = re.compile(r"[不否嗯哦好行对要][嘛哦噻啊了。！!.]*")


_ASKED_LEN = 8  # characters: "2000？" or "尽快？" is an unsure answer, not a question


def asks_inside_form(text: str) -> bool:
    """A 科普 question typed while filling in a need, not a field or a request ("不" alone
    answers the prompt: it asks nothing)."""
    if _BARE_WORD.fullmatch(text.strip()):
        return False
    # ("对了 春见下霜那几天晚上可以做点啥？": a question mark ends a question)
    return ((bool(asks(text)) or bool(_ASKING.search(text)) or bool(_CHOICE.search(text))
             or (len(text) >= _ASKED_LEN and text.rstrip().endswith(("？", "?"))))
            and not WANTS_EXPERT.search(_UNTIL_THE_EXPERT.sub(" ", text))
            and not FIELD_EDIT.search(text) and smalltalk.classify(text) is None)


# "对了专家来之前 川芎根腐病发现病株我们先咋个处理": when, not an expert asked for
_UNTIL_THE_EXPERT = re.compile(r"(?:在|等)?专家(?:来|到|上门)(?:之前|以前|前|的时候)|"
                               r"等专家(?:来|到)")
