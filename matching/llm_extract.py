"""Optional LLM need extraction: LangChain structured output (JSON mode) on any
OpenAI-compatible endpoint, with the prompts in `prompts/need_extract_*.txt`.

The model's record is validated field by field (enums, the gazetteer for the region, the
taxonomy for the discipline, numbers for the budget); what fails validation, or everything on
a timeout, an HTTP error or unparseable output, falls back to the rules. Contact details are
removed before the text leaves the machine, and are never taken from the model.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, Field

from kejiyun.settings import Settings
from knowledge import gazetteer, taxonomy
from matching import slots
from matching.extract import extract_need
from matching.need import NeedDraft, discipline_name
from retrieval.llm import chat_model, load_prompt

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
    def __init__(self, settings: Settings, timeout: float = 20.0) -> None:
        chat = chat_model(settings, timeout, temperature=0)
        self._structured = chat.with_structured_output(LLMNeed, method="json_mode")
        self._system = load_prompt("need_extract_system.txt")
        self._user = load_prompt("need_extract_user.txt")

    def extract(self, text: str, role: str | None = None) -> NeedDraft | None:
        """The LLM's record checked against the rules' one; None only for empty text."""
        rules = extract_need(text, role=role)
        if "description" in rules.missing:
            return rules  # nothing worth a model call
        try:
            result = self._structured.invoke([
                ("system", self._system),
                ("human", self._user.format(text=rules.description)),
            ])
        except Exception as exc:  # noqa: BLE001 - any model failure means: use the rules
            log.warning("LLM need extraction failed, using rules: %s", type(exc).__name__)
            return rules
        if not isinstance(result, LLMNeed):
            return rules
        return merge(rules, result)


def merge(rules: NeedDraft, llm: LLMNeed) -> NeedDraft:
    """Take the model's fields where they validate; keep the rules' otherwise. Slots the
    rules found in the user's own words (a stated budget, a place) win over the model."""
    draft = NeedDraft(**{**rules.__dict__})
    draft.source = "llm"
    draft.kind = llm.kind
    if llm.title.strip():
        draft.title = slots.extract_contacts(llm.title.strip())[0][:30]
    disc = taxonomy.map_discipline(llm.discipline) if llm.discipline else None
    if disc is not None and rules.discipline_code is None:
        draft.discipline_code, draft.discipline = disc.code, discipline_name(disc.code)
    words = [w.strip() for w in llm.keywords if isinstance(w, str) and 2 <= len(w.strip()) <= 12
             and not slots.find_contacts(w)]  # a contact never becomes a keyword
    if words:
        draft.keywords = list(dict.fromkeys(words + rules.keywords))[:8]
    products = [p.strip() for p in llm.products if 1 <= len(p.strip()) <= 12]
    if products:
        draft.products = list(dict.fromkeys(rules.products + products))[:8]
    said = rules.description
    if rules.region_code is None and llm.region:
        region = gazetteer.resolve(llm.region) or gazetteer.find_region(llm.region)
        # only a place the user named: the short name ("会理") must be in their words
        if region is not None and (region.short_name in said or region.name in said):
            draft.region_code = region.code
    if rules.urgency is None and llm.urgency is not None:
        draft.urgency = llm.urgency
    if rules.budget is None and not rules.budget_text and llm.budget_text \
            and llm.budget_text in said:
        parsed = slots.parse_budget(f"预算{llm.budget_text}")
        if parsed is not None:
            draft.budget, draft.budget_text = parsed.amount, llm.budget_text[:64]
        else:
            draft.budget, draft.budget_text = llm.budget, llm.budget_text[:64]
    if llm.confidentiality == "experts_only":
        draft.confidentiality = "experts_only"
    if rules.contact_consent is None and llm.contact_consent is not None:
        draft.contact_consent = llm.contact_consent
    # remote help changes who is asked and whether a region is needed: only on the user's
    # own words (the rules), never on the model's reading
    draft.remote_ok = rules.remote_ok
    draft.recompute_missing()
    return draft
