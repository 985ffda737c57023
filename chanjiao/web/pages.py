"""The workbench's pages: each one library call (as its API route makes) and a template.

Routes are plain functions (run in the thread pool, as the API's are); a page
that cannot be built shows the library's error in words, with its HTTP status.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from chanjiao import __version__
from chanjiao.analysis.certification import certification
from chanjiao.analysis.clusters import build_cluster
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.overview import construction, course_matrix
from chanjiao.analysis.partners import check_eligibility, enterprise_service
from chanjiao.analysis.paths import semester_plan
from chanjiao.analysis.resources import resource_shortfalls
from chanjiao.analysis.scenarios import list_scenarios
from chanjiao.analysis.scoring import STATUS_ZH
from chanjiao.analysis.talent import TalentSettings, cohort_readiness, match_position
from chanjiao.errors import ChanjiaoError
from chanjiao.graph.cache import GenerationCache
from chanjiao.graph.schema import LABEL_ZH, LEVEL_WORDS, LEVEL_WORDS_EN, REL_ZH, Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.template import write_template
from chanjiao.report.html import heatmap
from chanjiao.viz.graph import LABEL_STYLE
from chanjiao.web.auth import LOGIN_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Sessions, set_cookie

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
Opt = Annotated[str | None, Query(max_length=100)]
LANG_COOKIE = "cj_lang"

#: The navigation bar: (path, 中文, English).
NAV = [
    ("/", "总览", "Dashboard"),
    ("/gaps", "差距分析", "Gaps"),
    ("/map", "课程地图", "Curriculum map"),
    ("/explore", "图谱浏览", "Explorer"),
    ("/whatif", "假设推演", "What-if"),
    ("/plan", "规划", "Planning"),
    ("/talent", "人才", "Talent"),
    ("/data", "数据", "Data"),
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        LABEL_ZH={str(k): v for k, v in LABEL_ZH.items()},
        REL_ZH={str(k): v for k, v in REL_ZH.items()},
        LABEL_COLOUR={str(k): v[0] for k, v in LABEL_STYLE.items()},
        STATUS_ZH=STATUS_ZH,
        LEVEL_WORDS=LEVEL_WORDS,
        LEVEL_WORDS_EN=LEVEL_WORDS_EN,
        NAV=NAV,
        version=__version__,
    )
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.1f}%"
    env.filters["num"] = lambda v: "—" if v is None else f"{v:.4g}" if isinstance(v, float) else v
    return env


def compile_templates() -> None:
    """Compile every template once at start, so no visitor waits for it."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def _lang(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def sessions_of(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.web_sessions
    return sessions


def _store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


#: Page data cached per store generation (never stale: every write changes it).
_PAGE_CACHE = GenerationCache(64)


def cached(store: GraphStore, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """`compute()`, reused while the store's generation stays the same.

    Values are the library's results as plain data; pages only read them.
    """
    generation = store.generation()
    if generation is None:
        return compute()
    full = (store.location, *key)
    found = _PAGE_CACHE.get(generation, full)
    if found is None:
        found = compute()
        _PAGE_CACHE.put(generation, full, found)
    return found


def gap_report(
    store: GraphStore, cluster: str, chain: str, segment: str | None, closers: bool = True
) -> dict[str, Any]:
    return cached(  # type: ignore[no-any-return]
        store,
        ("gaps", cluster, chain, segment, closers),
        lambda: analyse_gaps(store, cluster, chain, segment, with_closers=closers).to_dict(),
    )


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    sessions = sessions_of(request)
    nonce = sessions.session_of(request)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    html = (
        environment()
        .get_template(template)
        .render(
            request_path=request.url.path,
            request_query=str(request.url.query),
            lang=lang,
            t=t,
            logged_in=nonce is not None,
            csrf=sessions.csrf(nonce) if nonce else "",
            login_enabled=sessions.enabled,
            **context,
        )
    )
    return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})


