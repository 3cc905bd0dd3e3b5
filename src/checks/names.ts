/**
 * Names the API server would refuse. The function takes names from the workload (the ConfigMap and Secrets it
 * mounts) and builds names from them with the instance's affixes: a long `namePrefix` can push a generated name
 * past what Kubernetes allows, and that must fail here, naming the object, not at apply time.
 */
import type { KubeObject } from "../kube.js";
import { quote, refTo, type Result } from "../results.js";
import { CONFIG_VOLUME, FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME, TLS_VOLUME, volumeNamed, type Workload } from "../render/workload.js";

/** RFC 1123 subdomain: most object names. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1035 label: Service names, which become DNS labels. */
const LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function problemWith(name: string, kind: string): string | undefined {
  const label = kind === "Service";
  const limit = label ? 63 : 253;
  if (name.length > limit) return `is ${name.length} characters long, and a ${kind} name may have at most ${limit}`;
  if (!(label ? LABEL : SUBDOMAIN).test(name)) {
    return label
      ? "is not a valid Service name: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
      : "is not a valid object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

export function checkGeneratedNames(objects: readonly KubeObject[]): Result[] {
  return objects.flatMap((object) => {
    const problem = problemWith(object.metadata.name, object.kind);
    if (!problem) return [];
    return [{ severity: "error" as const, message: `the generated ${object.kind} ${quote(object.metadata.name)} ${problem}; shorten \`namePrefix\`/\`nameSuffix\` or the name it is made from`, resourceRef: refTo(object), field: { path: "metadata.name" } }];
  });
}

/** The names the workload gives the objects it mounts, which the function fills in or generates. */
export function checkWorkloadNames(workload: Workload): Result[] {
  const references: [string, string, string | undefined][] = [
    [CONFIG_VOLUME, "configMap.name", volumeNamed(workload, CONFIG_VOLUME)?.configMap?.name],
    ...[TLS_VOLUME, FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME].map((volume): [string, string, string | undefined] => [volume, "secret.secretName", volumeNamed(workload, volume)?.secret?.secretName]),
  ];
  return references.flatMap(([volume, field, name]) => {
    const problem = name === undefined ? undefined : problemWith(name, field.startsWith("configMap") ? "ConfigMap" : "Secret");
    if (!problem || name === undefined) return [];
    return [{ severity: "error" as const, message: `${quote(name)} ${problem}; fix the patch or base that set it`, resourceRef: refTo(workload.object), field: { path: `spec.template.spec.volumes[name=${volume}].${field}` } }];
  });
}
