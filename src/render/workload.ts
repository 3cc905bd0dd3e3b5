/** The Stalwart workload: finding it among the items, reading what it mounts, stamping the config checksum. */
import { CONFIG_CHECKSUM_ANNOTATION, deepClone, isRecord, type KubeObject } from "../kube.js";
import { refTo, type Result } from "../results.js";
import { findReferenced } from "./instance.js";
import type { StalwartConfigSpec } from "../settings/validate.js";
import { enabledListeners } from "./config/listeners.js";

export const CONTAINER_NAME = "stalwart";
/** The variable the fdb component points at the cluster file with. */
export const FDB_CLUSTER_FILE_ENV = "FDB_CLUSTER_FILE";
export const CONFIG_VOLUME = "config";
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string };
  exec?: { command?: string[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: ContainerPort[];
  volumeMounts?: VolumeMount[];
  env?: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

export interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: unknown;
  [source: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
}

/** A Deployment or StatefulSet that runs a container named `stalwart`. */
export interface Workload {
  object: KubeObject;
  kind: "Deployment" | "StatefulSet";
  replicas: number;
  /** Index of the first pod of a StatefulSet (`spec.ordinals.start`). */
  firstOrdinal: number;
  pod: PodSpec;
  container: Container;
  volumeClaimTemplates: string[];
}

function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec;
  if (!isRecord(spec) || !isRecord(spec.template) || !isRecord(spec.template.spec)) return undefined;
  const pod = spec.template.spec;
  return Array.isArray(pod.containers) ? (pod as unknown as PodSpec) : undefined;
}

function asWorkload(object: KubeObject): Workload | undefined {
  if (!WORKLOAD_KINDS.has(object.kind) || !object.apiVersion.startsWith("apps/")) return undefined;
  const pod = podSpecOf(object);
  const container = pod?.containers.find((candidate) => isRecord(candidate) && candidate.name === CONTAINER_NAME);
  if (!pod || !container) return undefined;
  const spec = object.spec as Record<string, unknown>;
  const templates = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  return {
    object,
    kind: object.kind as Workload["kind"],
    replicas: typeof spec.replicas === "number" ? spec.replicas : 1,
    firstOrdinal: isRecord(spec.ordinals) && typeof spec.ordinals.start === "number" ? spec.ordinals.start : 0,
    pod,
    container,
    volumeClaimTemplates: templates.flatMap((template) =>
      isRecord(template) && isRecord(template.metadata) && typeof template.metadata.name === "string" ? [template.metadata.name] : [],
    ),
  };
}

const listOf = (value: unknown, isEntry: (entry: unknown) => boolean) => value === undefined || (Array.isArray(value) && value.every(isEntry));
const withStrings = (...keys: string[]) => (entry: unknown) => isRecord(entry) && keys.every((key) => typeof entry[key] === "string");
const probe = (value: unknown) =>
  value === undefined ||
  (isRecord(value) &&
    (value.httpGet === undefined || (isRecord(value.httpGet) && ["number", "string"].includes(typeof value.httpGet.port))) &&
    (value.exec === undefined || (isRecord(value.exec) && listOf(value.exec.command, (part) => typeof part === "string"))));
/** A volume whose name, and the name of the object a configMap, secret or claim volume refers to, are strings. */
const volume = (entry: unknown) =>
  withStrings("name")(entry) &&
  ([["configMap", "name"], ["secret", "secretName"], ["persistentVolumeClaim", "claimName"]] as const).every(([source, key]) => {
    const value = (entry as Record<string, unknown>)[source];
    return value === undefined || (isRecord(value) && ["undefined", "string"].includes(typeof value[key]));
  });
const stringMap = (value: unknown) => value === undefined || (isRecord(value) && Object.values(value).every((entry) => typeof entry === "string"));

/**
 * The first pod template field the function reads whose type is not the one Kubernetes gives it, with that
 * type: the checks rely on them (a patch can set anything, and the API server would refuse it later anyway).
 */
function malformedField(workload: Workload): { path: string; expected: string } | undefined {
  const container = workload.container as unknown as Record<string, unknown>;
  const pod = workload.pod as unknown as Record<string, unknown>;
  const inContainer = "spec.template.spec.containers[name=stalwart]";
  const spec = workload.object.spec as Record<string, unknown>;
  const template = spec.template as Record<string, unknown>;
  const fields: [string, string, boolean][] = [
    // Generated objects copy these: a value YAML read as a date or as binary would be copied too.
    ["metadata.namespace", "a string", workload.object.metadata.namespace === undefined || typeof workload.object.metadata.namespace === "string"],
    ["metadata.labels", "a map of strings", stringMap(workload.object.metadata.labels)],
    ["spec.template.metadata.labels", "a map of strings", template.metadata === undefined || (isRecord(template.metadata) && stringMap(template.metadata.labels))],
    ["spec.selector.matchLabels", "a map of strings", spec.selector === undefined || (isRecord(spec.selector) && stringMap(spec.selector.matchLabels))],
    ["spec.template.spec.containers", "a list of objects", pod.containers instanceof Array && pod.containers.every(isRecord)],
    ["spec.template.spec.initContainers", "a list of objects", listOf(pod.initContainers, isRecord)],
    ["spec.template.spec.volumes", "a list of volumes with a `name`, whose `configMap`, `secret` or `persistentVolumeClaim` names its object by a string", listOf(pod.volumes, volume)],
    [`${inContainer}.image`, "a string", container.image === undefined || typeof container.image === "string"],
    [`${inContainer}.command`, "a list of strings", listOf(container.command, (part) => typeof part === "string")],
    [`${inContainer}.ports`, "a list of objects with a numeric `containerPort`", listOf(container.ports, (port) => isRecord(port) && typeof port.containerPort === "number" && ["undefined", "string"].includes(typeof port.name))],
    [`${inContainer}.volumeMounts`, "a list of objects with a `name` and a `mountPath`", listOf(container.volumeMounts, withStrings("name", "mountPath"))],
    [`${inContainer}.env`, "a list of objects with a `name`", listOf(container.env, withStrings("name"))],
    ...(["livenessProbe", "readinessProbe", "startupProbe"] as const).map((name): [string, string, boolean] => [`${inContainer}.${name}`, "an object whose `httpGet` has a `port` and whose `exec.command` is a list of strings", probe(container[name])]),
  ];
  const found = fields.find(([, , ok]) => !ok);
  return found && { path: found[0], expected: found[1] };
}

/** The one Stalwart workload among the items, or an error saying what to include. */
export function findWorkload(items: readonly KubeObject[]): { workload?: Workload; results: Result[] } {
  const workloads = items.flatMap((item) => asWorkload(item) ?? []);
  const malformed = workloads.length === 1 && workloads[0] ? malformedField(workloads[0]) : undefined;
  if (malformed && workloads[0]) {
    return { results: [{ severity: "error", message: `must be ${malformed.expected}, as Kubernetes has it; fix the patch or the base that set it`, resourceRef: refTo(workloads[0].object), field: { path: malformed.path } }] };
  }
  if (workloads.length === 1) return { workload: workloads[0], results: [] };
  if (workloads.length === 0) {
    return {
      results: [
        {
          severity: "error",
          message: `no Stalwart workload found: the resources must include a Deployment (base/single) or StatefulSet (base/cluster) with a container named "${CONTAINER_NAME}"`,
        },
      ],
    };
  }
  return {
    results: workloads.slice(1).map((extra) => ({
      severity: "error" as const,
      message: `more than one Stalwart workload: one StalwartConfig configures one Deployment or StatefulSet; build each instance in its own kustomization`,
      resourceRef: refTo(extra.object),
    })),
  };
}

/** Labels of the workload's pods. */
export function podLabels(workload: Workload): Record<string, string> {
  const template = (workload.object.spec as Record<string, unknown>).template;
  const metadata = isRecord(template) && isRecord(template.metadata) ? template.metadata : {};
  return isRecord(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
}

/** The labels the workload selects its pods by. */
export function selectorLabels(workload: Workload): Record<string, string> {
  const selector = (workload.object.spec as Record<string, unknown>).selector;
  return isRecord(selector) && isRecord(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : podLabels(workload);
}

/** The Stalwart container's named ports: name to port number. */
export function containerPorts(workload: Workload): Map<string, number> {
  return new Map((workload.container.ports ?? []).flatMap((port) => (port.name ? [[port.name, port.containerPort] as const] : [])));
}

/** The port number a probe's httpGet targets, by number or by name. */
export function probePort(workload: Workload, port: number | string): number | undefined {
  return typeof port === "number" ? port : containerPorts(workload).get(port);
}

export const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

/** The probe script of base/pod opens this inside the pod: bash's own TCP client, as the image has no curl. */
const LOOPBACK_PROBE = /\/dev\/tcp\/127\.0\.0\.1\/(\d{1,5})(?!\d)/;

/** Where a probe sends its request: from the kubelet to the pod's address (httpGet), or over loopback (exec). */
export interface ProbeTarget {
  port: number | undefined;
  https: boolean;
  loopback: boolean;
}

/** The target of an httpGet probe or of base/pod's loopback script; undefined for any other probe. */
export function probeTarget(workload: Workload, probe: Probe | undefined): ProbeTarget | undefined {
  if (probe?.httpGet) return { port: probePort(workload, probe.httpGet.port), https: probe.httpGet.scheme === "HTTPS", loopback: false };
  const match = probe?.exec?.command?.join(" ").match(LOOPBACK_PROBE);
  return match ? { port: Number(match[1]), https: false, loopback: true } : undefined;
}

export function envVar(container: Container, name: string): EnvVar | undefined {
  return container.env?.find((variable) => variable.name === name);
}

/** Sets the container's variable of that name, in its place, or appends it. */
export function setEnv(container: Container, variable: EnvVar): void {
  const env = container.env ?? (container.env = []);
  const index = env.findIndex((entry) => entry.name === variable.name);
  if (index === -1) env.push(variable);
  else env[index] = variable;
}

/** Removes the container's variable of that name, if it has one. */
export function dropEnv(container: Container, name: string): void {
  if (container.env) container.env = container.env.filter((variable) => variable.name !== name);
}

export function volumeNamed(workload: Workload, name: string): Volume | undefined {
  return workload.pod.volumes?.find((volume) => volume.name === name);
}

/**
 * The ConfigMap the workload mounts as its `config` volume: the item it means (found by the name it had before
 * kustomize renamed it, since kustomize fixes the volume only after the function ran), or the name to create.
 */
export function configMapOf(items: readonly KubeObject[], workload: Workload, rename: (name: string) => string): { name?: string; existing?: KubeObject; results: Result[] } {
  const reference = volumeNamed(workload, CONFIG_VOLUME)?.configMap?.name;
  if (reference) {
    const existing = findReferenced(items, "ConfigMap", reference, workload.object.metadata.namespace);
    // One the function creates belongs to the instance, like everything else it generates.
    return existing ? { name: existing.metadata.name, existing, results: [] } : { name: rename(reference), results: [] };
  }
  return {
    results: [
      {
        severity: "error",
        message: `the workload must mount the config.toml ConfigMap as a volume named "${CONFIG_VOLUME}" (a \`configMap\` volume); the bases do`,
        resourceRef: refTo(workload.object),
        field: { path: "spec.template.spec.volumes" },
      },
    ],
  };
}

/** Marks the workload with the StalwartConfig that configured it, to tell a second one that it came too late. */
export const CONFIGURED_BY_ANNOTATION = "stalwart.krm.example/configured-by";

export interface Wiring {
  /** sha256 of config.toml, stamped on the pod template so that a changed config rolls the pods. */
  checksum: string;
  owner: string;
  /** Secret volumes whose Secrets the generated objects write, and the instance's name of each. */
  secrets: ReadonlyMap<string, string>;
  /** The ConfigMap the function created, when the workload's reference found none. */
  createdConfigMap?: string;
}

/** A copy of the workload wired to what the function rendered: checksum, owner, the instance's Secrets. */
export function wireWorkload(workload: Workload, wiring: Wiring): KubeObject {
  const object = deepClone(workload.object);
  object.metadata.annotations = { ...object.metadata.annotations, [CONFIGURED_BY_ANNOTATION]: wiring.owner };
  const template = (object.spec as Record<string, Record<string, unknown>>).template as Record<string, unknown>;
  const metadata = (isRecord(template.metadata) ? template.metadata : (template.metadata = {})) as Record<string, unknown>;
  const annotations = (isRecord(metadata.annotations) ? metadata.annotations : (metadata.annotations = {})) as Record<string, string>;
  annotations[CONFIG_CHECKSUM_ANNOTATION] = wiring.checksum;
  const pod = template.spec as Record<string, unknown>;
  const volumes = (pod.volumes ?? []) as Volume[];
  for (const volume of volumes) {
    const secretName = wiring.secrets.get(volume.name);
    if (secretName && volume.secret) volume.secret.secretName = secretName;
    if (volume.name === CONFIG_VOLUME && volume.configMap && wiring.createdConfigMap) volume.configMap.name = wiring.createdConfigMap;
  }
  dropEmptyAppendLists(pod);
  return object;
}

/**
 * The bases give the pod `initContainers: []` and the single instance's container `env: []`, because a JSON
 * 6902 `add` cannot append to a list that does not exist, and the components append to them. One that no
 * component filled goes: Kubernetes drops it anyway, and Argo CD would see the empty list as a difference.
 */
function dropEmptyAppendLists(pod: Record<string, unknown>): void {
  const isEmptyList = (value: unknown) => Array.isArray(value) && value.length === 0;
  if (isEmptyList(pod.initContainers)) delete pod.initContainers;
  const container = (pod.containers as unknown[]).find((candidate) => isRecord(candidate) && candidate.name === CONTAINER_NAME) as Record<string, unknown> | undefined;
  if (container && isEmptyList(container.env)) delete container.env;
}

/** Secret volumes the bases and components mount: the mail certificate, FoundationDB client TLS. */
export const TLS_VOLUME = "tls";
export const FDB_CLIENT_CERT_VOLUME = "fdb-client-cert";
export const FDB_ROOT_CA_VOLUME = "fdb-root-ca";

/** The Secret mounted as the named volume of the Stalwart container, and where. */
export function mountedSecret(workload: Workload, volumeName: string): { secretName: string; mountPath?: string } | undefined {
  const volume = workload.pod.volumes?.find((candidate) => candidate.name === volumeName);
  if (!volume?.secret?.secretName) return undefined;
  const mount = workload.container.volumeMounts?.find((candidate) => candidate.name === volumeName);
  return { secretName: volume.secret.secretName, ...(mount ? { mountPath: mount.mountPath } : {}) };
}

/** Ids of the enabled listeners some probe of the Stalwart container reaches. */
export function probedListenerIds(spec: StalwartConfigSpec, workload: Workload): string[] {
  const targets = PROBES.flatMap((name) => probeTarget(workload, workload.container[name]) ?? []);
  return enabledListeners(spec)
    .filter(([, listener]) => targets.some((target) => target.port === listener.port && (target.loopback || listener.bind === "all")))
    .map(([id]) => id);
}
