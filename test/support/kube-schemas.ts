/**
 * Validates rendered objects with the upstream model packages: kubernetes-models for built-in kinds and the
 * @kubernetes-models CRD packages. Their validators accept unknown fields; typed-models.ts catches those.
 */
import type { KubeObject } from "../../src/kube.ts";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

export const MODULES: Record<string, string> = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "cert-manager.io/v1": "@kubernetes-models/cert-manager/cert-manager.io/v1",
  "external-secrets.io/v1": "@kubernetes-models/external-secrets/external-secrets.io/v1",
  "generators.external-secrets.io/v1alpha1": "@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  "argoproj.io/v1alpha1": "@kubernetes-models/argo-cd/argoproj.io/v1alpha1",
};

async function modelFor(object: KubeObject): Promise<ModelClass> {
  const module = MODULES[object.apiVersion];
  if (!module) throw new Error(`no upstream schema is wired for apiVersion ${object.apiVersion}; add its package to test/support/kube-schemas.ts`);
  const exports = (await import(module)) as Record<string, unknown>;
  const model = exports[object.kind];
  if (typeof model !== "function") throw new Error(`${module} has no model for kind ${object.kind}`);
  return model as ModelClass;
}

/**
 * Kustomize wraps base64 (`binaryData`) at 76 columns. The API server's decoder (Go's encoding/base64) skips
 * line breaks, the models' `byte` format does not: compare what the server would decode.
 */
function asDecoded(object: KubeObject): KubeObject {
  const binary = object.binaryData;
  if (object.kind !== "ConfigMap" || !binary || typeof binary !== "object") return object;
  return { ...object, binaryData: Object.fromEntries(Object.entries(binary).map(([key, value]) => [key, String(value).replace(/[\r\n]/g, "")])) };
}

/** Every problem the upstream schemas find in the object; empty when it is valid. */
export async function schemaProblems(object: KubeObject): Promise<string[]> {
  const problems: string[] = [];
  const Model = await modelFor(object);
  try {
    new Model(asDecoded(object)).validate();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  return problems.map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`);
}

export async function allSchemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  return (await Promise.all(objects.map(schemaProblems))).flat();
}
