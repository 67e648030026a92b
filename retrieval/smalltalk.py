"""Messages that are not 科普 questions: greetings, thanks, "what can you do", jokes, and asks
outside what the assistant is for (forecasts, stocks, shopping, letters, sums, legal or money
advice). They get a friendly reply and the menu, never "no vetted content" with a forward-to-
expert button, and are not logged as unmet 科普 needs (the gap reports show real gaps only).

Deliberately narrow: a short message that is only a greeting or thanks, or a clear off-topic
ask. "天气干旱李子咋办" is a farming question; "明天成都天气咋样" is a forecast.
"""

from __future__ import annotations

import re

from retrieval.tokenize import normalise

_END = r"[呀啊吗嘛哈哦噢啦了呢的哇噻哟嘞～~!！。,，.？?\s]*$"
# a goodbye: small talk like a greeting, answered with a goodbye (`reply`)
_BYE_WORDS = (r"拜拜|再见|明天见|回头见|(明天|下次|改天|回头)再来(问你)?|(明天|下次|改天|回头)再问|"
              r"bye|goodbye|我先走了|改天再聊")
_HELLO = (r"(你好|您好|你们好|大家好|家人们好|在吗|在不在|还在不|你还在不|有人吗|有人没得?|"
          r"有没得人|有人不|"
          r"哈喽|hello|hi|hey|嗨|喂|"
          r"早上好|扎西德勒|"
          # season's greetings: "祝你新年快乐，身体健康！"
          r"(祝你们?|祝您)?(新年|春节|节日|中秋|国庆|端午|元旦)快乐|过年好|拜年|"
          r"祝你们?[^，,。！!？?]{0,6}(身体健康|万事如意|工作顺利|生意兴隆)|(身体健康|万事如意)|"
          r"上午好|下午好|晚上好|早安|晚安|早|老师好|请问在吗|还在不在|还在吗|还在没得?|(在)?忙不忙|在忙(不|吗|没得?)|吃了没得?|吃饭没得?|吃饭了没|"
          r"吃(了)?(早|午|晌午|夜|晚)?饭(了)?没得?|"
          + _BYE_WORDS + r"|先这样|听得?[到见]不|听得?[到见]吗|能听[到见]不)[呀啊吗嘛哈哦]*")
_GREETING = re.compile(rf"^(那|你|你们|老师|师傅|专家|好了?|好嘛|行了?|嗯+)?{_HELLO}"
                       rf"([\s，,!！]*{_HELLO})*" + _END)
_THANKS = re.compile(r"^(好的?|好嘛|嗨|嗯+|晓得了|知道了|明白了|ok|okay)?[，, ]*"
                     r"(非常|十分|万分|太|真是|真的)?"  # "非常感谢您的耐心解答"
                     # 卡沙沙 (Yi) and 突及切 (Tibetan): thanks, however the sounds are written
                     r"(谢谢|多谢|感谢|谢了|谢谢你们?|谢谢您|辛苦了|辛苦|卡[沙莎][沙莎]|"
                     r"[突图托吐][几及吉鸡][切其且齐]|"
                     r"麻烦了|麻烦你了?|麻烦您了?|thanks?|thank you|thx|3q|"
                     r"(?:还好|幸好|幸亏|多亏了?)有?(?:你|您)(?:们)?|"  # "吓死我了 还好有你"
                     r"谢(?=[哈啊嘛！!。~～\s]*$))"
                     r"(?:你|您)?哈?(?:医生|大夫|专家|师傅|老师)?"
                     r"(你们|您们|你|您|老师|啦|哈|了|提醒|指点|解答|帮忙|老铁|兄弟|亲|"
                     r"\s*so much|\s*very much)?"
                     r"(?:的?(?:耐心|详细|热心)?(?:解答|回答|讲解|指点|帮助))?"
                     r"([\s，,]*(谢谢|多谢|感谢|辛苦了|帮了大忙|你真好)+)*" + _END)
_OK = re.compile(r"^(好的?|好嘞|好勒|嗯+|哦+|ok|okay|知道了|晓得了|明白了|收到|要得|好嘛|行吧|行|"
                 r"666+|赞|巴适得板|巴适得很|安逸|"
                 r"确认|确定|没事了?|不用了|"
                 # "不错 还挺准", "厉害": praise for the answer, nothing asked
                 r"(不错|厉害|可以哦|巴适|说得对|讲得好|答得好)[，,\s]*(还|真|说得|讲得)?"
                 r"(挺|好|很|蛮|几)?(准|对|专业|厉害|不错)?|"
                 # "xs 学到了", "涨知识了 nb": internet slang for "got it"
                 r"(xs|笑死|hhh+|nb|yyds)?\s*(学到了|涨知识了|懂了)(\s*(xs|nb|yyds|hhh+))?)" + _END)
