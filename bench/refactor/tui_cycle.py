#!/usr/bin/env python3
"""Module imports inside src/tui and the cycles among them (issue 13, step 4).

    python3 bench/refactor/tui_cycle.py [--edges] [DIR]

Every file is a module (tui::app, tui::screens::load, ...). A file imports
another when it names it: in a `use` (crate::tui::..., super::..., self::...,
or a path relative to the module, as mod.rs writes them) or in a path in the
code (`super::features::start(app)`, `screens::load::draw(..)` after
`use super::screens`); inline `mod tests { .. }` blocks are left out. A path names the deepest module it reaches, so
`crate::tui::app::App` is an edge to tui::app; `pub mod` lines declare
modules and are not imports.

Prints the number of edges, the files in cycles (strongly connected
components of more than one file) and the edges inside those components;
`--edges` lists them.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sizes import code_only  # noqa: E402

IDENT = r'[A-Za-z_][A-Za-z0-9_]*'


def module_of(path, root):
    """tui::screens::load for src/tui/screens/load.rs (mod.rs names its folder)."""
    parts = list(path.relative_to(root.parent).with_suffix('').parts)
    if parts[-1] == 'mod':
        parts.pop()
    return tuple(parts)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (as lists of segments)."""
    tree = re.sub(r'\s+as\s+' + IDENT, '', tree)
    tree = re.sub(r'\s+', '', tree)

    def parse(s, i, prefix):
        out, seg = [], ''
        while i < len(s):
            c = s[i]
            if c == '{':
                inner, i = parse(s, i + 1, prefix + split(seg))
                out.extend(inner)
                seg = None
            elif c == '}':
                if seg:
                    out.append(prefix + split(seg))
                return out, i + 1
            elif c == ',':
                if seg:
                    out.append(prefix + split(seg))
                seg = ''
                i += 1
                continue
            else:
                seg = (seg or '') + c
            i += 1 if c != '{' else 0
        if seg:
            out.append(prefix + split(seg))
        return out, i

    def split(seg):
        return [p for p in seg.split('::') if p]

    return parse(tree, 0, [])[0]


def resolve(segments, here, modules, aliases):
    """The module a path names, or None when it is outside src/tui."""
    if not segments:
        return None
    head, rest = segments[0], segments[1:]
    if head == 'crate':
        if not rest or rest[0] != 'tui':
            return None
        base, rest = ('tui',), rest[1:]
    elif head == 'super':
        base = here[:-1]
        while rest and rest[0] == 'super':
            base, rest = base[:-1], rest[1:]
    elif head == 'self':
        base = here
    elif head in aliases:
        base, rest = aliases[head], rest
    elif here + (head,) in modules:
        base, rest = here + (head,), rest
    else:
        return None
    deepest = base if base in modules else None
    for seg in rest:
        base = base + (seg,)
        if base in modules:
            deepest = base
        else:
            break
    return deepest


def without_inline_modules(code):
    """The code with `mod name { ... }` blocks cut (unit tests: their
    `super::` is the file's own module, and they are not the program's
    imports)."""
    out, i = [], 0
    for m in re.finditer(r'\bmod\s+' + IDENT + r'\s*\{', code):
        if m.start() < i:
            continue
        out.append(code[i:m.start()])
        depth, j = 0, m.end() - 1
        while j < len(code):
            depth += {'{': 1, '}': -1}.get(code[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    out.append(code[i:])
    return ''.join(out)


def imports(path, here, modules):
    code = without_inline_modules(code_only(path.read_text(encoding='utf-8')))
    found, aliases = set(), {}
    for m in re.finditer(r'\buse\s+([^;]+);', code):
        for segs in expand_use(m.group(1)):
            target = resolve(segs, here, modules, {})
            if target is None:
                continue
            found.add(target)
            # `use super::screens;` lets the code write `screens::load::..`.
            if segs and segs[-1] != '*' and target == resolve(segs, here, modules, {}):
                name = segs[-1] if segs[-1] != 'self' else segs[-2]
                if target[-1] == name:
                    aliases[name] = target
    code_wo_use = re.sub(r'\buse\s+[^;]+;', '', code)
    for m in re.finditer(r'\b' + IDENT + r'(?:::' + IDENT + r')+', code_wo_use):
        target = resolve(m.group(0).split('::'), here, modules, aliases)
        if target is not None:
            found.add(target)
    found.discard(here)
    return found


def sccs(nodes, edges):
    """Tarjan's strongly connected components."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    args = sys.argv[1:]
    show = '--edges' in args
    args = [a for a in args if a != '--edges']
    root = Path(args[0] if args else 'src/tui')
    files = sorted(root.rglob('*.rs'))
    modules = {module_of(f, root): f for f in files}
    edges = {here: imports(f, here, modules) for here, f in modules.items()}
    # (`pub mod` lines declare a module; they are not imports of it.)
    name = '::'.join
    total = sum(len(v) for v in edges.values())
    cycles = [c for c in sccs(modules, edges) if len(c) > 1]
    in_cycles = sum(len(c) for c in cycles)
    cycle_edges = [(a, b) for c in cycles for a in c for b in sorted(edges[a]) if b in c]
    print(f'modules: {len(modules)}  import edges: {total}')
    print(f'files in cycles: {in_cycles}  (components: {", ".join(str(len(c)) for c in cycles) or "none"})')
    print(f'edges inside cycles: {len(cycle_edges)}')
    for c in cycles:
        print('  cycle: ' + ', '.join(name(m) for m in c))
    if show:
        for a, b in cycle_edges:
            print(f'    {name(a)} -> {name(b)}')


if __name__ == '__main__':
    main()