def page(request: Request, template: str, build: Callable[[], dict[str, Any]]) -> Response:
    """Render `template` with what `build` returns; a library error becomes an error page."""
    settings = request.app.state.settings
    if settings.read_requires_key and sessions_of(request).session_of(request) is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    from chanjiao.api.routes.explore import node_index

    node_index(request, _store(request))  # the explorer's search index, built once per generation
    try:
        context = build()
    except ChanjiaoError as exc:
        return render(request, "error.html", code=exc.status, error=exc)
    return render(request, template, **context)


# --- choosing a cluster and a chain ----------------------------------------------------


def choices(store: GraphStore) -> dict[str, Any]:
    """The colleges, clusters (with the chains they target) and chains in the store."""
    return cached(store, ("choices",), lambda: _choices(store))  # type: ignore[no-any-return]


def _choices(store: GraphStore) -> dict[str, Any]:
    with store.reading():
        colleges = store.nodes(Label.INDUSTRY_COLLEGE)
        clusters = store.nodes(Label.SPECIALTY_CLUSTER)
        chains = store.nodes(Label.INDUSTRY_CHAIN)
        targets = store.relationships(Rel.TARGETS)
        has = store.relationships(Rel.HAS_CLUSTER)
        segments = store.relationships(Rel.PART_OF)
        segment_nodes = store.nodes(Label.CHAIN_SEGMENT)
    targets_of: dict[str, list[str]] = {}
    for rel in sorted(targets, key=lambda r: (r.src, r.dst)):
        targets_of.setdefault(rel.src, []).append(rel.dst)
    clusters_of: dict[str, list[str]] = {}
    for rel in sorted(has, key=lambda r: (r.src, r.dst)):
        clusters_of.setdefault(rel.src, []).append(rel.dst)
    segments_of: dict[str, list[dict[str, Any]]] = {}
    for rel in segments:
        node = segment_nodes.get(rel.src)
        order = node.props.get("order") if node else None
        segments_of.setdefault(rel.dst, []).append(
            {"id": rel.src, "name": node.name if node else rel.src, "order": order}
        )
    for items in segments_of.values():
        items.sort(key=lambda s: (s["order"] is None, s["order"] or 0, s["id"]))
    return {
        "colleges": [
            {"id": c, "name": n.name, "clusters": clusters_of.get(c, [])}
            for c, n in sorted(colleges.items())
        ],
        "clusters": [
            {"id": c, "name": n.name, "chains": targets_of.get(c, [])}
            for c, n in sorted(clusters.items())
        ],
        "chains": [{"id": h, "name": n.name} for h, n in sorted(chains.items())],
        "segments_of": segments_of,
    }


def pick(options: dict[str, Any], cluster: str | None, chain: str | None) -> tuple[str, str]:
    """The cluster and chain asked for, else the first cluster and the chain it targets."""
    clusters = options["clusters"]
    cluster, chain = cluster or None, chain or None
    if cluster is None:
        if not clusters:
            raise ChanjiaoError(
                "数据库中还没有专业群：请先在“数据”页导入数据",
                "the store holds no specialty cluster yet: load a dataset on the Data page",
            )
        cluster = clusters[0]["id"]
    if chain is None:
        targeted: list[str] = next((c["chains"] for c in clusters if c["id"] == cluster), [])
        if targeted:
            chain = targeted[0]
        elif options["chains"]:
            chain = options["chains"][0]["id"]
        else:
            raise ChanjiaoError(
                "数据库中还没有产业链：请先在“数据”页导入数据",
                "the store holds no industry chain yet: load a dataset on the Data page",
            )
    return cluster, chain


# --- pages ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, cluster: Opt = None, chain: Opt = None, segment: Opt = None
) -> Response:
    store = _store(request)
    segment = segment or None

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        report = gap_report(store, k, h, segment, closers=False)
        built = cached(store, ("construction", k, h), lambda: construction(store, k, h).to_dict())
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "segment": segment,
            "report": report,
            "built": built,
        }

    return page(request, "dashboard.html", build)


@router.get("/construction", response_class=HTMLResponse)
def construction_page(request: Request, cluster: Opt = None, chain: Opt = None) -> Response:
    store = _store(request)

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "built": construction(store, k, h).to_dict(),
        }

    return page(request, "construction.html", build)