# laughter, emoji and thumbs only: nothing to answer
_NOISE = re.compile(r"^([哈呵嘿嘻]{2,}|[^\w\u4e00-\u9fff]+|6{3,})" + _END)
_PIECES = re.compile(r"[\s，,。.!！~～]+")
ASKING = re.compile(r"[？?]|吗|呢$|咋|怎么|啥|什么|多少|好多|几|要不要|能不能|可不可以")
_LAUGH = re.compile(r"^[哈呵嘿嘻]{2,}[\s，,!！~～]*")
_TRAILING_SYMBOLS = re.compile(r"[^\w\u4e00-\u9fff？?！!。，,~～]+$")
_CAPABILITIES = re.compile(r"你(能|会|可以)(做|干|帮我?做?)?(啥|什么|些啥)|"
                           r"你(这个|们这个)?是(啥子?|什么)(东西|玩意儿?)|你们?是(谁|啥|什么|干啥|"
                           r"干什么|哪个|机器人|真人)|你有(啥|什么)用|能干啥|怎么用你|咋个用你|"
                           r"(有|都有)(些)?(啥子?|什么)功能|机器人(回答|回复|在答|答)|"
                           r"(真人|有人)在?(后台|回答|回复|打字)|"
                           # "学校老师都说你啥子都晓得 真的哇": what it knows, asked of it
                           r"你(啥子?|什么|啥都)都?(晓得|知道|懂|会)|你(懂|晓得|知道)得?(好|这么|恁个)多|"
                           # "你是人工客服还是机器人？", "是人工还是机器人在回复"
                           # (the text is lower-cased before it is read: "ai", never "AI")
                           r"(人工|真人|客服)[^，,。？?]{0,4}还是[^，,。？?]{0,4}(机器人|ai|自动)|"
                           r"(机器人|ai|自动回复)[^，,。？?]{0,4}还是[^，,。？?]{0,4}(人工|真人|客服)|"
                           # "你是不是机器人哦 回得这么快", "你是ai吗"
                           r"你(们)?是?不是(机器人|ai|真人|人工)|你(们)?是(机器人|ai)(吗|哦|嘛|不|哇)|"
                           # "你是不是电脑在回哦"
                           r"(电脑|机器|程序|软件)在(回|答|回复|回答)|"
                           # "你们是不是政府的平台哦 莫是骗人的吧": who runs it, can it be trusted
                           r"(?:你们|这个|这个平台|你们这个)是不是(?:政府|官方|国家|科协|公家)|"
                           r"(?:你们|平台)[^。？?]{0,12}?(?:莫|不会|是不是|不得|该不会|别|莫不)(?:是)?"
                           r"骗(?:人|子|钱)|"
                           # "先问下你们这个平台是干啥子的": what it is for
                           # ("你们科协平时是干啥子的")
                           r"(?:你们(?:这个)?(?:平台|网站|小程序|公众号|系统|助手|科协)?|"
                           r"这个(?:平台|网站|小程序|公众号|系统|助手))(?:平时|一般|主要)?"
                           r"(?:是|是拿来)?(?:干啥子?|干什么|做啥子?|"
                           r"做什么|搞啥子?|搞什么)(?:的|用的)[嘛哦呀啊哈？?。！!\s]*$|"
                           r"(?:平台|你们)靠不靠谱|"
                           # "你们这个是政府搞的吗": who runs it
                           r"(?:你们|这个|你们这个|这个平台)(?:是)?(?:政府|官方|国家|科协|公家)"
                           r"(?:搞|办|开|弄|做)?的|"
                           # "你们这个是哪个单位办的哦", "这个助手是哪个单位搞的", "你是谁开发的"
                           r"(?:你们?|这个)[^，,。？?]{0,6}?是?(?:哪个|哪家|什么|啥子?)"
                           r"(?:单位|部门|机构|公司)(?:办|搞|开|弄|做|开发|运营)?的|"
                           r"(?:你们?|这个(?:平台|助手|系统))是(?:谁|哪个)(?:搞|做|开发|办|弄)的|"
                           # "今天雨下得好大哦 你那边下没得": the weather where the assistant is
                           # ("你们那边热不", "你们那里下雨没")
                           r"你们?(?:那边|那里|那儿|那头)(?:下|热|冷|晴|出太阳|刮风)")
# about the assistant itself: its name, age, mood, or praise and complaints
_ABOUT_ME = re.compile(r"^你.{0,3}(耐心|细心|热心|耐烦)(的|得很)?[嘛哦哈呢啊呀]*$|"  # praise, alone
                       r"^你.{0,3}(叫|几岁|多大|是男|是女|喜欢|会说|会不会说|心情|好笨|真笨|好聪明|"
                       r"真聪明|好厉害|真棒|好棒|结婚|住在)|^(你|你们).{0,10}(真好|好用|不错|厉害)$|"
                       # "你还懂得多嘛": praise
                       r"^(你|你们).{0,4}(懂|晓)得(好|挺|很|还)?多[嘛哦哈呢啊呀哟]*$|"
                       r"给你点个?赞|(这个)?助手(好用|不错|真好)|答非所问|"
                       r"(你)?说的(啥子|什么).{0,3}听不懂|破机器人|(问|说)了半天|(?<![我])答不到|(?<![我])答不上|"
                       # "你好没得用" is about me; "打了除草剂也没得用" about the weedkiller
                       r"(你|这个|助手|机器人|问你)[^，,。]{0,4}(不好用|没得用)|^(不好用|没得用)|"
                       r"牛头不对马嘴|驴唇不对马嘴|一点都不好用|你回答得?的?(啥子|什么)|太笨|(太阳|天气|今天)[^猪鸡鸭鹅牛羊鱼兔蜂苗树菜娃]{0,6}(安逸|巴适|舒服|好热|好冷|热得遭不住|冷得遭不住|热死了|冷死了)(得很|很)?[呀啊嘛哈哦]*$|"
                       # "今天天气好哦 太阳出来了": the weather said, nothing asked
                       r"^(今天|今儿|这两天)?天气(好|真好|好好|不错|巴适|安逸)[呀啊嘛哈哦了]*(\s*太阳出来了)?[呀啊嘛哈哦了]*$|回答的?不对.{0,6}(再想|重新)")
