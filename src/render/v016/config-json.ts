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
import { rocksDbPath } from "../../lines.js";

/** The variable the SQL DataStore's password reaches the server in: config.json names it, never the value. */
export const DB_PASSWORD_ENV = "STALWART_DB_PASSWORD";

/** What the workload tells the renderer. */
export interface ConfigJsonContext {
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
 * The DataStore of the settings. RocksDB's path defaults to the 0.16 image's data directory (src/lines.ts);
 * compression has no 0.16 setting and is not written. A SQL store's password is the variable DB_PASSWORD_ENV,
 * which the workload takes from `spec.storage.sql.passwordSecretRef`.
 */
export function renderConfigJson(spec: StalwartConfigSpec, context: ConfigJsonContext = {}): RenderedConfigJson {
  const results: Result[] = [];
  const fields: Record<string, string> = {};
  let store: DataStore;
  const { backend, sql } = spec.storage;
  if (backend === "foundationdb") {
    store = foundationDbStore(spec, context, fields, results);
  } else if (backend === "postgresql" || backend === "mysql") {
    if (!sql) results.push({ severity: "error", message: `the ${backend} store needs \`spec.storage.sql\`: its host and the Secret key of its password`, field: { path: "spec.storage.sql" } });
    store = sqlStore({ backend, host: sql?.host ?? "", ...(sql?.port ? { port: sql.port } : {}), database: sql?.database ?? "stalwart", user: sql?.user ?? "stalwart", passwordEnv: DB_PASSWORD_ENV, tls: sql?.tls ?? { enabled: false, verify: true } });
    for (const key of Object.keys(store)) fields[key] = key === "@type" ? "spec.storage.backend" : "spec.storage.sql";
  } else {
    store = { "@type": "RocksDb", path: rocksDbPath(spec) };
    fields["@type"] = "spec.storage.backend";
    fields.path = "spec.storage.rocksdb.path";
  }
  return { store, fields, json: configJsonOf(store), results };
}
