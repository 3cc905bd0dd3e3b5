import assert from "node:assert/strict";
import { test } from "node:test";
import { renderConfigToml } from "../../../src/render/config-toml.ts";
import { isLocalKey } from "../../../src/render/config/local-keys.ts";
import { settingsFor } from "../../support/settings.ts";
import { flattenToml, readLikeStalwart } from "../../support/stalwart-toml.ts";
import { unknownStalwartKeys } from "../../support/stalwart-keys.ts";

function render(spec: Record<string, unknown> = {}) {
  const rendered = renderConfigToml(settingsFor(spec));
  return { ...rendered, flat: flattenToml(rendered.toml) };
}

test("server identity: hostname, and http.url as a quoted expression defaulting to https://hostname", () => {
  const { flat } = render();
  assert.equal(flat["server.hostname"], "mail.example.com");
  assert.equal(flat["http.url"], "'https://mail.example.com'");
  assert.equal(render({ publicUrl: "https://webmail.example.com" }).flat["http.url"], "'https://webmail.example.com'");
});

test("every listener binds on all addresses, with implicit TLS where the port calls for it", () => {
  const { flat } = render();
  const implicit = (id: string) => flat[`server.listener.${id}.tls.implicit`];
  for (const id of ["submissions", "imaps", "pop3s", "https"]) assert.equal(implicit(id), "true", id);
  for (const id of ["smtp", "submission", "imap", "pop3", "sieve"]) assert.equal(implicit(id), "false", id);
  assert.equal(flat["server.listener.http.tls.enable"], "false");
  assert.equal(flat["server.listener.smtp.bind.0000"], "[::]:25");
  assert.equal(flat["server.listener.sieve.protocol"], "managesieve");
  assert.equal(Object.keys(flat).filter((key) => key.endsWith(".protocol")).length, 11);
});

test("the probe listener binds loopback only, whatever the bind address of the others", () => {
  const { flat } = render();
  assert.equal(flat["server.listener.probe.bind.0000"], "127.0.0.1:8081");
  assert.equal(flat["server.listener.probe.protocol"], "http");
  assert.equal(flat["server.listener.probe.tls.enable"], "false");
  const ipv4 = render({ network: { bindAddress: "0.0.0.0" } }).flat;
  const binds = Object.entries(ipv4).filter(([key]) => key.endsWith(".bind.0000"));
  assert.equal(binds.length, 11);
  for (const [key, value] of binds) assert.match(value, key.startsWith("server.listener.probe.") ? /^127\.0\.0\.1:8081$/ : /^0\.0\.0\.0:\d+$/, key);
  assert.equal(ipv4["server.listener.smtp.bind.0000"], "0.0.0.0:25");
  assert.throws(() => render({ network: { bindAddress: "10.0.0.1" } }), /invalid test settings/);
});

test("the web admin bundle and the spam rules are pinned to the releases made for the line, or to a mirror", () => {
  assert.equal(render().flat["webadmin.resource"], "https://github.com/stalwartlabs/webadmin/releases/download/v0.1.37/webadmin.zip");
  assert.equal(render().flat["spam-filter.resource"], "https://github.com/stalwartlabs/spam-filter/releases/download/v2.0.5/spam-filter.toml");
  assert.equal(render({ version: "0.14" }).flat["webadmin.resource"], "https://github.com/stalwartlabs/webadmin/releases/download/v0.1.33/webadmin.zip");
  // 0.14 keeps Stalwart's own default for the rules, as before lines existed, unless one is set.
  assert.equal(render({ version: "0.14" }).flat["spam-filter.resource"], undefined);
  assert.equal(render({ version: "0.14", spamFilter: { resource: "file:///rules.toml" } }).flat["spam-filter.resource"], "file:///rules.toml");
  assert.equal(render({ webadmin: { resource: "https://mirror.example.com/webadmin.zip" } }).flat["webadmin.resource"], "https://mirror.example.com/webadmin.zip");
  assert.equal(render({ webadmin: { resource: "file:///opt/stalwart/webadmin.zip" } }).flat["webadmin.resource"], "file:///opt/stalwart/webadmin.zip");
  // Stalwart fetches the value verbatim: a macro or a relative path would never resolve.
  assert.throws(() => render({ webadmin: { resource: "%{env:WEBADMIN}%" } }), /invalid test settings/);
  assert.throws(() => render({ webadmin: { resource: "webadmin.zip" } }), /invalid test settings/);
  const collision = render({ extraConfig: { "webadmin.resource": "file:///x.zip" } }).results;
  assert.match(collision[0]?.message ?? "", /which the function writes from `spec.webadmin.resource`/);
});

