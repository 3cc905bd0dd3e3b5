/**
 * Everything the function renders for a Stalwart 0.16 StalwartConfig, composed from the pure 0.16 renderers:
 * config.json (the DataStore), the workload wired for 0.16, and the apply plan with the Job that applies it.
 * What the bases and components put on the workload for the TOML lines is translated here, or refused with the
 * reason when it cannot mean anything on 0.16.
 */
import { CONFIG_CHECKSUM_ANNOTATION, deepClone, type KubeObject } from "../../kube.js";
import { quote, refTo, type Result } from "../../results.js";
import { sha256Hex } from "../../sha256.js";
import type { StalwartConfig, StalwartConfigSpec } from "../../settings/validate.js";
import { LINES } from "../../lines.js";
import { pointerToFieldPath } from "../../settings/field-path.js";
import { nodeIds } from "../../checks/cluster.js";
import { NATS_USERNAME_ENV, NODE_ID_ENV } from "../config/cluster.js";
import { OAUTH_KEY_ENV } from "../config/first-boot.js";
import { FALLBACK_ADMIN_SECRET_ENV, FALLBACK_ADMIN_USER_ENV, PROMETHEUS_USERNAME_ENV } from "../config/operations.js";
import { withReleaseTag } from "../image.js";
import { GENERATED_BY_ANNOTATION, type Instance } from "../generated.js";
import { CONTAINER_NAME, dropEnv, envVar, FDB_CLUSTER_FILE_ENV, findWorkload, mountedSecret, setEnv, TLS_VOLUME, type Workload } from "../workload.js";
import { renderApplyJob } from "./apply-job.js";
import { DB_PASSWORD_ENV, renderConfigJson } from "./config-json.js";
import { renderPlan, ROLE_PREFIX } from "./plan.js";
import { checkRecoveryMode, isRecoveryMode, RECOVERY_ADMIN_ENV } from "./recovery.js";
import { COMMAND_016, DATA_DIRECTORY_016, DEFAULT_PROBE_PORT_016, wireWorkload016, type SecretEnv } from "./workload.js";

/** The command base/pod gives the TOML lines; anything else is a component's, which 0.16 cannot run. */
const TOML_COMMAND = ["/usr/local/bin/stalwart", "--config", "/opt/stalwart/etc/config.toml"];
export const ROLE_ENV = "STALWART_ROLE";
/** The tls-reload component's sidecar, and how it reaches 0.16: JMAP on the default `http` listener. */
const TLS_RELOADER = "tls-reloader";
/**
 * What Stalwart reads only at start (sockets bind at boot, the coordinator and stores are built once: crates/common/
 * src/manager/boot.rs and config/storage.rs at v0.16.18): written by the plan, they take a restart.
 */
const BOOT_OBJECTS = new Set(["NetworkListener", "Coordinator", "ClusterRole", "BlobStore", "SearchStore", "InMemoryStore"]);

/** The plan's operations on objects read only at start, in plan order: what the restart step compares. */
function bootOperations(ndjson: string): string {
  return ndjson
    .split("\n")
    .filter((line) => {
      if (line === "") return false;
      const object = (JSON.parse(line) as { object?: unknown }).object;
      return typeof object === "string" && BOOT_OBJECTS.has(object.replace(/^x:/, ""));
    })
    .join("\n");
}

export interface Render016Input {
  settings: StalwartConfig;
  workload: Workload;
  /** The workload as the TOML wiring left it (checksum, owner, Secrets, line). */
  wired: KubeObject;
  instance: Instance;
  /** The mail Services of the workload, as the function shaped them. */
  mailServices: readonly KubeObject[];
  /** Whether a StalwartConfig fragment (not a schema default) set the field at the JSON pointer. */
  isDeclared: (pointer: string) => boolean;
}

export interface Rendered016 {
  configJson: string;
  /** The workload wired for 0.16, which the checks read as 0.16 runs it. */
  workload: Workload;
  objects: KubeObject[];
  results: Result[];
  /** How many operations the plan has. */
  operations: number;
  /** Whether the workload starts Stalwart in recovery mode, where the apply Job waits to be resumed. */
  recovery: boolean;
}

function error(message: string, path: string, currentValue?: unknown): Result {
  return { severity: "error", message, field: { path, ...(currentValue === undefined ? {} : { currentValue }) } };
}

