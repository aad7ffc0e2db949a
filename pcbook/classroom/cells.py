"""What a notebook's code cells define and use: the cells an exercise's answer
needs.

The grader runs, of a submission, only the cells that the answers of its
exercises need: the cells that define an answer's names and, transitively, the
cells that define the names those use (read with :mod:`symtable`, so a
function's local variables are not mistaken for globals). A cell that assigns
to an attribute or an item of a needed name, or calls a method on it at top
level (``model.fit(...)``), counts as defining that name too, unless the name
is an imported module or function (``plt.show()`` does not make every figure
cell needed).
"""

from __future__ import annotations

import ast
import math
import re
import symtable
from dataclasses import dataclass

from pcbook.classroom._args import check_notebook
from pcbook.validate import check_instance, check_int, record

__all__ = ["Cell", "code_cells", "needed_cells", "defining_cells"]


@record
@dataclass(frozen=True)
class Cell:
    """One code cell: its 1-based position in the notebook, Python source,
    names."""

    number: int
    source: str
    bound: frozenset  # assigned, imported, or an attribute or item set
    used: frozenset  # read when the cell runs, before the cell assigns them
    used_later: (
        frozenset  # read inside the cell's functions, when they are called
    )
    calls: frozenset  # names whose methods a top-level statement calls
    imported: frozenset
    parsed: bool


def _python(source: str) -> str:
    """The cell as Python: IPython's ``%magic`` and ``!shell`` lines
    translated."""
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:
        return source


_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _made(node) -> list:
    """What a nested scope reads when it is made: decorators, defaults, bases,
    and for a comprehension its first iterable and the names it reads that are
    not its own."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.decorator_list + node.args.defaults + node.args.kw_defaults
    if isinstance(node, ast.ClassDef):
        return node.decorator_list + node.bases
    if isinstance(node, ast.Lambda):
        return node.args.defaults
    return [node.generators[0].iter, *_comprehension_reads(node)]


def _walk(node):
    """The nodes of ``node`` outside nested scopes (functions, classes,
    comprehensions)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        if isinstance(node, _SCOPES):
            stack += _made(node)
        else:
            stack += ast.iter_child_nodes(node)


def _comprehension_reads(node) -> list:
    """Name loads of a comprehension that are not its own loop variables."""
    own = {
        n.id
        for g in node.generators
        for n in ast.walk(g.target)
        if isinstance(n, ast.Name)
    }
    return [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Name)
        and isinstance(n.ctx, ast.Load)
        and n.id not in own
    ]


