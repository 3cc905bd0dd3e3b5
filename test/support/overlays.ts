/** The ready-to-build overlays of the repository. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./tools.ts";

/** Every folder of overlays/ whose kustomization.yaml is a Kustomization (components and tool examples excluded). */
export function readyOverlays(): string[] {
  return readdirSync(join(REPO_ROOT, "overlays"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, "overlays", entry.name, "kustomization.yaml")))
    .map((entry) => entry.name)
    .filter((name) => /kind: Kustomization/.test(readFileSync(join(REPO_ROOT, "overlays", name, "kustomization.yaml"), "utf8")))
    .sort();
}

/** The folders directly under a repository directory, sorted. */
export function subfolders(relativeDir: string): string[] {
  return readdirSync(join(REPO_ROOT, relativeDir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
