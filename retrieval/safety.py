"""Questions that must not wait for retrieval: emergencies and requests for harm.

An emergency gets the fixed safe instruction first (call 120 …) and vetted material after it
when there is some; a request for harm gets a refusal. Kept as plain lists so staff can read
and extend them.

How a message is judged an emergency (a person in danger now):
1. some line of `_EMERGENCY_KINDS` (what happened: poison swallowed, a fall from height …) or
   of `_SEVERE_SIGNS` (how the person is: blue lips, not breathing, drenching sweat …) matches,
   or the learned second opinion (`retrieval.emergency_model`) says so;
2. the message is not framed as something other than "now" (`_NOT_NOW`: learning in advance,
   equipment, media, the past, knowledge, mild trouble; `_FIGURATIVE`: figures of speech;
   `_ASKS_FIRST` when no particular person is named) — "刚刚/刚才" overrides `_NOT_NOW`;
3. it is not about an animal or a crop only (`_about_an_animal`).
The topic (which first-aid article to route to) is the first kind that matches; for a sign
alone, the first `_CONTEXT` cue ("去色达耍 … 出不来气" → altitude), else the sign's own topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.emergency_model import likely_topic, looks_like_emergency
from retrieval.tokenize import normalise

EMERGENCY_TEXT = (
    "⚠️ 如果有人出现昏迷、抽搐、呼吸困难、胸痛、大出血、误服农药或毒物等情况，"
    "请立即拨打120急救电话，不要等待网上答复。误服农药时请带上农药包装一起就医。"
)
# someone down a cellar, pit or tank who does not answer: the air down there kills those who
# climb in after them (红苕窖, 粪池, 沼气池 deaths come in twos and threes)
PIT_TEXT = ("千万不要直接下去救人！窖、池、井里缺氧或有毒气体，下去的人也会倒下。"
            "先打120（119也能救援），用鼓风机、扇子往下送风；必须下去时要系好安全绳、"
            "上面有人拉，最好戴供氧的呼吸器。")
FIRE_TEXT = (
    "⚠️ 如遇火灾请立即拨打119；燃气泄漏请先关阀开窗、不要开关电器，"
    "撤离到安全地方后再打电话求助。"
)
HARM_TEXT = (
    "这个问题涉及可能伤害他人或自己的内容，科技云助手不能提供帮助。"
    "如果您正处于危险或痛苦中，请拨打 110 或心理援助热线 12356。"
)

# Emergencies as people type them: a person in danger now, in Sichuanese, everyday words and
# plain English. Tuned on bench/data/emergencies_dev*.jsonl only, measured on the held-out
# set (bench/emergencies.py). Lexicons are grouped by *kind of sign*, not by example.

# Poisons that harm in any amount (pesticides, rat poison, household chemicals, toxic foods)
_POISON = ("农药|敌敌[畏维]|百[草早]枯|乐果|甲胺磷|除草剂|杀虫剂|草甘膦|老鼠药|鼠药|毒鼠强|灭鼠|"
           "杀鼠|汽油|柴油|洗洁精|消毒液|洁厕灵|84|鱼胆|见手青|草乌|川乌|附子|砒霜|毒药|"
           "氰|硫酸|盐酸|烧碱|火碱|亚硝酸盐|水银|灭害灵|蚊香液|洗衣液|干燥剂|纽扣电池|"
           "pesticide|poison|bleach|weed ?killer|paraquat|antifreeze|insecticide")
# Medicines: a danger only in a large amount, taken by a child, or with a severe sign
_MEDICINE = "降压药|降糖药|安眠药|胰岛素|药片|药丸|感冒药|退烧药|止痛药|糖浆|钙片|pills|tablets"
_CHILD = "娃|宝宝|孩子|孙|幺儿|小孩"
_WATER = "水|河|塘|水窖|井|堰|水库|江|粪坑|粪池|沼气池|海"
# Places high enough for altitude sickness (Ganzi, Aba, Tibet …)
_HIGH_PLACES = ("高原|西藏|拉萨|色达|稻城|亚丁|理塘|四姑娘山|康定|新都桥|九寨|黄龙|若尔盖|"
                "甘孜|阿坝|海螺沟|贡嘎|玉龙雪山|香格里拉|青海|海拔|"
                # the highland counties of 甘孜 and 阿坝 (mostly above 3000 m)
                "红原|石渠|德格|巴塘|乡城|炉霍|道孚|新龙|白玉|雅江|壤塘|松潘|黑水|得荣|"
                "马尔康|木里")
# Signs of breathing trouble (used with allergy, altitude, heart …)
_BREATH = (r"喘不[上过赢]|喘得(厉害|凶|很凶|遭不住)|气都?喘不|上不来气|出不[来赢到]气|"
           r"气.{0,2}出不[来赢]|透不过气|"
           r"吸不[上进]气|气紧|呼吸.{0,3}(困难|急|快|有响声|响|费力)|喉咙.{0,2}(发紧|紧|响)|"
           r"can['’]?t breathe|cannot breathe|struggling to breathe")

_EMERGENCY_KINDS: tuple[tuple[str, str], ...] = (
    # most specific first: "掉水里没得气了" is a drowning before it is "not breathing"
    # chemicals splashed in the eyes or on the skin (before poisoning: 硫酸 is in both)
    ("burn",
     r"(硫酸|盐酸|烧碱|火碱|石灰|碱水|水泥|洁厕灵|消毒液|农药|酸).{0,6}(溅|进|喷|泼|弄)(到|进|在)?"
     r".{0,4}(眼|脸|身上)|溅到眼睛"),
    # swallowing, drinking, touching or breathing a poison; overdoses; toxic mushrooms
    ("poisoning",
     rf"(喝|吃|吞|服|误服|误食|误喝|喝错|吃错|偷喝|舔|灌|吸入|闻|沾)[了下起到]?.{{0,8}}({_POISON})|"
     rf"({_POISON}).{{0,8}}(当成?|喝|吃|吞)|"
     rf"(吃|吞|喝|服)了?.{{0,8}}(好几|一整|整瓶|一把|一瓶|半瓶|一板|一盒|几十)|"
     rf"({_MEDICINE}).{{0,6}}(当成?糖|全吃|全部吃|吃完)|"
     rf"({_CHILD}).{{0,10}}(吃|吞|喝)了?.{{0,6}}({_MEDICINE})|"
     rf"({_CHILD}).{{0,12}}把.{{0,10}}({_MEDICINE}|药).{{0,3}}(吃|吞|喝)|"
     r"(打药|喷药|打农药|打了药|拌种|配药|(打|喷)了?[^，。,]{0,4}药).{0,24}(头晕|头昏|脑壳昏|大汗|冒汗|发抖|手.{0,2}抖|口水|站不稳|想吐|"
     r"倒起|倒了|倒在|晕倒|昏倒|白沫|"
     r"吐了|抽|迷糊|眼睛.{0,6}小)|"
     r"酒.{0,12}头孢|头孢.{0,12}酒|"
     "误服|误食|中毒了|农药中毒|食物中毒|"
     # "吃了酒席回来 一家五口都在吐在拉": several people at once after one meal
     r"(一家|全家|一屋|一桌|几个人|好几个人?|[一二三四五六七八九十几]口人?).{0,6}(都|全)?在?(吐|拉|屙).{0,3}(吐|拉|屙)|"
     r"(菌子|蘑菇|菌菇).{0,20}(吐|拉|屙|昏|晕|肚子痛|小人|看到|幻觉)|"
     r"(drank|swallowed|ate|drinking|took|taken|eaten).{0,20}(pesticide|poison|bleach|weed ?killer|"
     r"paraquat|antifreeze|pills|tablets)|overdos|poisoned"),
    # carbon monoxide: a fire, stove or gas heater in a closed room, and someone dizzy or out
    ("co",
     # ("屋头烧的牛粪炉子 早上 阿爸 喊不答应了": a stove in the house)
     r"(煤炉|蜂窝煤|烤火|烧炭|炭火|炭盆|火盆|煤烟|热水器|煤气|燃气|臭鸡蛋|车库.{0,8}空调|"
     r"炉子|火炉|牛粪炉|熏腊肉|熏肉|熏房|烟熏).{0,16}"
     r"(昏|晕|喊不|叫不|软(?!管)|头痛|想吐|吐|没起来|没醒|打偏偏)|几个人都.{0,3}(头晕|昏|晕|吐)|"
     r"樱桃红|红得像樱桃|一氧化碳|煤气中毒|carbon monoxide"),
    # water, wells, cesspits: fallen in, pulled out
    ("drowning",
     rf"溺水|呛水|落水|淹到|淹死|(人|娃|孩).{{0,4}}(遭淹|淹了)|(洗澡|耍水|游泳|侄|他|她)[^，。,]{{0,8}}(遭淹|被淹了|遭水淹)|沉下去|冲走|(掉|滑|跌|落)(进|到|下)?.{{0,3}}({_WATER})|"
     rf"(水里|河里|河头|塘里|塘头|堰塘|水窖|井里|江里|水库|耍水|游泳|{_WATER}).{{0,8}}"
     r"(捞|拉|救|拖)(起来|上来|出来)|(遭|被)?(水|洪水|河水)?冲起?走了|"
     # "塘子头有个娃儿掉下去了": the water named first, then who fell in
     # ("鱼塘头一个钓鱼的游客栽下去了")
     r"(河|塘|水窖|井|堰|水库|江|粪坑|粪池|沼气池|水池|水田)(子|边|坎|头|里){0,2}[^，。,]{0,8}"
     r"(娃|人|孩|老汉|爸|妈|爷|奶|他|她|哥|弟|姐|妹|儿子|女儿|游客|客人)[^，。,]{0,4}"
     r"(掉|落|滑|跌|栽|翻)(下去|进去|下水|进水)|"
     r"drown"),
    # lost outdoors: cold, wet, shivering, confused ("说话都说不清楚了" there is the cold)
    ("lost", r"(走|搞)迷路|迷了路|找不到路|困在山(上|里|头)"),
    # cold exposure (失温, 冻伤): caught in snow or rain, then shivering, dark fingers, a clouded
    # mind — not a stroke, though speech slurs ("遭雪困了…一直打抖 说话都说不清楚")
    ("cold",
     r"(雪困|遭雪|被雪|雪地里|冻僵|冻了一夜|失温|淋了?一夜|困了一夜).{0,40}"
     r"(打抖|发抖|打颤|寒战|发黑|迷糊|说不清|含糊|叫不醒|没知觉|不灵活)"),
    # electricity and lightning, including someone still holding the wire
    ("electric",
     r"(电线|高压线).{0,10}(断|掉|落).{0,16}(人|他|她|娃).{0,8}(倒|不动|没得?反应)|"
     r"触电|触店|遭电(?!话|信|视|脑|费|动)|电到了|被电(?!话|信|视|脑|费|动)|电打(?!话)|电击|"
     r"高压线|漏电.{0,4}(遭|打)|遭雷|雷打|雷劈|"
     r"(电线|电门|插座|电闸|开关).{0,12}(粘起|粘到|放不脱|甩不脱|松不开)|粘起的?放不脱|"
     # "碰到电线倒了 电线还搭在他身上"
     r"(碰|摸|挨|抓)(到|起|着)了?.{0,4}(电线|电门|插座|电闸|高压线|漏电)|"
     r"(电线|高压线).{0,6}(搭|缠|压|挂)(在|到|起).{0,4}(身上|他|她|人)|"
     r"electrocut|electric shock"),
    # mountain sickness: a high place and a severe breathing or brain sign
    ("altitude",
     r"粉红色?的?泡沫?泡?痰|"
     rf"({_HIGH_PLACES}|高反|高原反应).{{0,24}}({_BREATH}|咳个不停|剧痛|头痛得|打偏偏|站不稳|"
     r"说话乱|胡言乱语|迷糊|乌|紫|叫不醒|喊不醒|痛得要炸|偏偏倒倒|吐了|呕吐|走不稳)"),
    # something stuck in the throat: food, a coin; a silent cry, hands at the throat
    ("choking",
     r"噎住|噎到|哽到|(吞|吃|喝|咽|喉咙|嗓子|气管).{0,8}卡(到|住|起)|气都出不来|哭不出声|"
     r"哭都哭不出|咳不出声|没得?哭声|"
     r"抓到喉咙|掐住喉咙|"
     r"(呛|卡|噎|哽)(到|住|着)了?.{0,4}(花生|豆|果冻|糖|枣|东西|鱼刺|骨头|硬币|汤圆)|"
     r"(奶|饭|东西|果冻|汤圆|花生|糖|硬币).{0,3}(呛|噎|卡|哽)(到|住)|chok(ing|ed)"),
    # heat, boiling liquid, fire, explosions
    ("burn", r"(热油|滚油|开水|滚水|热汤|沸水).{0,3}(泼|淋|倒|洒|溅)(到|在)|"
             r"烫到|烫了|烫伤|遭.{0,3}烫|(?<!发)烧到(?!\d|好多|多少|几|一百)|烧伤|"
             # "手背遭燎到了": 燎, singed by a flame
             r"(遭|被|着)火?燎|燎(到|伤|起)|"
             # ("烧出来有一批釉面起泡" is a kiln's tiles, not a person's skin)
             r"(滚|开水|热水|油|汤|稀饭|火|烫|烧(?!出来|出的|制|成|结|窑)|炸|洁厕灵|碱|酸)"
             r"(?!.{0,20}(釉|瓷|砖|漆|涂层|铸件|产品))"
             r".{0,20}起(了|好多|一片)?.{0,2}泡|"
             r"皮都脱|炸起来|灼伤|烧(黑|糊)|"
             r"焦黑|烧焦|烧得焦|(罐|锅炉|高压锅).{0,3}(爆|炸)|badly burn|severe burn"),
    # stroke: face, speech, one side, sudden loss of sight or balance, thunderclap headache
    ("stroke",
     r"(嘴|嘴巴|脸|口角|嘴角|口眼).{0,3}歪|说话.{0,3}(含含?糊糊?|不清|含糊)|说不出话|口齿不清|"
     r"听不懂.{0,6}话|只会啊|半边(身子|脸|手|脚)|一边(手|脚|身)|手.{0,3}抬不起|手脚没力|中风|"
     r"舌头发硬|大舌头|突然.{0,6}(看不见|看不清|走不稳|站不稳|说不来话|拿不稳|端不稳|往一边)|"
     r"(脑壳|头).{0,3}(炸起|炸开|要炸|爆炸)痛|(脑壳|头)痛得?(要)?炸|"
     r"face.{0,12}droop|slurr|(a|having a|had a) stroke|can['’]?t lift (his|her|my) arm"),
    # a hypertensive crisis: the upper pressure at 180 or more with a headache, chest pain,
    # blurred sight or weakness ("她今天说脑壳痛得很 高压量出来185")
    ("bp_crisis",
     r"(高压|收缩压|血压)[^0-9，。,]{0,8}(1[89][0-9]|2[0-9][0-9])(?![0-9])"
     r".{0,16}((头|脑壳)[^，。,]{0,3}(痛|疼)|胸口?[^，。,]{0,2}(痛|闷)|看不清|说话不清|没力|无力)|"
     r"((头|脑壳)[^，。,]{0,3}(痛|疼)|胸口?[^，。,]{0,2}(痛|闷)|看不清|说话不清|没力|无力).{0,16}"
     r"(高压|收缩压|血压)[^0-9，。,]{0,8}(1[89][0-9]|2[0-9][0-9])(?![0-9])"),
    # a known allergy, or a reaction soon after an injection or a drip
    ("allergy",
     r"过敏.{0,20}(喘|肿|晕|喉咙|气)|(输液|打针|打了.{0,4}(针|青霉素|头孢)).{0,12}"
     rf"(胸闷|晕|脸发白|冷汗|风团|疙瘩|喉咙|{_BREATH})"),
    # venomous bites and stings, and a bite that spreads or numbs
    ("bite",
     r"(蛇|长虫|烙铁头|竹叶[青清]|五步蛇|眼镜蛇|狗|蜂子?|马蜂|胡蜂|黄蜂|蜈蚣|蝎子).{0,4}(咬|叮|蛰|蜇)|"
     # ("叶子遭虫咬得稀烂" is a crop's pest)
     r"被蛇|毒蛇咬|(咬|叮)了?.{0,30}(蛇|长虫)|遭(?![^，。,]{0,3}虫).{0,4}(咬|叮|蜇|蛰)|"
     r"(蛇|长虫|狗|蜂子?|马蜂|蜈蚣|蝎子)把.{0,8}(咬|叮|蛰|蜇)|"
     r"咬了?.{0,12}(肿到|肿得好快|乌起|眼皮)|snake ?bit|"
     r"bitten by a snake"),
    # heat stroke: hot weather, a closed car, and a hot body or a clouded mind
    ("heat", r"中暑|热晕|晒晕|晒昏|晒倒|晒得.{0,4}(昏|晕|倒|迷糊)|"
             r"热射病|烫得很.{0,6}汗|关在车|车头关|车里头?关|"
             r"热得.{0,4}(迷糊|晕|昏|软|说胡话|不醒|抽)|摸起烫手|heat ?stroke|"
             r"(大热天|太阳坝|暴晒|高温|三伏天).{0,16}(倒|晕|昏|抽|说胡话|烫|叫不醒|喊不)|"
             # collapsed at outdoor work, or collapsed and burning hot
             r"(田里|地里|田头|地头|工地|太阳|干活).{0,10}(晕倒|倒了|昏倒|昏过去|栽倒)|"
             r"(晕倒|昏倒|倒了|昏过去).{0,10}(身上|浑身|全身).{0,2}(烫|滚烫|发烫)"),
    # fits and the high fevers that cause them ("腿抽筋" is a cramp, not a fit)
    ("seizure",
     r"抽搐|(?<![腿脚手杆])抽筋|抽风|抽了(?![一几两]?(根|支|口|管|烟|血))|全身.{0,3}抽|一抽一抽|打摆子|抽经|抽起|痉挛|羊癫疯|癫痫|"
     r"手足口.{0,20}(一直吐|发抖|抖|想睡|嗜睡|精神差|叫不醒|喊不醒)|吐白沫|牙关紧|咬得死紧|高烧|烧糊涂|体温4[0-9]|烧到4[0-9]|说胡话|seizure|convuls"),
    # blood that will not stop or soaks through, vomiting or coughing blood
    ("bleeding",
     r"吐血|咳血|屙血|便血|一滩血|好多血|流血不止|大出血|血止不住|(血|流).{0,8}止不住|血.{0,4}喷|冒血|"
     r"血流不[止停]|一直(在)?流血|鼻血.{0,16}(还在流|止不住|流不停|一手的血|流了好久)|血.{0,6}(打湿|湿透|流了一地)|"
     r"bleeding (a lot|heavily|badly|won)|won['’]?t stop bleeding|lots of blood"),
    # labour, suicide attempts, people buried, gas in pits, asthma with blue lips (generic aid)
    ("buried",
     r"(人|[遭被])埋|(埋|压)在(下面|底下|里头|下头|底下)|(垮|塌)了.{0,8}(有人|人还在|埋|压)"),
    ("other",
     r"羊水破|要生了|快生了|生在路上|割腕|跳楼|跳河|跳江|跳崖|(楼|桥|天台|阳台).{0,4}跳|[要想]跳下去|"
     r"天台边|上吊|"
     r"沼气池.{0,10}(晕|倒|没上来)|哮喘.{0,12}(紫|乌|说不出|喘不|气)"),
    # a diabetic's low blood sugar: insulin or pills, no meal, and shaking, sweat or a clouded mind
    ("hypo",
     r"(胰岛素|降糖药|糖尿病).{0,24}(手抖|发抖|心慌|冷汗|喊不醒|叫不醒|昏|迷糊|说胡话)"),
    # a flash flood or mudslide coming: roaring gullies, water turning muddy at once
    ("car_flood",
     r"(车|车子|小车).{0,12}(水|淹).{0,12}(窗|门推不开|打不开|出不来|熄火)|"
     r"(桥洞|涵洞|地下通道|下穿).{0,12}(水|淹|熄火)"),
    ("flood",
     r"山洪|泥石流(来了|下来)|(沟头|沟里|山沟|河沟).{0,10}(轰隆|响得)|"
     # "后山那个坡坡在垮 泥巴石头一直往下滚": a landslide moving now
     r"滑坡了|在滑坡|塌方了|(坡坡?|山坡|山上|后山|岩|崖|坎)[^，。,]{0,6}"
     r"(在垮|垮了|垮下来|在塌|塌了|塌下来|在滑|滑下来)|"
     r"(泥巴|石头|泥石)[^，。,]{0,6}(往下滚|滚下来|冲下来|垮下来)|"
     r"水.{0,4}(一下子|突然|猛然).{0,4}(变浑|变黄|涨)"),
    # heart: chest pain or pressure, a racing or irregular heart
    ("heart",
     r"憋得.{0,4}(紫|青)|心梗|心肌梗|心跳.{0,4}(乱|停不|一百[五六七八九]|[12][0-9]{2})|心跳快得|心慌.{0,6}(要倒|晕)|"
     r"(胸口|心口|胸)(?!.{0,2}按压).{0,4}(痛|疼|闷|绞|压)|胸痛|心口痛|速效救心|"
     r"(冷汗|出汗).{0,8}(气短|气紧|胸闷)|(气短|胸闷).{0,8}冷汗|"
     r"heart attack|chest pain"),
    # injuries from falls from height, blows, crashes
    # "牛把帮工踢了 踢到肚子了 脸煞白 一直在吐": a blow to the belly, and shock
    ("blunt",
     r"(踢|撞|顶|砸|压)(到|伤|了).{0,10}(肚子|胸口|腰).{0,12}(煞白|发白|吐|昏|冷汗|血)"),
    ("fall",
     r"骨头.{0,3}(戳|露|看得到|看得见|出来)|头破|脑壳.{0,3}(破|开)|(砸|压|夹|撞)到.{0,6}(昏|吐|动不得|断|血)|"

     r"车祸|(摔|跌|滑倒|摔倒).{0,12}(断|动不[得了]|起不来|没得?反应|站不起|怪角度|变形|没得?知觉)|"
     r"(楼|阳台|树|房子|屋顶|房顶|脚手架|坎|崖|岩|梯子|架子)上?.{0,3}(摔|掉|跌|滚|落)(下来|下去)|"
     r"(摔|掉|滚|跌)下(坎|崖|岩|去了)|(头|脑壳).{0,4}(撞|砸|磕).{0,12}(吐|昏|晕|迷糊|不醒)"),
    # allergic reactions by their signs: swollen lips, tongue or throat, hives, swelling + breath
    ("allergy",
     r"(嘴巴|嘴唇|嘴皮|舌头|喉咙)(都)?肿|风团|anaphyla|"
     rf"(肿|疙瘩|痒).{{0,12}}({_BREATH})"),
)

# How the person is, whatever happened: enough on their own. Topic from `_CONTEXT` if any.
_SEVERE_SIGNS: tuple[tuple[str, str], ...] = (
    # not breathing, no pulse, not responding
    ("unconscious",
     r"昏迷|晕倒|晕过去|昏过去|昏倒|晕在|昏死|不省人事|人事不省|"
     r"(叫|喊|摇)(都|也)?(叫|喊|摇)?不(太|咋|怎么)?(醒|应|答应)|(叫|喊).{0,4}不晓得答应|(?<!睡)不醒|"
     r"没得?反应|没有反应|不哭不动|不哭也不出声|人都软|软起的|软起了|倒在地上|倒地|倒起的|"
     r"一下倒了|突然.{0,3}倒|要倒了|没得?呼吸|没有呼吸|摸不到脉|不出气|没得?出气|没得气|没气了|"
     r"胸口都?没起伏|叹气那种喘|心跳停|心脏骤停|没得?知觉|没意识|醒不过来|翻白眼|眼睛.{0,3}翻白|"
     r"往上翻|(人|躺|倒|地上).{0,4}不动|一动不动|昏了|晕了|瘫倒|(?<!睡得)迷迷糊糊|人.{0,3}迷糊|开始迷糊|出气.{0,3}(好慢|慢|弱)|"
     r"unconscious|unresponsive|not breathing|stopped breathing|passed out|collapsed|no pulse|"
     r"won['’]?t wake"),
    # struggling to breathe
    ("heart", _BREATH),
    # blue or grey skin and lips, drenching sweat, drooling, cannot stand, drooping eyelids
    ("",
     r"(嘴唇|嘴皮|嘴巴|脸|脸色|面色|指甲|手指).{0,4}(发紫|紫了|紫起|乌起|乌了|发乌|乌的|发青|青紫|乌青)|"
     r"脸都紫|嘴皮乌|大汗淋漓|一身大汗|口水流个不停|口水一直流|站都?站不稳|眼皮抬不起|"
     r"救命|turning blue|lips.{0,8}blue"),
)

# Words that name the topic once a sign says it is an emergency ("亚硝酸盐 … 嘴唇发紫")
_CONTEXT: tuple[tuple[str, str], ...] = (
    ("poisoning", rf"{_POISON}|{_MEDICINE}|打药|喷药|菌子|喝酒|醉"),
    ("co", "煤炉|蜂窝煤|炭|烤火|热水器|煤气|燃气|炉子|火炉|熏腊肉|熏房|烟熏"),
    ("drowning", f"(掉|滑|跌|落|捞|拉).{{0,6}}({_WATER})"),
    ("electric", "电线|插座|电闸|漏电|雷"),
    ("altitude", _HIGH_PLACES),
    ("bite", "蛇|长虫|蜂|蜈蚣|蝎子"),
    ("allergy", "过敏|风团|青霉素|头孢|输液|虾|花生|芒果"),
    ("choking", "噎|哽|卡到|卡住|呛到"),
    ("heat", "中暑|太阳|天热|大热天|热得"),
    ("seizure", "高烧|发烧|癫痫"),
    ("fall", "摔|跌|掉下|滑倒"),
)

_EMERGENCY_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in _EMERGENCY_KINDS]
_SIGN_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in _SEVERE_SIGNS]
_CONTEXT_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in _CONTEXT]
_EMERGENCY = re.compile("|".join(f"(?:{k})" for _, k in (*_EMERGENCY_KINDS, *_SEVERE_SIGNS)))

# Not happening to a person now (overridden by "刚刚/刚才": "听说…刚刚吞了两个鱼胆")
_NOT_NOW = re.compile("|".join((
    # prevention
    "预防|防止|防范|怎么防|咋个?防|防溺|防摔|prevent|"
    # "想请专家来给员工讲一下食品安全 防食物中毒那些": a talk on keeping it away
    "防[^，,。！!？?\\s]{0,4}中毒|(给|跟)(员工|职工|工人|大家|村民|学生|娃娃们)讲|讲课|讲座|"
    # "炉子边放盆水是不是就不得中毒了": what would keep it away, not it happening
    "(不得|不会|免得|以免|才不)(中毒|中暑|触电)",
    # "吃头孢那几天喝得酒不": whether it is allowed, asked before (nothing taken yet)
    "(?:^|[。！!？?])(?![^。！!？?]*(农药|敌敌畏|百草枯|除草剂|消毒液|洁厕|老鼠药|鼠药|汽油|煤油))"
    "[^了过。！!？?]*(喝|吃|用)得[^，。,\\s]{0,3}不[嘛哦啊哇]?$",
    # knowledge: what it is, how to tell, which number to call
    "咋个分辨|怎么分辨|咋分辨|区分|为啥|为什么|知识|有哪些|是啥|是什么|啥子症状|早期症状|信号|"
    "解药|毒性|一般要|一般(怎么|咋)|间隔期|120还是119|119还是120|急救电话|急救方法|急救措施|处理方法|正常[吗不嘛]|"
    "吃(啥子?|什么)药好|symptoms? of|signs of|what is|真的能|真的可以|真的有用",
    # learning in advance and how-to
    "提前|想学|学一下|学一哈|科普|教一下|培训|演练|正确的?(步骤|做法|方法)|咋个做的|咋个做|"
    "咋个炒|how to|learn",
    # equipment and preparation
    # ("药箱漏了一背都是" is a sprayer's tank: a person soaked in pesticide now)
    "急救箱|急救包|(家庭|家里|家用|常备)药箱|药箱(里|头|要|该|应该|备|放)|"
    "报警器|装在哪|安不安全|安全不|准备些?啥|备些?啥|first aid kit",
    # media and hearsay
    "新闻|电视上|视频|刷到|抖音|快手|朋友圈|电视剧|这个剧|追剧|电影|小说|听说|听别个说过|标语|宣传|"
    "movie|video|tv show",
    # the past, and already better
    "小时候|以前|之前(在|有|遭|被|得过|中过|喝过|吃过)|上周|上次|上个月|去年|前年|前两天|前几天|"
    "(好几|几|多)年(了|前)|[一两二三四五六七八九十\\d]+(年|个月)前|半年了|(已经|现在)(好了|没事|恢复|取出来|止住)|止住了|肿消了|恢复得|过一[次回]|过两[次回]|"
    "后遗症|康复",
    # what-ifs
    r"万一|如果|要是|假如|假设|\bif\b|in case",
    # food, dosage and farm use ("能不能吃", "兑水", "打蚜虫")
    "有用不|有用没|有没得用|能不能吃|可不可以吃|好吃|能不能.{0,6}(一起|混)|漏吃|稀释|"
    "兑(水|多少|好多|几|的比例|成)|(怎么|咋个?)兑|打蚜虫|防治|"
    "(几天|好久|多久)(才)?(可以|能)|(可以|能|才能)喝酒|停药|"
    "咋个处理比较好|注意啥|注意些啥|"
    # "那见手青总吃得嘛", "今晚有个酒席 喝点酒没得事吧": asked before eating or drinking
    "(吃|喝)得[嘛吗哇啵么]|(吃|喝)(点|一点|些|一些)[^了，。,\\s]{0,3}(没得?事吧|没事吧|要得不|得不得|行不)|"
    # "吃头孢 今天晚上有个酒席 可以喝两口不"
    "(可以|能|敢)?(吃|喝)[一两几半]?(口|杯|盅|两)[^了，。,\\s]{0,3}(不|吗|嘛|没得?事吧|要得不)[？?]?$",
    # "民宿…用炭火盆 想请人来做个一氧化碳安全评估": an inspection asked for, no one harmed
    "评估|隐患|排查",
)))
# Mild trouble: a little, itchy, no blister, a small cut — unless a severe sign says otherwise
# ("出气有点喘" after collapsing in a sprayed greenhouse is no mild trouble)
_MILD = re.compile(
    "一点点|有点(痒|气紧|喘|胸闷|心慌|头晕)|蚊子|蚊虫|一身包|就一个包|别的(莫得|没得|没)啥|晕车|晕船|"
    "起不来床|赖床|睡懒觉|其他都好|没起泡|小包|小口子|破了点皮|有点肿|"
    # a sprain ("上山摘茶崴了脚 肿起来了 冰敷还是热敷"): the fall article, no 120
    "崴|扭伤|扭到脚|脚扭了")
_GRAVE = re.compile(r"救命|倒起|倒了|倒在|昏|喊不答应|叫不醒|不省人事|抽|白沫|没得?气|风团|"
                    # a snake bite with "有点头晕" is venom at work; hives and no breath
                    # after a mosquito bite are an allergic reaction
                    rf"(蛇|长虫).{{0,3}}咬|{_BREATH}")
# Figures of speech: never an emergency, even "刚刚" ("笑得我抽筋", "好看到我心脏骤停")
_FIGURATIVE = re.compile(
    "笑得|笑死|气得我|被.{0,4}气得|热得我|骂得|好看(到|得)|好笑到|帅(到|得)|美得|甜到|心脏病都要犯|热死了|累死|饿死|"
    "听得我|看得我|激动得|感动得|惊得|要吐血|要窒息|(看|搞|绕|算|整|说|听|忙|累)(晕|昏)|昏头|晕头|(游戏|抖音|手机)中毒|上瘾|"
    "(手机|电脑|电视|网页|系统|软件|屏幕|app|遥控器).{0,6}(没得?反应|没有反应|卡|不动)|"
    "困死|要死了要死了|辣得我|辣死我|跳楼价|输惨|打牌输|气晕|气死|王者|打游戏|吃鸡(?![块肉蛋汤腿翅爪脚骨])|带带我|差点儿?(晕|昏)|整窒息|股票|账单|电费|(?<![没得有])感觉$|的感觉|说不出话来|噎得|"
    r"lol|lmao|haha|哈哈|😂"
)
# "应该先做啥", "要先控水吗", "能不能用嘴吸": asked in advance, unless a person is named
_ASKS_FIRST = re.compile(
    "能不能|可不可以|该不该|应不应该|应该先|要先.{0,8}[吗嘛不]|先做啥|第一步|第一时间"
)
# "电话说你儿子出车祸了 快转钱": a caller wanting money is the fraud article's case, not 120
_SCAM = re.compile("(转钱|转账|打钱|汇款|汇钱|交钱|保证金|"
                   "转[一两二三四五六七八九十几\\d]+[万千百块])")


def is_scam(text: str) -> bool:
    """A caller wanting money on a pretext ("儿子出车祸了 快转钱"): the fraud article's case."""
    return bool(_SCAM.search(normalise(text)))
