#!/usr/bin/env python3
"""Files over 900 lines and functions over 120 lines in src/ (issue 13's limits).

    python3 bench/refactor/sizes.py [--files N] [--fns N] [DIR]

A function runs from its `fn` line to its closing brace, found by matching
braces outside strings, chars and comments; nested functions count on their own.
"""
import re
import sys
from pathlib import Path

FN = re.compile(r'^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"[^"]*"\s+)?fn\s+(\w+)')


def code_only(text):
    """The text with strings, chars and comments blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith('/*', j): depth += 1; j += 2
                elif text.startswith('*/', j): depth -= 1; j += 2
                else: j += 1
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif (m := re.match(r'b?r(#*)"', text[i:i + 260])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            close = '"' + m.group(1)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            out.append(re.sub(r'[^\n]', ' ', text[i:j + 1])); i = j + 1
        elif c == "'" and (m := re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'])'", text[i:i + 12])):
            out.append(' ' * m.end()); i += m.end()
        else:
            out.append(c); i += 1
    return ''.join(out)


def functions(path):
    code = code_only(path.read_text(encoding='utf-8'))
    lines = code.split('\n')
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for no, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        i = starts[no] + m.end()
        # The body's opening brace, unless a `;` ends a declaration first.
        while i < len(code) and code[i] not in '{;':
            i += 1
        if i >= len(code) or code[i] == ';':
            continue
        depth = 0
        for j in range(i, len(code)):
            if code[j] == '{': depth += 1
            elif code[j] == '}':
                depth -= 1
                if depth == 0:
                    end = code.count('\n', 0, j)
                    yield m.group(1), no + 1, end - no + 1
                    break


def main():
    args = sys.argv[1:]
    max_file, max_fn, root = 900, 120, 'src'
    while args:
        a = args.pop(0)
        if a == '--files': max_file = int(args.pop(0))
        elif a == '--fns': max_fn = int(args.pop(0))
        else: root = a
    files = sorted(Path(root).rglob('*.rs'))
    big_files = [(sum(1 for _ in f.open(encoding='utf-8')), f) for f in files]
    big_files = sorted(((n, f) for n, f in big_files if n > max_file), reverse=True)
    long_fns = sorted(((n, f, name, line) for f in files for name, line, n in functions(f) if n > max_fn), reverse=True)
    print(f'files over {max_file} lines: {len(big_files)}')
    for n, f in big_files:
        print(f'  {n:5}  {f}')
    print(f'functions over {max_fn} lines: {len(long_fns)}')
    for n, f, name, line in long_fns:
        print(f'  {n:5}  {f}:{line}  {name}')


if __name__ == '__main__':
    main()
