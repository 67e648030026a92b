"""Every user-facing string of the dialogs, in one place (Simplified Chinese)."""

from __future__ import annotations

from matching.need import NEED_STATUS_LABELS
from matching.notifications import RATE_STARS

WELCOME = ("您好！我是科技云助手 🌱\n"
           "可以回答种养殖、健康、生活中的科普问题（附权威出处），\n"
           "也可以帮企业、合作社、农户发布技术需求，为您对接科技专家。\n"
           "请选择，或者直接把问题发给我：")
HELP = ("使用说明：\n"
        "· 直接输入问题，例如“李子园土壤酸化板结怎么办”\n"
        "· 想请专家上门、检测、合作研发，直接描述需求，我会帮您整理并推荐专家\n"
        "· 我的需求：查看已发布的需求；我的接单：科技工作者查看收到的邀请\n"
        "· 取消：退出当前填写；关联：把微信和 Telegram 账号合并；删除我的数据：注销并删除个人信息")
ASK_PROMPT = "请直接输入您的问题，越具体越好（作物/症状/地点）。"
NEED_PROMPT = "请描述您的技术需求：遇到了什么问题、想达到什么效果，在哪个县区，急不急，大概预算。"
NOT_TEXT = "暂时只能看懂文字消息。请用文字描述您的问题或需求。"
EMPTY = "没有收到内容。请直接输入您的问题或需求，或回复“帮助”。"
TOO_LONG = "内容太长，我只看了前 {n} 个字。"
SORRY = "抱歉，系统开小差了，请稍后再试。您的信息没有丢失。"
CANCELLED = "已取消。需要时随时再来找我。"
NOTHING_TO_CANCEL = "好的。有问题或需求随时直接发给我。"
OFFERS_BY_TEXT = "回复“接单 1”接下第 1 个，“婉拒 2”婉拒第 2 个，“详情 1”或“1”看详情。"
NOT_PUBLISHED = "好的，还没有发布。要改哪里直接告诉我（比如“预算改成三万”），或者点“取消”。"
FORWARD = "请当地专家解答"
# the same answer asked for again inside a form: not repeated, the form goes on
SAME_ANSWER = "办法就是上面那条回答里说的。"
FORWARD_START = "好的，我把您的问题整理成一条咨询，推荐给当地专家。"
EXPERT_AFTER_ANSWER = "好的，我帮您请当地专家来看看刚才说的问题（不需要的话回复“算了”）。"
# a farmer's or firm's problem that no vetted article answers: an expert is offered at once
NO_ARTICLE_ASK_EXPERT = ("目前还没有经过专家审核的科普内容能回答这个问题。我帮您请当地专家来看看"
                         "（不需要的话回复“算了”）。")
# "我是苍溪的 种了三十亩红心猕猴桃": who they are and what they grow, nothing asked yet
INTRO_PRODUCT = ("您好！请问{product}遇到了什么问题？直接说说看到的情况，我先找权威的科普解答；"
                 "想请专家来看也可以直接说。")
NO_QUESTION = "没有找到要转给专家的问题，请重新输入问题。"
SLOT_RETRY = {
    "description": "请再具体说说问题（例如作物、症状、设备、想达到的效果）。",
    "region": ("没有识别出地区，请说您在哪个市、县（区），例如“宜宾市翠屏区”；"
               "如果远程指导就行，请回复“远程”。"),
    "urgency": "这件事急不急？请回复：很急（这周内）/ 尽快（这个月）/ 不急。",
    "budget": "大概能承担多少费用？请说一个大概的金额，例如“五千”“三万左右”，或者回复“面议”。",
    "contact_consent": "专家接单后，是否同意把您的联系方式告诉这位专家？请回复“同意”或“不同意”。",
}
# the prompt said again more plainly, for "你说啥子", "没听懂"
SLOT_PLAIN = {
    "description": "就是想请您说说遇到了什么问题，比如“李子树叶子发黄”“猪不吃食”。",
    "region": "就是问您在哪个市、县（区），比如“雅安市名山区”；只说县名“名山”也行。",
    "urgency": ("就是问这件事急不急：这周内就要人来，回“很急”；这个月内，回“尽快”；"
                "不赶时间，回“不急”。回数字 1、2、3 也可以。"),
    "budget": "就是问请专家的费用大概能出多少，比如“五百”“两千左右”；说不好就回“面议”。",
    "contact_consent": ("就是问专家接单以后，能不能把您的联系方式告诉这位专家，方便他联系您。"
                        "可以就回“同意”，不想给就回“不同意”。"),
}
# a place said alone, at rest
NOTED = "好的，记下了：{what}。"  # a field said while another was asked
PLACE_NOTED = ("好的，记下了您在{place}。有种养殖、健康方面的问题直接问我；想请专家来看，"
               "直接说遇到了什么问题。")
