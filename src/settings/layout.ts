/**
 * Fragments that do not fit the stream, found before the schema speaks: when a base is missing, or kustomize
 * dropped the bases' fragments, the schema would ask for a field that the missing piece sets, which points
 * the user at the wrong fix.
 */
import { isRecord, type KubeObject } from "../kube.js";
import { refTo, type Result } from "../results.js";
import type { Fragment } from "./fragments.js";

const COMPONENT_PREFIX = "component-";

function spec(fragment: Fragment): Record<string, unknown> {
  return isRecord(fragment.object.spec) ? fragment.object.spec : {};
}

function named(fragment: Fragment): string {
  const name = fragment.object.metadata.name;
  return name.startsWith(COMPONENT_PREFIX) ? `the component "${name.slice(COMPONENT_PREFIX.length)}"` : `StalwartConfig "${name}"`;
}

function located(result: Result, fragment: Fragment): Result {
  return { ...result, resourceRef: refTo(fragment.object), ...(fragment.filePath ? { file: { path: fragment.filePath } } : {}) };
}

/**
 * kustomize 4 drops resources annotated local-config before transformers run, so only the user's own
 * StalwartConfig arrives. A StalwartConfig that sets the listeners itself (as overlays/exec-function does)
 * still works; one that relies on the bases cannot.
 */
function droppedFragments(fragments: readonly Fragment[]): Result[] {
  const own = fragments.find((fragment) => fragment.isFunctionConfig);
  if (!own || fragments.some((fragment) => !fragment.isFunctionConfig) || spec(own).listeners !== undefined) return [];
  return [located({
    severity: "error",
    message: "no StalwartConfig fragment of the bases reached the function, so nothing sets `spec.listeners`: kustomize 5 or later is needed (4.x drops the bases' settings fragments); use kubectl 1.27 or later or kustomize 5 or later, or, for kustomize 4.5.4, the exec-function overlay (overlays/exec-function), whose StalwartConfig repeats the bases' settings. With a workload of your own instead of the bases, set `spec.listeners` in your StalwartConfig",
    field: { path: "spec.listeners" },
  }, own)];
}

/** `spec.cluster` as the merge leaves it, and the fragments that set it. */
function clusterFragments(fragments: readonly Fragment[]): Fragment[] {
  let setters: Fragment[] = [];
  for (const fragment of fragments) {
    const cluster = spec(fragment).cluster;
    if (cluster === null) setters = [];
    else if (cluster !== undefined) setters.push(fragment);
  }
  return setters;
}

/** A component that switches on a cluster feature (NATS authentication) on base/single. */
function clusterOnDeployment(fragments: readonly Fragment[], workload: KubeObject): Result[] {
  const setters = clusterFragments(fragments);
  const first = setters[0];
  if (!first) return [];
  const components = setters.filter((fragment) => fragment.object.metadata.name.startsWith(COMPONENT_PREFIX)).map(named);
  const why = components.length > 0 ? `; ${components.join(" and ")} ${components.length > 1 ? "set" : "sets"} it, because NATS serves clusters only` : "";
  const undo = components.length > 0 ? `remove ${components.join(" and ")}` : "remove `spec.cluster`";
  return [located({
    severity: "error",
    message: `\`spec.cluster\` needs the StatefulSet of base/cluster, which gives every pod its own node id, but the workload is ${workload.kind} "${workload.metadata.name}"${why}: build on base/cluster (with the component overlays/components/fdb) first, or ${undo}`,
    field: { path: "spec.cluster" },
  }, first)];
}

/** The fragments against the Stalwart workload of the stream, when there is one. */
export function layoutProblems(workload: KubeObject | undefined, fragments: readonly Fragment[]): Result[] {
  if (!workload) return [];
  const dropped = droppedFragments(fragments);
  if (dropped.length > 0) return dropped;
  return workload.kind === "Deployment" ? clusterOnDeployment(fragments, workload) : [];
}