test("oauth.key comes from the workload's variable when it sets one, and is then a local key", () => {
  assert.equal(render().flat["oauth.key"], undefined);
  const rendered = renderConfigToml(settingsFor({}), { oauthKeyFromEnv: true });
  const flat = flattenToml(rendered.toml);
  assert.equal(flat["oauth.key"], "%{env:STALWART_OAUTH_KEY}%");
  assert.ok(Object.entries(flat).some(([key, value]) => key.startsWith("config.local-keys.") && value === "oauth.key"));
  assert.deepEqual(readLikeStalwart(rendered.toml), flat);
  assert.deepEqual(unknownStalwartKeys(Object.keys(flat)), []);
});

test("a disabled listener is left out", () => {
  const { flat } = render({ listeners: { pop3: { enabled: false }, pop3s: { enabled: false } } });
  assert.equal(Object.keys(flat).some((key) => key.startsWith("server.listener.pop3")), false);
});

test("RocksDB backs all four storage roles and the internal directory", () => {
  const { flat } = render();
  for (const role of ["data", "blob", "fts", "lookup"]) assert.equal(flat[`storage.${role}`], "rocksdb");
  assert.equal(flat["storage.directory"], "internal");
  assert.equal(flat["store.rocksdb.type"], "rocksdb");
  assert.equal(flat["store.rocksdb.path"], "/opt/stalwart/data");
  assert.equal(flat["store.rocksdb.compression"], "lz4");
  assert.equal(flat["directory.internal.type"], "internal");
  assert.equal(flat["directory.internal.store"], "rocksdb");
});

test("the console tracer level and colours follow the settings", () => {
  const { flat } = render({ tracer: { console: { level: "debug", ansi: true } } });
  assert.equal(flat["tracer.console.type"], "console");
  assert.equal(flat["tracer.console.level"], "debug");
  assert.equal(flat["tracer.console.ansi"], "true");
});

test("every key the file sets is a local key, so the file wins over the database", () => {
  const { flat } = render({ extraConfig: { "spam-filter.enable": false, "queue.outbound.hostname": ["a", "b"] } });
  const patterns = Object.entries(flat)
    .filter(([key]) => key.startsWith("config.local-keys."))
    .map(([, value]) => value);
  assert.ok(patterns.includes("http.url"));
  assert.ok(patterns.includes("spam-filter.enable"));
  assert.ok(patterns.includes("queue.outbound.hostname.*"));
  for (const key of Object.keys(flat)) assert.ok(isLocalKey(key, patterns), `${key} is not local`);
});

test("Stalwart's own parser reads the file as TOML does, and knows every key", () => {
  const { toml, flat } = render();
  assert.deepEqual(readLikeStalwart(toml), flat);
  assert.deepEqual(unknownStalwartKeys(Object.keys(flat)), []);
});

test("extraConfig keys are written after the generated ones, sorted", () => {
  const { entries, results } = render({ extraConfig: { "spam-filter.enable": false, "queue.outbound.hostname": "mx.example.com" } });
  assert.deepEqual(results, []);
  const keys = entries.map((entry) => entry.key);
  assert.deepEqual(keys.slice(-3), ["queue.outbound.hostname", "spam-filter.enable", "config.local-keys"]);
});