_STILL_URGENT = re.compile(r"(菌子|蘑菇|菌菇|野生菌|百[草早]枯).{0,24}(吐|拉|屙)|"
                           r"(吐|拉|屙).{0,24}(菌子|蘑菇|野生菌)")
_BETTER = re.compile("(已经|现在)(好了|没事)")
# signs going on as the message is typed, whatever prevention it also asks about ("一家人吃了
# 菌子 都在吐 防止中毒咋个办", "现在昏起了")
_HAPPENING = re.compile("(都|还|正|一直)在(吐|拉|屙|抽|昏)|(现在|已经|人)(昏|晕)(起|过去|倒)了?|"
                        "叫不醒|喊不醒|口吐白沫")
_JUST_NOW = re.compile("刚刚|刚才|这会儿|马上要|刚.{0,2}(捞|拉|救|抬)|right now|just now")
# Animals and crops are not a human emergency (the vet and the farming articles answer them)
_ANIMAL = re.compile("狗儿?|猫|猪|牛|羊|鸡|鸭|鹅|鱼塘|鱼儿|(塘|池|缸|田)[头里子]?的?鱼|"
                     "鱼(全|都|群|苗|浮|死)|兔|马|蚕|蜜蜂|果树|庄稼|秧苗|苗子|"
                     "叶子|叶片|果子|果实|枝条|茶树|棵树|树子|水稻|稻子|秧田|麦子|小麦|蔬菜|菜苗|菜叶|根系|"
                     "玉米|苞谷|包谷|洋芋|红苕|油菜|辣椒|海椒|茶叶|柑子|橘子|李子|桃子|花椒|猕猴桃")
