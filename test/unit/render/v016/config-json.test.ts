import assert from "node:assert/strict";
import { test } from "node:test";
import { configJsonOf, renderConfigJson, sqlStore } from "../../../../src/render/v016/config-json.ts";
import { settingsFor } from "../../../support/settings.ts";

test("RocksDB: the path is the 0.16 image's data directory unless spec.storage.rocksdb.path names one", () => {
  const spec = settingsFor({ version: "0.16" }).spec;
  assert.equal(spec.storage.rocksdb.path, undefined);
  const rendered = renderConfigJson(spec);
  assert.deepEqual(rendered.results, []);
  assert.equal(rendered.json, '{\n  "@type": "RocksDb",\n  "path": "/var/lib/stalwart/data"\n}\n');
  assert.equal(renderConfigJson(settingsFor({ version: "0.16", storage: { rocksdb: { path: "/var/lib/stalwart" } } }).spec).json, '{\n  "@type": "RocksDb",\n  "path": "/var/lib/stalwart"\n}\n');
  assert.equal(rendered.fields.path, "spec.storage.rocksdb.path");
});

test("PostgreSQL from spec.storage.sql: the password only as the variable STALWART_DB_PASSWORD, TLS verified unless told", () => {
  const spec = settingsFor({ version: "0.16", storage: { backend: "postgresql", sql: { host: "pg.db.svc", passwordSecretRef: { name: "pg", key: "password" }, tls: { enabled: true } } } }).spec;
  const rendered = renderConfigJson(spec);
  assert.deepEqual(rendered.results, []);
  // The fields as sqlStore writes them (its own test, below, spells the JSON out).
  assert.equal(rendered.json, configJsonOf(sqlStore({ backend: "postgresql", host: "pg.db.svc", database: "stalwart", user: "stalwart", passwordEnv: "STALWART_DB_PASSWORD", tls: { enabled: true, verify: true } })));
  const mysql = renderConfigJson(settingsFor({ version: "0.16", storage: { backend: "mysql" } }).spec);
  assert.match(mysql.results[0]?.message ?? "", /needs `spec.storage.sql`/);
});

test("FoundationDB: cluster file from the workload, transaction limits in integer milliseconds, in a fixed key order", () => {
  const spec = settingsFor({ storage: { backend: "foundationdb", foundationdb: { transaction: { maxRetryDelay: "1s", retryLimit: 10, timeout: "5s" }, datacenterId: "dc1" } } }).spec;
  const rendered = renderConfigJson(spec, { fdbClusterFile: "/var/lib/stalwart/fdb/fdb.cluster" });
  assert.deepEqual(rendered.results, []);
  assert.deepEqual(Object.keys(JSON.parse(rendered.json)), ["@type", "clusterFile", "datacenterId", "transactionTimeout", "transactionRetryLimit", "transactionRetryDelay"]);
  assert.deepEqual(rendered.store, {
    "@type": "FoundationDb",
    clusterFile: "/var/lib/stalwart/fdb/fdb.cluster",
    datacenterId: "dc1",
    transactionTimeout: 5000,
    transactionRetryLimit: 10,
    transactionRetryDelay: 1000,
  });
  assert.equal(rendered.fields.transactionRetryDelay, "spec.storage.foundationdb.transaction.maxRetryDelay");
  // Nothing set: libfdb_c reads FDB_CLUSTER_FILE and keeps its own limits.
  assert.equal(renderConfigJson(settingsFor({ storage: { backend: "foundationdb" } }).spec).json, '{\n  "@type": "FoundationDb"\n}\n');
});

test("FoundationDB limits 0.16 refuses are errors on their fields", () => {
  const spec = settingsFor({ storage: { backend: "foundationdb", foundationdb: { transaction: { timeout: "0s", retryLimit: 0 } } } }).spec;
  const { results } = renderConfigJson(spec);
  assert.deepEqual(results.map((result) => result.field?.path).sort(), ["spec.storage.foundationdb.transaction.retryLimit", "spec.storage.foundationdb.transaction.timeout"]);
  assert.ok(results.every((result) => result.severity === "error"));
});

test("PostgreSQL and MySQL from explicit inputs: the password is a variable of the Stalwart container", () => {
  const postgres = sqlStore({ backend: "postgresql", host: "pg-rw.db.svc", database: "stalwart", user: "stalwart", passwordEnv: "STALWART_DB_PASSWORD", tls: { enabled: true, verify: true } });
  assert.deepEqual(JSON.parse(configJsonOf(postgres)), {
    "@type": "PostgreSql",
    host: "pg-rw.db.svc",
    port: 5432,
    database: "stalwart",
    authUsername: "stalwart",
    authSecret: { "@type": "EnvironmentVariable", variableName: "STALWART_DB_PASSWORD" },
    useTls: true,
    allowInvalidCerts: false,
  });
  const mysql = sqlStore({ backend: "mysql", host: "mysql.db.svc", database: "mail", user: "mail", passwordEnv: "DB_PASSWORD", tls: { enabled: true, verify: false } });
  assert.equal(mysql["@type"], "MySql");
  assert.equal(mysql.port, 3306);
  assert.equal(mysql.allowInvalidCerts, true);
  // Without TLS there is no certificate to accept.
  assert.equal(sqlStore({ backend: "mysql", host: "h", database: "d", user: "u", passwordEnv: "P", tls: { enabled: false, verify: false } }).allowInvalidCerts, false);
});
