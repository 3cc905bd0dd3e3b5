/** Inputs for the pure-core tests, read from the real bases so the tests follow them. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { REPO_ROOT } from "./tools.ts";
import { kustomizeInput } from "./kustomize-input.ts";

export function readObjects(relativePath: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(REPO_ROOT, relativePath), "utf8"), { version: "1.1" })
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export function readObject(relativePath: string): KubeObject {
  const [object] = readObjects(relativePath);
  if (!object) throw new Error(`${relativePath} holds no object`);
  return object;
}

/** A StalwartConfig as the user writes it (the functionConfig), on the line new installs use unless it says another. */
export function stalwartConfig(spec: Record<string, unknown>, name = "stalwart"): KubeObject {
  return { apiVersion: "stalwart.krm.example/v1alpha1", kind: "StalwartConfig", metadata: { name }, spec: { version: "0.15", ...spec } };
}

/** A StalwartConfig fragment as bases and components carry it. */
export function fragment(spec: Record<string, unknown>, name: string): KubeObject {
  return {
    apiVersion: "stalwart.krm.example/v1alpha1",
    kind: "StalwartConfig",
    metadata: { name, annotations: { "config.kubernetes.io/local-config": "true" } },
    spec,
  };
}

/** The items kustomize hands the transformer of a ready overlay (default overlays/single). */
export function overlayInput(overlay = "overlays/single"): KubeObject[] {
  return parseAllDocuments(kustomizeInput(overlay), { version: "1.1" })
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export const singleBaseItems = () => overlayInput("overlays/single");

/** The Stalwart workload of an overlay as the function receives it. */
export function workloadOf(overlay = "overlays/single"): KubeObject {
  const workload = overlayInput(overlay).find((item) => item.kind === "Deployment" || item.kind === "StatefulSet");
  if (!workload) throw new Error(`${overlay} has no workload`);
  return structuredClone(workload);
}

export const listeners = () => (readObject("base/common/stalwartconfig.yaml").spec as { listeners: Record<string, unknown> }).listeners;