# the service's hours: "你们周末上班吗", "晚上有人没得"
_HOURS = re.compile(r"^(你们?|平台|助手|科协)(这边|那边)?.{0,4}"
                    r"(上班|下班|休息|放假|几点.{0,2}(上|下)班|有人(在|值班)?(不|吗|没得|没有))")
# what happens once a need is out, and who the experts are: "发了之后专家好久会联系我们哦",
# "专家靠不靠得住" — the platform's way of working, not a 科普 question
# "你们会不会把我电话号码卖给别人哦": what becomes of a phone number
# (the card's 公开范围 is not this: "电话可以给专家，但是不要公开" answers the form)
_PRIVACY = re.compile(r"(电话|号码|手机|联系方式|信息|地址|资料).{0,10}(卖给|卖了|卖出去|泄露|外传|"
                      r"发到网上|发网上)|(会不会|是不是).{0,12}(骚扰|泄露|卖给|卖了|给别人|给别个)")
_PROCESS = re.compile(r"(发布|发出去|登记)(了|之后|以后|后)?.{0,8}"
                      r"(好久|多久|几天|啥时候|什么时候|咋个弄|怎么弄|联系|接单)|"
                      # ("发了芽之后好久移栽" is a seedling's)
                      r"发了?(之后|以后|后)?[^芽]{0,4}(专家|有人|人家).{0,6}"
                      r"(好久|多久|几天|啥时候|什么时候|联系|接单)|"
                      # "好久有人联系我", "专家啥时候来"
                      r"^(那|请问)?(大概)?(好久|多久|啥时候|什么时候|几时)(会|能|才)?(有人|有专家|专家)"
                      r"(会|能)?(联系|来|接单|回|找)|"
                      r"^(那|请问)?专家(大概)?(好久|多久|啥时候|什么时候|几时)(会|能|才)?(来|联系|到|回)|"
                      r"专家.{0,6}(靠(得|不)住|靠不靠得?住|靠不靠谱|靠谱不|可靠不|可不可靠|信得过|"
                      r"有没有资质|水平(咋样|怎么样))")
# whether asking here costs money: "你们这个要钱不", "问问题收费不"
_COST = re.compile(r"^(你们?|这个|平台)[^。？?]{0,8}(要钱|收费|收钱|要不要钱|收不收(费|钱)|要收钱)"
                   r"[^。？?]{0,20}骗|"  # "你们这个要收钱不 我妹说网上好多都是骗子"
                   r"^(那|请问)?(你们?|这个|助手|平台|科协|问你|问问题|问问|用这个|咨询|在这儿?问)"
                   r".{0,6}(要钱|收费|收钱|花钱|免费|要不要钱|收不收(费|钱)|给钱|交钱|出钱)"
                   r"[^，,。！!？?…\s]{0,4}" + _END)  # (the whole message: nothing else asked)
# who they are, and nothing asked: "老师好，我是南江县的一个老农民，今年七十三了", "我是川农的
# 老师，想试试你们这个系统", "老板在不在"
_INTRO = re.compile(r"^(你好|您好|老师好|喂+)?[，,\s]*我是.{0,16}(农民|老农|村民|农户|种植户|"
                    r"养殖户|"
                    r"老师|学生|老板|员工|技术员|研究员|干部|人)(了|哦|哈)?"
                    r"([，,\s]*今年.{0,6}(岁|了))?"
                    r"([，,\s]*(想|来)(试试|试一下|看看|体验).{0,10})?$|"
                    # "你好 我是南江的": where they are from, nothing asked
                    r"^(你好|您好|老师好)[，,\s]*我(们)?是[^，,。！!？?\s]{1,8}(这边|那边)?的$|"
                    # "在吗 我在大邑山上开了个小民宿": where and what they run, nothing asked
                    r"^(你好|您好|老师好|在吗|在马|在不在|在嘛)?[，,\s]*我(们)?(是|在)"
                    r"[^，,。！!？?]{1,16}(开了|开|办了|办|搞了|搞|经营|有)(个|一个|家|一家)?小?"
                    r"(民宿|农家乐|餐馆|饭店|厂|店|公司|合作社|养殖场|猪场|鸡场|牛场|果园|茶园|基地|"
                    r"鱼塘|网店|工作室)[。！!]*$|"
                    # "你好 我是村上的文书 专门帮老年人问事情的": who asks for others, nothing
                    # asked yet
                    r"^(你好|您好|老师好|在吗|在不在)?[，,\s]*我是.{0,10}(文书|会计|网格员|书记|支书|村长|"
                    r"组长|主任|社长|理事长|村医|信息员|联络员|协管员|志愿者|驻村干部|村干部|农技员)"
                    r"(的)?([，,\s]*(专门|主要|平时|经常|就是)?(帮|替|给)[^，,。！!？?]{1,10}"
                    r"(问|咨询|打听|办|看|跑)[^，,。！!？?吗]{0,6})?[。！!]*$|"
                    r"^(老板|老师|师傅|专家)(在不在|在吗|在不)|想?(试试|试一下|体验一下)(你们?|这个)"
                    r".{0,4}(系统|助手|机器人|平台)")
