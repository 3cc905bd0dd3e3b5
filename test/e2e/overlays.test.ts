/**
 * Every ready overlay and every composition under test/e2e/compositions (components combined), built by the
 * real `kubectl kustomize --enable-alpha-plugins` with the committed plugin: golden output, byte-identical
 * rebuilds, upstream schemas, Pod Security "restricted", and, on the TOML lines, a config.toml that Stalwart
 * v0.14 reads as intended with no unknown key (the 0.16 overlays' config.json and plan: v016.test.ts). Every
 * folder of test/e2e/overlays-error must fail with the lines of its expected-error.txt.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToml, parseManifests } from "../support/manifests.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { typeProblems } from "../support/typed-models.ts";
import type { KubeObject } from "../../src/kube.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { flattenToml, readLikeStalwart } from "../support/stalwart-toml.ts";
import { unknownStalwartKeys } from "../support/stalwart-keys.ts";
import { kubectlKustomize, REPO_ROOT } from "../support/tools.ts";
import { lineOf, readyOverlays, subfolders } from "../support/overlays.ts";
import { isTomlLine } from "../../src/lines.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

const builds = [
  ...readyOverlays().map((overlay) => ({ dir: `overlays/${overlay}`, golden: `test/golden/overlays/${overlay}.yaml` })),
  ...subfolders("test/e2e/compositions").map((name) => ({ dir: `test/e2e/compositions/${name}`, golden: `test/golden/compositions/${name}.yaml` })),
];

const everything: KubeObject[] = [];

for (const { dir, golden: goldenPath } of builds) {
  describe(dir, () => {
    const build = kubectlKustomize(dir);
    const objects = build.status === 0 ? parseManifests(build.stdout) : [];
    everything.push(...objects);

    test("builds with kubectl kustomize, byte-identical twice, as the golden file says", () => {
      assert.equal(build.status, 0, build.stderr);
      assert.equal(kubectlKustomize(dir).stdout, build.stdout, "a rebuild must give the same bytes");
      const golden = join(REPO_ROOT, goldenPath);
      if (UPDATE) writeFileSync(golden, build.stdout);
      assert.equal(build.stdout, readFileSync(golden, "utf8"), "output differs from the golden file; regenerate with UPDATE_GOLDEN=1 npm test and review the diff");
    });

    test("every object validates against the upstream schemas", async () => {
      assert.ok(objects.length > 0);
      assert.deepEqual(await allSchemaProblems(objects), []);
    });

    test('every pod satisfies Pod Security "restricted"', () => {
      assert.ok(objects.some((object) => object.kind === "Deployment" || object.kind === "StatefulSet"));
      assert.deepEqual(objects.flatMap(restrictedViolations), []);
    });

    test("no StalwartConfig reaches the output", () => {
      assert.deepEqual(objects.filter((object) => object.kind === "StalwartConfig"), []);
    });

    const line = lineOf(dir);
    if (line === undefined || isTomlLine(line)) test("config.toml reads the same to Stalwart as to TOML, with only keys Stalwart v0.14 knows", () => {
      const toml = configToml(objects);
      const flat = flattenToml(toml);
      assert.deepEqual(readLikeStalwart(toml), flat);
      assert.deepEqual(unknownStalwartKeys(Object.keys(flat)), []);
      assert.equal(flat["server.hostname"], "mail.example.com");
    });
  });
}

test("every field of every built object is one the upstream model types know (no unknown or misplaced field)", () => {
  assert.ok(everything.length > 0);
  assert.deepEqual(typeProblems(everything), []);
});

for (const name of subfolders("test/e2e/overlays-error")) {
  test(`test/e2e/overlays-error/${name} fails the kubectl build with its message`, () => {
    const build = kubectlKustomize(`test/e2e/overlays-error/${name}`);
    assert.notEqual(build.status, 0);
    assert.equal(build.stdout, "");
    for (const line of readFileSync(join(REPO_ROOT, "test/e2e/overlays-error", name, "expected-error.txt"), "utf8").trim().split("\n")) {
      assert.ok(build.stderr.includes(line), `stderr lacks: ${line}\n${build.stderr}`);
    }
    assert.doesNotMatch(build.stderr, /\n\s+at /, "no stack trace");
  });
}