# "要不要钱哦" inside the form
COST_IN_FORM = ("在平台提问、发需求都不收钱；专家上门或做方案的费用由您和接单的专家商量，"
                "说不好可以选“面议”。")
# the card explained, for "你说啥子" at the card
CARD_PLAIN = ("这是您要发布的需求，请看一下对不对：对就回“确认”；要改哪里直接说，"
              "比如“预算改成三千”；不要了就回“取消”。")
# why a slot is asked, for a question asked back instead of an answer
SLOT_WHY = {
    "urgency": "紧急程度只是让专家知道什么时候需要，费用由您和专家商量，不因为急就多收。",
    "region": "问地区是为了优先找您附近的专家，方便上门；只记到县（区），您的住址不会公开。",
    "contact_consent": ("联系方式只在专家接单后才告诉这一位专家，不会公开；"
                        "不同意也可以，专家会通过平台留言联系您。"),
}
# "你问那么多做啥子" when asked the budget
BUDGET_WHY = "问费用是让专家心里有数；不好说的话回复“面议”就行，费用由您和专家商量。"
# "你问那么多干啥子 来了就晓得了" when asked what the problem is
PROBLEM_WHY = "说清楚是什么作物或牲畜、出了什么状况，才能找到对口的专家，专家来之前也好准备。"
# "你们的专家是哪里的" inside the form
WHO_THE_EXPERTS = ("专家来自平台登记的高校、科研院所、农技推广单位和企业，优先匹配您附近、"
                   "研究方向对口的；专家接单后您会看到他的姓名和单位。")
# "这个要问下我们老板" inside the form: it waits for them
ASK_THEM_FIRST = "好的，问好了直接回复我就行，前面填的都给您留着。"
# "专家一般要好多钱嘛" at the budget prompt: what it costs is agreed between the two sides
PRICE_ASKED = ("专家服务的费用由您和接单的专家商量。您可以说一个大概的预算（例如“五千”），"
               "也可以回复“面议”。")
# asked at the card what publishing brings
WHAT_NEXT = ("发布后我马上把需求推送给匹配的专家；有专家接单会第一时间通知您，"
             "专家没开通在线接单的，由当地科协工作人员电话联系。要发布请回复“确认”。")
# a city said alone: its county asked once ("不清楚" keeps the city)
# the place asked three times and not said: the form goes on
REGION_LEFT_OPEN = ("地区先记成“不限（可远程）”；需要专家上门的话，在卡片上回复"
                    "“地区改成某某县”就行。")
