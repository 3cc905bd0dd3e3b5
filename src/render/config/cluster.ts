/** `cluster.*` and the NATS store that coordinates the nodes. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";
import type { Line } from "../../lines.js";

/** Variables the workload provides: the node id from the pod index, the NATS credentials from a Secret. */
export const NODE_ID_ENV = "STALWART_NODE_ID";
export const NATS_USERNAME_ENV = "NATS_USERNAME";
export const NATS_PASSWORD_ENV = "NATS_PASSWORD";
const NATS_STORE = "nats";

/** Role field to Stalwart key, in Stalwart's order (common/src/config/network.rs at v0.14.1 and v0.15.5). */
export const ROLE_KEYS = {
  purgeStores: "purge.stores",
  purgeAccounts: "purge.accounts",
  acmeRenew: "acme.renew",
  metricsCalculate: "metrics.calculate",
  metricsPush: "metrics.push",
  pushNotifications: "push-notifications",
  ftsIndexing: "fts-indexing",
  bayesTraining: "bayes-training",
  spamTraining: "spam-training",
  imipProcessing: "imip-processing",
  calendarAlerts: "calendar-alerts",
  mergeThreads: "merge-threads",
} as const;

/** Roles one line has and the other does not: 0.15 renamed the training role and added thread merging. */
export const ROLE_LINES: Readonly<Partial<Record<keyof typeof ROLE_KEYS, Line>>> = {
  bayesTraining: "0.14",
  spamTraining: "0.15",
  mergeThreads: "0.15",
};

function natsEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const nats = spec.cluster?.nats;
  if (!nats) return [];
  const field = "spec.cluster.nats";
  const prefix = `store.${NATS_STORE}`;
  const entries = [
    entry(`${prefix}.type`, "nats", field),
    entry(`${prefix}.address`, nats.addresses, `${field}.addresses`),
  ];
  if (nats.auth.enabled) {
    // Credentials stay in their Secret: the macros are expanded by Stalwart from the pod's environment.
    entries.push(entry(`${prefix}.user`, `%{env:${NATS_USERNAME_ENV}}%`, `${field}.auth.enabled`));
    entries.push(entry(`${prefix}.password`, `%{env:${NATS_PASSWORD_ENV}}%`, `${field}.auth.enabled`));
  }
  entries.push(
    entry(`${prefix}.no-echo`, nats.noEcho, `${field}.noEcho`),
    entry(`${prefix}.tls.enable`, nats.tls, `${field}.tls`),
    entry(`${prefix}.timeout.connection`, nats.timeouts.connection, `${field}.timeouts.connection`),
    entry(`${prefix}.timeout.request`, nats.timeouts.request, `${field}.timeouts.request`),
    entry(`${prefix}.ping-interval`, nats.pingInterval, `${field}.pingInterval`),
  );
  if (nats.maxReconnects !== undefined) entries.push(entry(`${prefix}.max-reconnects`, nats.maxReconnects, `${field}.maxReconnects`));
  entries.push(
    entry(`${prefix}.capacity.client`, nats.capacity.client, `${field}.capacity.client`),
    entry(`${prefix}.capacity.subscription`, nats.capacity.subscription, `${field}.capacity.subscription`),
    entry(`${prefix}.capacity.read-buffer`, nats.capacity.readBuffer, `${field}.capacity.readBuffer`),
  );
  return entries;
}

export function clusterEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const cluster = spec.cluster;
  if (!cluster) return [];
  // An env macro, because env macros are expanded before anything else is read; file macros come too late.
  const entries = [entry("cluster.node-id", `%{env:${NODE_ID_ENV}}%`, "spec.cluster"), entry("cluster.coordinator", NATS_STORE, "spec.cluster.nats")];
  for (const [field, key] of Object.entries(ROLE_KEYS)) {
    const shards = cluster.roles?.[field as keyof typeof ROLE_KEYS];
    // Both lines read each string as one shard of comma-separated node ids.
    if (shards) entries.push(entry(`cluster.roles.${key}`, shards.map((shard) => shard.join(",")), `spec.cluster.roles.${field}`));
  }
  return [...entries, ...natsEntries(spec)];
}
