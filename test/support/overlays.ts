/** The ready-to-build overlays of the repository. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Line } from "../../src/lines.ts";
import { REPO_ROOT } from "./tools.ts";

/** Whether the overlay runs the function as an exec KRM function, which only standalone kustomize can. */
export function usesExecFunction(overlay: string): boolean {
  const dir = join(REPO_ROOT, "overlays", overlay);
  return readdirSync(dir).some((file) => file.endsWith(".yaml") && /config\.kubernetes\.io\/function:/.test(readFileSync(join(dir, file), "utf8")));
}

/**
 * Every folder of overlays/ whose kustomization.yaml is a Kustomization that kubectl builds with the plugin
 * home (components, the kpt package, the Argo CD example and the exec-function overlay excluded).
 */
export function readyOverlays(): string[] {
  return readdirSync(join(REPO_ROOT, "overlays"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, "overlays", entry.name, "kustomization.yaml")))
    .map((entry) => entry.name)
    .filter((name) => /kind: Kustomization/.test(readFileSync(join(REPO_ROOT, "overlays", name, "kustomization.yaml"), "utf8")) && !usesExecFunction(name))
    .sort();
}

/** The Stalwart line the stalwartconfig.yaml of a kustomization folder (relative to the repository) states, if any. */
export function lineOf(relativeDir: string): Line | undefined {
  const file = join(REPO_ROOT, relativeDir, "stalwartconfig.yaml");
  return existsSync(file) ? (parse(readFileSync(file, "utf8")) as { spec?: { version?: Line } }).spec?.version : undefined;
}

/** The Stalwart line a ready overlay's own StalwartConfig states (`spec.version`). */
export const overlayLine = (overlay: string): Line | undefined => lineOf(`overlays/${overlay}`);

/** The ready overlays on Stalwart 0.16, which render config.json and an apply plan. */
export const overlays016 = (): string[] => readyOverlays().filter((overlay) => overlayLine(overlay) === "0.16");

/** The folders directly under a repository directory, sorted. */
export function subfolders(relativeDir: string): string[] {
  return readdirSync(join(REPO_ROOT, relativeDir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
