"""What a question asks for, so that the answer leads with that fact.

"撒多少" wants the amount, "啥时候撒" the time, "要得不" a yes or no, "要不要去医院" whether to see
a doctor. Each kind of ask comes with the marks of a sentence that answers it (a number with a
unit, a season or stage, a 可以/不要 …). Plain lists, in everyday and Sichuanese words.
"""

from __future__ import annotations

import re

# what is asked → how people ask it

# advice someone gave, told to us: asked whether it is right ("他们说用绳子勒紧")
HEARD = (r"(?:同伴|别个|别人|他们|邻居|老人|朋友|有人|人家|我妈|我爸|老辈子|隔壁|村头|医生)"
         r"(?:都|又|就)?(?:说|讲|喊)(?:要|用|把|拿|先|得|可以|应该)")
_ASKS: dict[str, str] = {
    # "人在楼下了 打哪个电话": whom to call
    "call": r"(打|拨|找|报)(哪个|啥子?|什么|几号|哪些)(电话|号码|号|部门|单位)|"
            r"电话(是|打)?(多少|好多)|"
            r"(打|拨)(哪个|啥子?|什么)?(电话|号码)(呢|喃|嘛)?[？?]?$",
    # "国家标准是哪个", "按啥子规定": the rule that governs it
    "rule": r"(国家|行业|地方)?标准是(哪个|啥子?|什么)|"
            r"(啥子?|什么|哪个|哪些)(国家)?(标准|规定|法规)|"
            r"(依据|按照?)(哪个|啥子?|什么)(标准|规定)|合不合法|合法不|违不违法",
    # "打了120说马上来 要带啥子去": what to take along (the pesticide's label to hospital)
    "bring": r"(带|拿|准备|备)(些|点|个)?(啥|什么|哪些)|要不要带|带(起|上|着|去)?走?(不|吗)[？?]?$|"
             # "剩下的菌子还要不要": kept for the doctor, or thrown out
             r"剩下的.{0,6}(要不要|留不留|咋办|咋个办|扔不扔|丢不丢)",
    # "打农药要戴些啥子": what to wear (gloves, a mask), not what to take along
    "wear": r"(戴|穿)(些|点|个|起)?(啥|什么|哪些)",
    # ("几个高峰期" asks when, not how much)
    # ("村头好多老年人血压高": 好多 before who or what there is many of is no amount asked)
    "amount": r"多少|好多(?![人老娃叶虫树果鸡猪鸭鹅鱼牛羊兔家户村病苗花地])|(?:到|有|超过)几级|"
              # ("种了几亩韭黄": a few, counted)
              # ("死了好几只", "十几头": many, counted)
              r"(?<![了好十])几(?:[斤两克公袋瓶包张株头只亩片针粒行窝棵]|个(?!高峰|月|季|时))"
              # ("有几个娃娃吐了": several, what happened to them)
              r"(?:(?<!有几个)(?<!有几只)(?<!有几头)|(?=[^，,。\s]{0,2}[？?吗呢嘛哦]?\s*$))|"
              # "溃疡病在啥子温度发病最重": a value asked
              r"(?:啥子?|什么|哪个)(?:温度|湿度|浓度|海拔|酸碱度|pH值?|ph值?)|"
              r"多大|多重|多深|多高|多长|多宽|多远|"
              r"用量|剂量|浓度|几度|几倍|比例|配好多|兑好多|面积|好深|好高|好长|好宽|好大|好短|好远|"
              r"好粗|好满|多满|几成满|几片|几公分|几厘米|几米|几代|几茬|几批|how many|how much|"
              # "稻草还田要切好碎", "地膜要盖好厚": how fine, how thick, asked after the verb
              r"(?<=[要切打弄放留搞剪铺盖埋撒浇挖种栽磨泡煮晒])好(?:碎|细|厚|薄|稠|稀|密|干)",
    # Sichuanese "好久" is "when" as often as "how long": "枇杷好久套袋"
    "time": r"啥子?时候|什么时候|哪个时候|哪阵|好久之前|几时|何时|哪个月|几月|季节|时期|时间|"
            r"啥时间|早上还是|晚上还是|之前还是|好久(?!.{0,2}(一次|一回|一道))|when|"
            # "茶小绿叶蝉一年有几个高峰期": when it peaks
            r"高峰期?|高发期|盛发期|(啥子?|什么|哪个)时候最(凶|多|严重|厉害)",
    # ("种了几年块茎越来越小": a few years, said)
    "duration": r"多久|好久|多长时间|(?<![那这头前了])几天|(?<!了)几个月|(?<!了)几年|"
                r"几分钟|几小时|多少天|"
                r"要.{0,2}好久|how long",
    # "还要按好久", "要冲到啥时候": how much longer, answered by when it may stop
    "until": r"还[要得][\u4e00-\u9fff]{0,3}(好久|多久|多长时间)|到(啥子?|什么)时候(为止|才)|"
             r"(好久|多久)才(能|可以)?(停|歇|不)",
    "frequency": r"几次|几回|几道|几遍|多久.{0,2}一次|好久.{0,2}一[次回道]|隔几天|频率|间隔|"
                 # "心肺复苏按好快啊": how fast to press, a rate
                 r"(按|压|吹|滴|输)(得|起)?(好快|多快|快慢)|速度",
    "yesno": r"能不能|可不可以|可以吗|可以不|行不行|得行不|要得不|要不要|会不会|是不是|有没有|"
             # advice heard ("同伴说用嘴巴把毒吸出来"): whether it is right
             + HEARD + "|"
             r"有没得|能吗|能否|是否|得不得|好不好|对不对|算不算|吗[？?\s]*$|不[？?\s]*$|没[？?\s]*$|"
             # "非洲猪瘟有疫苗没得(哦)" ("灌水有啥子讲究没得" asks what, not whether)
             r"有(?:(?!啥|什么|哪).){1,10}没(?:得|有)[哦嘛喃噻啊呀]?[？?\s]*$|"
             # "手表测血氧准不准", "这个偏方靠不靠谱"
             r"准不准|靠不靠谱|靠谱不|可不可靠|管不管用|有用没|真的假的|"
             # "该不该卖给他", "需不需要打针", "应不应该打药"
             r"该不该|应不应该|需不需要|需要不|用不用|用得着不|"
             # "塑料盒子安不安全", "这样卫不卫生"
             r"安不安全|卫不卫生|健不健康|合不合适|正不正常|严不严重|要不要紧|划不划算|科不科学|"
             r"干不干净|新不新鲜|环不环保|合不合法|合不合格|达不达标|"
             # "可不可信", "信不信得", "灵不灵": a verb asked as A不A
             r"可不可信|信不信得|灵不灵|值不值|贵不贵|严不严重|危不危险|正不正常|"
             # ("靠不靠得住", "吃不吃得"): any verb asked as A不A
             # ("问了半天还要问急不急": the form's own question said back, not asked)
             r"(?P<verb>(?!急)[\u4e00-\u9fff])不(?P=verb)|"
             # "水果可以吃不嘛": 不 with a particle closing the question
             r"(?<=[\u4e00-\u9fff]{2})(?<![不先也就还了])不[嘛哦哈呀啊噻]+[？?\s]*$|"
             # "是真的吗 有好凶", "技术成熟没得 我们公司想用": asked mid-message
             r"吗(?=[\s，,。！!])|(成熟|有用|管用|好用|靠谱|可靠|安全|可行|划算|有效)"
             r"(没得|没有|不)(?=[\s，,。！!？?]|$)|"
             r"can i|should i|is it|does it",
    "doctor": r"(?<!在)医院(?!病区|病房|食堂|后勤|的)|看医生|就医|兽医|打120|看病|送医|"
              # "我跟我妈还没得啥子感觉" (ate the same): whether they need a doctor too
              r"(还|都|现在)没(得|有)?(啥子?|什么)?(感觉|反应|症状)",
    # ("会产生啥子毒": what poison it makes)
    "what": r"是啥|是什么|啥子病|什么病|啥病|啥意思|什么意思|咋回事|怎么回事|what is|"
            r"(产生|有|含|长|生)(啥子?|什么)(毒|病|虫|菌|东西)",
    # "单芽和一芽一叶有啥子区别": how two things differ (a question; no one kind of sentence
    # answers it, so it marks none)
    "differ": r"(啥子?|什么|哪些|哪点)(区别|不同|差别)|区别(是啥|在哪)|有区别(不|没|吗)",
    # how to recognise it: what it looks like, its signs
    "identify": r"长啥样|长什么样|啥样子|什么样子|咋个?认|怎么认|咋个?看出|怎么看出|咋个?判断|"
                r"怎么判断|咋个?分辨|怎么分辨|(啥子?|什么|哪些|哪样)(症状|表现|征兆|迹象|特征|特点)|"
                r"咋个?晓得是不是|怎么知道是不是",
    # ("放了一盆水的嘛 咋个还会中毒": how come it still happens)
    "why": r"为啥|为什么|咋个会|怎么会|(咋个?|怎么)还(会|是|要)|原因|why",
    # how one catches it: "包虫病是咋个得的", "这个病传染人不"
    "source": r"(咋|怎么|咋个|如何|从哪里?)(个|样)?(得|染|感染|传染|传|患)(的|上|起|了)|"
              # "黄龙病是靠啥子传的嘛"
              r"靠(啥子?|什么)(传|传播|传染)|(啥子?|什么)(东西)?(传的|传播的|传染的)|"
              r"传染源|怎么传|咋个?传|传不传|传染(人)?不|会不会传染|(咋|怎么)(会)?(染上|感染)",
    # what to do once it has happened: "游客高反了咋个处理", "烫伤了咋个处理"
    "treat": r"(咋|怎么|咋个|如何)(个|样)?(处理|处置|治|医|缓解|急救)",
    "colour": r"(啥子?|什么)颜色|颜色(是|有)?(啥|什么)",
    "which": r"啥子药|什么药|哪种|哪个|哪些|"
             # "刮了以后要涂啥子": what to put on
             r"(涂|抹|喷|撒|擦|敷|拌|泡)(点|些)?(啥子?|什么)(?!时候)|"
             # "有啥子生物农药可以用", "有什么好的品种"
             r"(?:啥子?|什么)[^，,。？?\s]{0,4}(?:农药|药|肥料?|品种|菌剂)(?:可以|能|好)?(?:用|打|喷|施|选)?|用啥|打啥|喷啥|撒啥|抹啥|吃啥|用什么|"
             r"(喂|吃|用|打|喷|撒|抹)点(啥|什么)|"
             r"喂啥|消毒用|which",
    "how": r"怎么|怎样|咋|如何|朗个|啷个|办法|措施|注意|(啥子?|什么)(讲究|要求|标准)|how|"
           # "微耕机用起有啥子安全要点"
           r"(啥子?|什么|哪些)[^，,。？?\s]{0,4}(要点|事项|门道|窍门|诀窍)|"
           # "寒潮来之前要做啥子"
           r"(要|该|得|需要|先|能|可以)(做|干|弄|搞)(些|点)?(啥|什么)|"
           # "灰霉病主要靠啥子防", "拿啥子治"
           r"(靠|拿|用)(啥子?|什么)(防|治|管|搞|弄|整|解决|办)",
    # how it is found out: "幽门螺旋杆菌咋查", "要做啥子检查", "要抽血不"
    "test": r"(咋|怎么|咋个|如何|哪里|去哪儿?)(个)?(查|检查|检测|化验|筛查)|查(啥|什么)|"
            r"做(啥子?|什么|哪些)检查|(要|得)抽血|抽血不",
    # where to get it: "种子哪里买", "菌种在哪点买得到"
    "where": r"(哪里|哪儿|哪点|哪个地方|在哪|去哪)(儿|里)?(能|可以|才能|有)?"
             r"(买|卖|有卖|有得卖|购买|订|进货|找得到|买得到|弄得到)|(买|卖)得?(到)?(哪里|哪儿|哪点)",
    # where it is done: "在哪里打嘛" (a vaccine), "去哪里投诉"
    "venue": r"(哪里|哪儿|哪点|哪个地方|在哪|去哪)(儿|里)?(能|可以|才能)?(去)?"
             r"(打针|打|接种|看病|看|做|办|投诉|举报|检查|查|治|领|报名)",
    # where or how a thing is kept: "药放哪里稳当", "种子咋个存"
    "keep": r"(放|存|收|搁|保存|存放|储存|贮存|保管)(在|到)?(哪里|哪儿|哪点|哪个地方|啥子?地方|"
            r"什么地方)|(咋个?|怎么|如何)(放|存|保存|储存|贮存|保管)|(保存|存放|储存)(方法|要注意)",
    # what it costs the asker: "检查 要钱不", "打疫苗收不收费"
    "cost": r"要钱不|要不要钱|收钱不|收不收钱|收费不|收不收费|免费不|是不是免费|免不免费|"
            r"(花|要)好多钱|贵不贵",
    # what something does to you: "长期熬夜对身体有啥影响", "喝浓茶有没有害处"
    "effect": r"(啥子?|什么|哪些|哪样)(影响|危害|害处|坏处|好处|作用|副作用|后果|风险)|"
              r"(影响|危害|伤害|副作用|害处)(大不大|有多大)|有没有(影响|危害|害处|坏处|好处|副作用)|"
              r"伤不伤|(对|伤).{0,4}(身体|肝|肾|胃)(好不好|不好吗)",
    # the signs, all of them: "山洪来之前有啥子征兆" wants the list, not one item of it
    "signs": r"(有|是)(啥子?|什么|哪些|哪样)(征兆|前兆|预兆|症状|表现|信号|迹象|兆头)|"
             r"(征兆|前兆|预兆|症状|表现|信号|迹象)(有|是)(啥|什么|哪些)",
}
_ASK_RES = {kind: re.compile(pattern, re.I) for kind, pattern in _ASKS.items()}

