"""Optional LLM need extraction: LangChain structured output (JSON mode) on any
OpenAI-compatible endpoint, with the prompts in `prompts/need_extract_*.txt`.

The model's record is checked field by field against the user's own words (`merge`); what
it cannot support, or everything on a timeout, an HTTP error, an open circuit breaker or
unparseable output, falls back to the rules. Contact details are removed before the text
leaves the machine, and are never taken from the model.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, Field

from core.settings import Settings
from knowledge import gazetteer, taxonomy
from matching import slots
from matching.extract import extract_need
from matching.need import NeedDraft, discipline_name
from retrieval.llm import call, chat_model, load_prompt
from retrieval.llm_guard import Breaker, breaker_for

log = logging.getLogger(__name__)


class LLMNeed(BaseModel):
    """What the model must return (JSON mode)."""

    kind: Literal["question", "service", "rd_challenge", "talent", "achievement_transfer"]
    title: str = Field(default="", max_length=60)
    discipline: str = Field(default="", max_length=60)
    keywords: list[str] = Field(default_factory=list, max_length=12)
    products: list[str] = Field(default_factory=list, max_length=12)
    region: str | None = Field(default=None, max_length=60)
    urgency: Literal["urgent", "soon", "normal"] | None = None
    budget: float | None = Field(default=None, ge=0, le=1e10)
    budget_text: str = Field(default="", max_length=64)
    confidentiality: Literal["public", "experts_only"] = "public"
    contact_consent: bool | None = None
    remote_ok: bool = False


class LLMExtractor:
    def __init__(self, settings: Settings, timeout: float | None = None,
                 breaker: Breaker | None = None) -> None:
        chat = chat_model(settings, timeout, temperature=0)
        self._structured = chat.with_structured_output(LLMNeed, method="json_mode")
        self.breaker = breaker or breaker_for(settings)
        self._endpoint = settings.llm_base_url or ""
        self._timeout = timeout if timeout is not None else settings.llm_timeout
        self._system = load_prompt("need_extract_system.txt")
        self._user = load_prompt("need_extract_user.txt")

    def extract(self, text: str, role: str | None = None) -> NeedDraft | None:
        """The LLM's record checked against the rules' one; None only for empty text."""
        rules = extract_need(text, role=role)
        if "description" in rules.missing:
            return rules  # nothing worth a model call
        try:
            result = call(self._structured, [
                ("system", self._system),
                ("human", self._user.format(text=rules.description)),
            ], self.breaker, "need", self._endpoint, self._timeout)
        except Exception:  # noqa: BLE001 - any model failure (or a skip) means: use the rules
            return rules
        if not isinstance(result, LLMNeed):
            return rules
        return merge(rules, result)


def merge(rules: NeedDraft, llm: LLMNeed) -> NeedDraft:
    """Take the model's fields only where the user's own words support them; the rules'
    reading stands otherwise. The region, urgency, budget and consent come from the user's
    words as the rules read them (a place the gazetteer finds, an urgency phrase, an amount,
    an explicit yes), never from the model's guess; keywords and products only when the
    user said those words; the kind only when the rules found no cue (their default)."""
    draft = NeedDraft(**{**rules.__dict__})
    draft.source = "llm"
    said = rules.description
    if rules.kind == "question" and llm.kind != "question":
        draft.kind = llm.kind  # the rules' "question" is their default, not a finding
    if llm.title.strip():
        draft.title = slots.extract_contacts(llm.title.strip())[0][:30]
    disc = taxonomy.map_discipline(llm.discipline) if llm.discipline else None
    if disc is not None and rules.discipline_code is None:
        draft.discipline_code, draft.discipline = disc.code, discipline_name(disc.code)
    words = [w.strip() for w in llm.keywords if isinstance(w, str) and 2 <= len(w.strip()) <= 12
             and w.strip() in said and not slots.find_contacts(w)]
    if words:
        draft.keywords = list(dict.fromkeys(words + rules.keywords))[:8]
    products = [p.strip() for p in llm.products if 1 <= len(p.strip()) <= 12
                and p.strip() in said]
    if products:
        draft.products = list(dict.fromkeys(rules.products + products))[:8]
    if rules.budget is None and not rules.budget_text and llm.budget_text \
            and llm.budget_text in said:
        parsed = slots.parse_budget(f"预算{llm.budget_text}")
        if parsed is not None:  # the amount as the user wrote it, never the model's figure
            draft.budget, draft.budget_text = parsed.amount, llm.budget_text[:64]
    if llm.confidentiality == "experts_only" and slots.states_visibility(said):
        draft.confidentiality = "experts_only"
    # a place the rules could not place ("会理的石榴": a short name they guard) is taken
    # only where the text names it as a place, never inside other words ("厂区东区")
    if rules.region_code is None and llm.region:
        region = gazetteer.resolve(llm.region) or gazetteer.find_region(llm.region)
        if region is not None and gazetteer.named_in(said, region):
            draft.region_code = region.code
    # urgency, consent and remote help: the rules' reading of the user's words only
    draft.urgency = rules.urgency
    draft.contact_consent, draft.remote_ok = rules.contact_consent, rules.remote_ok
    draft.recompute_missing()
    return draft