# Words that contain an animal's name without being about one ("割猪草", "割兔草遭蛇咬了",
# "羊水破了", "马上")
_NOT_AN_ANIMAL = re.compile("[猪牛羊兔鸡鸭鹅]草|猪食|猪圈|猪肉|牛肉|羊肉|鸡肉|鸡蛋|鸭蛋|鸡汤|鱼刺|"
                            "牛奶|羊奶|羊水|羊癫疯|马上|马蜂|马路|牛粪|猪粪|鸡粪")
# "我屋头的猪": the person named is the owner, not the one in trouble
_OWNER = re.compile(f"(我们?家?|我?屋头|我?屋里|家里|隔壁)(还|也|都)?(喂|养|种)?(了|起|得有)?"
                    f"(好?几十|几百|[0-9一二两三四五六七八九十百千]+|好多)?[只头条个群窝]?的?"
                    f"(?=[土肉母小公老黄黑白]?({_ANIMAL.pattern}))|"
                    # "养了几十只土鸡给客人吃": those who eat them are no patients
                    "给(客人|别人|人|顾客|游客)(吃|卖)")
_PERSON = re.compile("我|娃|宝宝|孩子|老汉|老人|婆婆|爷爷|奶奶|外公|外婆|妈|爸|孙|(?<!的)人|姐|哥|"
                     "弟|妹|老公|老婆|同学|朋友|工人|帮工|雇工|小工|邻居|同事|师傅|岳|幺儿|嬢|兄弟|"
                     # ("鱼塘头一个钓鱼的游客栽下去了": a visitor, whatever the pond holds)
                     "游客|客人|顾客|路人|村民|老乡|"
                     r"\b(my|he|she|i|someone|somebody|grandma|grandpa|dad|mum|mom|son|daughter)\b")