/** The error for each field of `fields` a fragment declares, each with why. */
function declaredFields(fields: readonly [pointer: string, why: string][], isDeclared: Render016Input["isDeclared"], message: (why: string) => string): Result[] {
  return fields.flatMap(([pointer, why]) => (isDeclared(pointer) ? [error(message(why), pointerToFieldPath(pointer))] : []));
}

/** Fields of the TOML lines that 0.16 has no place for, and fields 0.16 needs. */
export function checkSpec016(spec: StalwartConfigSpec, isDeclared: Render016Input["isDeclared"]): Result[] {
  const tomlOnly: [string, string][] = [
    ["/spec/extraConfig", "0.16 reads no config.toml keys: every setting is an object in the server's store; declare what the schema does not cover as `spec.objects` (stalwart-cli apply operations)"],
    ["/spec/storage/rocksdb/compression", "0.16's RocksDB store has no compression setting"],
    ["/spec/storage/foundationdb/compression", "0.16's FoundationDB store has no compression setting"],
    ["/spec/spamFilter/resource", "0.16 downloads its spam rules with a task of its own; configure it in the web interface"],
  ];
  const results = declaredFields(tomlOnly, isDeclared, (why) => `is not read by Stalwart 0.16: ${why}`);
  if (!spec.domains) results.push(error("Stalwart 0.16 needs its mail domains, the default first (the default domain is required): set `spec.domains: [example.com]`", "spec.domains"));
  const backend = spec.storage.backend;
  if ((backend === "postgresql" || backend === "mysql") && !spec.storage.sql) {
    results.push(error(`\`spec.storage.backend\` is ${quote(backend)}: set \`spec.storage.sql\` with the host and the Secret key of the password`, "spec.storage.sql"));
  }
  if (spec.storage.sql && backend !== "postgresql" && backend !== "mysql") {
    results.push(error(`\`spec.storage.sql\` is set but the backend is ${quote(backend)}: set \`spec.storage.backend\` to "postgresql" or "mysql", or remove \`sql\``, "spec.storage.sql"));
  }
  const nats = spec.cluster?.nats;
  if (nats?.auth.enabled && !nats.auth.username) {
    results.push(error("Stalwart 0.16 reads the NATS user name as a value, not from NATS_USERNAME: set `spec.cluster.nats.auth.username` (the password still comes from the nats-auth component's Secret)", "spec.cluster.nats.auth.username"));
  }
  const prometheus = spec.metrics.prometheus;
  if (prometheus.enabled && prometheus.authentication && !prometheus.username) {
    results.push(error("Stalwart 0.16 reads the Prometheus user name as a value, not from PROMETHEUS_USERNAME: set `spec.metrics.prometheus.username` (the password still comes from the service-monitor component's Secret)", "spec.metrics.prometheus.username"));
  }
  if (spec.cluster?.roles?.bayesTraining) results.push(error("`bayesTraining` was renamed `spamTraining` in 0.15", "spec.cluster.roles.bayesTraining"));
  return results;
}

/** Fields of 0.16 that the TOML lines do not read. */
export function checkSpecToml(spec: StalwartConfigSpec, isDeclared: Render016Input["isDeclared"]): Result[] {
  const only016: [string, string][] = [
    ["/spec/domains", "the TOML lines take their domains from the directory"],
    ["/spec/objects", "the TOML lines read config.toml: use `spec.extraConfig`"],
    ["/spec/apply", "the TOML lines read config.toml and need no apply Job"],
    ["/spec/storage/sql", "PostgreSQL and MySQL storage are rendered for 0.16 only"],
    ["/spec/cluster/nats/auth/username", "the TOML lines read the user name from NATS_USERNAME (the nats-auth component)"],
    ["/spec/metrics/prometheus/username", "the TOML lines read the user name from PROMETHEUS_USERNAME (the service-monitor component)"],
  ];
  const results = declaredFields(only016, isDeclared, (why) => `is read by Stalwart 0.16 only, and \`spec.version\` is ${quote(spec.version)}: ${why}`);
  const backend = spec.storage.backend;
  if (backend === "postgresql" || backend === "mysql") {
    results.push(error(`${quote(backend)} storage is rendered for Stalwart 0.16 only, and \`spec.version\` is ${quote(spec.version)}: use "rocksdb" or "foundationdb", or move to 0.16`, "spec.storage.backend", backend));
  }
  return results;
}