_JOKE = re.compile(r"(讲|说|来)(个|一个|段)[^，,。！!？?]{0,12}笑话|"
                   r"陪我(聊|耍|摆)|龙门阵|无聊|心情不好|"
                   r"(唱|跳)(个|一个|一首|首)|你会(唱歌|跳舞|画画)")
# asks outside 科普 and 科技服务, by kind; "…是不是骗局" is a fraud question (in scope)
# forecasts asked for (the weather told, "这几天天气热 猪儿热得喘气咋个办", is farming)
_FORECAST = re.compile(
    r"(今天|明天|后天|今晚|明早|这几天|周末|下周|过两天).{0,16}(天气(?![热冷好差干])|下不下雨|会不会下雨|下雨不|降温|"
    r"落不落雨|落雨不|(会不会|要不要|下不下|落不落)(下|落)(雨|雪)|(下不下|落不落)(冰雹|雹子|雪)|(会不会|要不要)结冰|出太阳|晴不晴|"
    r"升温|几度|好多度|多少度|带伞|冷不冷|热不热|(还是|还)?(这么|恁个|那么)(热|冷)(不|吗|哦|没)?)|"
    r"天气(咋样|怎么样|如何|好不好)|会不会下雨|weather")
_OUT_OF_SCOPE = re.compile(
    # money: shares, funds, lottery, interest, prices of goods
    r"股票|股价|大盘|基金|彩票|双色球|大乐透|开奖|比特币|炒股|利息|理财|贷款|bitcoin|stock price|"
    r"红包|份子钱|礼金|随礼|送礼|人情钱|"
    # sums: "一亩收1200斤，3亩7分地一共收好多斤"
    r"\d.{0,20}(一共|总共).{0,4}(好多|多少)|(帮我|帮忙|给我)算一?(哈|下|下子)|"
    r"(?<!没得)(?<!莫得)(?<!没有)好多钱|多少钱|收购价|行情|油价|汽油|柴油.{0,3}(价|涨|降)|金价|房价|"
    # shopping and services
    r"(买|网购|下单).{0,6}(手机|衣服|鞋|电脑|电视|冰箱)|淘宝|京东|拼多多|外卖|快递|华为|iphone|"
    r"哪个?(牌子|品牌|厂家).{0,6}(好|便宜|划算|耐用|质量)|(网上|哪里|哪儿|在哪)买.{0,3}(划算|便宜)|"
    # writing, translating, coding
    r"(写|帮我写|拟|起草|草拟).{0,12}(请假条|情书|检讨|作文|演讲稿|发言稿|讲话稿|辞职信|信|诗|总结|报告|"
    r"申请书|材料|补助|"
    r"文案|函|合同|通知|"
    r"对联|"
    r"祝福|代码)|"
    r"翻译|翻成(英文|中文)|用?英[语文].{0,2}(咋个|怎么)说|python|java|excel|vlookup|编程|空指针|"
    r"for循环|网页代码|"
    # law, papers and public offices
    r"宅基地|告得赢|打官司|离婚|律师|判几年|起诉|欠钱不还|工伤赔偿|赔偿标准|遗产|社保|公积金|"
    r"驾照|换证|限行|尾号|12306|改签|高铁票|火车票|机票|车票|航班|签证|护照|"
    # fortune and dates
    r"算.{0,2}命|运势|星座|天蝎|犯太岁|属[鼠牛虎兔龙蛇马羊猴鸡狗猪]的.{0,4}(今年|运)|打几分|风水|看相|"
    r"算.{0,3}日子|黄历|(结婚|搬家|开业|动土|出行).{0,4}(日子|吉日)|看日子|择日|吉日|"
    r"介绍.{0,2}对象|相亲|"
    # food, travel, sport, showbiz
    r"(咋个|怎么|如何)(炒|炖|红烧|卤|腌)|做法|菜谱|回锅肉|麻婆|红烧肉|底料|"
    r"(好吃|馆子|餐馆|火锅|小吃).{0,4}(推荐|介绍)|推荐.{0,6}(好吃|馆子|餐馆|火锅|小吃)|"
    # ("每天要出去耍好久" after myopia: time outdoors, a child's eyes)
    r"好耍|(?<!出)去耍|旅游|自驾|攻略|行程|住哪个?酒店|景点|路线推荐|推荐.{0,3}路线|"
    r"比分|总决赛|联赛|国足|nba|世界杯|这轮.{0,3}赢|哪个赢了|演唱会|明星|拍.{0,3}剧|放.{0,2}首?歌|"
    r"开车要?(好久|多久)|"
    # cars and phones, names, homework, timetables, love
    r"仪表盘|发动机.{0,3}灯|(车子|汽车|小车|轿车).{0,8}(保养|修|灯|换|响|异响|打不燃|抛锚)|"
    r"手机.{0,8}(设置|调|字|屏幕|卡|内存|流量|铃声|密码|微信)|(取|起)个?.{0,4}名字|取名|"
    r"作业|数学题|应用题|鸡兔同笼|奥数|(火车|动车|高铁|班车|大巴|飞机).{0,8}(几点|时刻|班次|车次)|"
    r"女朋友|男朋友|对象.{0,4}(生气|吵架)|哄.{0,3}(她|他)|表白|谈恋爱|分手|"
    # films and games, news and politics, study and jobs, bookings, dates and times
    r"电影|电视剧|综艺|小说|网络游戏|打游戏|王者荣耀|动漫|追剧|讲个?故事|总统|选举|市值|"
    r"考研|考公|高考志愿|学英语|简历|面试技巧|找工作|怎么赚钱|赚钱的?(门路|项目|办法)|发财|副业|"
    r"订.{0,6}(餐厅|酒店|宾馆|机票|车票|门票|位子)|去哪(儿|里)?(耍|玩)|哪里好耍|"
    r"(今天|明天|昨天)(是)?(几号|星期几|礼拜几)|现在几点|"
    r"^\s*[0-9０-９.]+\s*[+\-*/×÷加减乘除以]+\s*[0-9０-９.]+\s*(等于|=)?\s*(多少|几|好多)?[？?]?\s*$|"
    r"[0-9]+\s*(加|减|乘以|除以|乘|除)\s*[0-9]+")
