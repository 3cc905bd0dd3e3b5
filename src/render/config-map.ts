/** The ConfigMap holding config.toml: the one the workload mounts, filled in or created beside it. */
import type { KubeObject } from "../kube.js";
import type { Workload } from "./workload.js";

export const CONFIG_KEY = "config.toml";

/** Fills the existing ConfigMap (a base's placeholder, already named and labelled by kustomize) or creates one. */
export function renderConfigMap(name: string, workload: Workload, toml: string, existing?: KubeObject): KubeObject {
  if (existing) return { ...existing, data: { [CONFIG_KEY]: toml } };
  const metadata: KubeObject["metadata"] = { name };
  if (workload.object.metadata.namespace) metadata.namespace = workload.object.metadata.namespace;
  if (workload.object.metadata.labels) metadata.labels = { ...workload.object.metadata.labels };
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { [CONFIG_KEY]: toml } };
}
