"""Drive a real JupyterLab 4 in headless Chromium: start it, open a notebook, read what it shows.

Shared by the JupyterLab test (test_jupyterlab.py) and by measurements from the command line:

    .venv/bin/python tests/lab/labdriver.py book/posterior.ipynb [more.ipynb ...] [--shots DIR]

prints, per notebook, the lines of raw MyST markup a reader sees (see :data:`RAW_MYST`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JUPYTER = Path(sys.prefix) / "bin" / "jupyter"

#: Raw MyST a reader must never see, as (name, pattern) over the visible text, line by line.
#: The option, fence and directive patterns also apply inside code blocks (plain JupyterLab
#: shows an unknown directive as a code block holding its options); roles and targets apply
#: outside code only, since the package's docstrings, shown as source, cite the book's labels.
RAW_MYST = [
    ("directive fence", re.compile(r"^\s*(```+|~~~+|:::+)\s*\{[\w:-]+\}")),
    ("directive name", re.compile(r"^\s*\{[\w:-]+\}\s*\S*\s*$")),
    (
        "option line",
        re.compile(r"^\s*:(label|class|pyobject|name|caption|dropdown|open):"),
    ),
]
RAW_PROSE = [
    ("role", re.compile(r"\{[\w:-]+\}`?[\w-]")),
    ("target", re.compile(r"^\s*\([\w.:-]+\)=\s*$")),
    ("equation label", re.compile(r"\$\$\s*\([\w.:-]+\)")),
    ("raw math", re.compile(r"(?<!\\)\$[^$\s][^$]*\$|\$\$")),
]

# What a notebook shows: each markdown cell's rendered text and each code cell's input and
# outputs, as the reader sees them (closed <details>, collapsed cells and hidden parts are not
# in innerText). Typeset math is left out (its text is the glyphs, not markup); code blocks are
# marked so that prose patterns skip them.
_VISIBLE_JS = """
() => {
  const style = document.createElement('style');
  style.textContent = '.katex, mjx-container, .MathJax { display: none !important }';
  document.head.appendChild(style);
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => {
    const kind = cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'code';
    const parts = [];
    const rendered = cell.querySelector('.myst, .jp-RenderedMarkdown');
    if (kind === 'markdown' && rendered && rendered.offsetParent !== null) {
      const pres = [...rendered.querySelectorAll('pre')].filter(p => p.offsetParent !== null);
      pres.forEach(p => p.setAttribute('data-pcbook-code', '1'));
      let text = rendered.innerText;
      const code = pres.map(p => p.innerText);
      pres.forEach(p => p.removeAttribute('data-pcbook-code'));
      parts.push({where: 'prose', text: text, code: code});
    } else if (kind === 'markdown') {
      const editor = cell.querySelector('.jp-InputArea-editor');
      if (editor && editor.offsetParent !== null) parts.push({where: 'source', text: editor.innerText, code: []});
    } else {
      const input = cell.querySelector('.jp-InputArea-editor');
      if (input && input.offsetParent !== null) parts.push({where: 'input', text: input.innerText, code: [input.innerText]});
      const out = cell.querySelector('.jp-OutputArea');
      if (out && out.offsetParent !== null) parts.push({where: 'output', text: out.innerText, code: []});
    }
    return {kind: kind, parts: parts};
  });
  style.remove();
  return cells;
}
"""


def raw_markup_lines(text: str, code: list[str] = ()) -> list[str]:
    """The lines of ``text`` that show raw MyST (:data:`RAW_MYST`; :data:`RAW_PROSE` outside
    the code blocks ``code``, whose lines are part of ``text``)."""
    code_lines = {ln.strip() for block in code for ln in block.splitlines()}
    found = []
    for line in text.splitlines():
        in_code = line.strip() in code_lines
        patterns = RAW_MYST if in_code else RAW_MYST + RAW_PROSE
        if any(p.search(line) for _, p in patterns):
            found.append(line.strip())
    return found


_SOLUTION_END_CELL = re.compile(r"```+\{solution-end\}\s*```+")
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;:()=+\-]{30,}")
_LIST_MARK = re.compile(r"^\s*(\d+\.|[-*+])\s+")


def words(text: str) -> str:
    """``text`` with every run of white space as one space."""
    return " ".join(text.split())


def plain_fragments(text: str) -> list[str]:
    """Runs of plain words in markdown or code that render as themselves (no markup, quotes,
    math or list marks), long enough to be distinctive."""
    lines = [
        re.sub(r"\$[^$]*\$", "\0", _LIST_MARK.sub("", line))
        for line in text.splitlines()
        if "$$" not in line
    ]
    return [
        words(m.group(0))
        for line in lines
        for m in _PLAIN.finditer(line)
        if len(words(m.group(0))) >= 30
    ]


def answer_fragments(path: Path) -> list[str]:
    """Fragments of what must stay collapsed in notebook ``path``: its exercises' solution
    cells (a chapter) and the bodies of its <details> blocks (a student notebook)."""
    import nbformat

    from pcbook.classroom.exercises import find_exercises

    nb = nbformat.read(path, as_version=4)
    solution = {i for ex in find_exercises(path) for i in ex.solution_cells}
    texts = [
        nb.cells[i].source.split("```", 3)[-1]
        for i in sorted(solution)
        if not _SOLUTION_END_CELL.fullmatch(nb.cells[i].source.strip())
    ]
    details = re.compile(r"</summary>(.*?)</details>", re.S)
    texts += [
        m.group(1)
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in details.finditer(c.source)
    ]
    # what the rest of the notebook also says is no sign of a visible answer
    rest = words(
        " ".join(
            details.sub("", c.source)
            for i, c in enumerate(nb.cells)
            if i not in solution
        )
    )
    return [f for t in texts for f in plain_fragments(t) if f not in rest]


def visible_answers(page, path: Path) -> list[str]:
    """The answer fragments of ``path`` that the open notebook shows."""
    seen = words(visible_text(page))
    return [a for a in answer_fragments(path) if a in seen]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_settings(folder: Path) -> None:
    """Lab settings for a test: every cell rendered (no windowing), no autosave, no news."""
    settings = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, values in settings.items():
        path = folder / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextmanager
def jupyterlab(root_dir: Path, timeout: float = 90.0, myst: bool = True):
    """A JupyterLab server on 127.0.0.1 (free port, random token) rooted at ``root_dir``;
    ``myst=False`` disables jupyterlab-myst (plain JupyterLab, for comparison).

    Yields ``(base_url, token)``; the server and its kernels are stopped on exit.
    """
    token = secrets.token_hex(16)
    port = free_port()
    state = Path(tempfile.mkdtemp(prefix="pcbook-lab-"))
    _write_settings(state / "settings")
    if not myst:
        config = state / "config" / "labconfig" / "page_config.json"
        config.parent.mkdir(parents=True)
        config.write_text(
            json.dumps({"disabledExtensions": {"jupyterlab-myst": True}})
        )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "PCBOOK_QUIET": "1",
    }
    cmd = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={state / 'settings'}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    log = open(state / "server.log", "w")
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(
                    f"{base}/api/status?token={token}", timeout=2
                )
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n"
                        + (state / "server.log").read_text()[-3000:]
                    ) from None
                time.sleep(0.5)
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.rmtree(state, ignore_errors=True)


def open_notebook(page, base: str, token: str, path: str, timeout=90.0):
    """Open notebook ``path`` (relative to the server's root) and wait until every markdown cell
    is rendered and the rendering has stopped changing."""
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = page.evaluate(
            """() => [document.querySelectorAll(
              '.jp-Notebook .jp-MarkdownCell:not(:has(.jp-InputPlaceholder))').length,
            document.querySelectorAll(
              '.jp-Notebook .jp-MarkdownCell :is(.myst, .jp-RenderedMarkdown)').length,
            document.querySelector('.jp-Notebook').innerText.length]"""
        )
        if now[0] <= now[1] and now == last:
            return
        last = now
    raise TimeoutError(f"{path}: the markdown cells did not finish rendering")


def visible_cells(page) -> list[dict]:
    """What each cell of the open notebook shows (see _VISIBLE_JS)."""
    return page.evaluate(_VISIBLE_JS)


def visible_text(page) -> str:
    """All the text the open notebook shows, cell after cell."""
    return "\n".join(
        part["text"] for cell in visible_cells(page) for part in cell["parts"]
    )


def myst_warnings(page) -> int:
    """How many warning or error marks jupyterlab-myst shows (an unknown citation, say)."""
    return page.evaluate(
        """() => document.querySelectorAll(
          '.jp-Notebook .myst :is([class*="text-yellow-"], [class*="text-red-"])').length"""
    )


def raw_markup(page) -> list[str]:
    """Every visible line of raw MyST in the open notebook's markdown cells."""
    return [
        line
        for cell in visible_cells(page)
        if cell["kind"] == "markdown"
        for part in cell["parts"]
        for line in raw_markup_lines(part["text"], part["code"])
    ]


_KERNEL_IDLE = """() => {
  const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = nb && nb.sessionContext && nb.sessionContext.session
    && nb.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle';
}"""


_UNRUN = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  let unrun = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type === 'code' && cell.sharedModel.source.trim() && !cell.executionCount) unrun++;
  }
  return unrun;
}"""
_ERROR = "application/vnd.jupyter.error"


def run_all(page, timeout: float = 120.0) -> int:
    """Run every cell of the open notebook; wait until each has run (or one failed) and the
    kernel is idle. Returns the number of code cells that did not run."""
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout * 1000, polling=250)
    page.evaluate(
        "window.jupyterapp.commands.execute('notebook:run-all-cells')"
    )
    page.wait_for_function(
        f"""() => (({_UNRUN})() === 0
              || document.querySelector('[data-mime-type="{_ERROR}"]'))
            && ({_KERNEL_IDLE})()""",
        timeout=timeout * 1000,
        polling=500,
    )
    return page.evaluate(_UNRUN)


def error_outputs(page) -> list[str]:
    """The text of every error output (a traceback) in the open notebook."""
    return page.eval_on_selector_all(
        f".jp-OutputArea-output[data-mime-type='{_ERROR}']",
        "els => els.map(e => e.innerText.slice(0, 500))",
    )


def chromium(playwright):
    """Debian's headless Chromium (nothing is downloaded)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(
        executable_path=path, args=["--no-sandbox", "--disable-gpu"]
    )


