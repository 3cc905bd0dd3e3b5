/** The ConfigMap holding config.toml: the one the workload mounts, filled in or created beside it. */
import { isRecord, type KubeObject } from "../kube.js";
import type { Workload } from "./workload.js";
import { workloadMetadata } from "./generated.js";

export const CONFIG_KEY = "config.toml";

/**
 * The key of the bases' placeholder. It is not a valid ConfigMap key, on purpose: when the function did not run
 * (the StalwartConfig under `resources:` rather than `transformers:`, or the exec-function overlay built by a
 * kustomize that skips exec functions), the API server refuses the ConfigMap and prints this text, instead of a
 * pod starting without config.toml.
 */
export const PLACEHOLDER_KEY =
  "config.toml was not rendered: list your StalwartConfig under transformers: (not resources:) and build with --enable-alpha-plugins";

/** Fills the existing ConfigMap (a base's placeholder, already named and labelled by kustomize) or creates one. */
export function renderConfigMap(name: string, workload: Workload, toml: string, existing?: KubeObject): KubeObject {
  if (!existing) return { apiVersion: "v1", kind: "ConfigMap", metadata: workloadMetadata(name, workload), data: { [CONFIG_KEY]: toml } };
  // Other files the user put beside config.toml stay; only the placeholder goes.
  const data = isRecord(existing.data) ? Object.fromEntries(Object.entries(existing.data).filter(([key]) => key !== PLACEHOLDER_KEY && key !== CONFIG_KEY)) : {};
  return { ...existing, data: { ...data, [CONFIG_KEY]: toml } };
}
