#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps (action.yml) the way the GitHub runner does, outside GitHub.

usage: tests/action_run.py ACTION_DIR --workspace DIR [--ref REF] [--input NAME=VALUE ...]

- inputs: action.yml's defaults, overridden by --input (a step sees them through ${{ inputs.NAME }});
- `run:` steps: ${{ ... }} in `env:` values and in the script are replaced first, then the script runs as
  `bash --noprofile --norc -eo pipefail FILE` (GitHub's `shell: bash`) in the workspace, with GITHUB_ACTION_PATH,
  GITHUB_WORKSPACE, GITHUB_ACTION_REF and a fresh GITHUB_OUTPUT file whose `name=value` lines become
  ${{ steps.ID.outputs.NAME }};
- `uses:` steps are not run (they are other actions): a line `action_run: uses NAME with KEY=VALUE ...` on stderr;
- `if:` conditions: always(), success(), failure(), &&, ||, !, ==, != and the contexts above (GitHub compares
  strings ignoring case); a step without `if:` runs only while no step has failed.
Prints `action_run: output NAME=VALUE` for the action's outputs on stderr; exits 1 when a step failed.
An expression this runner does not know is an error (exit 2), never an empty string.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>&&|\|\||==|!=|!|\(|\))|(?P<call>[a-z]+)\(\)|"
                   r"(?P<ref>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)|(?P<bool>true|false))")


class Unknown(Exception):
    pass


def lookup(ref, ctx):
    value, parts = ctx, ref.split(".")
    for i, part in enumerate(parts):
        if not isinstance(value, dict) or part not in value:
            # a declared step's output that is not set (the step did not run or did not write it) is ''
            if i == 3 and parts[0] == "steps" and parts[2] == "outputs" and len(parts) == 4:
                return ""
            raise Unknown(f"unknown context value {ref}")
        value = value[part]
    return value


def evaluate(expr, ctx, failed):
    """A GitHub expression with the operators above; values are strings or booleans."""
    tokens, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise Unknown(f"cannot read the expression at: {expr[pos:]!r}")
        pos = m.end()
        if m.group("str") is not None:
            tokens.append(("val", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("op"):
            tokens.append(("op", m.group("op")))
        elif m.group("call"):
            name = m.group("call")
            if name not in ("always", "success", "failure"):
                raise Unknown(f"unknown function {name}()")
            tokens.append(("val", {"always": True, "success": not failed, "failure": failed}[name]))
        elif m.group("ref") in ("true", "false"):
            tokens.append(("val", m.group("ref") == "true"))
        else:
            tokens.append(("val", lookup(m.group("ref"), ctx)))

    def truthy(v):
        return bool(v)

    def primary(i):
        kind, v = tokens[i]
        if kind == "op" and v == "!":
            r, i = primary(i + 1)
            return (not truthy(r)), i
        if kind == "op" and v == "(":
            r, i = disjunction(i + 1)
            return r, i + 1
        return v, i + 1

    def comparison(i):
        left, i = primary(i)
        while i < len(tokens) and tokens[i] in (("op", "=="), ("op", "!=")):
            op = tokens[i][1]
            right, i = primary(i + 1)
            same = str(left).lower() == str(right).lower()
            left = same if op == "==" else not same
        return left, i

    def conjunction(i):
        left, i = comparison(i)
        while i < len(tokens) and tokens[i] == ("op", "&&"):
            right, i = comparison(i + 1)
            left = left if not truthy(left) else right
        return left, i

    def disjunction(i):
        left, i = conjunction(i)
        while i < len(tokens) and tokens[i] == ("op", "||"):
            right, i = conjunction(i + 1)
            left = left if truthy(left) else right
        return left, i

    value, end = disjunction(0)
    if end != len(tokens):
        raise Unknown(f"cannot read the expression {expr!r}")
    return value


def condition(cond, ctx, failed):
    """A step's `if:`: bare or in ${{ }}; without a status function GitHub adds `success() &&`."""
    if cond is None:
        return not failed
    if isinstance(cond, bool):
        return cond and not failed
    text = cond.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    text = m.group(1) if m else text
    if not re.search(r"\b(always|success|failure|cancelled)\(\)", text):
        text = f"success() && ({text})"
    return bool(evaluate(text, ctx, failed))


def substitute(text, ctx, failed):
    def one(m):
        v = evaluate(m.group(1), ctx, failed)
        return ("true" if v else "false") if isinstance(v, bool) else str(v)
    return EXPR.sub(one, text)


def read_outputs(path):
    """GITHUB_OUTPUT: `name=value` lines, and `name<<DELIMITER` ... `DELIMITER` blocks."""
    outputs, lines = {}, open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            outputs[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action_dir")
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--ref", default="")
    ap.add_argument("--input", action="append", default=[])
    args = ap.parse_args()
    action_dir = os.path.abspath(args.action_dir)
    workspace = os.path.abspath(args.workspace)
    with open(os.path.join(action_dir, "action.yml")) as f:
        action = yaml.safe_load(f)
    if action["runs"]["using"] != "composite":
        print("action_run: only composite actions", file=sys.stderr)
        return 2

    inputs = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
    for item in args.input:
        name, value = item.split("=", 1)
        if name not in inputs:
            print(f"action_run: action.yml has no input {name}", file=sys.stderr)
            return 2
        inputs[name] = value
    ctx = {"inputs": inputs, "steps": {},
           "github": {"action_path": action_dir, "action_ref": args.ref, "workspace": workspace}}
    for step in action["runs"]["steps"]:
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": {}, "outcome": ""}
    failed = False
    try:
        for number, step in enumerate(action["runs"]["steps"]):
            if not condition(step.get("if"), ctx, failed):
                continue
            if "uses" in step:
                with_ = " ".join(f"{k}={substitute(str(v), ctx, failed)}" for k, v in step.get("with", {}).items())
                print(f"action_run: uses {step['uses']} with {with_}", file=sys.stderr)
                continue
            if step.get("shell") != "bash":
                print(f"action_run: step {number}: only `shell: bash` steps", file=sys.stderr)
                return 2
            env = dict(os.environ)
            env.update(GITHUB_ACTION_PATH=action_dir, GITHUB_WORKSPACE=workspace, GITHUB_ACTION_REF=args.ref)
            for name, value in step.get("env", {}).items():
                env[name] = substitute(str(value), ctx, failed)
            with tempfile.TemporaryDirectory() as tmp:
                script = os.path.join(tmp, "step.sh")
                with open(script, "w") as f:
                    f.write(substitute(step["run"], ctx, failed))
                env["GITHUB_OUTPUT"] = os.path.join(tmp, "output")
                open(env["GITHUB_OUTPUT"], "w").close()
                rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                                    cwd=workspace, env=env).returncode
                outputs = read_outputs(env["GITHUB_OUTPUT"])
            if "id" in step:
                ctx["steps"][step["id"]] = {"outputs": outputs, "outcome": "success" if rc == 0 else "failure"}
            if rc != 0:
                print(f"action_run: step {step.get('id', number)} exited {rc}", file=sys.stderr)
                failed = True
        for name, spec in action.get("outputs", {}).items():
            print(f"action_run: output {name}={substitute(str(spec['value']), ctx, failed)}", file=sys.stderr)
    except Unknown as e:
        print(f"action_run: {e}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