_BITTEN = re.compile("(遭|被)(一[窝只条])?[^，。,]{0,6}"
                     "(狗|蛇|长虫|蜂子?|蜜蜂|马蜂|胡蜂|黄蜂|蜈蚣|蝎子)")
_FIRE = re.compile("着火|失火|火灾|起火|烧起来了|浓烟|火.{0,3}(烧|燃|蔓延)到|燃起来了|山火|火烧山|"
                   "燃气泄漏|煤气泄漏|天然气泄漏|"
                   "(天然气|燃气|煤气)的?(味道?|气味)?.{0,3}(好|很|特别|有点)?(冲|大|重|浓|臭)|"
                   "闻到.{0,4}(天然气|燃气|煤气)|臭鸡蛋味|(臭气|臭味|味道).{0,6}(烂白菜|臭鸡蛋)|"
                   "(天然气|燃气|煤气|液化气).{0,10}(嘶嘶|漏气|在漏|味道冲|味道大|味道好冲)")
_HARM = re.compile(
    "怎么?(制造|制作|做)(炸药|炸弹|毒药|毒品)|怎么毒死人|怎样毒死|自杀的方法|怎么自杀"
)


@dataclass(frozen=True)
class SafetyVerdict:
    kind: str  # "emergency" | "fire" | "harm" | ""
    message: str
    topic: str = ""  # for an emergency: "poisoning", "stroke", "drowning" … (or "")


