/**
 * What every run of the function must look like from the outside, whatever it was given (README: "Errors that
 * name the field and the fix ... never a stack trace, never a half-built output taken for success"), and what
 * every accepted run must render: config.toml that TOML and Stalwart's own parser read alike, with its checksum
 * on the workload.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";
import type { Answer } from "../../src/invocation.ts";
import { CONFIG_CHECKSUM_ANNOTATION, isKubeObject, isRecord, type KubeObject } from "../../src/kube.ts";
import { flattenToml, readLikeStalwart, type FlatConfig } from "../support/stalwart-toml.ts";
import type { Mode } from "./harness.ts";

/** Warnings never leave the function as such: they are errors, or infos that stderr does not show. */
const RESULT_LINE = /^\[error\] ./;
/** Control characters other than tab, raw in a line, can rewrite a terminal or forge the next line. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface Checked {
  exitCode: 0 | 1;
  /** The objects written to stdout: the stream's documents, or the ResourceList's items. */
  objects: KubeObject[];
  errorLines: string[];
}

function shown(answer: Answer): string {
  return `exit code ${answer.exitCode}\n--- stderr ---\n${answer.stderr.slice(0, 3000)}\n--- stdout ---\n${answer.stdout.slice(0, 1500)}`;
}

/** Like assert.ok, with the answer shown only when it fails (building the message every time is not free). */
function check(condition: boolean, what: string, answer: Answer): asserts condition {
  if (!condition) assert.fail(`${what}\n${shown(answer)}`);
}

/** Refused runs often write back the very same stream: each distinct stdout is parsed once. */
const parsedStdout = new Map<string, { values: unknown[]; errors: string[] }>();

function parseStdout(answer: Answer): unknown[] {
  let parsed = parsedStdout.get(answer.stdout);
  if (!parsed) {
    const documents = parseAllDocuments(answer.stdout, { version: "1.1" });
    const list = Array.isArray(documents) ? documents : [];
    parsed = { values: list.map((document) => document.toJS() as unknown), errors: list.flatMap((document) => document.errors.map((error) => error.message)) };
    if (parsedStdout.size > 200) parsedStdout.clear();
    parsedStdout.set(answer.stdout, parsed);
  }
  check(parsed.errors.length === 0, `stdout does not parse as YAML: ${parsed.errors.join("; ")}`, answer);
  return parsed.values;
}

function checkStderr(answer: Answer): string[] {
  if (answer.stderr === "") return [];
  check(answer.stderr.endsWith("\n"), "stderr must end with a newline", answer);
  const lines = answer.stderr.slice(0, -1).split("\n");
  for (const line of lines) {
    check(RESULT_LINE.test(line), "every stderr line starts with [error]", answer);
    check(!RAW_CONTROL.test(line), "a raw control character in stderr", answer);
    check(!line.includes("internal error"), "an internal error is a bug in the function", answer);
    check(!/undefined|\[object Object\]/.test(line), "a message with a missing or unprinted value", answer);
  }
  const errorLines = lines.filter((line) => line.startsWith("[error] "));
  if (answer.exitCode === 1) check(errorLines.some((line) => line.length > "[error] ".length + 10), "exit code 1 names no problem", answer);
  else check(errorLines.length === 0, "exit code 0 with an [error] line", answer);
  return errorLines;
}

/** Asserts the shape of any answer, accepted or not, and returns the objects it wrote. */
export function assertContract(answer: Answer, mode: Mode): Checked {
  // A key `__proto__` merged by assignment would add fields to every object of the process.
  check(Object.keys(Object.prototype).length === 0 && Object.keys(Array.prototype).length === 0, "the run polluted Object.prototype", answer);
  check(answer.exitCode === 0 || answer.exitCode === 1, "exit code 0 or 1", answer);
  check(!LONE_SURROGATE.test(answer.stdout), "stdout is not Unicode text (a lone surrogate)", answer);
  const errorLines = checkStderr(answer);
  const documents = answer.stdout === "" && mode === "legacy" ? [] : parseStdout(answer);
  let objects: unknown[];
  if (mode === "legacy") {
    objects = documents;
  } else {
    check(documents.length === 1, "KRM mode writes exactly one document", answer);
    const list = documents[0];
    check(isRecord(list) && list.kind === "ResourceList" && list.apiVersion === "config.kubernetes.io/v1", "KRM mode writes a ResourceList", answer);
    check(Array.isArray(list.items), "the ResourceList has items", answer);
    const results = Array.isArray(list.results) ? list.results : [];
    const hasError = results.some((result) => isRecord(result) && result.severity === "error");
    check(hasError === (answer.exitCode === 1), "the ResourceList's results must agree with the exit code", answer);
    objects = list.items;
  }
  check(objects.every(isKubeObject), "every object written is a Kubernetes object", answer);
  return { exitCode: answer.exitCode, objects: objects as KubeObject[], errorLines };
}

export function configMapsWithToml(objects: readonly KubeObject[]): { object: KubeObject; toml: string }[] {
  return objects.flatMap((object) => {
    const toml = object.kind === "ConfigMap" && isRecord(object.data) ? object.data["config.toml"] : undefined;
    return typeof toml === "string" && toml !== "" ? [{ object, toml }] : [];
  });
}

/**
 * For an accepted run: config.toml parses as TOML, Stalwart's parser reads the same keys and values, and the
 * workload carries its checksum. Returns the flat keys of config.toml.
 */
export function assertRendered(checked: Checked, answer: Answer): FlatConfig {
  assert.equal(checked.exitCode, 0);
  const [rendered, ...more] = configMapsWithToml(checked.objects);
  assert.ok(rendered, `an accepted run renders config.toml\n${shown(answer)}`);
  assert.equal(more.length, 0, "one config.toml");
  let flat: FlatConfig;
  try {
    flat = flattenToml(rendered.toml);
  } catch (error) {
    assert.fail(`config.toml is not TOML: ${(error as Error).message}\n${rendered.toml}`);
  }
  assert.deepEqual(readLikeStalwart(rendered.toml), flat, `Stalwart reads config.toml differently from TOML\n${rendered.toml}`);
  const checksum = createHash("sha256").update(rendered.toml).digest("hex");
  const stamped = checked.objects.filter((object) => {
    const template = isRecord(object.spec) && isRecord(object.spec.template) ? object.spec.template : undefined;
    const annotations = isRecord(template?.metadata) && isRecord(template.metadata.annotations) ? template.metadata.annotations : {};
    return annotations[CONFIG_CHECKSUM_ANNOTATION] === checksum;
  });
  assert.equal(stamped.length, 1, "the workload carries the checksum of the config.toml rendered");
  return flat;
}

/** Identity of every object written, in order: what an injected string must not add to or take from. */
export function identities(objects: readonly KubeObject[]): string[] {
  return objects.map((object) => [object.apiVersion, object.kind, object.metadata.namespace ?? "", object.metadata.name].join("/"));
}

/** How many runs of a property were accepted and how many refused. */
export interface Tally {
  accepted: number;
  refused: number;
}

/** The contract for any run, and the rendering for an accepted one; the tally says which it was. */
export function assertRun(answer: Answer, mode: Mode, tally: Tally): Checked {
  const checked = assertContract(answer, mode);
  if (checked.exitCode === 0) {
    assertRendered(checked, answer);
    tally.accepted++;
  } else tally.refused++;
  return checked;
}

/** Both outcomes must stay common, or the generator no longer reaches one of them. */
export function assertBothOutcomes(tally: Tally, runs: number): void {
  assert.ok(tally.accepted > runs / 10 && tally.refused > runs / 3, JSON.stringify(tally));
}
