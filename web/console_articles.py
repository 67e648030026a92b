"""Console: 科普 articles — list, write, edit, and the review workflow
draft → review → vetted → retired. Every change re-syncs the search index, so a newly vetted
article answers at once and a retired one never again.

Articles are public, so every staff member may read all of them; changing one is limited to
the region subtree (province-wide articles, with no region, to province staff).

Article ids come from import files and may hold any character, `/` included, so the routes
take the id as a path (`{ext_id:path}`) with the action as a fixed last segment.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.errors import KejiyunError
from knowledge import gazetteer
from knowledge.vetting import ACTIONS, ArticleInput, create_draft, edit, set_status, split_tags
from store import articles as store_articles
from store import audit as store_audit
from store.models import Article, ArticleStatus
from web.console_context import (
    Console,
    check_csrf,
    console,
    path_segment,
    refuse,
    signed_in_staff,
)
from web.staff import Staff


def may_change(staff: Staff, region_code: str | None) -> bool:
    if staff.role == "province":
        return True
    return bool(region_code) and gazetteer.is_within(region_code, staff.region_code)


router = APIRouter(prefix="/console")
Ctx = Depends(console)
SignedIn = Depends(signed_in_staff)


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, status: str = "", q: str = "", staff: Staff = SignedIn,
             ctx: Console = Ctx) -> Response:
    rows = store_articles.search(ctx.engine, status if status in ArticleStatus.__members__
                                 else None, q.strip()[:50])
    waiting = store_articles.waiting_review(ctx.engine)
    waiting = [a for a in waiting if may_change(staff, a.region_code)]
    return ctx.page(request, "articles.html", staff=staff, articles=rows, waiting=waiting,
                    status=status, q=q[:50], may_change=lambda a: may_change(staff, a))


@router.get("/articles/new", response_class=HTMLResponse)
def new_form(request: Request, title: str = "", body: str = "", tags: str = "",
             origin: str = "", staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    return ctx.page(request, "article.html", staff=staff, article=None, audit=[],
                    form={"title": title[:300], "body": body[:20_000], "tags": tags[:200],
                          "source": "", "audience": "", "origin": origin[:100]},
                    actions=[], editable=True)


@router.post("/articles/new")
def create(request: Request, title: str = Form(""), body: str = Form(""),
           source: str = Form(""), tags: str = Form(""), audience: str = Form(""),
           origin: str = Form(""), csrf: str = Form(""), staff: Staff = SignedIn,
           ctx: Console = Ctx) -> Response:
    check_csrf(staff, csrf)
    data = ArticleInput(title, body, source, split_tags(tags), audience)
    region = None if staff.role == "province" else staff.region_code
    try:
        article = create_draft(ctx.engine, data, actor=f"staff:{staff.id}",
                               author=staff.username, region_code=region, origin=origin)
    except KejiyunError as exc:
        form = {"title": title, "body": body, "tags": tags, "source": source,
                "audience": audience, "origin": origin}
        return ctx.page(request, "article.html", http_status=400, staff=staff,
                        article=None, audit=[], form=form, actions=[], editable=True,
                        message=str(exc), message_ok=False)
    return _back(ctx, request, article.external_id, "草稿已保存。")


def _load(ctx: Console, ext_id: str) -> Article:
    article = store_articles.by_external_id(ctx.engine, ext_id)
    if article is None:
        raise refuse("没有这篇文章 (no such article)", 404)
    return article


@router.get("/articles/{ext_id:path}", response_class=HTMLResponse)
def detail(request: Request, ext_id: str, staff: Staff = SignedIn, ctx: Console = Ctx
           ) -> Response:
    article = _load(ctx, ext_id)
    audit = store_audit.history(ctx.engine, "article", ext_id)
    editable = may_change(staff, article.region_code)
    form = {"title": article.title, "body": article.body, "tags": "、".join(article.tags),
            "source": article.source, "audience": article.audience,
            "origin": article.origin}
    return ctx.page(request, "article.html", staff=staff, article=article, audit=audit,
                    form=form, editable=editable and article.status != "retired",
                    actions=ACTIONS[ArticleStatus(article.status)] if editable else [],
                    **ctx.take_flash(request))


@router.post("/articles/{ext_id:path}/edit")
def save(request: Request, ext_id: str, title: str = Form(""), body: str = Form(""),
         source: str = Form(""), tags: str = Form(""), audience: str = Form(""),
         csrf: str = Form(""), staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    _check_change(staff, _load(ctx, ext_id), csrf)
    try:
        edit(ctx.engine, ext_id, ArticleInput(title, body, source, split_tags(tags), audience),
             actor=f"staff:{staff.id}", reviewer=staff.display_name)
    except KejiyunError as exc:
        return _back(ctx, request, ext_id, str(exc), ok=False)
    ctx.sync("articles")
    return _back(ctx, request, ext_id, "已保存。")


@router.post("/articles/{ext_id:path}/status")
def move(request: Request, ext_id: str, to: str = Form(""), csrf: str = Form(""),
         staff: Staff = SignedIn, ctx: Console = Ctx) -> Response:
    _check_change(staff, _load(ctx, ext_id), csrf)
    try:
        set_status(ctx.engine, ext_id, to, actor=f"staff:{staff.id}",
                   reviewer=staff.display_name)
    except KejiyunError as exc:
        return _back(ctx, request, ext_id, str(exc), ok=False)
    ctx.sync("articles")
    done = {"review": "已提交审核。", "vetted": "已审核通过，现在可以用于回答。",
            "retired": "已下线，不会再用于回答。", "draft": "已退回草稿。"}
    return _back(ctx, request, ext_id, done.get(to, "已更新。"))


def _check_change(staff: Staff, article: Article, csrf: str) -> None:
    check_csrf(staff, csrf)
    if not may_change(staff, article.region_code):
        raise refuse("无权修改其他地区的文章 (outside your region)", 403)


def _back(ctx: Console, request: Request, ext_id: str, message: str, ok: bool = True
          ) -> RedirectResponse:
    ctx.flash(request, message, ok)
    return RedirectResponse(f"/console/articles/{path_segment(ext_id)}", status_code=303)
