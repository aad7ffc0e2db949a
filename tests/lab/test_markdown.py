"""MyST to plain Markdown for the student notebooks (pcbook.classroom.markdown); no browser."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from pcbook.classroom import markdown
from pcbook.classroom.markdown import (
    References,
    book_references,
    citation_names,
    notebook_references,
    myst_settings_cell,
    plain_markdown,
    pyobject_source,
)

ROOT = Path(__file__).resolve().parents[2]
REFS = References(
    equations={"eq-a": "1.1", "eq-b": "1.2"},
    figures={"fig-x": "1.3"},
    exercises={"ex-y": "1.4"},
    sections={"sec-z": "The section"},
    citations={
        "bogacz2017": ("Bogacz", "2017"),
        "rk99": ("Rao and Ballard", "1999"),
    },
)
#: what no student should see: a role, a fence that opens a directive, an option line, a target
RAW = re.compile(r"\{[\w:-]+\}`|^(```|:::)\{|^:[\w-]+:|^\([\w-]+\)=", re.M)


def md(text: str) -> str:
    return plain_markdown(textwrap.dedent(text), REFS)


def test_terms_become_their_text():
    assert md("the {term}`prior` and {term}`errors <prediction error>`") == (
        "the prior and errors"
    )


def test_equation_references_and_labels_carry_the_website_number():
    out = md(
        """\
        $$
        x = 1
        $$ (eq-b)

        see {eq}`eq-b` and {eq}`eq-a`
        """
    )
    assert "$$\nx = 1 \\tag{1.2}\n$$" in out
    assert "see (1.2) and (1.1)" in out
    assert md("$$ y $$ (eq-a)") == "$$ y \\tag{1.1}$$"


def test_unlabelled_display_math_is_not_tagged_nor_joined_to_the_next():
    out = md("$$ a $$ text $$ b $$ (eq-a)")
    assert out == "$$ a $$ text $$ b \\tag{1.1}$$"


def test_citations_as_the_website_prints_them():
    assert md("{cite:t}`bogacz2017`") == "Bogacz (2017)"
    assert md("{cite:p}`bogacz2017, rk99`") == (
        "(Bogacz, 2017; Rao and Ballard, 1999)"
    )
    assert md("{cite}`rk99`") == "(Rao and Ballard, 1999)"


def test_refs_numrefs_and_targets():
    out = md(
        """\
        (sec-z)=
        ## The section

        {numref}`fig-x`, {ref}`ex-y`, {ref}`sec-z`, {ref}`this one <sec-z>`,
        {numref}`Figure %s <fig-x>`, {doc}`notation`
        """
    )
    assert out.startswith("## The section")
    assert "Fig. 1.3, Exercise 1.4, The section, this one," in out
    assert "Figure 1.3, notation" in out


def test_code_spans_and_code_blocks_are_left_alone():
    src = (
        "`{term}` is a role; `a` {term}`b` `c`\n\n```python\nx = {1: 2}\n```\n"
    )
    assert (
        md(src)
        == "`{term}` is a role; `a` b `c`\n\n```python\nx = {1: 2}\n```\n"
    )


def test_dropdown_admonition_becomes_collapsed_details():
    out = md(
        """\
        Questions.

        ```{admonition} Answers
        :class: dropdown
        1. The {term}`prior`, see {eq}`eq-a`.
        ```
        """
    )
    assert out == (
        "Questions.\n\n<details>\n<summary>Answers</summary>\n\n"
        "1. The prior, see (1.1).\n\n</details>\n"
    )


def test_other_admonitions_become_block_quotes():
    out = md("```{note}\nA {term}`prior`.\n```\n")
    assert out == "> **Note**\n>\n> A prior.\n"
    out = md(":::{admonition} Why\nBecause.\n:::\n")
    assert out == "> **Why**\n>\n> Because.\n"


def test_literalinclude_shows_the_real_source():
    out = md("```{literalinclude} ../pcbook/rng.py\n:pyobject: as_rng\n```\n")
    source = pyobject_source(ROOT / "pcbook" / "rng.py", "as_rng")
    assert out == f"```python\n{source}```\n"
    assert source.startswith("def as_rng(") and "return" in source


def test_pyobject_source_finds_methods_and_reports_missing(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "class A:\n    @staticmethod\n    def f():\n        return 1\n"
    )
    assert pyobject_source(path, "A.f") == (
        "@staticmethod\ndef f():\n    return 1\n"
    )
    with pytest.raises(ValueError, match="name:.*'g'"):
        pyobject_source(path, "g")


@pytest.mark.parametrize(
    "src, what",
    [
        ("{eq}`eq-nowhere`", "equation label 'eq-nowhere'"),
        ("{cite:t}`nobody`", "citation label 'nobody'"),
        ("{ref}`nowhere`", "section label 'nowhere'"),
        ("{kbd}`Ctrl`", r"unsupported MyST role \{kbd\}"),
        ("```{figure} a.png\n```", r"unsupported MyST directive \{figure\}"),
        ("```{literalinclude} x.py\n```", "needs :pyobject:"),
    ],
)
def test_anything_unknown_raises_instead_of_passing_through(src, what):
    with pytest.raises(ValueError, match=what):
        md(src)


def test_bad_source_type():
    with pytest.raises(TypeError, match="source"):
        plain_markdown(["a"])


def test_citation_names_from_the_bibliography():
    names = citation_names()
    assert names["bogacz2017tutorial"] == ("Bogacz", "2017")
    hoyer = next(a for a, _ in names.values() if a.startswith("Hoyer"))
    assert hoyer == "Hoyer and Hyvärinen"  # {\\"a} as the letter
    assert any(a.endswith(" et al.") for a, _ in names.values())
    assert any(" and " in a for a, _ in names.values())


def test_numbers_follow_the_chapter():
    nb = nbformat.v4.new_notebook(metadata={"pcbook": {"chapter": 2}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "$$ a $$ (eq-1)\n\n$$ b $$\n$$ c $$ (eq-2)"
        ),
        nbformat.v4.new_code_cell(
            "", metadata={"mystnb": {"figure": {"caption": "c", "name": "f"}}}
        ),
        nbformat.v4.new_markdown_cell(
            "```{exercise-start} T\n:label: ex-t\n:class: kind-coding level-1\n```"
        ),
    ]
    refs = notebook_references(nb)
    assert refs.equations == {"eq-1": "2.1", "eq-2": "2.2"}
    assert refs.figures == {"f": "2.1"}
    assert refs.exercises == {"ex-t": "2.1"}
    nb.metadata["pcbook"]["chapter"] = 0
    assert notebook_references(nb).equations == {"eq-1": "1", "eq-2": "2"}


def test_every_student_markdown_cell_is_free_of_myst():
    """The real chapters: each markdown cell converts, and nothing of MyST is left outside code."""
    from pcbook.classroom.student import student_notebook
    from pcbook.classroom.exercises import chapter_notebooks

    refs = book_references()
    assert refs.equations and refs.citations
    for path in chapter_notebooks():
        for cell in student_notebook(path).cells:
            if cell.cell_type == "markdown":
                prose = re.sub(r"```.*?```", "", cell.source, flags=re.S)
                assert not RAW.search(prose), (path.name, cell.source[:300])
    assert markdown.BIB.exists()


def test_myst_settings_cell_is_hidden_front_matter_with_a_fixed_id():
    cell = myst_settings_cell()
    assert cell.source.startswith("---\n") and cell.source.endswith("\n---")
    assert "equation: false" in cell.source
    assert cell.metadata["jupyter"]["source_hidden"]
    assert cell.id == myst_settings_cell().id