test("an extraConfig key the function writes is refused, naming the field to use", () => {
  const { results } = render({ extraConfig: { "server.hostname": "other.example.com", "server.listener.smtp": "x" } });
  assert.equal(results.length, 2);
  assert.match(results[0]?.message ?? "", /collides with `server.hostname`, which the function writes from `spec.hostname`; set that field instead/);
  assert.equal(results[0]?.field?.path, 'spec.extraConfig["server.hostname"]');
  assert.match(results[1]?.message ?? "", /collides with `server.listener.smtp.bind`/);
});

test("a secret written in clear in extraConfig is refused; a macro is accepted", () => {
  const refused = render({ extraConfig: { "authentication.master.secret": "hunter2" } });
  assert.equal(refused.results.length, 1);
  assert.match(refused.results[0]?.message ?? "", /looks like a secret, and secrets must not land in a ConfigMap/);
  const accepted = render({ extraConfig: { "authentication.master.secret": "%{env:MASTER_SECRET}%" } });
  assert.deepEqual(accepted.results, []);
  assert.equal(accepted.flat["authentication.master.secret"], "%{env:MASTER_SECRET}%");
});

test("a value Stalwart would read differently is refused", () => {
  const { results } = render({ extraConfig: { "sieve.trusted.from-name": "a\\nb" } });
  assert.equal(results.length, 1);
  assert.match(results[0]?.message ?? "", /must not contain a backslash or a control character/);
  assert.equal(results[0]?.field?.path, 'spec.extraConfig["sieve.trusted.from-name"]');
});

test("the same settings render the same bytes", () => {
  assert.equal(render().toml, render().toml);
});

test("cluster: the node id from the environment, NATS as coordinator with every option, roles as shard strings", () => {
  const { flat, toml } = render({
    storage: { backend: "foundationdb" },
    cluster: { nats: { addresses: ["nats://a:4222", "tls://b:4222"], auth: { enabled: true }, maxReconnects: 5 }, roles: { ftsIndexing: [[1, 2], [3]], calendarAlerts: [[3]] } },
  });
  assert.equal(flat["cluster.node-id"], "%{env:STALWART_NODE_ID}%");
  assert.equal(flat["cluster.coordinator"], "nats");
  assert.deepEqual([flat["store.nats.address.0000"], flat["store.nats.address.0001"]], ["nats://a:4222", "tls://b:4222"]);
  assert.equal(flat["store.nats.user"], "%{env:NATS_USERNAME}%");
  assert.equal(flat["store.nats.password"], "%{env:NATS_PASSWORD}%");
  assert.equal(flat["store.nats.max-reconnects"], "5");
  assert.equal(flat["store.nats.timeout.connection"], "5s");
  assert.equal(flat["store.nats.ping-interval"], "60s");
  assert.equal(flat["store.nats.capacity.read-buffer"], "65535");
  assert.deepEqual([flat["cluster.roles.fts-indexing.0000"], flat["cluster.roles.fts-indexing.0001"]], ["1,2", "3"]);
  assert.equal(flat["cluster.roles.calendar-alerts.0000"], "3");
  assert.deepEqual(readLikeStalwart(toml), flat);
  assert.deepEqual(unknownStalwartKeys(Object.keys(flat)), []);
});

test("without NATS authentication nothing refers to credentials", () => {
  const { flat } = render({ storage: { backend: "foundationdb" }, cluster: { nats: { addresses: ["nats://a:4222"] } } });
  assert.equal(Object.keys(flat).some((key) => key.endsWith(".user") || key.endsWith(".password")), false);
  assert.equal(flat["store.nats.max-reconnects"], undefined);
});

test("FoundationDB backs every storage role, with the cluster file the workload provides", () => {
  const rendered = renderConfigToml(settingsFor({ storage: { backend: "foundationdb" } }), { fdbClusterFile: "/var/dynamic-conf/fdb.cluster" });
  const flat = flattenToml(rendered.toml);
  for (const role of ["data", "blob", "fts", "lookup"]) assert.equal(flat[`storage.${role}`], "foundationdb");
  assert.equal(flat["store.foundationdb.cluster-file"], "/var/dynamic-conf/fdb.cluster");
  assert.equal(flat["directory.internal.store"], "foundationdb");
  assert.equal(Object.keys(flat).some((key) => key.startsWith("store.rocksdb")), false);
});
