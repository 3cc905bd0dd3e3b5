/**
 * The Stalwart workload (the Deployment of base/single or the StatefulSet of base/cluster, as the bases render it)
 * changed for Stalwart 0.16. Pure: it changes a copy, and wiring its own output again gives the same object.
 *
 * What 0.16 changes (docs: /work/shared/reference/stalwart-v015-v016.md part B; image Dockerfile.build at v0.16.18):
 * - The configuration is config.json (the image's `CMD` reads /etc/stalwart/config.json). The `config` ConfigMap
 *   (key `config.json`) is mounted read-only at /etc/stalwart/config, beside the `tls` Secret at /etc/stalwart/tls
 *   rather than around it: a mount point nested in a read-only ConfigMap volume cannot be created. A directory
 *   rather than a subPath mount, so that the file follows the ConfigMap.
 * - The data lives in /var/lib/stalwart (`WORKDIR` and `VOLUME` of the image), so the `data` claim moves there.
 * - The binary carries the file capability `cap_net_bind_service=+ep`: exec fails unless the capability is in the
 *   container's bounding set, so the container adds NET_BIND_SERVICE after dropping ALL (the one capability Pod
 *   Security "restricted" lets a container add). The image's user is 2000:2000, as the pod runs already.
 * - The `probe` listener (127.0.0.1:8081) exists only once the apply plan has written it and the pod restarted,
 *   so the loopback probes ask the default `http` listener (8080). From 127.0.0.1 they are exempt from the
 *   anonymous rate limit, which a kubelet httpGet from the node's address is not.
 * - Node ids are leased by hostname: replicas that share `STALWART_HOSTNAME` take the same id, so a fixed value
 *   on more than one replica is refused.
 */
import { deepClone, isRecord, type KubeObject } from "../../kube.js";
import { refTo, type Result } from "../../results.js";
import { CONFIG_VOLUME, CONTAINER_NAME, findWorkload, PROBES, setEnv, type Container } from "../workload.js";

export const CONFIG_DIRECTORY_016 = "/etc/stalwart/config";
export const CONFIG_PATH_016 = `${CONFIG_DIRECTORY_016}/config.json`;
export const DATA_DIRECTORY_016 = "/var/lib/stalwart";
export const COMMAND_016 = ["/usr/local/bin/stalwart", "--config", CONFIG_PATH_016] as const;
/** The default `http` listener of 0.16, plain HTTP, which serves /healthz/live and /healthz/ready. */
export const DEFAULT_PROBE_PORT_016 = 8080;
export const DATA_VOLUME = "data";
export const HOSTNAME_ENV = "STALWART_HOSTNAME";
export const PUBLIC_URL_ENV = "STALWART_PUBLIC_URL";
export const NET_BIND_SERVICE = "NET_BIND_SERVICE";
/** The image's user and group (Dockerfile.build at v0.16.18), which own /etc/stalwart and /var/lib/stalwart. */
export const IMAGE_USER_016 = 2000;

export interface SecretEnv {
  name: string;
  secretKeyRef: { name: string; key: string };
}

export interface Workload016Input {
  /** The port the loopback probes ask; the default `http` listener's 8080 unless given. */
  probePort?: number;
  /** `STALWART_PUBLIC_URL`: the base of the JMAP session's URLs, of OAuth's issuer, of the DNS records. */
  publicUrl?: string;
  /** Variables config.json and the plan reference (e.g. a database password), each from a Secret key. */
  secretEnv?: readonly SecretEnv[];
}

const IN_CONTAINER = `spec.template.spec.containers[name=${CONTAINER_NAME}]`;
/** The port in base/pod's probe script, which opens bash's /dev/tcp to the loopback address. */
const LOOPBACK_PORT = /(\/dev\/tcp\/127\.0\.0\.1\/)\d{1,5}(?!\d)/g;

function withOnce(list: unknown, entry: string): string[] {
  const entries = Array.isArray(list) ? (list as string[]) : [];
  return entries.includes(entry) ? entries : [...entries, entry];
}

/** A copy of the workload wired for 0.16, or the results that say why it cannot be. */
export function wireWorkload016(object: KubeObject, input: Workload016Input = {}): { object: KubeObject; results: Result[] } {
  const copy = deepClone(object);
  const found = findWorkload([copy]);
  if (!found.workload) return { object, results: found.results };
  const results: Result[] = [];
  // The copy's own pod and container: what is changed below lands in `copy`.
  const pod = found.workload.pod as unknown as Record<string, unknown>;
  const container = found.workload.container as Container & Record<string, unknown>;
  const replicas = found.workload.replicas;

  container.command = [...COMMAND_016];

  const mounts = container.volumeMounts ?? [];
  const configMount = mounts.find((mount) => mount.name === CONFIG_VOLUME);
  if (configMount) {
    configMount.mountPath = CONFIG_DIRECTORY_016;
    configMount.readOnly = true;
    delete configMount.subPath;
  } else {
    results.push({
      severity: "error",
      message: `the "${CONTAINER_NAME}" container must mount the volume "${CONFIG_VOLUME}" (the ConfigMap with config.json), which 0.16 reads at ${CONFIG_PATH_016}; the bases do`,
      resourceRef: refTo(copy),
      field: { path: `${IN_CONTAINER}.volumeMounts` },
    });
  }
  const dataMount = mounts.find((mount) => mount.name === DATA_VOLUME);
  if (dataMount) dataMount.mountPath = DATA_DIRECTORY_016;

  const securityContext = (isRecord(container.securityContext) ? container.securityContext : (container.securityContext = {})) as Record<string, unknown>;
  const capabilities = (isRecord(securityContext.capabilities) ? securityContext.capabilities : (securityContext.capabilities = {})) as Record<string, unknown>;
  capabilities.drop = withOnce(capabilities.drop, "ALL");
  capabilities.add = withOnce(capabilities.add, NET_BIND_SERVICE);
  const podSecurity = (isRecord(pod.securityContext) ? pod.securityContext : (pod.securityContext = {})) as Record<string, unknown>;
  for (const key of ["runAsUser", "runAsGroup", "fsGroup"]) podSecurity[key] ??= IMAGE_USER_016;

  const port = String(input.probePort ?? DEFAULT_PROBE_PORT_016);
  for (const name of PROBES) {
    const command = container[name]?.exec?.command;
    if (command) container[name]!.exec!.command = command.map((part) => part.replace(LOOPBACK_PORT, `$1${port}`));
  }

  const hostname = container.env?.find((variable) => variable.name === HOSTNAME_ENV);
  if (hostname && typeof hostname.value === "string" && replicas > 1) {
    results.push({
      severity: "error",
      message: `${HOSTNAME_ENV} has the fixed value "${hostname.value}" on a workload of ${replicas} replicas: Stalwart 0.16 leases node ids by hostname, so replicas that share one take the same node id (colliding ids, lost broadcasts); remove the variable (each pod's own hostname is unique) or set it from the pod name with valueFrom.fieldRef.fieldPath: metadata.name`,
      resourceRef: refTo(copy),
      field: { path: `${IN_CONTAINER}.env[name=${HOSTNAME_ENV}].value`, currentValue: hostname.value },
    });
  }
  if (input.publicUrl !== undefined) setEnv(container, { name: PUBLIC_URL_ENV, value: input.publicUrl });
  for (const variable of input.secretEnv ?? []) {
    setEnv(container, { name: variable.name, valueFrom: { secretKeyRef: { name: variable.secretKeyRef.name, key: variable.secretKeyRef.key } } });
  }
  return { object: copy, results };
}