def assess(text: str) -> SafetyVerdict:
    t = _NEARLY.sub(" ", normalise(text))  # ("娃娃差点遭叮": it did not happen)
    # ("眉山洪雅的": a place, no 山洪 — but where it is still tells the topic: 理塘's altitude)
    unplaced = _without_places(t)
    if _HARM.search(t):
        return SafetyVerdict("harm", HARM_TEXT)
    # the model's second opinion only where no rule speaks (a fire or gas leak is the fire line)
    # (money talk — "村头穷，一分钱都拿不出来" — is never an emergency by resemblance alone)
    # ("我问错了 没得事了 娃儿拿我手机乱点的": a mistake owned up to is no emergency either)
    learned = not _FIRE.search(t) and not _MONEY_TALK.search(t) and not _ALL_CLEAR.search(t) \
        and looks_like_emergency(t)
    if (_EMERGENCY.search(unplaced) or learned) and _now(t) and not _about_an_animal(t) and not (
            _FIRE.search(t) and not _rule_topic(t)) and not (
            # ("好几个娃娃又吐又拉 说是诺如病毒 一般好久发病": an illness named, none of the
            # danger signs: its own article answers, no poisoning first aid)
            _ILLNESS_NAMED.search(t) and not _DANGER_SIGNS.search(t)):
        # ("救命 火燃到屋后头竹林了": a fire and no one hurt by name is the 119 line)
        topic = _topic(t)
        return SafetyVerdict("emergency", EMERGENCY_TEXT + ("\n" + PIT_TEXT if topic == "pit"
                                                            else ""), topic)
    if _FIRE.search(_FIRE_FEARED.sub(" ", t)):  # ("怕起火", "防火灾": no fire now)
        return SafetyVerdict("fire", FIRE_TEXT)
    return SafetyVerdict("", "")


