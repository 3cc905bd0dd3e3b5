/** What the benchmark feeds the function: the overlays/cluster input, grown by listeners or replicas. */
import { join } from "node:path";
import type { KubeObject } from "../src/kube.ts";
import { overlayInput } from "../test/support/fixtures.ts";
import { kustomizeInput } from "../test/support/kustomize-input.ts";
import { REPO_ROOT } from "../test/support/tools.ts";

export const CLUSTER_CONFIG = join(REPO_ROOT, "overlays/cluster/stalwartconfig.yaml");
export const clusterStream = () => kustomizeInput("overlays/cluster");

/** overlays/cluster's items with `count` more enabled listeners on ports from 10000 (64 in all at most). */
export function itemsWithListeners(count: number): KubeObject[] {
  const items = structuredClone(overlayInput("overlays/cluster"));
  const fragment = items.find((item) => item.kind === "StalwartConfig" && (item.spec as { listeners?: unknown }).listeners) as unknown as { spec: { listeners: Record<string, unknown> } };
  for (let index = 0; index < count; index++) fragment.spec.listeners[`extra-${index}`] = { protocol: "smtp", port: 10000 + index, tls: "none" };
  return items;
}

/** overlays/cluster's items with the StatefulSet at `replicas`. */
export function itemsWithReplicas(replicas: number): KubeObject[] {
  const items = structuredClone(overlayInput("overlays/cluster"));
  const statefulSet = items.find((item) => item.kind === "StatefulSet") as unknown as { spec: { replicas: number } };
  statefulSet.spec.replicas = replicas;
  return items;
}
