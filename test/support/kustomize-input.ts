/**
 * What kustomize hands the function: `kubectl kustomize` is run on an overlay with a stand-in plugin that
 * records its stdin, so tests of the pure core and golden cases start from the real transformer input.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PLUGIN_PATH } from "../../scripts/build.ts";
import { kubectlKustomize } from "./tools.ts";

const cache = new Map<string, string>();

/** The resource stream the StalwartConfig transformer of the kustomization receives. */
export function kustomizeInput(kustomizationDir: string): string {
  const cached = cache.get(kustomizationDir);
  if (cached !== undefined) return cached;
  const home = mkdtempSync(join(tmpdir(), "stalwart-capture-"));
  try {
    const plugin = join(home, PLUGIN_PATH);
    mkdirSync(dirname(plugin), { recursive: true });
    writeFileSync(plugin, `#!/bin/sh\ntee "${home}/stdin.yaml"\n`);
    chmodSync(plugin, 0o755);
    const build = kubectlKustomize(kustomizationDir, home);
    if (build.status !== 0) throw new Error(`kubectl kustomize ${kustomizationDir} failed: ${build.stderr}`);
    const input = readFileSync(join(home, "stdin.yaml"), "utf8");
    cache.set(kustomizationDir, input);
    return input;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