# (the verb only: "他差点掉进粪池 现在叫不醒" keeps the pit)
_NEARLY = re.compile(r"(差点|差一点|险些|好险)(?:就|儿)?(?:遭|被)?[^，,。！!？?\s]{0,2}")
_FIRE_FEARED = re.compile("(怕|防|担心|预防|以免|避免|防止|会不会|容易)(着火|失火|火灾|起火)")


def _without_places(t: str) -> str:
    """The text with the place names an emergency word runs into blanked ("眉山洪雅" holds
    山洪); every other place stays as said."""
    from knowledge.gazetteer import place_names

    said = [m.span() for m in _EMERGENCY.finditer(t)]
    if not said:
        return t
    # (only where a word runs across the place's edge: "稻城…脑壳剧痛" names the place whole)
    return place_names().sub(lambda m: " " * len(m.group()) if any(
        m.start() < end and start < m.end() and not (start <= m.start() and m.end() <= end)
        for start, end in said) else m.group(), t)


def in_advance(text: str) -> bool:
    """Asked before it is needed ("培训之前我先了解一下，万一闻到燃气味…"): a drill, no event."""
    return bool(_IN_ADVANCE.search(normalise(text)))


# ("说是诺如病毒", "是不是诺如病毒": a school's outbreak, no poisoning; never 感冒, which is what
# carbon monoxide is mistaken for: "是不是一起感冒了" stays the fumes)
_ILLNESS_NAMED = re.compile("诺如|手足口|流感|轮状病毒|水痘|腮腺炎")
# the signs that make a named illness an emergency: the grave ones any emergency has, and an
# ill child's ("一直吐 手脚发抖 老是想睡")
_DANGER_SIGNS = re.compile(_GRAVE.pattern + "|喊不醒|喊不应|叫不应|没有?呼吸|不出气|胸痛|大出血|"
                           "没得?反应|脸.{0,2}(紫|乌)|"
                           "嘴唇.{0,2}(紫|乌)|喝不进|尿少|没得?尿|便血|血便|高烧不退|一直吐|吐个不停|不停地?吐|"
                           "频繁呕吐|发抖|抖得|嗜睡|想睡|睡不醒|精神差|没得?精神|烦躁|易惊")