@router.get("/gaps", response_class=HTMLResponse)
def gaps_page(
    request: Request,
    cluster: Opt = None,
    chain: Opt = None,
    segment: Opt = None,
    status: Annotated[str | None, Query(pattern="^(partial|missing)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100000)] = 100,
) -> Response:
    store = _store(request)
    segment = segment or None

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        report = gap_report(store, k, h, segment)
        gap_status = _gap_status(report)
        shown = [
            g
            for g in report["gaps"]
            if status is None or gap_status.get(g["ability"], "missing") == status
        ][:limit]
        with store.reading():
            names = _closer_names(store, {"gaps": shown})
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "segment": segment,
            "status": status,
            "report": report,
            "names": names,
            "shown": shown,
            "limit": limit,
            "gap_status": gap_status,
            "position_names": {p["id"]: p["name"] for p in report["positions"]},
        }

    return page(request, "gaps.html", build)


def _gap_status(report: dict[str, Any]) -> dict[str, str]:
    """Each gap's status as the report states it on the requirements behind it."""
    found: dict[str, str] = {}
    for position in report["positions"]:
        for req in position["requirements"]:
            if req["status"] != "covered":
                found[req["ability"]] = req["status"]
    return found


def _closer_names(store: GraphStore, report: dict[str, Any]) -> dict[str, dict[str, str]]:
    from chanjiao.viz.explore import CLOSER_LABEL

    wanted: dict[Label, set[str]] = {}
    for gap in report["gaps"]:
        for kind, ids in gap["closers"].items():
            wanted.setdefault(CLOSER_LABEL[kind], set()).update(ids)
        for item in gap.get("taught_partly") or []:
            wanted.setdefault(Label.COURSE, set()).add(item["course"])
    return {
        str(label): {i: n.name for i, n in store.nodes(label, ids).items()}
        for label, ids in wanted.items()
    }


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    cluster: Opt = None,
    chain: Opt = None,
    segment: Opt = None,
    major: Opt = None,
) -> Response:
    store = _store(request)
    segment, major = segment or None, major or None

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        with store.reading():
            analysis = analyse_gaps(store, k, h, segment, with_closers=False)
            abilities = store.nodes(
                Label.ABILITY, {r.ability for p in analysis.positions for r in p.requirements}
            )
            parent_of = {
                r.src: r.dst for r in store.relationships(Rel.CHILD_OF, src_ids=sorted(abilities))
            }
            parents = store.nodes(Label.ABILITY, set(parent_of.values()))
            matrix = course_matrix(store, k, major)
        info = {
            a: {
                "name": n.name,
                "parent": parent_of.get(a),
                "parent_name": parents[parent_of[a]].name
                if parent_of.get(a) in parents
                else parent_of.get(a),
            }
            for a, n in abilities.items()
        }
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "segment": segment,
            "major": major,
            "heat": heatmap(analysis, info),
            "matrix": matrix,
            "report": analysis,
        }

    return page(request, "map.html", build)


@router.get("/explore", response_class=HTMLResponse)
def explore_page(
    request: Request,
    cluster: Opt = None,
    chain: Opt = None,
    node: Annotated[str | None, Query(max_length=200)] = None,
    gap: Opt = None,
    path: Opt = None,
) -> Response:
    store = _store(request)

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "node": node,
            "gap": gap,
            "path": path,
            "labels": [str(lb) for lb in Label],
            "rels": [str(r) for r in Rel],
        }

    return page(request, "explore.html", build)


@router.get("/whatif", response_class=HTMLResponse)
def whatif_page(
    request: Request, cluster: Opt = None, chain: Opt = None, scenario: Opt = None
) -> Response:
    store = _store(request)

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        report = gap_report(store, k, h, None)
        # courses worth adding: those that would close a gap (the report's closers)
        closing = sorted({c for g in report["gaps"] for c in g["closers"]["courses"]})[:2000]
        with store.reading():
            curriculum = store.curriculum(k)
            courses = store.nodes(Label.COURSE, sorted(set(curriculum) | set(closing)))
            abilities = store.nodes(
                Label.ABILITY,
                sorted({r["ability"] for p in report["positions"] for r in p["requirements"]}),
            )
            saved = list_scenarios(store)
        inside = [
            {"id": c, "name": courses[c].name if c in courses else c} for c in sorted(curriculum)
        ]
        outside = [{"id": c, "name": courses[c].name} for c in closing if c in courses]
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "scenario": scenario,
            "inside": inside,
            "outside": outside,
            "abilities": [{"id": a, "name": n.name} for a, n in sorted(abilities.items())],
            "report": report,
            "saved": saved,
        }

    return page(request, "whatif.html", build)


