#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the kernel-doc comments of libgmap's public headers into doxygen.

Used as doxygen's INPUT_FILTER: reads the header named on the command
line, writes it to stdout with every kernel-doc comment rewritten, line
for line (so doxygen's warnings point at the real lines):

    /**                                  /**
     * name() - summary                   * \\brief summary
     * @arg: description          ->      * \\param arg description
     *                                    *
     * Body, with @arg and %CONST.        * Body, with \\p arg and CONST.
     * Context: locks.                    * \\context locks.
     * Return: 0 or -EINVAL.              * \\return 0 or -EINVAL.
     */                                   */

For a struct, union or enum the @member lines become blank and their text
goes to a trailing /**< ... */ on the member's declaration. A trailing
/* ... */ comment on a #define or typedef line becomes /**< ... */.

With --check FILE|DIR... (a directory: its *.h), nothing is written: every kernel-doc comment is
checked instead (each function or macro parameter and each struct, union
or enum member has an @-description, and no @-description names something
that is not there); problems are printed and the exit status is 1.
"""
import glob
import os
import re
import sys

HEADER = re.compile(r"^(?:(struct|union|enum|typedef)\s+)?(\w+)(\(\))?\s+-\s+(.*)$")
PARAM = re.compile(r"^@(\w+|\.\.\.):\s*(.*)$")
SECTION = re.compile(r"^(Context|Return|Returns):\s*(.*)$")
TRAILING = re.compile(r"^(\s*(?:#\s*define|typedef)\b.*?)/\*(?!\*)\s*(.*?)\s*\*/\s*$")


def inline(text):
    """kernel-doc inline markup to doxygen: @arg, %CONST, &struct x."""
    text = re.sub(r"@(\w+)", r"\\p \1", text)
    text = re.sub(r"(?<![\w%])%(\w+)", r"\1", text)
    return re.sub(r"&((?:struct|union|enum)\s+\w+)", r"\1", text)


def strip_star(line):
    """The text of one comment line, without the leading ' * '."""
    m = re.match(r"^\s*\*(?!/)\s?(.*)$", line)
    return m.group(1) if m else line.strip()


class Doc:
    """One kernel-doc comment: what it documents and its @-descriptions."""

    def __init__(self, lines):
        self.lines = lines          # the comment's source lines
        self.kind = self.name = None
        self.params = {}            # name -> description (joined)
        self.param_order = []
        body = [strip_star(line) for line in lines[1:-1]]
        self.text = body
        first = next((i for i, t in enumerate(body) if t.strip()), None)
        if first is None:
            return
        m = HEADER.match(body[first].strip())
        if not m:
            return
        self.first = first
        self.kind = m.group(1) or ("function" if m.group(3) else "object")
        self.name = m.group(2)
        current = None
        for t in body[first + 1:]:
            s = t.strip()
            pm = PARAM.match(s)
            if pm:
                current = pm.group(1)
                self.params[current] = pm.group(2)
                self.param_order.append(current)
            elif s and current and not SECTION.match(s):
                self.params[current] += " " + s
            else:
                current = None

    @property
    def aggregate(self):
        return self.kind in ("struct", "union", "enum")

    def doxygen(self):
        """The comment rewritten for doxygen, same number of lines."""
        out = [self.lines[0]]
        state = "summary"
        for i, t in enumerate(self.text):
            s = t.strip()
            prefix = re.match(r"^(\s*\*)", self.lines[i + 1])
            lead = prefix.group(1) if prefix else " *"
            if i < self.first:
                out.append(self.lines[i + 1])
                continue
            if i == self.first:
                out.append(f"{lead} \\brief {inline(HEADER.match(s).group(4))}")
                continue
            pm = PARAM.match(s)
            sm = SECTION.match(s)
            if pm:
                state = "param"
                if self.aggregate:
                    out.append(lead)
                else:
                    out.append(f"{lead} \\param {pm.group(1)} {inline(pm.group(2))}")
            elif sm:
                state = "section"
                cmd = "context" if sm.group(1) == "Context" else "return"
                out.append(f"{lead} \\{cmd} {inline(sm.group(2))}")
            elif not s:
                state = "body"
                out.append(lead)
            elif state == "param" and self.aggregate:
                out.append(lead)
            else:
                out.append(f"{lead} {inline(s)}")
        out.append(self.lines[-1])
        return out


def member_name(decl, enum):
    """The member a declaration (or an enumerator) names, or None."""
    decl = re.sub(r"/\*.*?\*/", "", decl).strip()
    if enum:
        m = re.match(r"^(\w+)", decl)
        return m.group(1) if m else None
    m = re.search(r"\(\s*\*\s*(\w+)\s*(?:\[[^\]]*\]\s*)*\)", decl)
    if m:
        return m.group(1)
    # An unnamed bit-field (the "size_t :0;" that closes an option struct).
    if re.search(r"\b(?:size_t|int|unsigned|long|char|short|bool|u?int\d+_t)\s*:\s*\d+\s*;$",
                 decl):
        return None
    m = re.search(r"(\w+)\s*(?:\[[^\]]*\]\s*)*(?::\s*\d+\s*)?;\s*$", decl)
    return m.group(1) if m else None


class Body:
    """Walks the body of a documented struct, union or enum and finds, per
    line, the member whose declaration ends there."""

    def __init__(self, doc):
        self.doc = doc
        self.depth = 0
        self.started = False
        self.pending = ""
        self.seen = []

    def feed(self, line):
        """Returns (member name or None, done)."""
        code = re.sub(r"/\*.*?\*/", "", line)
        code = re.sub(r"//.*$", "", code)
        name = None
        enum = self.doc.kind == "enum"
        for ch in code:
            if ch == "{":
                self.depth += 1
                self.started = True
                self.pending = "" if self.depth == 1 else self.pending + ch
                continue
            if ch == "}":
                self.depth -= 1
                if self.started and self.depth == 0:
                    if enum and self.pending.strip():
                        name = member_name(self.pending, True)
                    return name, True
                self.pending += ch
                continue
            if self.depth < 1:
                continue
            self.pending += ch
            if self.depth == 1 and ((enum and ch == ",") or (not enum and ch == ";")):
                name = member_name(self.pending, enum)
                self.pending = ""
        if name:
            self.seen.append(name)
        return name, False


def comment_lines(lines, i):
    """The index after the comment that starts at lines[i]."""
    j = i
    while "*/" not in lines[j]:
        j += 1
    return j + 1


def filter_text(lines):
    out = []
    body = None
    described = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not described and line.strip() == "/*":
            # The header's own description: the first block comment.
            described = True
            out.append(line.replace("/*", "/** \\file"))
            i += 1
            continue
        if line.lstrip().startswith("/**") and not line.lstrip().startswith("/**<") \
                and "*/" not in line:
            j = comment_lines(lines, i)
            doc = Doc(lines[i:j])
            if doc.kind:
                out.extend(doc.doxygen())
                body = Body(doc) if doc.aggregate else None
            else:
                out.extend(lines[i:j])
            i = j
            continue
        if body:
            name, done = body.feed(line)
            desc = body.doc.params.get(name) if name else None
            if desc:
                line = line.rstrip() + " /**< " + inline(desc).replace("*/", "* /") + " */"
            if done:
                body = None
        else:
            m = TRAILING.match(line)
            if m:
                line = f"{m.group(1)}/**< {inline(m.group(2))} */"
        out.append(line)
        i += 1
    return out


def prototype_params(lines, j):
    """Parameter names of the function or function-like macro declared
    from lines[j] on (None when it is not one)."""
    text = ""
    for line in lines[j:j + 12]:
        text += " " + re.sub(r"/\*.*?\*/", "", line).strip()
        if ";" in line or "{" in line or (text.lstrip().startswith("#define") and
                                          not line.rstrip().endswith("\\")):
            break
    m = re.match(r"^\s*#\s*define\s+\w+\(([^)]*)\)", text)
    if not m:
        m = re.search(r"\w+\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:__attribute__.*)?[;{]", text)
    if not m:
        return None
    args = [a.strip() for a in m.group(1).split(",") if a.strip() and a.strip() != "void"]
    names = []
    for a in args:
        if a == "...":
            names.append("...")
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", a)
        w = fp.group(1) if fp else re.findall(r"\w+", re.sub(r"\[.*?\]", "", a))[-1]
        names.append(w)
    return names


def check(path):
    with open(path) as f:
        lines = f.read().split("\n")
    problems = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("/**") and not line.lstrip().startswith("/**<") \
                and "*/" not in line:
            j = comment_lines(lines, i)
            doc = Doc(lines[i:j])
            where = f"{path}:{i + 1}"
            if doc.aggregate:
                body = Body(doc)
                k = j
                while k < len(lines):
                    _, done = body.feed(lines[k])
                    k += 1
                    if done:
                        break
                for name in body.seen:
                    if name not in doc.params:
                        problems.append(f"{where}: {doc.kind} {doc.name}: member '{name}' "
                                        "has no @-description")
                for name in doc.param_order:
                    if name not in body.seen:
                        problems.append(f"{where}: {doc.kind} {doc.name}: @{name} is not "
                                        "a member")
            elif doc.kind == "function":
                names = prototype_params(lines, j)
                if names is None:
                    problems.append(f"{where}: {doc.name}(): no prototype follows")
                else:
                    for name in names:
                        if name not in doc.params:
                            problems.append(f"{where}: {doc.name}(): parameter '{name}' "
                                            "has no @-description")
                    for name in doc.param_order:
                        if name not in names:
                            problems.append(f"{where}: {doc.name}(): @{name} is not a "
                                            "parameter")
            i = j
            continue
        i += 1
    return problems


def main(argv):
    if len(argv) >= 2 and argv[1] == "--check":
        paths = []
        for a in argv[2:]:
            paths += sorted(glob.glob(os.path.join(a, "*.h"))) if os.path.isdir(a) else [a]
        problems = [p for path in paths for p in check(path)]
        for p in problems:
            print(p, file=sys.stderr)
        print(f"kernel-doc: {len(paths)} headers, {len(problems)} problems")
        return 1 if problems or not paths else 0
    if len(argv) != 2:
        print("usage: kerneldoc-filter.py HEADER | --check HEADER|DIR...", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        text = f.read()
    sys.stdout.write("\n".join(filter_text(text.split("\n"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
