"""The raw-MyST patterns of the JupyterLab test, on text as JupyterLab shows it (no browser)."""

from __future__ import annotations

import pytest

from labdriver import answer_fragments, plain_fragments, raw_markup_lines


@pytest.mark.parametrize(
    "shown",
    [
        "```{literalinclude} ../pcbook/bayes.py",  # plain Lab: a fenced directive
        ":pyobject: closed_form_posterior",  # ... shown as a code block of options
        ":label: ex-posterior-cubic",
        ":class: dropdown",
        "{admonition} Answers",
        "the {term}posterior is",  # plain Lab: role name, then a code span
        "see {eq}`eq-posterior-model`",
        "(eq-posterior-model)=",
        "$$ (eq-posterior-model)",
        "the mean $v_p$ is",  # math left untypeset
    ],
)
def test_raw_myst_is_found(shown):
    assert raw_markup_lines(f"Text before.\n{shown}\nText after.") == [shown]


def test_prose_and_code_that_only_look_like_it_pass():
    text = "A set {1, 2} and (Bogacz, 2017).\nImplements {eq}`eq-x` in code"
    assert raw_markup_lines(text, code=["Implements {eq}`eq-x` in code"]) == []
    # option lines stay raw even inside a code block (plain Lab's unknown directive)
    assert raw_markup_lines(":pyobject: f", code=[":pyobject: f"]) == [
        ":pyobject: f"
    ]


def test_answer_fragments_are_plain_runs_of_the_answers(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"pcbook": {"chapter": 1}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "Q?\n\n<details>\n<summary>Answers</summary>\n\n"
            "1. The prior wins because the likelihood is flat, $x$.\n</details>"
        )
    ]
    path = tmp_path / "s.ipynb"
    nbformat.write(nb, path)
    assert answer_fragments(path) == [
        "The prior wins because the likelihood is flat,"
    ]
    assert plain_fragments("short") == []
