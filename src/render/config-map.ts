/** The ConfigMap holding config.toml (or 0.16's config.json): the one the workload mounts, filled in or created beside it. */
import { isRecord, type KubeObject } from "../kube.js";
import type { Workload } from "./workload.js";
import { workloadMetadata } from "./generated.js";

export const CONFIG_KEY = "config.toml";
/** Stalwart 0.16's configuration: the DataStore alone. */
export const CONFIG_JSON_KEY = "config.json";

/**
 * The key of the bases' placeholder. It is not a valid ConfigMap key, on purpose: when the function did not run
 * (the StalwartConfig under `resources:` rather than `transformers:`, or the exec-function overlay built by a
 * kustomize that skips exec functions), the API server refuses the ConfigMap and prints this text, instead of a
 * pod starting without config.toml.
 */
export const PLACEHOLDER_KEY =
  "config.toml was not rendered: list your StalwartConfig under transformers: (not resources:) and build with --enable-alpha-plugins";

/** Fills the existing ConfigMap (a base's placeholder, already named and labelled by kustomize) or creates one. */
export function renderConfigMap(name: string, workload: Workload, content: string, existing?: KubeObject, key: string = CONFIG_KEY): KubeObject {
  if (!existing) return { apiVersion: "v1", kind: "ConfigMap", metadata: workloadMetadata(name, workload), data: { [key]: content } };
  // Other files the user put beside the configuration stay; the placeholder goes, and so does the other line's file.
  const ours = new Set([PLACEHOLDER_KEY, CONFIG_KEY, CONFIG_JSON_KEY]);
  const data = isRecord(existing.data) ? Object.fromEntries(Object.entries(existing.data).filter(([entry]) => !ours.has(entry))) : {};
  return { ...existing, data: { ...data, [key]: content } };
}