def _loads(node) -> set:
    names = {
        n.id
        for n in _walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        names.add(node.target.id)
    return names


def _stores(node) -> set:
    names = {
        n.id
        for n in _walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    for n in _walk(node):
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(
            n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            names.add(n.name)
    return names


def _read_first(body: list, assigned: set) -> set:
    """Names the statements read before assigning them (in order)."""
    need = set()
    for stmt in body:
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            need |= _loads(stmt.iter) - assigned
            assigned |= _stores(stmt.target)
            need |= _read_first(stmt.body, assigned)
            need |= _read_first(stmt.orelse, set(assigned))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                need |= _loads(item.context_expr) - assigned
                if item.optional_vars is not None:
                    assigned |= _stores(item.optional_vars)
            need |= _read_first(stmt.body, assigned)
        elif isinstance(stmt, (ast.If, ast.While)):
            need |= _loads(stmt.test) - assigned
            need |= _read_first(stmt.body, set(assigned))
            need |= _read_first(stmt.orelse, set(assigned))
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                need |= _read_first(block, set(assigned))
            for handler in stmt.handlers:
                need |= _read_first(handler.body, set(assigned))
        else:
            need |= _loads(stmt) - assigned
            assigned |= _stores(stmt)
    return need


def _globals_used(table: symtable.SymbolTable) -> set:
    """Names the nested scopes of ``table`` read from the notebook."""
    names = set()
    for child in table.get_children():
        names |= {
            s.get_name()
            for s in child.get_symbols()
            if s.is_referenced() and s.is_global()
        }
        names |= _globals_used(child)
    return names


def _bases(targets) -> set:
    """``x`` for targets such as ``x.a``, ``x[i]``, ``x.a.b[j]``."""
    names = set()
    for target in targets:
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _changed(tree: ast.Module) -> tuple[set, set]:
    """Names whose attribute or item a top-level statement sets; names whose
    method it calls."""
    stores, calls = set(), set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            stores |= _bases(getattr(stmt, "targets", None) or [stmt.target])
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            calls |= _bases([stmt.value.func])
    return stores, calls


_DEFINES = re.compile(
    r"^(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=(?!=)", re.M
)


def _cell(number: int, source: str) -> Cell:
    source = _python(source)
    try:
        tree = ast.parse(source)
        table = symtable.symtable(source, f"<cell {number}>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # unparsable: guess what it defines, so that its error is reported
        bound = frozenset(a or b for a, b in _DEFINES.findall(source))
        empty = frozenset()
        return Cell(number, source, bound, empty, empty, empty, empty, False)
    symbols = table.get_symbols()
    imported = {s.get_name() for s in symbols if s.is_imported()}
    assigned = {s.get_name() for s in symbols if s.is_assigned()}
    stores, calls = _changed(tree)
    return Cell(
        number,
        source,
        frozenset(imported | assigned | stores),
        frozenset(_read_first(tree.body, set())),
        frozenset(_globals_used(table)),
        frozenset(calls),
        frozenset(imported),
        True,
    )


def code_cells(nb) -> list[Cell]:
    """The code cells of notebook ``nb`` (an nbformat node), numbered from 1 in
    the notebook."""
    check_notebook("nb", nb)
    cells = []
    for i, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        cells.append(_cell(i + 1, str(source)))
    return cells


def _check_cells(cells, names) -> None:
    """Refuse ``cells`` that are not a list of :class:`Cell` or ``names`` that are not a
    collection of names (str)."""
    check_instance("cells", cells, (list, tuple), "a list of Cell")
    for i, cell in enumerate(cells):
        check_instance(f"cells[{i}]", cell, Cell, "a Cell (from code_cells)")
    collections = (list, tuple, set, frozenset)
    check_instance("names", names, collections, "a list or set of names")
    for name in names:
        check_instance("names", name, str, "names (str)")


def defining_cells(cells: list[Cell], names, before: int | None = None):
    """The cells before cell number ``before`` (by default: every cell) that give
    ``names`` their values then.

    For each name: the last cell that assigns (or imports) it, and the cells
    after that one that change it (set an attribute or item, or call a method
    on it)."""
    _check_cells(cells, names)
    if before is not None:
        check_int("before", before, 1)
    return _defining(cells, names, math.inf if before is None else before)


def _defining(cells: list[Cell], names, before: float) -> list[Cell]:
    """:func:`defining_cells` of validated arguments (``before``: inf for every cell)."""
    modules = set().union(*(c.imported for c in cells))
    earlier = [c for c in cells if c.number < before]
    found = {}
    for name in names:
        for cell in reversed(earlier):
            if name in cell.bound or name in cell.calls - modules:
                found[cell.number] = cell
            if name in cell.bound and name not in cell.calls | cell.used:
                break  # assigned afresh: what came before does not count
    return [found[n] for n in sorted(found)]


def needed_cells(cells: list[Cell], names) -> list[Cell]:
    """The cells needed to give ``names`` their final values, transitively, in
    notebook order.

    A name read when a cell runs needs the cells before it; a name read inside
    a function needs the cells up to the end (the function may be called at any
    time)."""
    _check_cells(cells, names)
    chosen: dict[int, Cell] = {}
    todo = [(name, math.inf) for name in names]
    seen = set()
    while todo:
        name, before = todo.pop()
        if (name, before) in seen:
            continue
        seen.add((name, before))
        for cell in _defining(cells, [name], before):
            if cell.number in chosen:
                continue
            chosen[cell.number] = cell
            todo += [(n, cell.number) for n in cell.used]
            todo += [(n, math.inf) for n in cell.used_later]
    return [chosen[n] for n in sorted(chosen)]
