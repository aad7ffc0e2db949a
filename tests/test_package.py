"""Package-wide rules: no global random state, compute modules free of matplotlib, clean imports."""

import pytest
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pcbook"
GLOBAL_RANDOM = re.compile(
    r"np\.random\.(seed|rand|randn|randint|normal|uniform|choice|permutation|shuffle|random)\("
)


def _python(code: str) -> str:
    """What a fresh interpreter running ``code`` prints."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_no_global_numpy_random_state_in_the_package():
    hits = [
        f"{p.relative_to(PACKAGE)}:{i}"
        for p in PACKAGE.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if GLOBAL_RANDOM.search(line)
    ]
    assert not hits, (
        f"global numpy random state used (pass rng= instead): {hits}"
    )


def _compute_modules():
    skip = ("plots", "widgets", "plotting", "check", "classroom", "__main__")
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        if not any(
            part in skip for part in rel.parts[1:]
        ) and not path.name.startswith("_"):
            yield name


def test_compute_modules_do_not_import_matplotlib():
    modules = list(_compute_modules())
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print(sorted(k for k in sys.modules if k.startswith('matplotlib'))[:3])\n"
    )
    out = _python(code)
    assert out.strip() == "[]", (
        f"importing the compute modules imported matplotlib: {out}"
    )


def test_importing_pcbook_changes_no_matplotlib_setting():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams)\n"
        "import pcbook, pcbook.plotting, pcbook.widgets, pcbook.check\n"
        "print(before == dict(mpl.rcParams))"
    )
    out = _python(code)
    assert out.strip() == "True"


@pytest.mark.parametrize(
    "value, error, text",
    [
        ("abc", TypeError, "x: expected an array of real numbers, got str"),
        (None, TypeError, "x: expected an array of real numbers"),
        ([1 + 2j], TypeError, "x: expected real numbers, got complex"),
        ([[1.0, 2.0], [3.0]], ValueError, "x: expected a rectangular array"),
        (
            [None, 1.0],
            TypeError,
            "x: expected an array of real numbers, got entries of type NoneType",
        ),
        ([1.0, float("nan")], ValueError, "x: contains NaN"),
    ],
)
def test_check_finite_array_refuses_what_is_not_an_array_of_reals(
    value, error, text
):
    from pcbook.validate import check_finite_array

    with pytest.raises(error, match=re.escape(text)):
        check_finite_array("x", value)


def test_check_instance_names_the_expected_type():
    from pcbook.validate import check_instance

    with pytest.raises(
        TypeError, match="model: expected NGCModel, got NoneType"
    ):
        check_instance("model", None, int, what="NGCModel")
    assert check_instance("n", 3, int) == 3