_IN_SCOPE = re.compile(
    # a forecast asked for the crop: "今晚上要降温到零下 李子正在开花 一亩地烧几堆"
    "开花|花期|扬花|授粉|熏烟|烧烟|防冻|冻害|霜冻|遭冻|盖膜|遮阳|保温|"
    # "到了康定烧开水泡茶不香，水开的时候好多度" asked by a travel agency: physics
    "沸点|烧开水|水开|开水|水烧开|烧开|海拔|气压|"
    # "作业的田边上有鱼塘咋办": a spraying job, not homework
    "作业的?(?:田|区|面积|高度|速度|人员|时)|植保|无人机(?:作业|打药|喷药|施药)|飞防|"
    # a firm asking for an expert ("做火锅底料的厂…想找食品方面的专家"), the air a child breathes
    "专家|工艺|车间|生产线|配方|厂|aqi|空气|污染|哮喘|雾霾|pm2|"
    # "做火锅底料的公司 想招一个食品研发方面的人才": hiring is a need (人才需求)
    "研发|人才|招聘|技术员|工程师|"
    "骗|诈骗|真的假的|是不是真的|安全不|有害|辐射|科学|原理|天文|血脂|血压|血糖|"
    # "彩虹是怎么形成的呀，我物理作业要写": the science asked, not the homework
    "彩虹|物理|化学|形成的|怎么形成|"
    # "红心猕猴桃好久摘合适 隔壁说看日子就得行": the harvest, not a lucky day
    "(?:好久|啥时候|什么时候)(?:摘|采|收|挖|割)|采收|"
    # "配料表上有防腐剂 有人说有毒": what is in food is 科普, whatever dish it is in
    "防腐剂|添加剂|配料表|有毒|致癌|转基因|"
                       "健康|"
                       "身体|致癌|营养|长胖|"
                       # the body: "写作业眼睛离本子好远" asks about eyesight, not homework
                       "眼睛|近视|视力|坐姿|驼背|牙齿|生病|病了|痛|疼|发烧|咳嗽|高反|高原|缺氧|预防|"
                       # food safety: "剩的回锅肉放冰箱头 好久之内要吃完" is not a recipe
                       "剩菜|剩饭|剩的|隔夜|冰箱|冷藏|冷冻|变质|坏了|保质期|食物中毒|拉肚子|"
                       # "电视剧头那个人遭蛇咬了 …真的可以那样弄吗": a first-aid myth
                       "咬|蛇|中毒|急救|吸毒|伤口|"
                       # "堰塘好多娃娃去耍水 想请人来设计下护栏": water safety, someone to come
                       "溺水|落水|耍水|(?:请|找|喊)[个位]?(?:人|师傅)来|"
                       # "打了药好多天才能摘果卖 我要发快递的": the safe interval, not the parcel
                       "摘果|采摘|采收|间隔期|休药期")
