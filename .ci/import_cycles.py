#!/usr/bin/env python3
"""Fails if the modules of crates/sphaera import each other in a circle.

A module is a file (`foo.rs` or `foo/mod.rs`); it imports the longest module path named by a
`crate::...` path in its code (comments and `#[cfg(test)]` sections excluded). Cycles are
reported among files and among the crate's top-level modules.
"""
import collections
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "crates", "sphaera", "src")


def modules():
    found = {}
    for directory, _, files in os.walk(ROOT):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(directory, name)
            parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            code = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
            code = "\n".join(l for l in code.splitlines() if not l.strip().startswith("//"))
            found["::".join(parts)] = code
    return found


def imports(found):
    edges = set()
    for module, code in found.items():
        for path in re.findall(r"crate::([a-z_]+(?:::[a-z_]+)*)", code):
            segments = path.split("::")
            target = next(
                ("::".join(segments[:k]) for k in range(len(segments), 0, -1)
                 if "::".join(segments[:k]) in found),
                None,
            )
            nested = target and (module.startswith(target + "::") or target.startswith(module + "::"))
            if target and target != module and module and not nested:
                edges.add((module, target))
    return edges


def cycles(edges):
    graph = collections.defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def main():
    edges = imports(modules())
    top = {(a.split("::")[0], b.split("::")[0]) for a, b in edges}
    top = {(a, b) for a, b in top if a != b}
    failed = False
    for kind, graph in (("files", edges), ("top-level modules", top)):
        for cycle in cycles(graph):
            print(f"import cycle among {kind}: {' <-> '.join(cycle)}", file=sys.stderr)
            failed = True
    print(f"{len(edges)} imports between modules, no cycle" if not failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
