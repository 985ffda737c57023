"""Views as self-contained HTML: vis-network inlined, data as escaped JSON, our own template.

The page is generated here with a Jinja2 template (autoescape on) and the vendored
vis-network files (`vendor/`, from npm, with their licences) inlined; pyvis' page
templates link CDNs and leave the heading unescaped, which is why chanjiao does not
use it. The result opens with no network at all and shows every user-supplied
string as text.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from chanjiao.viz.graph import SHAPE_ZH, View

#: The vendored vis-network build (npm vis-network, `dist/`; see vendor/*/README.md).
VIS_VERSION = "9.1.2"

_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the views (autoescape on for every template)."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["SHAPE_ZH"] = SHAPE_ZH
    return env


def _vis_file(name: str) -> str:
    base = resources.files("chanjiao.viz") / "vendor" / f"vis-network-{VIS_VERSION}" / name
    return base.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> Markup:
    """vis-network's JS and CSS as inline `<style>` and `<script>` elements.

    The files are inlined verbatim except that a closing tag inside them could not end
    the element early (they contain none today; the guard keeps it so).
    """
    css = re.sub(r"</(style)", r"<\\/\1", _vis_file("vis-network.min.css"), flags=re.IGNORECASE)
    js = re.sub(r"</(script)", r"<\\/\1", _vis_file("vis-network.min.js"), flags=re.IGNORECASE)
    return Markup(
        f'<style id="vis-network-css">{css}</style>\n<script id="vis-network-js">{js}</script>'
    )


_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON that is safe inside a `<script type="application/json">` element.

    `<`, `>` and `&` become \\u escapes, so no string can close the element or start
    markup; JSON.parse turns them back into the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(text)


def view_fragment(view: View, *, element_id: str = "cj-view", height: str = "") -> Markup:
    """The part of a page that shows one view: legend, notes, search box, canvas and data.

    The script that draws it is `view_script()`; a page includes that once.
    """
    template = environment().get_template("fragment.html")
    return Markup(
        template.render(
            view=view,
            element_id=element_id,
            height=height,
            data_json=script_json(view.data()),
        )
    )


def view_script() -> Markup:
    """The script that draws every view fragment of a page (our code, no user data)."""
    return Markup((_TEMPLATES / "view.js").read_text(encoding="utf-8"))


def view_style() -> Markup:
    """The CSS of view fragments (legend, search box, canvas), for pages that embed one."""
    return Markup((_TEMPLATES / "view_style.css").read_text(encoding="utf-8"))


def render_view(view: View) -> str:
    """A whole HTML page showing one view; it needs no network to open."""
    template = environment().get_template("view.html")
    return template.render(
        view=view,
        assets=vis_assets(),
        fragment=view_fragment(view),
        script=view_script(),
    )


def write_view(view: View, path: str | Path) -> Path:
    """Write a view's page to `path` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(render_view(view), encoding="utf-8")
    return target
