/**
 * Golden cases of the bundled function, each run under both protocols and twice (the second run on the
 * first's output must change nothing). A case folder holds `config.yaml` (the user's StalwartConfig; its first
 * comment says what the case proves), an optional `input.yaml` (default: what kustomize hands the function for
 * overlays/single, or for the overlay named in `input-overlay.txt`), and either
 * `expected.yaml` (the legacy output stream, plus `expected-stderr.txt` with what it prints, if anything) or, for
 * a case whose name ends in `-error`, `expected-stderr.txt` alone (the function must fail with those lines;
 * `expected-stderr-krm.txt` where the KRM protocol words it differently, as for YAML that does not parse). The
 * legacy runs get a captured stderr and KUSTOMIZE_PLUGIN_CONFIG_ROOT, as from kustomize 5, so `%` is doubled there.
 * `UPDATE_GOLDEN=1 npm test` rewrites the expectations; review the diff like code.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Document, parseAllDocuments, stringify } from "yaml";
import { REPO_ROOT, runKrmFunction, runLegacyPlugin } from "../support/tools.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";

const CASES = join(REPO_ROOT, "test/golden/function");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const read = (path: string) => readFileSync(path, "utf8");
const docs = (text: string) => parseAllDocuments(text, { version: "1.1" }).map((doc) => doc.toJS()).filter((value) => value !== null);
const withoutFile = (stderr: string) => stderr.replace(/ \(in [^)]*\)$/gm, "");

function resourceList(input: string, config: string): string {
  const parsed = parseAllDocuments(config);
  const broken = parsed.some((doc) => doc.errors.length > 0);
  const list = new Document({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: docs(input), ...(broken ? {} : { functionConfig: docs(config)[0] }) }, { version: "1.1" });
  // Broken YAML is passed on as it is, for the function to report.
  return list.toString({ lineWidth: 0 }) + (broken ? `functionConfig:\n${config.replace(/^/gm, "  ")}` : "");
}

function legacy(caseDir: string, input: string) {
  return runLegacyPlugin(join(caseDir, "config.yaml"), input, { KUSTOMIZE_PLUGIN_CONFIG_ROOT: `test/golden/function/${caseDir.split("/").at(-1)}` });
}

for (const name of readdirSync(CASES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
  const dir = join(CASES, name);
  // A case may name the ready overlay whose transformer input it starts from, in `input-overlay.txt`.
  const overlay = existsSync(join(dir, "input-overlay.txt")) ? read(join(dir, "input-overlay.txt")).trim() : "overlays/single";
  const input = existsSync(join(dir, "input.yaml")) ? read(join(dir, "input.yaml")) : kustomizeInput(overlay);
  const config = read(join(dir, "config.yaml"));
  const expectsFailure = name.endsWith("-error");

  describe(`function case ${name}`, () => {
    test("legacy exec plugin", () => {
      const first = legacy(dir, input);
      if (expectsFailure) {
        if (UPDATE) writeFileSync(join(dir, "expected-stderr.txt"), first.stderr);
        assert.equal(first.status, 1, "the function must exit 1");
        assert.equal(first.stderr, read(join(dir, "expected-stderr.txt")));
        assert.doesNotMatch(first.stderr, /\n\s+at |undefined|\{"/, "no stack trace, undefined or raw JSON");
        return;
      }
      if (UPDATE) writeFileSync(join(dir, "expected.yaml"), first.stdout);
      const warnings = join(dir, "expected-stderr.txt");
      if (UPDATE && first.stderr !== "") writeFileSync(warnings, first.stderr);
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout, read(join(dir, "expected.yaml")));
      assert.equal(first.stderr, existsSync(warnings) ? read(warnings) : "", "a successful run prints only the warnings the case expects");
      const second = legacy(dir, first.stdout);
      assert.equal(second.stdout, first.stdout, "a second run must change nothing");
    });

    test("KRM function", () => {
      const first = runKrmFunction(resourceList(input, config));
      const list = docs(first.stdout)[0] as { kind: string; items: unknown[]; results?: { severity: string }[] };
      assert.equal(list.kind, "ResourceList", "a ResourceList is written even on failure");
      if (expectsFailure) {
        const krmExpectation = join(dir, "expected-stderr-krm.txt");
        if (UPDATE && (existsSync(krmExpectation) || withoutFile(first.stderr) !== withoutFile(read(join(dir, "expected-stderr.txt"))))) writeFileSync(krmExpectation, first.stderr);
        assert.equal(first.status, 1);
        assert.equal(withoutFile(first.stderr), withoutFile(read(existsSync(krmExpectation) ? krmExpectation : join(dir, "expected-stderr.txt"))));
        assert.ok(list.results?.some((result) => result.severity === "error"));
        return;
      }
      assert.equal(first.status, 0, first.stderr);
      assert.deepEqual(list.items, docs(read(join(dir, "expected.yaml"))));
      const again = runKrmFunction(first.stdout.replace(/^results:[\s\S]*$/m, "") + `functionConfig:\n${stringify(docs(config)[0]).replace(/^/gm, "  ")}`);
      assert.deepEqual((docs(again.stdout)[0] as { items: unknown[] }).items, list.items, "a second run must change nothing");
    });
  });
}
