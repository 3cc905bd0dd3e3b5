/**
 * Validates rendered objects against the upstream schemas: kubernetes-models (built-in kinds) and the
 * @kubernetes-models CRD packages. Those validators accept unknown fields, which an API server with strict
 * field validation (kubectl's default) rejects, so built-in kinds are also walked against the models of
 * @kubernetes/client-node, field by field.
 */
import * as k8s from "@kubernetes/client-node";
import type { KubeObject } from "../../src/kube.ts";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

const MODULES: Record<string, string> = {
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

interface Attribute {
  baseName: string;
  type: string;
}
type ClientModel = { getAttributeTypeMap(): Attribute[] };

const LEAF_TYPES = new Set(["string", "number", "boolean", "Date", "any", "object", "IntOrString", "RuntimeRawExtension"]);

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, index) => unknownFields(item, array[1] as string, `${path}[${index}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") for (const [key, item] of Object.entries(value)) unknownFields(item, map[1] as string, `${path}.${key}`, out);
    return;
  }
  const model = (k8s as unknown as Record<string, ClientModel | undefined>)[type];
  if (!model?.getAttributeTypeMap || typeof value !== "object") return;
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const attributeType = attributes.get(key);
    if (attributeType === undefined) out.push(`${path ? `${path}.` : ""}${key}: unknown field`);
    else unknownFields(item, attributeType, path ? `${path}.${key}` : key, out);
  }
}

function clientModelName(object: KubeObject): string | undefined {
  const version = object.apiVersion.split("/").at(-1) ?? "";
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
  const builtIn = !object.apiVersion.includes(".") || object.apiVersion.includes(".k8s.io/");
  return builtIn && name in k8s ? name : undefined;
}

/** Every problem the upstream schemas find in the object; empty when it is valid. */
export async function schemaProblems(object: KubeObject): Promise<string[]> {
  const problems: string[] = [];
  const Model = await modelFor(object);
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const clientModel = clientModelName(object);
  if (clientModel) unknownFields(object, clientModel, "", problems);
  return problems.map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`);
}

export async function allSchemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  return (await Promise.all(objects.map(schemaProblems))).flat();
}
