/** Reading rendered manifests back for assertions. */
import { parseAllDocuments } from "yaml";
import { parse as parseToml } from "smol-toml";
import type { KubeObject } from "../../src/kube.ts";

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text, { version: "1.1" })
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

export function find(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ""} among ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(", ")}`);
  return found;
}

/** The config.toml text of the rendered ConfigMap. */
export function configToml(objects: readonly KubeObject[]): string {
  const configMap = objects.find((object) => object.kind === "ConfigMap" && typeof (object.data as Record<string, string> | undefined)?.["config.toml"] === "string");
  if (!configMap) throw new Error("no ConfigMap with config.toml in the output");
  return (configMap.data as Record<string, string>)["config.toml"] as string;
}

export { parseToml };

/**
 * Names of the Secrets the pods of the objects cannot start without: secret volumes, projected sources, env and
 * envFrom references, leaving out those marked `optional: true`. The pods of the workloads by default; pass
 * `["Job"]` for those of the 0.16 apply Job.
 */
export function secretsRequired(objects: readonly KubeObject[], kinds: readonly string[] = ["Deployment", "StatefulSet"]): string[] {
  const names = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (record.optional !== true) {
        if (key === "secret" && typeof record.secretName === "string") names.add(record.secretName);
        if ((key === "secretKeyRef" || key === "secretRef" || key === "secret") && typeof record.name === "string") names.add(record.name);
      }
      for (const [child, item] of Object.entries(record)) visit(item, child);
    }
  };
  for (const object of objects) if (kinds.includes(object.kind)) visit((object.spec as Record<string, unknown>).template);
  return [...names].sort();
}

/** Secrets that objects of the output create: Certificates' secretName, ExternalSecrets' target. */
export function secretsCreated(objects: readonly KubeObject[]): string[] {
  return objects
    .flatMap((object) => {
      const spec = object.spec as Record<string, any> | undefined;
      if (object.kind === "Certificate") return [spec?.secretName as string];
      if (object.kind === "ExternalSecret") return [spec?.target?.name as string];
      return [];
    })
    .sort();
}