_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_SIGNS_WHAT = re.compile(r"是(啥子?|什么|哪些)(症状|表现|征兆|样子)")
_HOW_WHAT = re.compile(r"(办法|措施|方法|法子|招|药|肥|品种)(是|有)(啥|什么)")

# what a sentence that answers each ask looks like
_UNIT = (r"公斤|千克|斤|克|毫升|升|立方米|方|厘米|公分|毫米|米|亩|株|张|头|只|倍|%|％|度|℃|"
         r"波美度|微克|毫克|粒|袋|瓶|包|针|片|叶")  # amounts, not durations ("半个月" is a time)
_MARKS: dict[str, str] = {
    "call": r"拨打|电话|热线|110|119|120|12345|报警",
    "venue": r"门诊|医院|卫生院|卫生服务中心|疾控|接种点|站|12315|12345|热线|市场监管",
    "rule": r"GB|标准|规定|法规|办法|条例|允许|禁止",
    "bring": r"带上|带着|携带|随身带|一起带|一并带|带给|带到",
    "keep": r"放在|放到|存放|保存|储存|贮存|保管|高处|上锁|阴凉|干燥|避光|冷藏|冷冻|密封|远离|"
            r"够不着",
    "wear": r"戴|穿|手套|口罩|面罩|防护服|雨衣|胶鞋|雨靴|长袖|护目镜",
    "amount": rf"\d[\d.～~到至\-—]*\s*({_UNIT})|[一二两三四五六七八九十百千万半]+({_UNIT})|"
              # a value with no unit: "土壤pH在4.5到5.5"; a share: "锅容量的三分之二"
              r"比例|[0-9]+比[0-9]+|[pP][hH]值?[^0-9，。；]{0,4}[0-9]|"
              r"[一二三四五六七八九十两]分之[一二三四五六七八九十]|[0-9]+\s*%|百分之|一半",
    "time": r"[春夏秋冬]季|[春夏秋冬]天|[0-9一二三四五六七八九十]+月|月[上中下]旬|旬|"
            # a stage ("花期", "发病初期"), not a span ("安全间隔期", "保质期", "潜伏期")
            r"(?<!间隔)(?<!保质)(?<!有效)(?<!潜伏)(?<!假愈)期[间前后]?|"
            r"[0-9一二两三四五六七八九十半]+(小时|天|周|个?月)(以?[前后]|内)|当天|早晨|早上|晚上|睡前|"
            # ("避开中午到午后最热的时段": the time of day)
            r"中午|午后|上午|下午|傍晚|清晨|凌晨|"
            # "插秧后5到7天", "播种后一个月"
            r"[后前][0-9一二两三四五六七八九十半]+([到至～~\-][0-9一二两三四五六七八九十]+)?(天|周|个?月)|"
            # ("采收时戴好手套": 采收 alone is what is done, not when)
            r"饭前|饭后|开花|发芽|采收[前后期]|"
            r"萌芽|立春|清明|谷雨|小满|芒种|入冬|开春|每年|日龄|周龄|月龄|"
            # "…油胞突起、香味浓郁时采收": the stage it is done at
            # ("绿肉品种在6.5%以上开始采收": the state it is done at)
            r"(?:时|以上|以后|左右|开始)(?:采收|采摘|收获|开采|移栽|播种)",
    "duration": r"\d[\d.到至～\-]*\s*(小时|分钟|天|周|个月|年|秒)|[一二两三四五六七八九十半]+"
                r"(小时|分钟|天|周|个月|年)|"
                # "一直坚持到…专业人员接手…为止": how long, said by when it ends
                r"坚持到|一直到|直到|为止",
    "until": r"坚持到|一直到|直到|为止",
    "frequency": r"\d[\d到至～\-]*\s*次|[一二两三四五六七八九十]+次|每隔|隔\d|连续|间隔|"
                 r"每[年月周天季]|月月|天天|年年|周周",
    "yesno": r"可以|不可以|不能|能够|不宜|不要|禁止|严禁|应该|不应|必须|不得|会|不会|没有|不用|"
             r"需要|不需要|没必要|有必要|无法|一定要|都要|"
             # "这个算不算高血压": the line a value is judged by
             r"诊断为|提示|≥|≤|"
             r"千万|最好|避免|能|"
             # (whether he may drink, answered by "戒烟限酒")
             r"戒[烟酒]|限[酒盐量]",
    "doctor": r"就医|医院|医生|兽医|120|就诊|送医|报告",
    "test": r"检查|检测|试验|化验|筛查|抽血|呼气|胃镜|B超|CT|采样|送检",
    "what": r"是指|指的是|就是|是一种|属于|叫做|称为|是由|引起|造成|病原",
    # ("大气压越低，水的沸点就越低": a cause said as a rule)
    "why": r"因为|由于|原因|所以|导致|造成|引起|常常是|主要是|越[^，。；]{1,8}越",
    "cost": r"免费|收费|费用|自费|报销|医保|补助|补贴|救助|\d+\s*元",
    "source": r"传染源|传染|感染|传播|传给|传人|吞进|接触|摸了|经.{0,4}传|途径",
    "treat": r"立即|及时|尽快|马上|治疗|用药|吸氧|就医|送医|下撤|休息|处理|冲洗|冷敷|服用",
    "identify": r"呈|纹|斑|颜色|[黑白黄红褐灰绿]色|形状|症状|表现为|出现|明显|特征|识别|"
                r"[有长]出?.{0,6}(点|斑|纹|毛|霉|疙瘩)",
    "which": r"选用|选择|可用|用|喷施|施用|撒施|涂抹|药剂|制剂|补充|喂|灌服|口服|饮水|拌料",
    # (a colour asked is answered by a colour: "乳白色的菌脓" is no answer to "打啥子药")
    "colour": r"颜色|[黑白黄红褐灰绿紫蓝青]色",
    # first aid, asked in an emergency: helping the person now, before the ambulance comes
    "aid": r"施救|急救|抢救|救治|120|心肺复苏|胸外按压|人工呼吸|(被|遭).{0,6}(击|咬|蜇|烫|电)|"
           r"(发现|看到|遇到|一旦).{0,8}(有人|患者|病人|伤者|孩子|老人|中毒|昏迷|倒)|"
           r"救护车|送医|就医|立即|马上|迅速|不要(急着|随意|搬动|喂|催吐|用嘴|挑破)|带上",
    # what to do: advice, steps, amounts (not "施用化肥" in a sentence about causes)
    "how": r"^(要|应|可|先|再|然后|立即|及时|不要|避免|注意|建议|最好|同时|发现|出现|一旦)|第一步|"
           r"一是|二是|第一|首先|措施|方法|办法|改良|每亩|[应要可]以?(先|用|在|把|及时)|"
           r"不要|千万|立即|及时|尽快|拨打|就医|送医|"
           # treatment in so many words: "发病后，用刀刮除流胶部位…"
           r"^(发病后|发现后|发病初期)|用刀|刮除|剪除|挖除|拔除|涂抹|灌根|喷施|撒施",
}
_MARK_RES = {kind: re.compile(pattern) for kind, pattern in _MARKS.items()}
# the asks whose answer is one fact, worth leading with even ahead of the article's order
SPECIFIC = ("call", "rule", "bring", "keep", "wear", "aid", "amount", "time", "duration",
            "frequency", "colour", "venue",
            "yesno", "doctor", "which", "identify", "what", "test", "source", "treat", "cost")


