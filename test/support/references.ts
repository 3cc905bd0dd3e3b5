/**
 * Every reference among the objects of a build that must resolve inside it: what the pods mount, and the
 * references among the objects the function generates. Returns one line per broken reference.
 */
import type { KubeObject } from "../../src/kube.ts";

type Obj = Record<string, any>;

export function unresolvedReferences(objects: readonly KubeObject[]): string[] {
  const has = (kind: string, name: unknown, namespace: string | undefined) =>
    objects.some((object) => object.kind === kind && object.metadata.name === name && object.metadata.namespace === namespace);
  const problems: string[] = [];
  const expect = (from: KubeObject, field: string, kind: string, name: unknown) => {
    if (!has(kind, name, from.metadata.namespace)) problems.push(`${from.kind}/${from.metadata.name} ${field} -> ${kind}/${String(name)} does not exist`);
  };
  const certificates = objects.filter((object) => object.kind === "Certificate");
  const externalSecrets = objects.filter((object) => object.kind === "ExternalSecret");
  for (const object of objects) {
    const spec = (object.spec ?? {}) as Obj;
    switch (object.kind) {
      case "Deployment":
      case "StatefulSet": {
        const pod = spec.template.spec as Obj;
        expect(object, "serviceAccountName", "ServiceAccount", pod.serviceAccountName);
        if (object.kind === "StatefulSet") expect(object, "spec.serviceName", "Service", spec.serviceName);
        for (const volume of (pod.volumes ?? []) as Obj[]) {
          if (volume.configMap) {
            expect(object, `volume ${volume.name}`, "ConfigMap", volume.configMap.name);
            const configMap = objects.find((item) => item.kind === "ConfigMap" && item.metadata.name === volume.configMap.name);
            const data = (configMap?.data ?? {}) as Obj;
            if (volume.name === "config" && !data["config.toml"] && !data["config.json"]) problems.push(`${object.kind}/${object.metadata.name} mounts ConfigMap/${volume.configMap.name}, which holds neither config.toml nor config.json`);
          }
          if (volume.persistentVolumeClaim) expect(object, `volume ${volume.name}`, "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
          // Secrets written by cert-manager or External Secrets: one of the build's objects must write it.
          if (["tls", "fdb-client-cert", "fdb-root-ca"].includes(volume.name) && volume.secret) {
            const name = volume.secret.secretName;
            const written = certificates.some((item) => (item.spec as Obj).secretName === name) || externalSecrets.some((item) => (item.spec as Obj).target?.name === name);
            if (!written) problems.push(`${object.kind}/${object.metadata.name} volume ${volume.name} mounts Secret/${name}, which no Certificate or ExternalSecret of the build writes`);
          }
        }
        break;
      }
      case "Certificate":
        expect(object, "spec.issuerRef", spec.issuerRef.kind ?? "Issuer", spec.issuerRef.name);
        break;
      case "Issuer":
        if (spec.vault) expect(object, "spec.vault.auth.kubernetes.serviceAccountRef", "ServiceAccount", spec.vault.auth.kubernetes.serviceAccountRef.name);
        break;
      case "Role":
        for (const rule of (object.rules ?? []) as Obj[]) {
          if ((rule.resources as string[]).includes("serviceaccounts/token")) for (const name of rule.resourceNames ?? []) expect(object, "rules.resourceNames", "ServiceAccount", name);
        }
        break;
      case "RoleBinding":
        expect(object, "roleRef", "Role", (object.roleRef as Obj).name);
        break;
      case "VaultDynamicSecret":
        expect(object, "spec.provider.auth.kubernetes.serviceAccountRef", "ServiceAccount", spec.provider.auth.kubernetes.serviceAccountRef.name);
        break;
      case "ExternalSecret":
        for (const source of (spec.dataFrom ?? []) as Obj[]) expect(object, "spec.dataFrom.sourceRef.generatorRef", source.sourceRef.generatorRef.kind, source.sourceRef.generatorRef.name);
        break;
      case "Service":
      case "NetworkPolicy":
      case "PodDisruptionBudget": {
        const selector = (object.kind === "Service" ? spec.selector : spec.podSelector?.matchLabels ?? spec.selector?.matchLabels) as Obj | undefined;
        const selected = objects.filter(
          (item) => ["Deployment", "StatefulSet"].includes(item.kind) && item.metadata.namespace === object.metadata.namespace &&
            Object.entries(selector ?? {}).every(([key, value]) => ((item.spec as Obj).template.metadata.labels as Obj)[key] === value),
        );
        // Two instances in one namespace need a label of their own in their selectors (docs/instances.md).
        if (selector && selected.length !== 1) problems.push(`${object.kind}/${object.metadata.name} selects the pods of ${selected.length} workloads, not 1`);
        break;
      }
    }
  }
  return problems;
}

/** Objects of the same kind, namespace and name: two instances that collide. */
export function collisions(objects: readonly KubeObject[]): string[] {
  const seen = new Set<string>();
  return objects.flatMap((object) => {
    const key = `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
    if (seen.has(key)) return [key];
    seen.add(key);
    return [];
  });
}