_ALL_CLEAR = re.compile("问错了|点错了|发错了|按错了|乱点|乱按|(没得|没|莫得)事了")


def topic_of(text: str) -> str:
    """The first-aid topic a text speaks of, now or not ("万一哽到了说不出话咋个救" asked in
    advance is still about choking): for finding the right article, never for the 120 line."""
    t = normalise(text)
    asked = _IN_ADVANCE.search(t) and _EMERGENCY.search(t)
    return _topic(t) if asked and not _FIGURATIVE.search(t) and not _SCAM.search(t) else ""


# first aid asked about before it is needed ("听说生吞鱼胆…是真的不" is a myth, not this)
_IN_ADVANCE = re.compile("万一|如果|要是|假如|先学|提前|学一下|学起|(怎么|咋个?|如何)(急)?救|"
                         "急救(方法|措施|步骤)")


# a remedy offered, not yet taken; and what says it was taken
_OFFERED = re.compile("(喊|叫|让|要)我(生)?吃|(能不能|可不可以|能否)(生)?(吃|喝)|清火|明目|偏方")
_TAKEN = re.compile("(吃|喝|吞|服)(了|下去|进去)")


# medicines taken as a routine, and what makes them a poisoning after all
_ROUTINE = re.compile("(还在|一直在|长期|每天|天天|平时|按时|坚持|常年|都在)(吃|服用?)"
                      "[^，。,\\s]{0,6}药")
_OVERDOSE = re.compile("吃多了|过量|一大?把|一瓶|好几[颗粒片]|误服|误吃|偷吃|吃错|多吃了")


def _now(t: str) -> bool:
    """Happening to someone now, not a figure of speech, a question in advance or the past."""
    if _FIGURATIVE.search(t) or _SCAM.search(t):
        return False
    if _STILL_URGENT.search(t):  # "吃了菌子…吐过一阵 现在好了": the poison acts hours later
        t = _BETTER.sub("", t)
    if _JUST_NOW.search(t) or _HAPPENING.search(t):
        return True
    if _MILD.search(t) and not _GRAVE.search(t):
        return False
    if _OFFERED.search(t) and not _TAKEN.search(t):
        return False  # "生吃鱼胆能不能清火明目？我妈喊我吃": offered, not yet taken
    if _ROUTINE.search(t) and not _OVERDOSE.search(t):
        return False  # "她还在吃安眠药跟降压药": her medicines, taken as prescribed
    return not _NOT_NOW.search(t) and not (_ASKS_FIRST.search(t) and not _PERSON.search(t))


def _topic(t: str) -> str:
    """The first kind that matches; for a sign alone, what the context says it is about;
    then the finer topic that names the first-aid article (`_REFINE`)."""
    topic = _rule_topic(t) or likely_topic(t)  # words no rule knows: the nearest labelled kind
    for kinds, finer, pattern in _REFINE:
        if topic in kinds and pattern.search(t) and not (
                finer == "food" and _HEATING.search(t)) and not (  # "烤炭火…想吐" is CO
                finer == "heat" and _NO_BREATH.search(t)):  # not breathing in the sun: CPR
            return finer
    return topic


def names_a_topic(text: str) -> bool:
    """Whether a rule names what happened ("遭蛇咬了"), not only the model's likeness."""
    return bool(_rule_topic(normalise(text)))


def _rule_topic(t: str) -> str:
    topic = next((name for name, pattern in _EMERGENCY_TOPICS if pattern.search(t)), "")
    if not topic:
        sign = next((name for name, pattern in _SIGN_TOPICS if pattern.search(t)), "")
        topic = next((name for name, pattern in _CONTEXT_TOPICS if pattern.search(t)), sign)
    return topic


_NO_BREATH = re.compile(r"没得?呼吸|没有呼吸|不出气|没得?出气|没得?气了|没气了|胸口.{0,3}不动|"
                        r"不喘气|没得脉")
