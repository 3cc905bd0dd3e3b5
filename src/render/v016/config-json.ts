/**
 * config.json for Stalwart 0.16: the DataStore alone. Every other setting is an object in that store, declared
 * by the plan (plan.ts). The server reads the file at boot with serde (`DataStore`, tagged `@type`; crates/
 * registry/src/schema/structs.rs at v0.16.18) and ignores keys it does not know, so the keys here follow the
 * schema's spelling exactly. Secrets are references the server resolves in its own pod, never values.
 */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { quote, type Result } from "../../results.js";
import type { DataStore, FoundationDbStore, MySqlStore, PostgreSqlStore } from "./objects.js";
import { durationMs, jsonDocument } from "./values.js";

/** Where the image keeps its data: `WORKDIR` and `VOLUME` of Dockerfile.build at v0.16.18, `/var/lib/stalwart`. */
export const DEFAULT_DATA_PATH = "/var/lib/stalwart/data";

/** What the workload tells the renderer. */
export interface ConfigJsonContext {
  /** Directory of the RocksDB database, on the workload's data volume. */
  dataPath?: string;
  /** The FoundationDB cluster file the fdb component writes; unset, libfdb_c reads `FDB_CLUSTER_FILE`. */
  fdbClusterFile?: string;
}

export interface RenderedConfigJson {
  store: DataStore;
  /** The StalwartConfig field that decides each key of `store`, for messages. */
  fields: Readonly<Record<string, string>>;
  json: string;
  results: Result[];
}

/** FoundationDB's transaction retry limit as the schema bounds it (`x:FoundationDbStore.transactionRetryLimit`). */
const FDB_RETRY_LIMIT = { min: 1, max: 1000 } as const;

function foundationDbStore(spec: StalwartConfigSpec, context: ConfigJsonContext, fields: Record<string, string>, results: Result[]): FoundationDbStore {
  const fdb = spec.storage.foundationdb;
  const field = "spec.storage.foundationdb";
  const transaction = fdb.transaction ?? {};
  const store: { -readonly [K in keyof FoundationDbStore]: FoundationDbStore[K] } = { "@type": "FoundationDb" };
  fields["@type"] = "spec.storage.backend";
  if (context.fdbClusterFile) {
    store.clusterFile = context.fdbClusterFile;
    fields.clusterFile = "spec.storage.backend";
  }
  if (fdb.datacenterId) {
    store.datacenterId = fdb.datacenterId;
    fields.datacenterId = `${field}.datacenterId`;
  }
  if (transaction.timeout) {
    store.transactionTimeout = durationMs(transaction.timeout, `${field}.transaction.timeout`, results);
    fields.transactionTimeout = `${field}.transaction.timeout`;
  }
  if (transaction.retryLimit !== undefined) {
    const path = `${field}.transaction.retryLimit`;
    if (transaction.retryLimit < FDB_RETRY_LIMIT.min || transaction.retryLimit > FDB_RETRY_LIMIT.max) {
      results.push({ severity: "error", message: `${quote(transaction.retryLimit)} is out of range for Stalwart 0.16, which takes ${FDB_RETRY_LIMIT.min} to ${FDB_RETRY_LIMIT.max} retries`, field: { path } });
    }
    store.transactionRetryLimit = transaction.retryLimit;
    fields.transactionRetryLimit = path;
  }
  if (transaction.maxRetryDelay) {
    store.transactionRetryDelay = durationMs(transaction.maxRetryDelay, `${field}.transaction.maxRetryDelay`, results);
    fields.transactionRetryDelay = `${field}.transaction.maxRetryDelay`;
  }
  return store;
}

/**
 * A PostgreSQL or MySQL DataStore. The StalwartConfig has no fields for them yet: the caller names every value,
 * and the password only as the variable the Stalwart container gets it from.
 */
export interface SqlStoreInput {
  backend: "postgresql" | "mysql";
  host: string;
  /** Defaults to the backend's port, 5432 or 3306. */
  port?: number;
  database: string;
  user: string;
  /** The environment variable of the Stalwart container that holds the password. */
  passwordEnv: string;
  /** TLS to the database server; `verify: false` accepts any certificate. */
  tls: { enabled: boolean; verify: boolean };
}

export function sqlStore(input: SqlStoreInput): PostgreSqlStore | MySqlStore {
  const common = {
    host: input.host,
    port: input.port ?? (input.backend === "postgresql" ? 5432 : 3306),
    database: input.database,
    authUsername: input.user,
    authSecret: { "@type": "EnvironmentVariable", variableName: input.passwordEnv },
    useTls: input.tls.enabled,
    allowInvalidCerts: input.tls.enabled && !input.tls.verify,
  } as const;
  return input.backend === "postgresql" ? { "@type": "PostgreSql", ...common } : { "@type": "MySql", ...common };
}

/** config.json of a DataStore, as written to the ConfigMap. */
export function configJsonOf(store: DataStore): string {
  return jsonDocument(store);
}

/**
 * The DataStore of the settings. RocksDB's path comes from the context, not from `spec.storage.rocksdb.path`,
 * whose default is the 0.14 image's `/opt/stalwart/data`. Compression has no 0.16 setting and is not written.
 */
export function renderConfigJson(spec: StalwartConfigSpec, context: ConfigJsonContext = {}): RenderedConfigJson {
  const results: Result[] = [];
  const fields: Record<string, string> = {};
  let store: DataStore;
  if (spec.storage.backend === "foundationdb") {
    store = foundationDbStore(spec, context, fields, results);
  } else {
    store = { "@type": "RocksDb", path: context.dataPath ?? DEFAULT_DATA_PATH };
    fields["@type"] = "spec.storage.backend";
    fields.path = "spec.storage.backend";
  }
  return { store, fields, json: configJsonOf(store), results };
}
