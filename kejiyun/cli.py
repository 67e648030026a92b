"""The `kejiyun` command line (contract: ../shared/DESIGN.md §3).

Exit status: 0 success; 2 bad input (what and where on stderr); 1 internal error.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from core.errors import BadInput, KejiyunError
from core.settings import get_settings

app = typer.Typer(
    help="科技云助手 Kejiyun — 科技所能 × 科技所需 × 科普 (chat-based S&T service assistant)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("kejiyun")
F = TypeVar("F", bound=Callable[..., Any])


class ImportKind(StrEnum):
    scientists = "scientists"
    articles = "articles"


SearchKind = ImportKind


def _err(message: str) -> None:
    typer.echo(message, err=True)


def error_boundary(func: F) -> F:
    """One error boundary per entry point: domain errors → exit 2, the unexpected → exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except KejiyunError as exc:
            _err(f"错误 (error): {exc}")
            raise typer.Exit(2) from None
        except Exception:
            log.exception("internal error in %s", func.__name__)
            _err("内部错误，详情已写入日志 (internal error; see the log in KEJIYUN_HOME/logs)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _setup_logging() -> None:
    from core import logs

    settings = get_settings()
    root = logging.getLogger()
    if not root.handlers:
        try:
            # text or JSON Lines (LOG_FORMAT); contact details and secrets masked
            handler = logs.make_handler(settings.log_format,
                                        path=logs.log_file(settings.kejiyun_home))
        except OSError:
            handler = logs.make_handler(settings.log_format)
        root.addHandler(handler)
        root.setLevel(logging.WARNING)  # libraries: warnings only
        for name in logs.APP_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


@app.callback()
def main() -> None:
    # With PROMETHEUS_MULTIPROC_DIR set, prometheus_client writes a file per metric as soon as
    # one is created (at import), so every command — not only serve — needs the directory.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    _setup_logging()


def _engine():  # type: ignore[no-untyped-def]
    from store.db import make_engine

    return make_engine()


@app.command()
@error_boundary
def init(
    demo: bool = typer.Option(False, "--demo/--no-demo",
                              help="同时导入演示语料 (load the demo corpus)"),
) -> None:
    """创建或升级数据库结构，载入四川行政区划；可选导入演示语料。"""
    from knowledge.bootstrap import init_store

    settings = get_settings()
    engine = _engine()
    result = init_store(engine, demo=demo, batch_size=settings.import_batch_size)
    if demo:
        _open_index(engine)  # embed the corpus now, not on the first question
    action = "已创建" if result.revision_before is None else "已是最新/已升级"
    typer.echo(f"数据库{action}（版本 {result.revision_after}），行政区划 {result.regions} 条。")
    for kind, rep in result.demo.items():
        label = "科技工作者" if kind == "scientists" else "科普文章"
        typer.echo(f"演示{label}：新增 {rep.imported}，更新 {rep.updated}，"
                   f"拒绝 {rep.rejected_count}，警告 {rep.warning_count}")
        for item in rep.rejected[:20]:
            _err(f"  第 {item['line']} 行 {item['id']}: {item['error']}")
    if any(rep.rejected_count for rep in result.demo.values()):
        raise typer.Exit(1)  # the shipped corpus must import cleanly: that is our bug


@app.command("import")
@error_boundary
def import_(
    kind: ImportKind = typer.Argument(..., help="scientists 或 articles"),
    path: Path = typer.Argument(..., help="JSON Lines (.jsonl) 或 CSV 文件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果"),
    strict: bool = typer.Option(False, "--strict", help="有任何无效行则全部不导入"),
) -> None:
    """导入科技工作者或科普文章（按 id 新增或更新）。"""
    from knowledge.importers import import_file

    settings = get_settings()
    engine = _engine()
    progress = None
    if sys.stderr.isatty() and path.is_file():
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        progress = Progress("[progress.description]{task.description}", BarColumn(),
                            DownloadColumn(), TimeRemainingColumn(),
                            transient=True, console=_stderr_console())
    if progress:
        with progress:
            task = progress.add_task("导入中", total=path.stat().st_size)
            report = import_file(engine, kind.value, path, strict=strict,
                                 batch_size=settings.import_batch_size,
                                 on_progress=lambda n: progress.advance(task, n))
    else:
        report = import_file(engine, kind.value, path, strict=strict,
                             batch_size=settings.import_batch_size)
    if report.imported or report.updated:
        _open_index(engine).sync(kind.value)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        verdict = ("（--strict：存在无效行，未导入任何数据）"
                   if strict and report.rejected_count else "")
        typer.echo(f"新增 {report.imported}，更新 {report.updated}，拒绝 {report.rejected_count}，"
                   f"警告 {report.warning_count}{verdict}")
        for w in report.warnings[:50]:
            _err(f"警告 第 {w['line']} 行 {w['id']}: {w['warning']}")
    for r in report.rejected[:50]:
        _err(f"{path}:{r['line']}: {r['id'] or ''} {r['error']}")
    if report.rejected_count > 50:
        _err(f"……另有 {report.rejected_count - 50} 行被拒绝 (more rejected rows not shown)")
    if report.rejected_count:
        raise typer.Exit(2)


def _open_index(engine, kinds: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    from retrieval.service import open_index

    # a command's process is short-lived: no full garbage collection before freezing the heap
    return open_index(engine, get_settings(), kinds=kinds, collect=False)


def _check_text(text: str | None, batch: Path | None) -> None:
    if (text is None) == (batch is None):
        raise BadInput("请给出一段文本，或用 --batch FILE 指定批量文件（二者选一） "
                       "(give TEXT or --batch FILE, not both)")


@app.command()
@error_boundary
def search(
    kind: SearchKind = typer.Argument(..., help="scientists 或 articles"),
    query: str | None = typer.Argument(None, help="查询文本"),
    batch: Path | None = typer.Option(None, "--batch", help="JSON Lines：{\"id\":…,\"text\":…}"),
    top: int = typer.Option(10, "--top", min=1, max=100, help="返回条数"),
    region: str | None = typer.Option(None, "--region", help="地区名或行政区划代码"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """检索科技工作者或已审核的科普文章（向量 + BM25 混合排序）。"""
    from core.batch import run_batch
    from retrieval.search import Searcher
    from store.db import ensure_schema

    _check_text(query, batch)
    engine = _engine()
    ensure_schema(engine)
    searcher = Searcher(_open_index(engine, (kind.value,)))  # only the kind searched
    label = "name" if kind is SearchKind.scientists else "title"

    def handle(text: str) -> dict[str, Any]:
        hits = searcher.search(kind.value, text, k=top, region=region,
                               available_only=False)
        return {"results": [{"id": h.id, label: h.title, "score": round(h.score, 4)}
                            for h in hits]}

    if batch is not None:
        bad = run_batch(batch, handle, typer.echo)
        if bad:
            raise typer.Exit(2)
        return
    result = handle(query or "")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    if not result["results"]:
        typer.echo("没有找到相关结果。")
    for i, r in enumerate(result["results"], start=1):
        typer.echo(f"{i:>2}. {r[label]}  ({r['id']}, {r['score']:.3f})")


@app.command()
@error_boundary
def match(
    text: str | None = typer.Argument(None, help="需求描述（企业、农户的原话即可）"),
    batch: Path | None = typer.Option(None, "--batch", help="JSON Lines：{\"id\":…,\"text\":…}"),
    top: int = typer.Option(10, "--top", min=1, max=100, help="返回的候选专家数"),
    region: str | None = typer.Option(
        None, "--region", help="需求所在地区（覆盖文本中的地区；就近优先，不排除可远程的专家）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """把需求描述整理成需求记录，并推荐最合适的科技工作者（附推荐理由）。"""
    from core.batch import run_batch
    from matching.rank import resolve_region
    from matching.service import make_matcher
    from store.db import ensure_schema

    _check_text(text, batch)
    if region:
        resolve_region(region)  # an unknown region is bad input before any work starts
    engine = _engine()
    ensure_schema(engine)
    matcher = make_matcher(_open_index(engine), engine, get_settings())

    def handle(t: str) -> dict[str, Any]:
        return matcher.match_json(t, top=top, region=region)

    if batch is not None:
        bad = run_batch(batch, handle, typer.echo)
        if bad:
            raise typer.Exit(2)
        return
    result = handle(text or "")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_match(result)


def _print_match(result: dict[str, Any]) -> None:
    from matching.need import KIND_LABELS, SLOT_QUESTIONS, URGENCY_LABELS

    need = result["need"]
    typer.echo(f"【{KIND_LABELS.get(need['kind'], need['kind'])}】{need['title'] or '（无标题）'}")
    facts = [f"地区：{need['region'] or '未注明'}", f"领域：{need['discipline'] or '未识别'}",
             f"紧急程度：{URGENCY_LABELS.get(need['urgency'], need['urgency'])}"]
    if need["budget"] is not None:
        facts.append(f"预算：{need['budget']:g} 元")
    elif need["budget_text"]:
        facts.append(f"预算：{need['budget_text']}")
    typer.echo("　".join(facts))
    if need["keywords"]:
        typer.echo("关键词：" + "、".join(need["keywords"]))
    if need["missing"]:
        typer.echo("还需补充：")
        for slot in need["missing"]:
            typer.echo(f"  - {SLOT_QUESTIONS[slot]}")
    if not result["candidates"]:
        typer.echo("没有找到合适的专家。" if "description" not in need["missing"]
                   else "请先把需求说具体一些，再为您匹配专家。")
        return
    typer.echo("推荐专家：")
    for i, c in enumerate(result["candidates"], start=1):
        typer.echo(f"{i:>2}. {c['name']}（{c['discipline']}，{c['region'] or '地区不详'}）"
                   f"  {c['scientist_id']}  {c['score']:.3f}")
        if c["reasons"]:
            typer.echo("    " + "；".join(c["reasons"]))


@app.command()
@error_boundary
def ask(
    text: str | None = typer.Argument(None, help="问题"),
    batch: Path | None = typer.Option(None, "--batch", help="JSON Lines：{\"id\":…,\"text\":…}"),
    region: str | None = typer.Option(None, "--region",
                                      help="提问人所在地区（其他地区的地方性文章不用于回答）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """用已审核的科普文章回答问题（附出处）；没有可靠依据时如实说明。"""
    from core.batch import run_batch
    from retrieval.service import make_answerer
    from store.db import ensure_schema

    _check_text(text, batch)
    engine = _engine()
    ensure_schema(engine)
    code = None
    if region:
        from matching.rank import resolve_region  # (costly import: only when needed)

        code = resolve_region(region)  # unknown: exit 2 before any work
    # answers come from articles alone: scientists are neither synced nor loaded
    answerer = make_answerer(_open_index(engine, ("articles",)), get_settings())

    if batch is not None:
        bad = run_batch(batch, lambda t: answerer.ask(t, code).to_json(), typer.echo)
        if bad:
            raise typer.Exit(2)
        return
    result = answerer.ask(text or "", code)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    typer.echo(result.answer)
    for i, c in enumerate(result.citations, start=1):
        typer.echo(f"  [{i}] {c.title}（{c.article_id}）")


@app.command()
@error_boundary
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="进程数"),
) -> None:
    """启动网页聊天、微信/Telegram 回调与后台任务（未配置平台时只提供网页聊天）。"""
    import uvicorn

    from knowledge.bootstrap import init_store

    settings = get_settings()
    engine = _engine()
    if workers > 1 and engine.dialect.name == "sqlite":
        # SQLite has one writer and no cross-process lock for a conversation's turns
        raise BadInput("多个进程需要 PostgreSQL：请设置 DATABASE_URL，或使用 --workers 1 "
                       "(several workers need PostgreSQL)")
    init_store(engine, batch_size=settings.import_batch_size)  # migrate once, up front
    channels = ["网页聊天 /chat"]
    if settings.telegram_bot_token:
        channels.append("Telegram（webhook）" if settings.telegram_webhook_url
                        else "Telegram（长轮询）")
    if settings.wechat_token:
        channels.append("微信公众号 /wechat")
    typer.echo(f"科技云助手：http://{host}:{port}/chat  渠道：{'、'.join(channels)}")
    from core.logs import log_file, uvicorn_log_config
    from core.metrics import prepare_multiprocess_dir

    prepare_multiprocess_dir()  # PROMETHEUS_MULTIPROC_DIR: no counts left from the last run
    if workers > 1:
        # each worker encodes queries with BLAS threads of its own: share the cores out, or
        # N workers × all cores threads fight over them (worse than one worker under load)
        os.environ.setdefault("KEJIYUN_ENCODER_THREADS",
                              str(max(1, (os.cpu_count() or 1) // workers)))
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning",
                log_config=uvicorn_log_config(settings.log_format,
                                              log_file(settings.kejiyun_home)))


@app.command()
@error_boundary
def worker() -> None:
    """后台任务：派单超时与再派单、发件箱投递、检索索引同步、每周一的周报。设置 REDIS_URL 时
    在 Redis 上运行（可开多个进程，每个任务每次只运行一次）；否则在本进程循环运行。"""
    from kejiyun.jobs import run_worker
    from store.db import ensure_schema

    settings = get_settings()
    ensure_schema(_engine())
    mode = "Redis 队列（arq）" if settings.redis_url else "本进程循环"
    typer.echo(f"科技云助手后台任务已启动：{mode}。Ctrl-C 结束。")
    run_worker(settings)


staff_app = typer.Typer(help="工作人员账号（工作台 /console）", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
@error_boundary
def staff_add(
    username: str = typer.Argument(..., help="登录用户名"),
    role: str = typer.Option(..., "--role", help="province（省）、city（市/州）或 county（县/区）"),
    region: str = typer.Option(..., "--region", help="所辖地区，如 四川省、宜宾市、宜宾市翠屏区"),
    name: str = typer.Option("", "--name", help="显示名"),
    password: str = typer.Option(..., "--password", prompt="密码", hide_input=True,
                                 confirmation_prompt=True, envvar="KEJIYUN_STAFF_PASSWORD",
                                 help="至少 10 位；不给则交互输入"),
) -> None:
    """添加工作人员账号（第一个省级管理员也用它创建）。"""
    from knowledge.bootstrap import init_store
    from web.staff import add_staff

    engine = _engine()
    init_store(engine)
    staff_id = add_staff(engine, username, password, role, region, name)
    typer.echo(f"已创建工作人员账号 {username}（编号 {staff_id}，{role}，{region}）。")


demo_app = typer.Typer(help="演示数据：模拟几周的问答和派单、演示用工作人员账号",
                       no_args_is_help=True)
app.add_typer(demo_app, name="demo")
DEMO_ADMIN, DEMO_PASSWORD = "demo-admin", "kejiyun-demo-2026"


@demo_app.command("activity")
@error_boundary
def demo_activity(
    weeks: int = typer.Option(6, "--weeks", min=1, max=26, help="模拟最近几周"),
    seed: int = typer.Option(7, "--seed", help="随机种子（同一种子得到同样的数据）"),
) -> None:
    """在演示库里模拟最近几周的提问、需求、派单和答复，让数据看板和周报有内容。只用于演示。"""
    from kejiyun.demo import already_played, simulate
    from store.db import ensure_schema

    engine = _engine()
    ensure_schema(engine)
    if already_played(engine):
        typer.echo("演示活动数据已存在，跳过。")
        return
    report = simulate(engine, get_settings(), weeks=weeks, seed=seed)
    typer.echo(f"已模拟 {weeks} 周：提问 {report.questions} 条，需求 {report.needs} 条，"
               f"派单 {sum(report.offers.values())} 份。")


@demo_app.command("staff")
@error_boundary
def demo_staff() -> None:
    """创建演示用省级管理员（用户名 demo-admin，密码 kejiyun-demo-2026）。切勿在正式部署中使用。"""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from store.db import ensure_schema
    from store.models import StaffAccount
    from web.staff import add_staff

    engine = _engine()
    ensure_schema(engine)
    with Session(engine) as s:
        exists = s.execute(select(StaffAccount.id).where(
            StaffAccount.username == DEMO_ADMIN)).first() is not None
    if not exists:
        add_staff(engine, DEMO_ADMIN, DEMO_PASSWORD, "province", "四川省", "演示管理员")
    typer.echo(f"工作台演示账号：用户名 {DEMO_ADMIN}，密码 {DEMO_PASSWORD}（仅供演示，正式部署请用 "
               "kejiyun staff add 创建账号）")


apikey_app = typer.Typer(help="合作平台接口 /api/v1 的 API 密钥", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("add")
@error_boundary
def apikey_add(
    name: str = typer.Argument(..., help="合作方名称，如 “重庆科技服务平台”"),
    scopes: str = typer.Option(..., "--scopes",
                               help="权限范围，逗号分隔：needs:read,scientists:read,"
                                    "scientists:write,scientists:contacts,articles:read,"
                                    "articles:write,stats:read"),
    region: str | None = typer.Option(None, "--region",
                                      help="只允许访问该地区（含下级），如 宜宾市；不给则不限"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """创建 API 密钥：密钥只显示这一次，数据库里只保存其哈希。"""
    from knowledge.bootstrap import init_store
    from web.apikeys import create_key

    engine = _engine()
    init_store(engine)
    token, info = create_key(engine, name, scopes, region)
    if as_json:
        typer.echo(json.dumps({**info.to_json(), "key": token}, ensure_ascii=False))
        return
    typer.echo(f"已创建 API 密钥“{info.name}”（前缀 {info.prefix}，权限 {','.join(info.scopes)}，"
               f"地区 {info.region_name or '不限'}）。")
    typer.echo("请立即妥善保存，之后无法再次查看 (shown once):")
    typer.echo(token)


@apikey_app.command("list")
@error_boundary
def apikey_list(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出 API 密钥（只显示前缀，从不显示密钥本身）。"""
    from store.db import ensure_schema
    from web.apikeys import list_keys

    engine = _engine()
    ensure_schema(engine)
    keys = list_keys(engine)
    if as_json:
        typer.echo(json.dumps([k.to_json() for k in keys], ensure_ascii=False))
        return
    if not keys:
        typer.echo("还没有 API 密钥。用 kejiyun apikey add 创建。")
    for k in keys:
        state = f"已吊销 {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "有效"
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "从未使用"
        typer.echo(f"{k.prefix}  {k.name}  [{','.join(k.scopes)}]  "
                   f"地区：{k.region_name or '不限'}  {state}  最近使用：{used}")


@apikey_app.command("revoke")
@error_boundary
def apikey_revoke(prefix: str = typer.Argument(..., help="密钥前缀（kejiyun apikey list 中显示）")
                  ) -> None:
    """吊销 API 密钥：立即失效，不可恢复。"""
    from store.db import ensure_schema
    from web.apikeys import revoke

    engine = _engine()
    ensure_schema(engine)
    info, changed = revoke(engine, prefix)
    if changed:
        typer.echo(f"已吊销 API 密钥 {info.prefix}（{info.name}）。")
    else:
        typer.echo(f"API 密钥 {info.prefix}（{info.name}）此前已吊销，无需操作。")


report_app = typer.Typer(help="报表：周报（地区数字、趋势图、未满足的科普需求）",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("weekly")
@error_boundary
def report_weekly(
    region: str | None = typer.Option(None, "--region",
                                      help="地区名或行政区划代码（默认全省），如 宜宾市、511502"),
    week: str | None = typer.Option(None, "--week", help="ISO 周，如 2026-W47（默认上一个完整周）"),
    out: Path | None = typer.Option(None, "--out",
                                    help="输出目录（默认 KEJIYUN_HOME/reports/<地区代码>/<周>/）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（数字、主题和文件路径）"),
) -> None:
    """生成周报：report.html、趋势图 PNG 和 figures.csv，打印 report.html 的路径。"""
    from reports.scope import resolve_scope
    from reports.weekly import build_report, default_out_dir, resolve_week, write_report
    from store.db import ensure_schema

    scope = resolve_scope(region)  # bad region or week: exit 2 before any work
    wk = resolve_week(week)
    engine = _engine()
    ensure_schema(engine)
    report = build_report(engine, scope, wk)
    files = write_report(report, out or default_out_dir(get_settings().kejiyun_home, report))
    if as_json:
        typer.echo(json.dumps({**report.to_json(), "files": {
            "html": str(files.html), "csv": str(files.csv),
            "png": [str(p) for p in files.pngs]}}, ensure_ascii=False))
        return
    typer.echo(str(files.html))


class ChatRole(StrEnum):
    farmer = "farmer"
    enterprise = "enterprise"
    scientist = "scientist"


@app.command()
@error_boundary
def chat(
    role: ChatRole | None = typer.Option(None, "--as",
                                         help="身份：farmer、enterprise 或 scientist"),
    user: str = typer.Option("terminal", "--user", help="终端用户标识（同一标识可接着上次聊）"),
) -> None:
    """在终端里和助手对话（与微信、Telegram 同一套对话流程）；输入 退出 结束。"""
    from bot.handlers.cli import run
    from bot.services import build
    from store.db import ensure_schema

    engine = _engine()
    ensure_schema(engine)
    # the terminal is this process's only channel: other users' notifications wait for theirs
    services = build(get_settings(), engine=engine, channels=())
    run(services, user, role.value if role else None)


@app.command()
@error_boundary
def reindex() -> None:
    """从数据库重建检索索引（向量 + BM25）。"""
    from retrieval.service import open_index
    from store.db import ensure_schema

    engine = _engine()
    ensure_schema(engine)
    index = open_index(engine, get_settings(), sync=False)
    for kind, res in index.sync_all(force=True).items():
        label = "科技工作者" if kind == "scientists" else "科普文章片段"
        typer.echo(f"{label}：已索引 {res['docs']} 条")


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


@app.command()
@error_boundary
def stats(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """平台数据统计：科技工作者、文章、需求、派单。"""
    from store.db import ensure_schema
    from store.stats import collect

    engine = _engine()
    ensure_schema(engine)
    data = collect(engine)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    a, n, o = data["articles"], data["needs"], data["offers"]
    typer.echo(f"科技工作者：{data['scientists']}")
    typer.echo(f"科普文章：已审核 {a['vetted']}，草稿 {a['draft']}，已下线 {a['retired']}")
    typer.echo("需求：" + "，".join(f"{k} {v}" for k, v in n.items()))
    typer.echo("派单：" + "，".join(f"{k} {v}" for k, v in o.items()))


if __name__ == "__main__":  # pragma: no cover
    app()