# asks that stay out of scope whatever they mention ("帮我写个请假条 娃儿发烧…")
_ALWAYS_OUT = re.compile(r"(写|帮我写|拟).{0,6}"
                         r"(请假条|情书|检讨|作文|演讲稿|辞职信|申请书|对联|封信)|"
                         # "你帮我写个申请嘛" (not "拟申请专家现场技术指导")
                         r"写(?:个|份|一份|一个)申请|"
                         # market prices, whatever farm product they name: "今天猪肉批发价多少",
                         # "猪价明年涨不涨"
                         r"批发价|收购价|市场价|零售价|出栏价|猪价|菜价|粮价|蛋价|果价|"
                         # "明年松茸价格会涨不"
                         r"(?:价格|价钱|价)[^，,。？?]{0,3}(?:会|要|能)?(?:涨|跌|降)|"
                         # "今年桃子卖得好不好哦", "行情咋样": the market, not the science
                         r"卖得好不好|好不好卖|卖不卖得(起价|脱|出去)|卖得起价|行情|"
                         # "生猪期货会不会涨": trading, whatever it trades
                         r"期货|期权|外汇|股票|炒股|买基金|基金.{0,4}(涨|跌|赚|亏)|买哪[个只]股|"
                         r"板块|抄底|大盘|涨停|跌停|"
                         # "听说有个明星离婚了，真的假的": gossip, however it is asked
                         r"明星|娱乐圈|八卦|绯闻|网红.{0,12}(塌房|偷税|逃税|离婚|离了|出轨|翻车)|塌房|"
                         # "美国大选哪个会赢": politics
                         r"大选|总统|选举|"
                         # "我们村书记是不是要调走了": who holds which office
                         r"(书记|村长|村主任|乡长|镇长|县长|市长)[^，,。]{0,6}"
                         r"(调走|调动|升官|下台|提拔|换人|退休)|"
                         # "隔壁厂那个老板是不是遭抓了": who was arrested
                         # "你们能不能帮我们卖饲料": selling is no science
                         r"(你们|平台|助手|能不能|可不可以)(能不能|可不可以|能|可以|会不会)?(帮|替)"
                         r"(我们?|我家|我|忙)(卖|代卖|推销|销售)|"
                         # "帮我卖点蜂糖嘛 中蜂蜜 80一斤", "帮我把屋头的土鸡卖了"
                         r"^(?:帮|替)(?:我们?|我家|我)(?:卖|代卖|推销|销售)|"
                         # "帮我问下有没有收猪的老板 我有五头肥猪要卖": buyers wanted
                         r"(有没有|有没得|找个?|联系个?)[^，,。？?]{0,2}收[^，,。？?]{1,4}的"
                         r"(老板|人|贩子|商|客商)|"
                         # "保险那边咋个理赔": insurance claims
                         r"理赔|保险公司|"
                         # "能不能帮我们合作社把猕猴桃卖了"
                         r"(帮|替)(我们?|我家|我)[^，,。？?]{0,6}把[^，,。？?]{1,10}"
                         r"(卖了|卖掉|卖出去|销出去|推销)|"
                         # "能不能帮我贷点款 屋头要修房子": loans, whatever they are for
                         r"贷.{0,2}款|借.{0,2}(钱|款)给我|(帮|给)我借.{0,2}钱|"
                         r"(老板|书记|村长|领导|厂长|那个人)[^，,。]{0,6}(遭抓|被抓|抓起来|坐牢|跑路|"
                         r"卷钱|欠债|破产|倒闭)|"
                         r"价[格钱]?.{0,4}(涨不涨|跌不跌|会不会涨|会不会跌)")

# how much of a named medicine a person should take: the label or a doctor says, never a chat
# ("布洛芬混悬液大人喝好多毫升 一天几次", "氨氯地平一天吃几片合适"); an animal's or a
# crop's dose is a farming question and stays with the articles
_DOSE = re.compile(r"(吃|喝|服|用)(好多|几|多少)(片|颗|粒|毫升|ml|袋|包|支|次)|"
                   r"一次(吃|喝|服)(好多|几|多少)|一天(吃|喝|服)?几(次|回|顿)|剂量|用量|"
                   # "一天吃三颗 得不得行 你给我说个量", "明天吃两颗补起要得不"
                   # ("先给她吃一颗阿司匹林要得不" asks whether to give it at all)
                   r"(说|给|定)个量|(吃|喝|服)[二两三四五六七八九十\d]+(颗|片|粒|袋)[^，,。？?]{0,8}"
                   r"(得不得行|行不行|要得不|可以不|得行不|要不要得|行吗|可以吗)")
_MEDICINE = re.compile(r"药|片|胶囊|混悬液|口服液|冲剂|颗粒|布洛芬|对乙酰氨基酚|阿莫西林|头孢|"
                       r"地平|洛尔|沙坦|普利|他汀|双胍|"  # (硝苯地平, 美托洛尔, 缬沙坦 …)
                       r"阿司匹林|氨氯地平|二甲双胍|降压|降糖|退烧|消炎|感冒|止痛|"
                       # "蒙脱石散吃几包", "藿香正气水喝几支"
                       r"(?<!放)散(?!养|户|装|客)|蒙脱石|益生菌|止泻|藿香正气|板蓝根|健胃消食|维生素|"
                       r"钙片|糖浆")
_ANIMAL_OR_CROP = re.compile(r"猪|牛|羊|鸡|鸭|鹅|鱼|虾|狗|猫|兔|兽|畜|禽|蜂|兑水|喷|亩|树|苗|"
                             r"田|地里|果|菜|稻|麦|玉米|肥")

# a named veterinary drug's dose for an animal ("给猪打青霉素打好多支", "牛用伊维菌素打几毫升")
_VET_DRUGS = (r"(青霉素|链霉素|庆大霉素|土霉素|四环素|阿莫西林|恩诺沙星|氟苯尼考|磺胺|伊维菌素|"
              r"阿维菌素|地塞米松|安乃近|头孢|兽药|针药)")
_VET_DOSE = re.compile(_VET_DRUGS + r"[^，,。？?]{0,10}"
                       r"(打|用|喂|注射|吃|兑|拌|加|放)[^，,。？?]{0,3}(好多|几|多少)"
                       r"((支|毫升|ml|针|片|克|瓶|袋|次|斤|公斤|两|包)|(?=[哦嘛呢啊？?\s]*$))|"
                       r"(打|用|喂|注射)(好多|几|多少)(支|毫升|ml|针|片|克|瓶|袋)[^，,。？?]{0,6}"
                       + _VET_DRUGS)
_LIVESTOCK = re.compile(r"猪|牛|羊|鸡|鸭|鹅|狗|猫|兔|马|驴|骡|牲口|畜|禽|仔|崽|鱼|虾|蟹|蛙|饲料")