def asks(question: str) -> list[str]:
    """The kinds of ask in a question, most specific first ("好久撒一次、撒好多" →
    frequency, amount). Empty when none is recognisable."""
    # ("包虫病 是怎么 得的": words typed apart are still one ask)
    question = _CJK_GAP.sub("", question)
    # "不用不用", "不对不对 是广元": a no said twice is no 用不用 / 对不对 asked
    question = _NO_TWICE.sub(r"\1，", question)
    found = [kind for kind, pattern in _ASK_RES.items() if pattern.search(question)]
    if "what" in found and _HOW_WHAT.search(question):
        found.remove("what")  # "最管用的办法是啥子" asks how, not what something is
    if "what" in found and _SIGNS_WHAT.search(question):
        found.remove("what")  # "手足口病 是啥子症状" asks its signs, not what it is
    if "frequency" in found and "duration" in found:
        found.remove("duration")  # "好久一次" asks how often, not how long
    elif "time" in found and "duration" in found and _HOW_LONG.search(question):
        found.remove("time")  # "还要按好久": how long it goes on, not when
    elif "time" in found and "duration" in found and _WHEN.search(question) \
            and not _SPAN.search(question):
        found.remove("duration")  # "流感疫苗好久去打": when to go, not for how long
    if "cost" in found and "yesno" in found:
        found.remove("yesno")  # "检查 要钱不": whether it costs, answered by what it costs
    return found


