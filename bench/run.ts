/**
 * Side-by-side timings in one run, reported as ratios (absolute times depend on the machine):
 * 1. compiling the schema with Ajv at start-up versus loading the code compiled ahead of time;
 * 2. one run of the bundled plugin on the overlays/single stream versus starting a bare `node`.
 * `npm run bench`; not part of the tests.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { PLUGIN_BIN, REPO_ROOT } from "../test/support/tools.ts";

const ROUNDS = 30;
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "src/settings/stalwartconfig.schema.json"), "utf8"));

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function time(work: () => void): number {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const compileOptions = { allErrors: true, useDefaults: true, strict: true };
const code = standaloneCode.default(new Ajv.default({ ...compileOptions, code: { source: true } }), new Ajv.default({ ...compileOptions, code: { source: true } }).compile(schema));
const runtimeCompile = time(() => new Ajv.default(compileOptions).compile(schema));
const aheadOfTime = time(() => new Function("module", "exports", "require", code)({ exports: {} }, {}, (id: string) => (id.includes("ucs2length") ? { default: (s: string) => s.length } : {})));

const stream = ["base/common/serviceaccount.yaml", "base/common/service.yaml", "base/common/configmap.yaml", "base/common/stalwartconfig.yaml", "base/single/deployment.yaml", "base/single/persistentvolumeclaim.yaml", "base/single/stalwartconfig.yaml"]
  .map((path) => readFileSync(join(REPO_ROOT, path), "utf8"))
  .join("---\n");
const config = join(REPO_ROOT, "overlays/single/stalwartconfig.yaml");
const plugin = time(() => spawnSync(PLUGIN_BIN, [config], { input: stream }));
const bareNode = time(() => spawnSync(process.execPath, ["-e", ""]));

console.log(`schema: Ajv compile at start-up / standalone code: ${(runtimeCompile / aheadOfTime).toFixed(1)}x (${runtimeCompile.toFixed(2)} ms / ${aheadOfTime.toFixed(2)} ms, median of ${ROUNDS})`);
console.log(`plugin run on overlays/single / bare node start: ${(plugin / bareNode).toFixed(2)}x (${plugin.toFixed(1)} ms / ${bareNode.toFixed(1)} ms, median of ${ROUNDS})`);
