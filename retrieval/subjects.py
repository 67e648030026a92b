"""Who or what a text is about — an animal, a crop, a person — so that answers keep to one
subject: a pig's diarrhoea never cites human medicine, a chicken question after a flu-vaccine
question is a new question, not a follow-up.

Plain word lists (Sichuanese included), matched as substrings; a text can name several.
"""

from __future__ import annotations

import re

from knowledge import gazetteer

# human illnesses and first aid named in article titles with no person word ("肺结核：咳嗽咳痰…"
# is no answer to a coughing pig); said of an animal ("猪儿…是不是中暑了") they name no person
# (a bite or sting stays a person's: an animal did it)
ILLS = ("结核|幽门|感冒|甲状腺|手足口|鼻血|海姆立克|烫伤|诺如|心梗|卒中|"
         "中风|中暑|登革热|流感|带状疱疹|宫颈癌|HPV|近视|龋齿|包虫|痛风|尿酸|结石|颈椎|腰椎|"
         "失眠|痔疮|乙肝|哮喘|鼻炎|湿疹|抑郁|焦虑|偏头痛|更年期|月经|血脂|胆固醇|心脏病|"
         # what people eat and are poisoned by ("野生菌中毒" is no answer to a feverish pig)
         "野生菌|毒蘑菇|一氧化碳|误服")
# everyday complaints a citizen names in passing ("上山摘茶崴了脚"): when no vetted article
# speaks of one, an article sharing only "冰敷" (the burn's) is no answer to it
COMPLAINTS = ("崴|扭伤|脚扭|骨折|脱臼|落枕|便秘|痔|老年痴呆|痴呆|健忘|脱发|白发|口臭|打鼾|打呼噜|"
              "耳鸣|晕车|晕船|痛经|甲醛|装修污染|蛀牙|牙痛|牙疼|湿气|上火|长痘|青春痘|过敏性鼻炎|"
              "近视手术|颈椎病|肩周炎|腱鞘炎|静脉曲张|灰指甲|脚气|狐臭|缠腰龙|蛇缠腰|蛇丹")
_WORDS: dict[str, str] = {
    "animal": "猪|仔猪|母猪|牛|羊|鸡|鸭|鹅|兔|鱼|虾|蟹|蚕|蜜蜂|蜂群|蜂箱|狗|猫|畜|禽|兽|养殖|"
              "饲料|饲养|圈舍|猪舍|鸡舍|兽医|蛋鸡|肉鸡|草鱼|鲫鱼|鲤鱼|泥鳅|黄鳝|牦牛|奶牛",
    "crop": "树|果园|果子|果实|茶园|茶树|茶叶|稻|秧|麦|玉米|苞谷|包谷|大豆|油菜|蔬菜|菜园|"
            "辣椒|海椒|"
            "番茄|黄瓜|花椒|柑|橘|桔|柠檬|李子|桃|梨|葡萄|猕猴桃|枇杷|芒果|马铃薯|洋芋|红薯|红苕|"
            "魔芋|天麻|川芎|菌棒|羊肚菌|香菇|庄稼|作物|秧苗|菜苗|幼苗|果苗|茶苗|树苗|叶片|叶子|"
            "枝条|根系|土壤|稻田|田里|田间|大田|地里|大棚|施肥|病虫|授粉|雌花|雄花|嫁接",
    # words only people have (a pig gets vaccines and fevers too)
    "person": "人|娃|孩子|儿童|宝宝|婴|老人|老年|我妈|我爸|老汉|婆婆|爷爷|奶奶|外婆|外公|妈妈|"
              "爸爸|老公|老婆|孕|患者|病人|医生|医院|血压|血糖|糖尿病|高血压|体检|上学|学校|"
              "保健品|降压药|三高|健康讲座|熬夜|失眠|"
              f"蜇伤|咬伤|狂犬|洗手|人畜共患|{ILLS}",
}
_RES = {name: re.compile(words) for name, words in _WORDS.items()}
_ILLNESS = re.compile(ILLS)
# person words that also name farm work ("人工授粉", "打药的人"): a crop or animal wins there
_WEAK_PERSON = re.compile("人工|工人|人员|人们|有人")
_HANDWORK = re.compile("人工")
# crop words that only say where someone is ("去地里干活 碰到马蜂窝"): no crop is asked about
_WEAK_CROP = re.compile("地里|田里|田间|大田|田头|地头")


# pests, weeds and plant parts named after animals: "流胶是不是天牛搞的" asks about a tree
PEST_LOOKALIKES = re.compile("天牛|蜗牛|牛筋草|鸡爪枝|鸡矢藤|猪殃殃|狗尾草|鸭跖草")
# and crops so named
_CROP_LOOKALIKES = re.compile("牛蒡|牛膝|鸡冠花|鸡蛋果|鸡枞|鸡纵|鱼腥草|羊肚菌|猴头菇|蛇床子")