_MONEY_TALK = re.compile(r"钱|预算|费用|工资|收费|价格|多少块|好多块")
_HEATING = re.compile("炭|煤|烤火|火盆|燃气|热水器|煤气|炉子|火炉")
# Finer topics, each with its own first-aid article: which poison, which animal, which gas.
_REFINE: tuple[tuple[tuple[str, ...], str, re.Pattern[str]], ...] = tuple(
    (kinds, finer, re.compile(pattern)) for kinds, finer, pattern in (
        (("poisoning", "unconscious", "", "heart"), "mushroom", "菌子|蘑菇|菌菇|野生菌|见手青"),
        # "在地头打敌敌畏 回来就倒了 口吐白沫": collapsing at field work with a pesticide named
        # is the poisoning, not the heat
        (("heat", "seizure", "unconscious", ""), "poisoning",
         "农药|敌敌畏|百草枯|乐果|甲胺磷|除草剂|杀虫剂|打药|喷药|兑药|配药"),
        # a pesticide splashed in the eyes: the pesticide article says how to rinse them
        (("burn",), "poisoning", "农药|兑药|打药|喷药|配药|药水"),
        (("poisoning", "unconscious", "", "heart", "seizure"), "child_poison",
         rf"({_CHILD}).{{0,12}}({_MEDICINE}|消毒液|洁厕灵|洗衣液|纽扣电池|干燥剂|84)|"
         rf"({_MEDICINE}|消毒液|洁厕灵|纽扣电池).{{0,12}}({_CHILD})"),
        (("poisoning", "unconscious", "", "heart", "co"), "food",
         "食堂|剩菜|隔夜|坝坝宴|吃席|酒席|一桌人|(几|十几|好几|一家)个?人都?.{0,4}(吐|拉|屙)"),
        # "关到门烤炭火 脑壳痛想吐 人有点迷糊 是不是煤气中毒了": the fumes of a fire indoors
        (("poisoning",), "co", "炭|烤火|火盆|炉子|火炉|煤炉|蜂窝煤|煤气中毒|一氧化碳"),
        (("co", "unconscious", "", "heart"), "gas",
         "臭鸡蛋|泄漏|漏气|(燃气|天然气|煤气|液化气).{0,3}(味|臭)|闻到"),
        (("electric", "unconscious", "", "heart", "burn"), "lightning", "雷"),
        (("bite", "allergy", ""), "sting", "蜂"),
        # a reaction to an antibiotic, or an antibiotic with alcohol: the antibiotics article
        (("allergy", "poisoning", "heart", ""), "antibiotic", "头孢|青霉素|阿莫西林|抗生素"),
        (("bite",), "snake", "蛇|长虫|烙铁头|竹叶青"),
        (("bite",), "dog", "狗|猫"),
        (("seizure", "unconscious", ""), "hfmd", "手足口"),
        # "晒得抽筋了 喊他都迷迷糊糊的": a fit in the heat is heat stroke
        # "在田头割谷子倒起了 身上烫得很": collapsing at field work, hot to the touch
        (("seizure", "unconscious", ""), "heat", "晒|太阳|高温|热得|中暑|大热天|三伏|"
         "(田头|地头|田里|地里|坡上|工地|割谷|打谷|收谷|掰苞谷|干活).{0,30}(烫|发热|好热)"),
        (("bleeding",), "nosebleed", "鼻血|鼻子.{0,4}(血|流)"),
        # down a cellar or a tank and not answering: the air, not the heart, comes first
        (("unconscious", "", "heart", "co", "poisoning", "other", "seizure"), "pit",
         "窖|粪池|粪坑|沼气池|发酵池|窨井|枯井|井下|井底|池底|池子底|罐底|罐子里"),
        (("unconscious", "", "heart", "seizure", "other", "poisoning"), "hypo",
         "胰岛素|降糖药.{0,8}没吃|低血糖"),
    ))

# The first-aid article of each topic, by what its title says (so any corpus's article on
# it is found; none → the fixed line and `FIXED_ADVICE` only, never a near miss such as the
# hand-foot-mouth article for a child's febrile fit).
FIRST_AID_TITLES: dict[str, re.Pattern[str]] = {
    topic: re.compile(pattern) for topic, pattern in {
        "poisoning": "农药中毒|中毒急救", "mushroom": "野生菌|毒蘑菇|毒菌",
        "child_poison": "误服|误食", "food": "食物中毒", "co": "一氧化碳",
        "gas": "燃气|煤气泄漏", "stroke": "卒中|中风", "heart": "心梗|心肌梗",
        "unconscious": "心肺复苏|CPR", "pit": "心肺复苏|CPR", "choking": "海姆立克|卡喉|气道异物",
        "drowning": "溺水", "electric": "触电", "lightning": "雷电|雷击|打雷",
        "burn": "烫伤|烧伤", "snake": "毒蛇|蛇咬", "sting": "蜇伤", "dog": "狗猫咬|狂犬",
        "heat": "中暑", "fall": "跌倒|摔伤", "altitude": "高原反应", "hfmd": "手足口",
        "nosebleed": "鼻血", "hypo": "低血糖|糖尿病", "flood": "山洪|泥石流",
        "buried": "地震", "car_flood": "内涝", "lost": "迷路", "cold": "迷路|失温|冻伤",
        "antibiotic": "抗生素",
        # no article of their own in most corpora: the fixed advice below instead
        "seizure": "抽搐|惊厥|癫痫", "blunt": "腹部外伤|内脏出血", "bleeding": "止血|外伤出血",
        "allergy": "过敏性休克", "bp_crisis": "高血压",
    }.items()}

# What to do before help comes, for topics whose article a corpus may lack (standard first
# aid, short and safe; shown after the 120 line only when no vetted article answers).
FIXED_ADVICE: dict[str, str] = {
    "cold": "尽快移到避风暖和的地方，换上干衣服、盖被保暖，清醒时可以喝温热饮料；"
            "不要用火烤或热水烫冻伤的手脚。",
    "bp_crisis": "让病人安静坐下或半躺，不要自行大量加服降压药；记下血压数值，告诉急救人员。",
    "seizure": "抽搐时让病人侧躺，移开身边的硬物，不要往嘴里塞东西，不要按压手脚；"
               "记下抽搐持续的时间告诉医生。",
    "bleeding": "用干净的布或毛巾用力按住伤口止血，不要松开查看；能抬高的部位抬高。",
    "allergy": "让病人平躺（呼吸困难时半坐），停止接触可能引起过敏的东西；"
               "有医生开的肾上腺素笔要立即使用。",
    "hypo": "病人清醒能吞咽时，给喝糖水或吃几块糖；叫不醒时不要强行喂食，让他侧躺。",
    "blunt": "让伤者平躺、保暖，不要给吃喝，不要揉按伤处；肚子挨了重击后脸色发白、出冷汗、"
             "一直呕吐，可能是内脏出血，要尽快送医。",
}


def _about_an_animal(t: str) -> bool:
    """"猪热得很", "狗儿吃了老鼠药": an animal in trouble, no person ("遭狗咬了" is a person)."""
    bitten = bool(_BITTEN.search(t))
    t = _OWNER.sub("", _NOT_AN_ANIMAL.sub("", _BITTEN.sub("", t)))
    # "我们是…饲料企业，合作的肉鸡…呼吸困难": "we" own the flock, nobody of us is ill
    t = _WE.sub("", t)
    t = _SPEAKER.sub("", t)  # ("…我是射洪的": where the one writing is from, no patient)
    t = _HELP_CALLED.sub("", t)  # ("…死了好几只了 要人来看": the one called, no patient)
    t = _EXCLAIMED.sub("", t)  # ("鱼全部浮起来…喘不过气 急死个人": the owner's worry, no patient)
    if "兽医" in t and not bitten:  # "我在江油 屋头的猪…喘得凶 想请个兽医": the speaker calls a vet
        t = t.replace("我", "")
    return bool(_ANIMAL.search(t)) and not _PERSON.search(_ANIMAL.sub("", t))


_WE = re.compile("我们|咱们|我司|我公司|我单位|我场|我厂")
_SPEAKER = re.compile(r"我(?:是|在)[^，,。！!？?\s]{1,10}?(?:的|人|这边|那边)?"
                      r"(?=[，,。！!？?\s]|$)")
_HELP_CALLED = re.compile("(要|找|请|喊|派)个?人(来|过来|上门)")
_EXCLAIMED = re.compile("(急|气|吓|愁|累)死(个|我|人)了?人?|师傅|老师")