# a county name two cities share ("市中区"): which city's
WHICH_CITY = "{cities}都有{county}，您说的是哪个市的？"
COUNTY_ASK = "您在哪个市、县（区）？{city}的话，是哪个县（区）？不清楚就回复“不清楚”。"
SUMMARY_HEAD = "请确认需求信息："
# asked of enterprises on the card: many firms' problems are commercial secrets
VISIBILITY_ASK = "这条需求默认公开；如果不想公开，请回复“不公开”，只给匹配到的专家看。"
PRIVATE = "不公开"
CONFIRM, EDIT, DROP = "确认发布", "修改", "取消"
EDIT_PROMPT = "请直接说要修改或补充的内容。"
# "地区不对" at the card with no new value: the right one asked for, the card kept
FIX_FIELD = {
    "region": "好的，请说一下正确的市、县（区），例如“眉山市彭山区”，或者只说“彭山”。",
    "budget": "好的，请说一下正确的预算，例如“五千”“三万左右”，或者“面议”。",
    "urgency": "好的，请说一下有多急：很急（这周内）/ 尽快（这个月）/ 不急。",
}
PUBLISHED = "需求已发布！{sent}有专家接单会第一时间通知您。"  # sent: offers.sent_message
PUBLISHED_NONE = "需求已发布，但暂时没有匹配到合适的专家，已转交当地科协工作人员人工对接。"
SCIENTIST_MENU = ("科技工作者您好！\n"
                  "· 已在平台登记过档案：请回复“绑定 绑定码”（绑定码向当地科协工作人员获取）\n"
                  "· 还没有档案：回复“注册”，按提示自助登记")
NOT_SCIENTIST = "只有绑定了科技工作者档案的账号才能处理派单。请先回复“绑定 绑定码”或“注册”。"
BOUND = "绑定成功！{name}，以后有匹配的需求会推送给您。"
REGISTER_STEPS = {
    "name": "请输入您的姓名（或团队名称）：",
    "workplace": "您在哪个单位工作？例如“宜宾市农业科学院”“某某公司技术部”：",
    "discipline": "您的专业领域是？例如“果树栽培”“土壤肥料”“化学工程”",
    "directions": "请列出研究方向或擅长的技术，用逗号分开：",
    "region": "您在哪个市、县（区）？",
    "phone": ("请留一个联系电话（手机或带区号的座机）。只在您接单后告诉需求方，"
              "工作人员审核档案时也会用到："),
}
# a step of registration answered with a phone, digits only or a place where none is asked
REGISTER_WORDS_RETRY = "这一步请用文字填{what}（电话和地区后面再问）："
REGISTER_PHONE_RETRY = ("没认出电话号码。请输入手机号或带区号的座机，"
                        "例如 13800001111 或 0831-2345678。接单要有电话，不想留可以回复“取消”。")
REGISTERED = "登记完成！档案待工作人员审核，审核前也可以接收匹配的需求。"
MINE_EMPTY = "您还没有发布过需求。"
OFFERS_EMPTY = "目前没有待处理的邀请。"
DELETE_CONFIRM = ("确定要删除您的个人数据吗？将删除您的昵称、联系方式、聊天账号绑定和对话记录，"
                  "已发布需求中的个人信息也会清除（匿名统计保留），此操作无法撤销。")
DELETE_YES, DELETE_NO = "确认删除", "不删了"
DELETED = "您的个人数据已删除。感谢使用科技云助手。"
LINK_CODE = ("您的关联码是 {code}（24 小时内有效）。\n"
             "请在另一个平台（微信或 Telegram）的科技云助手里发送“关联 {code}”。")
LINKED = "关联成功！两个平台的账号已合并，身份和记录保持一致。"
NO_OPTION = "现在没有可选的编号。请直接输入您的问题或需求，或回复“帮助”。"
STALE_BUTTON = "这个按钮已失效，请重新操作。"
RATE_PROMPT = "服务结束了吗？请为专家的服务打分："
SERVICE_DONE = "#{id} 服务已完成，去评价"
DONE_PROMPT = "专家服务结束后，点“服务已完成”为 #{id} 打分。"
STARS = RATE_STARS
RATED = "感谢您的评价！"
SERVING = ("【服务中】#{id} {title}\n"
           "服务做完了，点“服务已完成”（或回复“服务完成了”），我们会请需求方打分。")
SERVED = "服务已完成"
STATUS = NEED_STATUS_LABELS
REGISTER_FROM_INTRO = ("您好！欢迎科技工作者。回复“注册”就能登记科技工作者档案（几步就好），"
                       "登记后会收到匹配的需求邀请；已在平台登记过的，回复“绑定 绑定码”。"
                       "有科普问题也可以直接问我。")