# --- planning ----------------------------------------------------------------------------


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    cluster: Opt = None,
    chain: Opt = None,
    tool: Annotated[
        str, Query(pattern="^(cluster|path|resources|certificates|partners|eligibility)$")
    ] = "resources",
    budget: Annotated[float, Query(ge=0, le=1e7)] = 12,
    budget_kind: Annotated[str, Query(pattern="^(courses|hours|credits)$")] = "courses",
    method: Annotated[str, Query(pattern="^(greedy|exact|both)$")] = "greedy",
    position: Opt = None,
    college: Opt = None,
    run: bool = False,
) -> Response:
    store = _store(request)
    position, college = position or None, college or None

    def build() -> dict[str, Any]:
        options = choices(store)
        k, h = pick(options, cluster, chain)
        result: Any = None
        with store.reading():
            positions = sorted(
                ({"id": p.id, "name": p.name} for p in store.chain_scope(h).positions),
                key=lambda p: p["id"],
            )
        chosen_position = position or (positions[0]["id"] if positions else None)
        chosen_college = college or (options["colleges"][0]["id"] if options["colleges"] else None)
        if tool == "resources":
            result = resource_shortfalls(store, k, h).to_dict()
        elif tool == "certificates":
            result = certification(store, k, h).to_dict()
        elif tool == "partners":
            result = enterprise_service(store, k, h, top=5).to_dict()
        elif tool == "eligibility" and chosen_college:
            result = check_eligibility(store, chosen_college).to_dict()
        elif tool == "path" and chosen_position:
            result = semester_plan(store, chosen_position, k).to_dict()
        elif tool == "cluster" and run:
            result = build_cluster(
                store,
                h,
                budget=budget,
                budget_kind=budget_kind,  # type: ignore[arg-type]
                method=method,  # type: ignore[arg-type]
                time_limit=20.0,
            ).to_dict()
        with store.reading():
            names = {
                **{c: n.name for c, n in store.nodes(Label.COURSE, _ids(result, "course")).items()},
            }
        return {
            "options": options,
            "cluster": k,
            "chain": h,
            "tool": tool,
            "result": result,
            "budget": budget,
            "budget_kind": budget_kind,
            "method": method,
            "positions": positions,
            "position": chosen_position,
            "college": chosen_college,
            "names": names,
        }

    return page(request, "plan.html", build)


