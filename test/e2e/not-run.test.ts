/**
 * When the function does not run, the build must not yield a pod without config.toml. kustomize cannot be made
 * to fail (it never runs the function), so the bases' placeholder ConfigMap carries a key the API server refuses,
 * and the refusal prints the key, which says what to do.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { PLACEHOLDER_KEY } from "../../src/render/config-map.ts";
import { parseManifests } from "../support/manifests.ts";
import { kubectlKustomize, REPO_ROOT } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-not-run-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The API server's rule for ConfigMap keys (k8s.io/apimachinery validation IsConfigMapKey). */
const validConfigMapKey = (key: string) => key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && key !== "." && key !== ".." && !key.startsWith("..");

function configMapData(output: string): Record<string, string> {
  const configMaps = parseManifests(output).filter((object) => object.kind === "ConfigMap");
  assert.equal(configMaps.length, 1);
  return configMaps[0]?.data as Record<string, string>;
}

test("the placeholder's key is one the API server refuses, and says what to do", () => {
  assert.equal(validConfigMapKey(PLACEHOLDER_KEY), false);
  assert.match(PLACEHOLDER_KEY, /transformers:/);
  assert.equal(validConfigMapKey("config.toml"), true);
});

test("a StalwartConfig under resources: leaves the placeholder, which apply refuses", () => {
  const dir = join(scratch, "under-resources");
  mkdirSync(dir);
  copyFileSync(join(REPO_ROOT, "overlays/single/stalwartconfig.yaml"), join(dir, "stalwartconfig.yaml"));
  writeFileSync(join(dir, "kustomization.yaml"), `resources:\n  - ${relative(dir, join(REPO_ROOT, "base/single"))}\n  - stalwartconfig.yaml\n`);
  const build = kubectlKustomize(dir);
  assert.equal(build.status, 0, build.stderr);
  const data = configMapData(build.stdout);
  assert.equal(data["config.toml"], undefined);
  assert.ok(PLACEHOLDER_KEY in data);
});

test("the exec-function overlay built by kubectl (which skips exec functions) leaves the placeholder", () => {
  const build = kubectlKustomize(join(REPO_ROOT, "overlays/exec-function"));
  assert.equal(build.status, 0, build.stderr);
  const data = configMapData(build.stdout);
  assert.deepEqual(Object.keys(data), [PLACEHOLDER_KEY]);
});

test("every ready overlay replaces the placeholder with config.toml", () => {
  for (const overlay of ["overlays/single", "overlays/cluster"]) {
    const data = configMapData(kubectlKustomize(join(REPO_ROOT, overlay)).stdout);
    assert.deepEqual(Object.keys(data), ["config.toml"], overlay);
  }
});