/** The URL the apply Job reaches the plain-HTTP `http` listener at: the mail Service's port for it. */
function serverUrl(spec: StalwartConfigSpec, mailServices: readonly KubeObject[]): { url?: string; results: Result[] } {
  if (spec.apply.serverUrl) return { url: spec.apply.serverUrl, results: [] };
  const listener = spec.listeners.http;
  if (!listener || listener.enabled === false || listener.tls !== "none") {
    return { results: [error("the apply Job reaches Stalwart on the plain-HTTP listener `http`, which the settings do not enable: set `spec.apply.serverUrl`", "spec.apply.serverUrl")] };
  }
  // With PROXY protocol on `http`, Stalwart still takes plain connections from outside the trusted networks
  // (crates/common/src/network/listen.rs at v0.16.18, line 130): the Job's pod address must not be in them.
  for (const service of mailServices) {
    const ports = ((service.spec as Record<string, unknown> | undefined)?.ports ?? []) as { name?: string; port?: number; targetPort?: string | number }[];
    const port = ports.find((candidate) => candidate.targetPort === "http" || candidate.targetPort === listener.port || candidate.name === "http");
    if (port?.port) return { url: `http://${service.metadata.name}:${port.port}`, results: [] };
  }
  return { results: [error("no mail Service has a port to the `http` listener, which the apply Job would reach Stalwart through: set `spec.apply.serverUrl`", "spec.apply.serverUrl")] };
}

/**
 * Translates what components put on the workload for the TOML lines; changes the workload's object in place.
 * Variables the TOML lines needed and 0.16 does not read go, so that no pod waits for their Secrets.
 */
function translateComponents(workload: Workload, spec: StalwartConfigSpec, results: Result[]): void {
  const { container } = workload;
  const ref = refTo(workload.object);
  const command = container.command;
  if (command && JSON.stringify(command) !== JSON.stringify(TOML_COMMAND) && JSON.stringify(command) !== JSON.stringify(COMMAND_016)) {
    results.push({
      severity: "error",
      message: `the "stalwart" container's command was changed (${quote(command.join(" "))}), which Stalwart 0.16 cannot keep: it runs ${quote(COMMAND_016.join(" "))}. The node-id-from-hostname component does this: 0.16 leases node ids by host name, so remove the component`,
      resourceRef: ref,
      field: { path: `spec.template.spec.containers[name=${CONTAINER_NAME}].command` },
    });
  }
  // 0.16 reads no oauth.key from the environment, no user names from it, and takes node ids from a lease.
  dropEnv(container, OAUTH_KEY_ENV);
  dropEnv(container, NATS_USERNAME_ENV);
  dropEnv(container, PROMETHEUS_USERNAME_ENV);
  if (spec.cluster?.roles && envVar(container, NODE_ID_ENV)) {
    setEnv(container, { name: ROLE_ENV, value: `${ROLE_PREFIX}$(${NODE_ID_ENV})` });
  } else {
    dropEnv(container, NODE_ID_ENV);
  }
  // An administrator set otherwise (the recovery-mode component, or by hand) is left as it is.
  if (spec.fallbackAdmin.enabled && envVar(container, FALLBACK_ADMIN_USER_ENV) && envVar(container, FALLBACK_ADMIN_SECRET_ENV) && !envVar(container, RECOVERY_ADMIN_ENV)) {
    // Kubernetes expands $(VAR) of variables defined earlier in the list: user and secret stay in their Secret.
    setEnv(container, { name: RECOVERY_ADMIN_ENV, value: `$(${FALLBACK_ADMIN_USER_ENV}):$(${FALLBACK_ADMIN_SECRET_ENV})` });
  }
  const reloader = workload.pod.containers.find((candidate) => candidate.name === TLS_RELOADER);
  if (reloader) {
    setEnv(reloader, { name: "URL", value: `http://127.0.0.1:${DEFAULT_PROBE_PORT_016}` });
    setEnv(reloader, { name: "RELOAD_API", value: "jmap" });
  }
}