INTRO = "intro"  # who the user is ("我是南江县的老农民"): kept as context for a need
REPLY = {
    "greeting": "您好！我是科技云助手 🌱 有种养殖、健康、生活方面的问题直接问我，"
                "想请专家帮忙也可以直接说。",
    "thanks": "不客气！还有问题随时问我。",
    "ok": "好的。还有问题随时问我。",
    "capabilities": ("我是科技云助手：回答种养殖、健康、生活中的科普问题（只用经专家审核的文章，"
                     "附出处），帮企业、合作社、农户把技术需求整理好、推荐合适的专家，"
                     "科技工作者也可以在这里接单。"),
    "noise": "请用文字描述您的问题，例如：“李子园土壤酸化板结怎么办？”",
    "hours": ("我全天在线，随时可以问；请专家、和科协工作人员对接一般在工作日办理，"
              "需求发出去后有专家接单会第一时间通知您。"),
    "chat": "我是科技云助手，还在不断学习 🙂 种养殖、健康、生活方面的问题可以直接问我。",
    "intro": ("您好，认识您很高兴！种养殖、健康、生活方面的问题可以直接问我，"
              "想请专家帮忙也可以直接说。"),
    "cost": ("在这里问问题、发需求都是免费的；请专家上门或服务的费用由您和接单的专家商量，"
             "发需求时说个预算或者“面议”都可以。"),
    "process": ("需求发布后，我马上把它推送给研究方向对口、离您近的专家；"
                "有专家接单会第一时间通知您，专家没开通在线接单的，由当地科协工作人员电话联系。专家来自平台登记的高校、科研院所、"
                "农技推广单位和企业，接单后您会看到他的姓名和单位。"),
    "privacy": ("您的电话和地址不会公开，也不会卖给或交给别人：只有您同意后，接单的那一位专家"
                "才看得到电话；不同意的话专家通过平台留言联系您。回复“删除我的数据”可以随时清除。"),
    "joke": "讲笑话我不太在行 😄 种地、养殖、健康方面的问题倒是可以问我。",
    # a remark that asks nothing ("明天要下雨了 我得赶紧把苞谷掰回来")
    "remark": "嗯嗯 🙂 有种养殖、健康、生活方面的问题随时问我，想请专家帮忙也可以直接说。",
    "dose": ("药吃多少、一天几次，要按说明书或听医生、药师的，我这里不能替您定剂量。"
             "不舒服请到附近医院、诊所或药店问一问；情况紧急请拨打120。"),
    "vet_dose": ("兽药打多少、用几次，要看药品标签和牲畜的体重、病情，请按说明书或问当地兽医，"
                 "我这里不能替您定剂量。用药后注意休药期，休药期内的肉、蛋、奶不能出售。"),
    "out_of_scope": ("这个我帮不上忙：科技云助手只回答种养殖、健康、生活中的科普问题，"
                     "并帮企业和农户对接科技专家。"),
}


# the words of 科普 and 科技服务: farming, livestock, health, safety, everyday science. An ask
# with none of them that no vetted article answers is declined, not offered to an expert
_SCIENCE = re.compile(
    r"病|虫|药|肥|种|育苗|苗|土壤|土|田|地里|果|叶|根|枝|花|树|草|菜|粮|稻|麦|苞谷|玉米|洋芋|"
    r"菌|菇|耳|茶|笋|椒|瓜|豆|薯|芋|姜|蒜|葱|"
    r"猪|牛|羊|鸡|鸭|鹅|鱼|虾|蟹|蜂|兔|狗|猫|畜|禽|养|饲料|疫苗|兽|"
    r"医|痛|疼|烧|咳|血|吐|泻|拉稀|屙|伤|肿|痒|晕|毒|癌|瘤|炎|症|孕|奶|睡|熬夜|"
    r"营养|健康|身体|体检|减肥|运动|锻炼|"
    r"急救|安全|火灾|着火|触电|燃气|煤气|地震|洪|泥石流|滑坡|雷|溺水|防.{0,2}(骗|诈)|骗子|诈骗|"
    r"为什么|为啥|原理|怎么形成|咋个形成|科学|科普|天文|星星|月亮|太阳|彩虹|气象|温度|"
    r"水质|污染|垃圾|环保|节能|电池|辐射|农业|农村|农技|技术|工艺|设备|机械|专家|"
    r"生物|炭|粪|沼|秸秆|大棚|灌溉|授粉|烘干|保鲜|贮藏|发酵|组培|嫁接|修剪|农机|无人机|蜜|雹|霜冻|"
    r"泡菜|腌|腊肉|香肠|防腐剂|添加剂|配料|食品|保质期|"
    # a firm's engineering ("无铜刹车片高温下摩擦系数衰退咋个解决"): for an expert, if no article
    r"高温|材料|摩擦|系数|强度|腐蚀|涂层|焊|铸|钢|合金|混凝土|砂浆|电路|芯片|传感|电机|阀|"
    r"管道|锅炉|零件|加工|配方|模具|涂料|催化|纤维|"
    # ("无铅锡膏开封后能放多久", "窖泥老化了咋办": a trade's materials, for an expert)
    r"锡膏|焊料|胶水|树脂|塑料|橡胶|陶瓷|釉|窖泥|酒曲|曲药|酿|电镀|印染|染料|油漆|"
    r"disease|pest|crop|soil|orchard|plant|pig|cow|chicken|fish|dog|panda|animal|doctor|pain|"
    r"fever|poison|fire|earthquake|flood|wound|bite|stroke|cpr|mask|air|pollution|altitude|"
    r"health|why",
    re.IGNORECASE)