def main(argv: list[str]) -> None:
    """Print each notebook's raw-markup lines (and jupyterlab-myst warnings); ``--shots DIR``
    saves a screenshot of each, ``--no-myst`` runs plain JupyterLab."""
    from playwright.sync_api import sync_playwright

    shots = None
    if "--shots" in argv:
        i = argv.index("--shots")
        shots = Path(argv[i + 1])
        shots.mkdir(parents=True, exist_ok=True)
        argv = argv[:i] + argv[i + 2 :]
    myst = "--no-myst" not in argv
    argv = [a for a in argv if a != "--no-myst"]
    with jupyterlab(ROOT, myst=myst) as (base, token), sync_playwright() as p:
        browser = chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for nb in argv:
            path = Path(nb).resolve().relative_to(ROOT)
            open_notebook(page, base, token, str(path))
            lines = raw_markup(page)
            answers = visible_answers(page, ROOT / path)
            print(
                f"{path}: {len(lines)} raw-markup lines, "
                f"{myst_warnings(page)} myst warnings, "
                f"{len(answers)} visible answer fragments"
            )
            for line in lines:
                print(f"    {line[:110]}")
            if shots is not None:
                name = str(path).replace("/", "_").removesuffix(".ipynb")
                page.screenshot(
                    path=str(shots / f"{name}.png"), full_page=True
                )
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
