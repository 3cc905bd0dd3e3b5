/** What every object the function generates shares: namespace and labels of the workload, and a mark. */
import type { KubeObject, ObjectMeta } from "../kube.js";
import type { Workload } from "./workload.js";

/** Marks generated objects, so a later run (kpt keeps its output) can replace or remove them. */
export const GENERATED_ANNOTATION = "stalwart.krm.example/generated";

/** Metadata of an object that goes with the workload: its namespace and labels. */
export function workloadMetadata(name: string, workload: Workload): ObjectMeta {
  const metadata: ObjectMeta = { name };
  if (workload.object.metadata.namespace) metadata.namespace = workload.object.metadata.namespace;
  if (workload.object.metadata.labels) metadata.labels = { ...workload.object.metadata.labels };
  return metadata;
}

/** Metadata of a generated object: the workload's namespace and labels, and the mark. */
export function generatedMetadata(name: string, workload: Workload): ObjectMeta {
  return { ...workloadMetadata(name, workload), annotations: { [GENERATED_ANNOTATION]: "true" } };
}

export function isGenerated(object: KubeObject): boolean {
  return object.metadata.annotations?.[GENERATED_ANNOTATION] === "true";
}