def _ids(result: Any, kind: str) -> set[str]:
    """Ids under keys named like `kind` anywhere in a result (to show their names)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in (kind, f"{kind}s") and isinstance(item, str):
                    found.add(item)
                elif key in (f"{kind}s",) and isinstance(item, list):
                    found.update(i for i in item if isinstance(i, str))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(result)
    return found


# --- talent (students: personal data, only for a logged-in session) -----------------------


@router.get("/talent", response_class=HTMLResponse)
def talent_page(
    request: Request,
    position: Opt = None,
    cohort: Opt = None,
    chain: Opt = None,
    major: Opt = None,
) -> Response:
    store = _store(request)
    position, cohort, chain, major = position or None, cohort or None, chain or None, major or None
    if sessions_of(request).session_of(request) is None:
        # students are personal data (DESIGN §4b): nothing about them before a login
        return render(request, "talent.html", locked=True)
    server = request.app.state.settings
    settings = TalentSettings(server.talent_threshold, server.certificate_level)

    def build() -> dict[str, Any]:
        options = choices(store)
        with store.reading():
            positions = sorted(
                ({"id": i, "name": n.name} for i, n in store.nodes(Label.POSITION).items()),
                key=lambda p: p["id"],
            )
            cohorts = sorted(
                {s.cohort for s in store.student_records().students if s.cohort is not None}
            )
        chosen_position = position or (positions[0]["id"] if positions else None)
        chosen_cohort = cohort or (cohorts[-1] if cohorts else None)
        chosen_chain = chain or (options["chains"][0]["id"] if options["chains"] else None)
        candidates = None
        if chosen_position is not None:
            candidates = match_position(
                store, chosen_position, cohort=chosen_cohort, major=major, settings=settings
            ).to_dict()
        readiness = None
        if chosen_cohort is not None and chosen_chain is not None:
            readiness = cohort_readiness(
                store, chosen_cohort, chosen_chain, major=major, settings=settings
            ).to_dict()
        wanted = {
            m["ability"] for s in (candidates or {}).get("students", []) for m in s["missing"]
        }
        with store.reading():
            abilities = {a: n.name for a, n in store.nodes(Label.ABILITY, wanted).items()}
        return {
            "locked": False,
            "options": options,
            "positions": positions,
            "cohorts": cohorts,
            "position": chosen_position,
            "cohort": chosen_cohort,
            "chain": chosen_chain,
            "major": major,
            "candidates": candidates,
            "readiness": readiness,
            "abilities": abilities,
            "threshold": settings.threshold,
        }

    return page(request, "talent.html", build)


# --- data ---------------------------------------------------------------------------------


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> Response:
    store = _store(request)

    def build() -> dict[str, Any]:
        stats = cached(store, ("stats",), store.stats)
        return {
            "nodes": [(LABEL_ZH[lb], str(lb), n) for lb, n in stats.nodes.items() if n],
            "rels": [(REL_ZH[r], str(r), n) for r, n in stats.relationships.items() if n],
        }

    return page(request, "data.html", build)


@lru_cache(maxsize=1)
def _template_bytes() -> bytes:
    with tempfile.TemporaryDirectory(prefix="chanjiao-template-") as folder:
        return write_template(Path(folder) / "chanjiao-template.xlsx").read_bytes()


@router.get("/data/template.xlsx")
def template_download() -> Response:
    return Response(
        _template_bytes(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="chanjiao-template.xlsx"'},
    )


# --- login --------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Opt = None, failed: bool = False) -> Response:
    sessions = sessions_of(request)
    pre = request.cookies.get(LOGIN_COOKIE) or secrets.token_hex(16)
    response = render(
        request,
        "login.html",
        code=401 if failed else 200,
        next=_safe_next(next),
        failed=failed,
        login_token=sessions.login_csrf(pre),
    )
    set_cookie(request, response, LOGIN_COOKIE, pre, 3600)
    return response


@router.post("/login")
def login(
    request: Request,
    key: Annotated[str, Form(max_length=1000)],
    token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    sessions = sessions_of(request)
    pre = request.cookies.get(LOGIN_COOKIE) or ""
    if not pre or not secrets.compare_digest(sessions.login_csrf(pre), token):
        return render(request, "error.html", code=403, error=_csrf_error())
    if not sessions.check_key(key):
        return RedirectResponse(
            "/login?" + urlencode({"next": _safe_next(next), "failed": "true"}), status_code=303
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, sessions.issue(), SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _csrf_error() -> ChanjiaoError:
    error = ChanjiaoError(
        "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
        "the form has expired or did not come from this site (CSRF check failed); "
        "reload the page and try again",
    )
    error.status = 403
    return error


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    sessions = sessions_of(request)
    nonce = sessions.session_of(request)
    if nonce is None or not sessions.csrf_ok(request, nonce, csrf):
        return render(request, "error.html", code=403, error=_csrf_error())
    sessions.revoke(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang")
def switch_language(
    request: Request,
    to: Annotated[str, Query(pattern="^(zh|en)$")],
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, LANG_COOKIE, to, 365 * 24 * 3600)
    return response


# --- API documentation, offline -----------------------------------------------------------


@router.get("/docs", response_class=HTMLResponse)
def swagger(request: Request) -> HTMLResponse:
    return render(request, "swagger.html")


@router.get("/api/v1/docs", response_class=HTMLResponse)
def swagger_api(request: Request) -> HTMLResponse:
    return render(request, "swagger.html")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return render(request, "redoc.html")
