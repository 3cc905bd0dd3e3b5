/**
 * Every patch of the bases, the components, the ready overlays and the compositions is a JSON 6902 patch: a
 * strategic-merge patch (`$patch: delete` included) makes kustomize load its OpenAPI schema, about 0.2 s of
 * every build that includes it. The Argo CD repo-server component patches Argo CD's own installation and is
 * left out, as is the kpt package, which has no kustomization.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/tools.ts";

const EXCLUDED = new Set(["overlays/argocd/repo-server", "overlays/kpt"]);

function kustomizations(dir: string): string[] {
  if (EXCLUDED.has(relative(REPO_ROOT, dir))) return [];
  const entries = readdirSync(dir, { withFileTypes: true });
  return [
    ...entries.filter((entry) => entry.isFile() && entry.name === "kustomization.yaml").map((entry) => join(dir, entry.name)),
    ...entries.filter((entry) => entry.isDirectory()).flatMap((entry) => kustomizations(join(dir, entry.name))),
  ];
}

test("no strategic-merge patch in the bases, components, ready overlays and compositions", () => {
  const files = ["base", "overlays", "test/e2e/compositions"].flatMap((dir) => kustomizations(join(REPO_ROOT, dir)));
  assert.ok(files.length > 20, "found the kustomizations");
  const strategic = files.flatMap((file) => {
    const kustomization = parse(readFileSync(file, "utf8")) as { patches?: { path?: string; patch?: string }[]; patchesStrategicMerge?: unknown };
    const where = relative(REPO_ROOT, file);
    const patches = (kustomization.patches ?? []).map((entry) => {
      const path = entry.path && join(dirname(file), entry.path);
      assert.ok(!path || existsSync(path), `${where}: ${entry.path} does not exist`);
      return { name: entry.path ?? "an inline patch", text: path ? readFileSync(path, "utf8") : (entry.patch ?? "") };
    });
    return [
      ...(kustomization.patchesStrategicMerge ? [`${where}: patchesStrategicMerge`] : []),
      ...patches.filter((patch) => !Array.isArray(parse(patch.text))).map((patch) => `${where}: ${patch.name}`),
    ];
  });
  assert.deepEqual(strategic, []);
});
