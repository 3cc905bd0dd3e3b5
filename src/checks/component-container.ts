/**
 * The components add their variables and volume mounts to containers[0], which must be the Stalwart container:
 * they patch with JSON 6902 (a strategic-merge patch makes kustomize load its OpenAPI schema, about 0.2 s a
 * build), and JSON 6902 finds a container by its index, not its name. When another container came first as they
 * ran, for example one that a strategic-merge patch below them added (such a patch puts a new container first),
 * what they add went to that container. Found there, it fails the build before any check that would miss it.
 */
import { refTo, type Result } from "../results.js";
import { FALLBACK_ADMIN_SECRET_ENV, FALLBACK_ADMIN_USER_ENV, PROMETHEUS_PASSWORD_ENV, PROMETHEUS_USERNAME_ENV } from "../render/config/operations.js";
import { NATS_PASSWORD_ENV, NATS_USERNAME_ENV } from "../render/config/cluster.js";
import { CONTAINER_NAME, FDB_CLIENT_CERT_VOLUME, FDB_CLUSTER_FILE_ENV, FDB_ROOT_CA_VOLUME, type Container, type Workload } from "../render/workload.js";
import { LOG_VOLUME } from "./operations.js";
import { FDB_TLS_ENV } from "./tls.js";
import { RECOVERY_ADMIN_ENV, RECOVERY_ADMIN_PASSWORD_ENV, RECOVERY_ADMIN_USERNAME_ENV, RECOVERY_MODE_ENV } from "../render/v016/recovery.js";

/** What each component adds to the Stalwart container, by name (a test compares it with the components' files). */
export const COMPONENT_CONTAINER_ITEMS: Readonly<Record<string, { env: readonly string[]; volumeMounts: readonly string[] }>> = {
  fdb: { env: [FDB_CLUSTER_FILE_ENV], volumeMounts: ["dynamic-conf"] },
  "fdb-tls": { env: [FDB_TLS_ENV, "FDB_TLS_KEY_FILE", "FDB_TLS_CA_FILE", "FDB_TLS_VERIFY_PEERS"], volumeMounts: [FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME] },
  "fallback-admin": { env: [FALLBACK_ADMIN_USER_ENV, FALLBACK_ADMIN_SECRET_ENV], volumeMounts: [] },
  "nats-auth": { env: [NATS_USERNAME_ENV, NATS_PASSWORD_ENV], volumeMounts: [] },
  "service-monitor": { env: [PROMETHEUS_USERNAME_ENV, PROMETHEUS_PASSWORD_ENV], volumeMounts: [] },
  tracer: { env: [], volumeMounts: [LOG_VOLUME] },
  "recovery-mode": { env: [RECOVERY_ADMIN_USERNAME_ENV, RECOVERY_ADMIN_PASSWORD_ENV, RECOVERY_ADMIN_ENV, RECOVERY_MODE_ENV], volumeMounts: [] },
};

const and = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : items.join(""));
const names = (entries: readonly { name: string }[] | undefined) => new Set((entries ?? []).map((entry) => entry.name));

/** The component's items that `other` carries and the Stalwart container lacks, in words; "" for none. */
function misplacedItems(component: { env: readonly string[]; volumeMounts: readonly string[] }, other: Container, stalwart: Container): string {
  const [otherEnv, otherMounts, ownEnv, ownMounts] = [names(other.env), names(other.volumeMounts), names(stalwart.env), names(stalwart.volumeMounts)];
  const env = component.env.filter((name) => otherEnv.has(name) && !ownEnv.has(name));
  const mounts = component.volumeMounts.filter((name) => otherMounts.has(name) && !ownMounts.has(name)).map((name) => `"${name}"`);
  const plural = (items: string[]) => (items.length > 1 ? "s" : "");
  return and([...(env.length > 0 ? [`variable${plural(env)} ${and(env)}`] : []), ...(mounts.length > 0 ? [`volume mount${plural(mounts)} ${and(mounts)}`] : [])]);
}

export function checkComponentContainer(workload: Workload): Result[] {
  const index = workload.pod.containers.indexOf(workload.container);
  return workload.pod.containers.slice(0, index).flatMap((other) =>
    Object.entries(COMPONENT_CONTAINER_ITEMS).flatMap(([component, items]) => {
      const misplaced = misplacedItems(items, other, workload.container);
      if (misplaced === "") return [];
      return [{
        severity: "error" as const,
        message: `the component "${component}" added its ${misplaced} to this container instead of "${CONTAINER_NAME}": components add to containers[0] (JSON 6902 finds a container by its index, not its name), and "${CONTAINER_NAME}" is containers[${index}]; keep "${CONTAINER_NAME}" first below the components, and add your own containers after it (\`op: add\` at \`/spec/template/spec/containers/-\`)`,
        resourceRef: refTo(workload.object),
        field: { path: `spec.template.spec.containers[name=${other.name}]` },
      }];
    }),
  );
}