# an animal's dung spread as fertiliser ("鸡粪发绿" is still a sick chicken's)
_MANURE = re.compile(r"(猪|牛|羊|鸡|鸭|鹅|兔)粪"
                     r"(?=[^，,。\s]{0,6}(撒|施|堆|沤|腐熟|发酵|肥|还田|下地))")
_HELPER = re.compile(r"(找|请|喊|叫|派)(个|位|一个|一位)?(人|专家|技术员)(来|过来|上门|帮)")
_WALKS_IN = re.compile(r"人一?走?进去|进去的人")
FOOD_FROM_ANIMALS = re.compile(r"(?<!蛋)(猪|牛|羊|鸡|鸭|鹅|鱼)(蛋(?!壳)|肉|奶)")


def classes(text: str) -> set[str]:
    """The subjects a text names: {"animal", "crop", "person"} or a part of it."""
    text = _CROP_LOOKALIKES.sub("作物", PEST_LOOKALIKES.sub("，", text))  # (still a crop)
    text = FOOD_FROM_ANIMALS.sub("食物", text)  # "送鸡蛋", "牛奶": food, not livestock
    text = _MANURE.sub("粪肥", text)  # "跟鸡粪一起撒": fertiliser, not a chicken
    text = _HELPER.sub("，", text)  # "我想找人来测下土": the expert asked for, no subject
    # ("去稻城亚丁": a place, whatever crop its name holds)
    text = gazetteer.place_names().sub("，", text)
    # ("门窗都关死了 人一进去辣眼睛" of a pig house: who walks in only notices the air)
    text = _WALKS_IN.sub("，", text)
    found = {name for name, pattern in _RES.items() if pattern.search(text)}
    if "person" in found and not _RES["person"].search(
            (_WEAK_PERSON if found & {"animal", "crop"} else _HANDWORK).sub("", text)):
        # ("人工授粉一般在雌花开放后什么时间进行" names farm work and no person; "打药的
        # 工人要注意啥子" names one)
        found.discard("person")
    if {"person", "animal"} <= found and not _RES["person"].search(_ILLNESS.sub("", text)) \
            and not _ZOONOSIS.search(text):
        # "猪儿喘粗气 是不是中暑了": the pig's heat, not a person's ("包虫病是狗传的" is
        # people's illness, whatever animal passes it on)
        found.discard("person")
    if "crop" in found and not _RES["crop"].search(_WEAK_CROP.sub("", text)):
        found.discard("crop")
    if "animal" in found and _HURT_BY.search(text) and not _HURT_ANIMAL.search(text):
        # "被蜜蜂、马蜂蜇伤后怎么处理", "蜂子蛰了咋办": a person hurt, the animal did it (no
        # answer to "蜜蜂冬天要不要喂白糖"); a disease the animal carries keeps it a subject
        # too (the rabies article says how to vaccinate one's own dog)
        found = (found if _ZOONOSIS.search(text) else found - {"animal"}) | {"person"}
    return found


# a sting or bite: what an animal does to a person ("猪被蛇咬了" is the pig's)
_HURT_BY = re.compile(r"蜇|蛰|叮咬|咬伤|抓伤|狂犬|(?:遭|被|着|让)[^，,。！!？?\s]{0,6}(?:咬|叮|抓)|"
                      r"(?:狗|猫|蛇|蜂|蜈蚣|蝎子)[儿子]?[^，,。！!？?\s]{0,2}(?:咬|叮|抓)")
_HURT_ANIMAL = re.compile(r"(猪|牛|羊|狗|猫|鸡|鸭|鹅|兔)[儿子娃]*(被|遭)")


_ZOONOSIS = re.compile("包虫|狂犬|布病|布鲁氏|人畜共患")
_ANIMAL_NAMES = re.compile("仔猪|母猪|蛋鸡|肉鸡|草鱼|鲫鱼|鲤鱼|牦牛|奶牛|蜜蜂|泥鳅|黄鳝|"
                           "猪|牛|羊|鸡|鸭|鹅|兔|鱼|虾|蟹|蚕|狗|猫")


def animals(text: str) -> set[str]:
    """The animals a text names (not what is made of them: "猪肉" is food)."""
    return {m.group() for m in _ANIMAL_NAMES.finditer(FOOD_FROM_ANIMALS.sub(" ", text))}


def conflict(a: set[str], b: set[str]) -> bool:
    """Both name a subject and none in common: a pig question and a human-medicine article."""
    return bool(a) and bool(b) and not a & b


def bare_crop(name: str) -> str:
    """The crop named by its plant, leaf, garden or seedling: 茶树, 茶叶 and 茶园 are 茶."""
    return re.sub(r"(?<=.)[树叶园苗]$", "", name)
