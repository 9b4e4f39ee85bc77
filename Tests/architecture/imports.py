#!/usr/bin/env python3
"""Every target imports only what Package.swift declares for it (STYLE.md, "The house plan").

SwiftPM lets a target import any module of its transitive dependencies (ReleveWeb could import
ReleveStore through ReleveService), so the compiler alone does not keep the rooms apart. This
check reads the manifest (`swift package dump-package`) and every source file, and fails on an
`import` of a module the target does not list itself. Run by `make test` (so by CI).
"""
import json
import pathlib
import re
import subprocess
import sys

# The toolchain's own modules: always available, never declared.
SYSTEM = {"Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Synchronization", "Testing", "XCTest", "os"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public\s+|internal\s+|package\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def main() -> int:
    root = pathlib.Path(__file__).resolve().parents[2]
    manifest = json.loads(subprocess.run(
        ["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)
    problems = []
    for target in manifest["targets"]:
        if target["type"] == "system":
            continue
        name = target["name"]
        folder = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
        declared = set()
        for dependency in target["dependencies"]:
            kind, value = next(iter(dependency.items()))
            declared.add(value[0])
        for path in sorted((root / folder).rglob("*.swift")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = IMPORT.match(line)
                if not match:
                    continue
                module = match.group(1)
                if module in SYSTEM or module in declared or module == name:
                    continue
                problems.append(f"{path.relative_to(root)}:{number}: {name} imports {module}, not declared in Package.swift")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} undeclared import(s): declare the dependency, or go through ReleveService.", file=sys.stderr)
        return 1
    print(f"imports: every target imports only what Package.swift declares ({len(manifest['targets'])} targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
