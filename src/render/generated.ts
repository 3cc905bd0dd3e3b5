/** What every object the function generates shares: namespace and labels of the workload, and the owner's mark. */
import type { KubeObject, ObjectMeta } from "../kube.js";
import { namingOf, type Naming } from "./instance.js";
import type { Workload } from "./workload.js";
import { applyJobLabels } from "./v016/apply-job.js";

/**
 * Marks a generated object with the name of the StalwartConfig that generated it, so that a later run (kpt
 * keeps its output) replaces or removes it. Only objects marked with the running StalwartConfig's name are
 * ever replaced or removed: anything else with a generated object's name is a collision, reported.
 */
export const GENERATED_BY_ANNOTATION = "stalwart.krm.example/generated-by";
/** The mark of versions before 0.2, which any object could carry; read only to explain a collision. */
export const LEGACY_GENERATED_ANNOTATION = "stalwart.krm.example/generated";

/** The instance the function renders for: its workload, how its names are affixed, and its StalwartConfig. */
export interface Instance extends Naming {
  workload: Workload;
  /** `metadata.name` of the StalwartConfig the function runs with. */
  owner: string;
}

export function instanceOf(workload: Workload, owner: string): Instance {
  return { workload, owner, ...namingOf(workload.object) };
}

/** Metadata of an object that goes with the workload: its namespace and labels. */
export function workloadMetadata(name: string, workload: Workload): ObjectMeta {
  const metadata: ObjectMeta = { name };
  if (workload.object.metadata.namespace) metadata.namespace = workload.object.metadata.namespace;
  if (workload.object.metadata.labels) metadata.labels = { ...workload.object.metadata.labels };
  return metadata;
}

/** Metadata of a generated object: the workload's namespace and labels, and the owner's mark. */
export function generatedMetadata(name: string, instance: Instance): ObjectMeta {
  return { ...workloadMetadata(name, instance.workload), annotations: { [GENERATED_BY_ANNOTATION]: instance.owner } };
}

/** The kinds the function generates: a mark on anything else (a Deployment, a ConfigMap) is not its own. */
const GENERATED_KINDS = new Set(["Certificate", "Issuer", "ServiceAccount", "Role", "RoleBinding", "VaultDynamicSecret", "ExternalSecret", "NetworkPolicy", "Service"]);

/**
 * Kinds a package holds of its own too, which the function generates only as 0.16's plan ConfigMap and apply Job:
 * its own only with the mark and the apply labels (render/v016/apply-job.ts applyJobLabels).
 */
const APPLY_KINDS = new Set(["ConfigMap", "Job"]);

/** True when the running StalwartConfig generated the object (in an earlier run: kpt keeps the output). */
export function isGeneratedBy(object: KubeObject, owner: string): boolean {
  if (object.metadata.annotations?.[GENERATED_BY_ANNOTATION] !== owner) return false;
  if (GENERATED_KINDS.has(object.kind)) return true;
  const labels = object.metadata.labels ?? {};
  const apply = applyJobLabels(labels["app.kubernetes.io/instance"] ?? "");
  return APPLY_KINDS.has(object.kind) && Object.entries(apply).every(([key, value]) => labels[key] === value);
}