def always_out(text: str) -> bool:
    """Asks we never take up whatever else is said (a letter, homework, market prices)."""
    return bool(_ALWAYS_OUT.search(normalise(text).lower()))


def speaks_of_science(text: str) -> bool:
    """Whether the text has any word of farming, health, safety or science in it."""
    return bool(_SCIENCE.search(normalise(text)))


_LEADING_HELLO = re.compile(rf"^(老师|师傅|专家)?{_HELLO}[\s，,!！。~～]+(?=\S)")


def without_greeting(text: str) -> str:
    """The message less a greeting it opens with ("早上好 包虫病咋个防", "扎西德勒，…"): the
    greeting's words would otherwise be searched for as if they were the question's."""
    return _LEADING_HELLO.sub("", text, count=1) or text


_FAREWELL = re.compile(_BYE_WORDS, re.IGNORECASE)
BYE = "好的，再见！有问题随时来问我。"


def reply(kind: str, text: str) -> str:
    """What to say to small talk of this kind: a farewell gets a goodbye, not a welcome."""
    return BYE if kind == "greeting" and _FAREWELL.search(text) else REPLY[kind]


def classify(text: str) -> str | None:
    """The kind of a message that is not a 科普 question, or None."""
    said = normalise(text).strip().lower()
    if len(said) <= _LONG and _DOSE.search(said) and _MEDICINE.search(said) \
            and not _ANIMAL_OR_CROP.search(said):
        return "dose"  # (however long the story before the dose asked)
    if len(said) <= _LONG and _VET_DOSE.search(said) and _LIVESTOCK.search(said):
        return "vet_dose"  # "给猪打青霉素打好多支": the label and the vet, never an article
    kind = _classify(text)
    if kind is None and len(_WORD_SPACE.findall(text)) >= 2:
        # "你是 机器人 还是 真人": a space between every word or two, read without them
        kind = _classify(_WORD_SPACE.sub("", text))
    return kind


_LONG = 200  # characters: a dose asked at the end of a long story is still a dose
_WORD_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _classify(text: str) -> str | None:
    t = normalise(text).strip().lower()
    if not t or len(t) > 60:
        return None
    if _NOISE.search(t):
        return "noise"
    t = _TRAILING_SYMBOLS.sub("", t)  # "多谢多谢🙏"
    if t and _NOISE.search(t):  # "哈哈哈 😂"
        return "noise"
    t = _LAUGH.sub("", t) or t  # "哈哈哈 你是男的还是女的"
    if (kind := _chat_kind(t)) is not None:
        return kind
    # "早上好 吃饭没得", "哈哈好的 拜拜": every piece is small talk
    pieces = [p for p in _PIECES.split(t) if p]
    if len(pieces) > 1 and all(_chat_kind(p) or _NOISE.search(p) for p in pieces):
        return _chat_kind(pieces[-1]) or "ok"
    # "救护车到了，谢谢你": news and thanks, nothing asked
    if len(pieces) > 1 and _chat_kind(pieces[-1]) == "thanks" and len(t) <= 24 \
            and not ASKING.search(t):
        return "thanks"
    if _ALWAYS_OUT.search(t) or ((_OUT_OF_SCOPE.search(t) or _FORECAST.search(t))
                                 and not _IN_SCOPE.search(t)):
        return "out_of_scope"
    # "好 晓得了 我们马上去医院": understood, and on the way — nothing asked
    if len(pieces) > 1 and _chat_kind(pieces[0]) in ("ok", "thanks") and len(t) <= 24 \
            and _ON_THE_WAY.search(t) and not ASKING.search(t):
        return "ok"
    # "谢谢你哈 上回说的那个法子管用得很", "要得，谢谢你哈，你们这个还有点用": thanks (after
    # an ok, at most) and news, nothing asked
    kinds = [_chat_kind(p) for p in pieces]
    if len(pieces) > 1 and "thanks" in kinds[:2] and all(kinds[:kinds.index("thanks")]) \
            and len(t) <= 30 and not ASKING.search(t) \
            and not _HELP_WANTED.search(_COMPARED.sub("", t)):
        # ("要得 谢了。我屋头辣椒死秧 想请个技术员来看看": thanks, then a request)
        return "thanks"
    return None


_ON_THE_WAY = re.compile(r"(马上|这就|现在|已经)(去|送|到)(医院|卫生院|诊所)|在路上|"
                         r"救护车(来|到)了|120(打了|来了)")
_HELP_WANTED = re.compile(r"专家|技术员|兽医|农技员|(?:请|找|喊)[个位]?(?:人|老师)")
# praise by comparison wants no one ("你们这个比我们村头那个技术员还快")
_COMPARED = re.compile(r"比[^，,。！!？?\s]{0,10}?(?:专家|技术员|兽医|农技员)")


def _chat_kind(t: str) -> str | None:
    for kind, pattern in (("greeting", _GREETING), ("thanks", _THANKS), ("ok", _OK),
                          # (what it costs before who runs it: "你们这个要不要收钱哦 不得是骗子嘛")
                          ("cost", _COST), ("capabilities", _CAPABILITIES), ("hours", _HOURS),
                          ("process", _PROCESS), ("privacy", _PRIVACY),
                          ("chat", _ABOUT_ME),
                          ("intro", _INTRO),
                          ("joke", _JOKE)):
        if pattern.search(t):
            return kind
    return None
