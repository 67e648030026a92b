"""/api/v1/articles and its export: vetted articles only, unless the key has `articles:write`
(which may also bulk-import them, as drafts for review)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from knowledge.records import ArticleRow
from store.models import Article
from web import apikeys
from web.api.bulk import Strict, export_responses, read_rows, rows_body, run_import, stream
from web.api.common import (
    IMPORT_ERRORS,
    ITEM_ERRORS,
    JSONL,
    LIST_ERRORS,
    NOT_FOUND,
    PREFIX,
    ApiContext,
    ApiError,
    ArticleStatusFilter,
    Cursor,
    Limit,
    context,
    page,
    plausible_id,
    scope,
)
from web.api.schemas import ArticleOut, ArticlePage, ImportReportOut, article_out, article_row

router = APIRouter(prefix=PREFIX)


def visible_articles(key: apikeys.Key) -> Any:
    stmt = select(Article)
    if not key.allows("articles:write"):
        stmt = stmt.where(Article.status == "vetted")
    codes = key.region_codes()
    if codes is not None:  # province-wide articles (no region) are for everyone
        stmt = stmt.where(or_(Article.region_code.is_(None),
                              Article.region_code.in_(sorted(codes))))
    return stmt


@router.get("/articles", response_model=ArticlePage, responses=LIST_ERRORS,
            tags=["科普文章"], summary="科普文章列表（无 articles:write 权限时只含已审核文章）")
def list_articles(key: apikeys.Key = Depends(scope("articles:read")),
                  status: ArticleStatusFilter | None = None, limit: int = Limit,
                  cursor: str | None = Cursor, ctx: ApiContext = Depends(context)
                  ) -> dict[str, Any]:
    stmt = visible_articles(key)
    if status:
        stmt = stmt.where(Article.status == status)
    return page(ctx, stmt, Article, limit, cursor, article_out)


@router.get("/articles/{external_id:path}", response_model=ArticleOut, responses=ITEM_ERRORS,
            tags=["科普文章"], summary="一篇科普文章")
def get_article(external_id: str, key: apikeys.Key = Depends(scope("articles:read")),
                ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    if not plausible_id(external_id):
        raise ApiError(404, NOT_FOUND)
    with Session(ctx.engine) as s:
        art = s.execute(visible_articles(key).where(
            Article.external_id == external_id)).scalar_one_or_none()
    if art is None:
        raise ApiError(404, NOT_FOUND)
    return article_out(art)


@router.post("/articles", response_model=ImportReportOut, responses=IMPORT_ERRORS,
             tags=["科普文章"], summary="批量导入/更新科普文章（按 id）",
             openapi_extra=rows_body(ArticleRow, "科普文章"))
async def post_articles(request: Request, strict: bool = Strict,
                        key: apikeys.Key = Depends(scope("articles:write")),
                        ctx: ApiContext = Depends(context)) -> dict[str, Any]:
    rows = await read_rows(request)
    return await run_in_threadpool(run_import, ctx, "articles", rows, key, strict)


@router.get("/export/articles.jsonl", response_class=StreamingResponse,
            responses=export_responses("全部可见的科普文章"), tags=["导出"],
            summary="导出科普文章（JSON Lines；无 articles:write 权限时只含已审核文章）")
def export_articles(key: apikeys.Key = Depends(scope("articles:read")),
                    ctx: ApiContext = Depends(context)) -> StreamingResponse:
    return StreamingResponse(stream(ctx, visible_articles(key), Article, article_row),
                             media_type=JSONL)
