/**
 * The pathological inputs once more through the real plugin process (the committed bundle, as kustomize and
 * kpt start it), where the exit code and the bytes on stdout and stderr are what the orchestrator sees: empty
 * and blank stdin, bytes that are not UTF-8 in the stream and in the config file, and binary garbage. Eight
 * runs; the thousands of cases run in-process in the other property suites.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import type { Answer } from "../../src/invocation.ts";
import { PLUGIN_BIN, REPO_ROOT } from "../support/tools.ts";
import { assertContract } from "./contract.ts";
import type { Mode } from "./harness.ts";

const CONFIG = join(REPO_ROOT, "overlays/single/stalwartconfig.yaml");
// A real stream from the golden cases, so that this suite needs no kubectl.
const STREAM = readFileSync(join(REPO_ROOT, "test/golden/function/single-no-configmap-placeholder/input.yaml"));
const scratch = mkdtempSync(join(tmpdir(), "stalwart-plugin-process-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runPlugin(args: readonly string[], input: Uint8Array): Answer {
  const result = spawnSync(PLUGIN_BIN, args, { input, env: { ...process.env, STALWART_FN_CODE_CACHE: "off", STALWART_FN_DEBUG: "" }, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(result.error, undefined, `the plugin could not run: ${String(result.error)}`);
  assert.equal(result.signal, null, `the plugin was killed by ${String(result.signal)}`);
  assert.ok(result.status === 0 || result.status === 1, `exit code ${String(result.status)}`);
  return { stdout: result.stdout.toString("utf8"), stderr: result.stderr.toString("utf8"), exitCode: result.status };
}

/** Runs the plugin under the protocol and checks the contract; the answer must be a refusal. */
function refused(mode: Mode, input: Uint8Array, config = CONFIG): Answer {
  const answer = runPlugin(mode === "legacy" ? [config] : [], input);
  assert.equal(assertContract(answer, mode).exitCode, 1, answer.stderr);
  return answer;
}

/** The stream with `bytes` put at the start of its line `line` (1-based). */
function spliced(line: number, bytes: readonly number[]): Uint8Array {
  const lines = STREAM.toString("latin1").split("\n");
  lines[line - 1] = Buffer.from(bytes).toString("latin1") + (lines[line - 1] ?? "");
  return new Uint8Array(Buffer.from(lines.join("\n"), "latin1"));
}

const garbage = fc.sample(fc.uint8Array({ minLength: 512, maxLength: 512 }), { numRuns: 1, seed: 20261128 })[0] ?? new Uint8Array([0xff]);

test("legacy protocol: empty and blank stdin are refused as an empty stream, not taken for success", () => {
  for (const input of ["", " \n\t\r\n  \n"]) {
    assert.match(refused("legacy", new Uint8Array(Buffer.from(input))).stderr, /^\[error\] the resource stream on stdin is empty/);
  }
});

test("legacy protocol: a 0xff byte in the stream, and a cut UTF-8 character in the config file, are named with their line", () => {
  assert.match(refused("legacy", spliced(7, [0xff])).stderr, /the resource stream on stdin is not UTF-8 text \(line 7 holds a byte that is not\)/);
  const config = join(scratch, "stalwartconfig.yaml");
  writeFileSync(config, Buffer.concat([readFileSync(CONFIG), Buffer.from([0x23, 0x20, 0xc3, 0x0a])]));
  assert.match(refused("legacy", STREAM, config).stderr, /the config file .*stalwartconfig\.yaml is not UTF-8 text \(line \d+ holds/);
});

test("legacy protocol: binary garbage on stdin is refused in one line", () => {
  assert.equal(refused("legacy", garbage).stderr.split("\n").length, 2);
});

test("KRM protocol: empty stdin, bytes that are not UTF-8 and binary garbage are refused with a ResourceList on stdout", () => {
  for (const input of [new Uint8Array(), spliced(3, [0xc0, 0xaf]), garbage]) refused("krm", input);
});
