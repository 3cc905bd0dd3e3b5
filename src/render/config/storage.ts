/** `storage.*`, the store behind them and the internal directory on it. */
import { rocksDbPath } from "../../lines.js";
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

const DIRECTORY_ID = "internal";

/** What the workload tells the renderer: where the fdb component puts the cluster file. */
export interface StorageContext {
  fdbClusterFile?: string;
}

function rocksDbStore(spec: StalwartConfigSpec): ConfigEntry[] {
  const rocksdb = spec.storage.rocksdb;
  const field = "spec.storage.rocksdb";
  return [
    entry("store.rocksdb.type", "rocksdb", "spec.storage.backend"),
    entry("store.rocksdb.path", rocksDbPath(spec), `${field}.path`),
    entry("store.rocksdb.compression", rocksdb.compression, `${field}.compression`),
  ];
}

function foundationDbStore(spec: StalwartConfigSpec, context: StorageContext): ConfigEntry[] {
  const fdb = spec.storage.foundationdb;
  const field = "spec.storage.foundationdb";
  const entries = [entry("store.foundationdb.type", "foundationdb", "spec.storage.backend")];
  if (context.fdbClusterFile) entries.push(entry("store.foundationdb.cluster-file", context.fdbClusterFile, "spec.storage.backend"));
  entries.push(entry("store.foundationdb.compression", fdb.compression, `${field}.compression`));
  const transaction = fdb.transaction ?? {};
  if (transaction.timeout) entries.push(entry("store.foundationdb.transaction.timeout", transaction.timeout, `${field}.transaction.timeout`));
  if (transaction.retryLimit !== undefined) entries.push(entry("store.foundationdb.transaction.retry-limit", transaction.retryLimit, `${field}.transaction.retryLimit`));
  if (transaction.maxRetryDelay) entries.push(entry("store.foundationdb.transaction.max-retry-delay", transaction.maxRetryDelay, `${field}.transaction.maxRetryDelay`));
  if (fdb.datacenterId) entries.push(entry("store.foundationdb.ids.datacenter", fdb.datacenterId, `${field}.datacenterId`));
  return entries;
}

export function storageEntries(spec: StalwartConfigSpec, context: StorageContext = {}): ConfigEntry[] {
  const backend = spec.storage.backend;
  const field = "spec.storage.backend";
  // All five storage keys are required: a missing one disables every store and /healthz/ready answers 503.
  return [
    ...["data", "blob", "fts", "lookup"].map((role) => entry(`storage.${role}`, backend, field)),
    entry("storage.directory", DIRECTORY_ID, field),
    ...(backend === "foundationdb" ? foundationDbStore(spec, context) : rocksDbStore(spec)),
    entry(`directory.${DIRECTORY_ID}.type`, "internal", field),
    entry(`directory.${DIRECTORY_ID}.store`, backend, field),
  ];
}
