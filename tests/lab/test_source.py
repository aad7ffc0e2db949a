"""pcbook.source (a function's real source, as a code block) and tools/lab_source.py."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from pcbook import posterior
from pcbook.source import Source, find_object, show_source

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tools import lab_source  # noqa: E402


def test_show_source_is_the_package_source():
    shown = show_source("pcbook.posterior.posterior_on_grid")
    assert shown.code == show_source(posterior.posterior_on_grid).code
    assert shown.code.startswith("def posterior_on_grid(")
    bundle = shown._repr_mimebundle_()
    assert bundle["text/markdown"] == f"```python\n{shown.code}```\n"
    assert bundle["text/plain"] == shown.code


def test_fence_outlasts_backticks_in_the_code():
    assert Source('x = "````"').markdown().startswith("`````python\n")


def test_bad_names():
    with pytest.raises(ValueError, match="name: 'pcbook.nothing.here'"):
        find_object("pcbook.nothing.here")
    with pytest.raises(TypeError, match="name"):
        find_object(3)
    with pytest.raises(TypeError, match="obj"):
        show_source(3)


def _chapter(tmp_path) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"pcbook": {"chapter": 1}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "Before.\n\n```{literalinclude} ../pcbook/rng.py\n:pyobject: as_rng\n```\n\nAfter."
        ),
        nbformat.v4.new_markdown_cell(
            "```{exercise-start} T\n:label: ex-t\n:class: kind-coding level-1\n```\n"
            "Do it.\n```{exercise-end}\n```"
        ),
        nbformat.v4.new_markdown_cell(
            "```{solution-start} ex-t\n:class: dropdown\n```"
        ),
        nbformat.v4.new_code_cell("answer = 42"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ]
    path = tmp_path / "ch.ipynb"
    nbformat.write(nb, path)
    return path


def test_lab_source_rewrites_once_and_keeps_ids(tmp_path):
    path = _chapter(tmp_path)
    ids = [c.id for c in nbformat.read(path, 4).cells]
    assert lab_source.main([str(path)]) == 0
    nb = nbformat.read(path, 4)
    assert [c.id for c in nb.cells][:1] == ids[:1]
    assert set(ids) <= {c.id for c in nb.cells}
    before, code, after = nb.cells[:3]
    assert before.source == "Before." and after.source == "After."
    assert code.source.endswith('show_source("pcbook.rng.as_rng")')
    assert code.metadata["tags"] == ["remove-input"]
    assert code.metadata["jupyter"]["source_hidden"]
    shown = code.outputs[0]["data"]["text/markdown"]
    assert shown == show_source("pcbook.rng.as_rng").markdown()
    solution = next(c for c in nb.cells if c.source == "answer = 42")
    assert solution.metadata["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }
    end = next(c for c in nb.cells if c.source.startswith("```{solution-end}"))
    assert "jupyter" not in end.metadata  # renders as nothing: left alone
    assert lab_source.main(["--check", str(path)]) == 0  # idempotent
    nbformat.validate(nb)


def test_check_reports_a_notebook_that_would_change(tmp_path, capsys):
    path = _chapter(tmp_path)
    assert lab_source.main(["--check", str(path)]) == 1
    assert "would change" in capsys.readouterr().out