# 好久 before what is done asks when ("好久去打", "好久摘得"); after a verb, how long ("炒好久")
_WHEN = re.compile(r"(?<![要等需炒煮蒸泡晒放按冲吃喝打用养关看玩睡坐站走跑])"
                   r"好久(?:去|来|再|能|可以)?+"
                   r"(?:打|摘|种|栽|施|撒|喷|收|采|割|挖|播|卖|杀|宰|出栏|接种|下种|移栽|剪|修|嫁接|"
                   r"配种|断奶|喂|驱|上山|下山|开始|动手|点|插)")
_SPAN = re.compile(r"多久|多长时间|几天|几个月|几年|几分钟|几小时|多少天")
_NO_TWICE = re.compile(r"(不[\u4e00-\u9fff]{1,2}?)\1+")
# ("还要按好久 120说…": 好久 ending the clause after its verb; "要好久打" asks when)
_HOW_LONG = re.compile(r"[\u4e00-\u9fff](好久|多久)(?=(的[\u4e00-\u9fff]{1,2})?[哦嘛啊呀哈呢]*"
                       r"([，,。？?！!\s]|$))")  # ("那要吃好久的药": how long, too)


def answers(sentence: str, kind: str) -> bool:
    """Whether a sentence has the marks of an answer to this kind of ask."""
    pattern = _MARK_RES.get(kind)
    return bool(pattern and pattern.search(sentence))
