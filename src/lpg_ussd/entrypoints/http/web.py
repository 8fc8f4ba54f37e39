"""The shared footing of the server-rendered pages: Jinja templates and static files, both
shipped inside the package (no CDN, no external font: the pages work on a closed network)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PATH = "/static"

# Every page loads only what this server serves; nothing may come from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]


def template_config(company: str) -> TemplateConfig[JinjaTemplateEngine]:
    """Templates from the package, autoescaped; `company` (the brand) is on every page."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["company"] = company
    environment.globals["static"] = static_url
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def static_url(name: str) -> str:
    return f"{STATIC_PATH}/{name}"


def static_files() -> Router:
    """`/static/...`, out of the OpenAPI document."""
    return create_static_files_router(
        path=STATIC_PATH, directories=[STATIC_DIR], name="static", include_in_schema=False
    )