export function render016(input: Render016Input): Rendered016 {
  const { instance, isDeclared } = input;
  const settings = input.settings;
  const spec = settings.spec;
  const results: Result[] = [...checkSpec016(spec, isDeclared)];

  const fdbClusterFile = envVar(input.workload.container, FDB_CLUSTER_FILE_ENV)?.value;
  const config = renderConfigJson(spec, fdbClusterFile ? { fdbClusterFile } : {});
  const configJson = config.json;
  const sql = spec.storage.backend === "postgresql" || spec.storage.backend === "mysql" ? spec.storage.sql : undefined;
  const secretEnv: SecretEnv[] = sql ? [{ name: DB_PASSWORD_ENV, secretKeyRef: { name: sql.passwordSecretRef.name, key: sql.passwordSecretRef.key } }] : [];
  // Its missing-`sql` error repeats checkSpec016's.
  results.push(...config.results.filter((result) => result.field?.path !== "spec.storage.sql"));

  const copy = deepClone(input.wired);
  translateComponents(findWorkload([copy]).workload ?? input.workload, spec, results);
  // Unset, Stalwart builds the same `https://<defaultHostname>` from the plan's SystemSettings.
  const wired = wireWorkload016(copy, { ...(spec.publicUrl ? { publicUrl: spec.publicUrl } : {}), secretEnv });
  results.push(...wired.results);
  const workload = findWorkload([wired.object]).workload ?? input.workload;

  const tlsDirectory = mountedSecret(workload, TLS_VOLUME)?.mountPath;
  const ids = spec.cluster?.roles ? nodeIds(workload).ids : undefined;
  // No `probedListeners`: the probes come from 127.0.0.1, outside the trusted networks (checks/operations.ts), so
  // PROXY protocol goes on `http` too, as a load balancer in PROXY mode sends the header on every port it forwards.
  const plan = renderPlan(spec, {
    domains: spec.domains ?? [],
    ...(tlsDirectory ? { tlsDirectory } : {}),
    ...(spec.cluster?.nats.auth.username ? { natsUsername: spec.cluster.nats.auth.username } : {}),
    ...(spec.metrics.prometheus.username ? { prometheusUsername: spec.metrics.prometheus.username } : {}),
    ...(ids ? { clusterNodeIds: ids } : {}),
  });
  // The plan's own "needs" errors repeat checkSpec016's clearer ones; keep the rest.
  results.push(...plan.results.filter((result) => !/reads the (NATS|Prometheus) user name|needs a default domain/.test(result.message)));

  const url = serverUrl(spec, input.mailServices);
  results.push(...url.results);
  const bootHash = sha256Hex(bootOperations(plan.ndjson));
  const image = withReleaseTag(input.workload.container.image ?? "stalwartlabs/stalwart", LINES[spec.version].release);
  const job = url.url
    ? renderApplyJob({
        plan: plan.ndjson,
        instance: { base: instance.rename(instance.base), ...(input.workload.object.metadata.namespace ? { namespace: input.workload.object.metadata.namespace } : {}) },
        serverUrl: url.url,
        credentialsSecret: spec.apply.credentialsSecret,
        useToken: spec.apply.useToken,
        cliImage: spec.apply.cliImage,
        waitImage: image,
        argoCdHook: spec.apply.argoCdHook,
        restart: { workload: { kind: input.workload.kind, name: input.workload.object.metadata.name }, bootHash },
      })
    : { objects: [], results: [] };
  results.push(...job.results.map((result) => (result.field?.path && !result.field.path.startsWith("spec") ? { ...result, field: { path: "spec.apply" } } : result)));
  // In recovery mode the Job is created suspended: on a server migrated from 0.15 the export (its `create`s of
  // Domain and Tenant) must come first, and the plan's upserts after it; the user resumes the Job then.
  const recovery = isRecoveryMode(workload.container);
  results.push(...checkRecoveryMode(workload));
  if (recovery) for (const object of job.objects) if (object.kind === "Job") (object.spec as Record<string, unknown>).suspend = true;

  // A changed data store restarts the pods; the plan does not (the Job applies it to the running server).
  const template = (wired.object.spec as Record<string, Record<string, unknown>>).template as { metadata: { annotations: Record<string, string> } };
  template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION] = sha256Hex(configJson);
  const owned = job.objects.map((object) => ({ ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [GENERATED_BY_ANNOTATION]: instance.owner } } }));
  return { configJson, workload, objects: owned, results, operations: plan.operations.length, recovery };
}
