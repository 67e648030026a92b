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

_END = r"[呀啊吗嘛哈哦噢啦了呢的～~!！。,，.？?\s]*$"
_HELLO = (r"(你好|您好|你们好|大家好|在吗|在不在|有人吗|哈喽|hello|hi|hey|嗨|喂|早上好|上午好|"
          r"下午好|晚上好|早安|晚安|老师好|请问在吗)[呀啊吗嘛哈哦]*")
_GREETING = re.compile(rf"^{_HELLO}([\s，,!！]*{_HELLO})*" + _END)
_THANKS = re.compile(r"^(好的?|嗯+|ok|okay)?[，, ]*(谢谢|多谢|感谢|谢了|谢谢你|谢谢您|辛苦了|"
                     r"麻烦了|thanks?|thank you)(你|您|老师|啦)?" + _END)
_OK = re.compile(r"^(好的?|嗯+|哦+|ok|okay|知道了|晓得了|明白了|收到|要得|好嘛|行)" + _END)
_CAPABILITIES = re.compile(r"你(能|会|可以)(做|干|帮我?做?)?(啥|什么|些啥)|你是(谁|啥|什么|干啥|"
                           r"干什么|哪个|机器人|真人)|你有(啥|什么)用|能干啥|怎么用你|咋个用你")
_JOKE = re.compile(r"(讲|说|来)(个|一个|段)笑话|陪我(聊|耍|摆)|龙门阵|无聊|心情不好")
_OUT_OF_SCOPE = re.compile(
    r"(今天|明天|后天|这几天|周末|下周).{0,8}天气|天气(咋样|怎么样|如何|好不好)|"
    r"会不会下雨|股票|股价|大盘|基金|彩票|双色球|比特币|炒股|"
    r"(买|网购|下单).{0,6}(手机|衣服|鞋|电脑|电视|冰箱)|淘宝|京东|拼多多|"
    r"(写|帮我写|拟).{0,4}(请假条|情书|检讨|作文|演讲稿|辞职信|信|诗)|翻译|翻成(英文|中文)|"
    r"宅基地|告得赢|算.{0,3}日子|黄历|开车要?(好久|多久)|"
    r"高铁票|火车票|机票|车票|航班|打官司|离婚|律师|判几年|贷款|理财|"
    r"^\s*[0-9０-９]+\s*[+\-*/×÷加减乘除]\s*[0-9０-９]+\s*(等于|=)?\s*(多少|几|好多)?[？?]?\s*$")

REPLY = {
    "greeting": "您好！我是科技云助手 🌱 有种养殖、健康、生活方面的问题直接问我，"
                "想请专家帮忙也可以直接说。",
    "thanks": "不客气！还有问题随时问我。",
    "ok": "好的。还有问题随时问我。",
    "capabilities": ("我是科技云助手：回答种养殖、健康、生活中的科普问题（只用经专家审核的文章，"
                     "附出处），帮企业、合作社、农户把技术需求整理好、推荐合适的专家，"
                     "科技工作者也可以在这里接单。"),
    "joke": "讲笑话我不太在行 😄 种地、养殖、健康方面的问题倒是可以问我。",
    "out_of_scope": ("这个我帮不上忙：科技云助手只回答种养殖、健康、生活中的科普问题，"
                     "并帮企业和农户对接科技专家。"),
}


def classify(text: str) -> str | None:
    """The kind of a message that is not a 科普 question, or None."""
    t = normalise(text).strip().lower()
    if not t or len(t) > 60:
        return None
    for kind, pattern in (("greeting", _GREETING), ("thanks", _THANKS), ("ok", _OK),
                          ("capabilities", _CAPABILITIES), ("joke", _JOKE),
                          ("out_of_scope", _OUT_OF_SCOPE)):
        if pattern.search(t):
            return kind
    return None
