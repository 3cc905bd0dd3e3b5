/** The ConfigMap holding config.toml: the one the workload mounts, filled in or created beside it. */
import type { KubeObject } from "../kube.js";
import type { Workload } from "./workload.js";
import { workloadMetadata } from "./generated.js";

export const CONFIG_KEY = "config.toml";

/** Fills the existing ConfigMap (a base's placeholder, already named and labelled by kustomize) or creates one. */
export function renderConfigMap(name: string, workload: Workload, toml: string, existing?: KubeObject): KubeObject {
  if (existing) return { ...existing, data: { [CONFIG_KEY]: toml } };
  return { apiVersion: "v1", kind: "ConfigMap", metadata: workloadMetadata(name, workload), data: { [CONFIG_KEY]: toml } };
}
