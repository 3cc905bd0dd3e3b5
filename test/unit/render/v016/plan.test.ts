import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { renderPlan, ROLE_TASKS, type PlanContext } from "../../../../src/render/v016/plan.ts";
import { renderConfigJson } from "../../../../src/render/v016/config-json.ts";
import { PLAN_OPERATION_TYPES, type OptionalSecretReference, type PlanOperation, type SecretReference } from "../../../../src/render/v016/objects.ts";
import { settingsFor } from "../../../support/settings.ts";
import { CASES } from "./cases.ts";

const byName = (name: string) => {
  const found = CASES.find((item) => item.name === name);
  assert.ok(found, name);
  return found;
};
type Json = Record<string, unknown>;
/** The operation on an object, as the JSON the plan holds. */
const operationOf = (operations: readonly PlanOperation[], object: string): Json | undefined => {
  const found = operations.find((operation) => operation.object === object);
  return found && (JSON.parse(JSON.stringify(found)) as Json);
};
/** Every `@type` of a secret, anywhere in a JSON document. */
const secretTypes = (text: string) => [...text.matchAll(/"@type":\s*"(Value|Text|EnvironmentVariable|File|None)"/g)].map((match) => match[1]);

/** Every NDJSON line is one operation this library may emit, with nothing but upsert, reconcile and update. */
function assertPlanShape(ndjson: string): Record<string, unknown>[] {
  assert.ok(ndjson.endsWith("\n"));
  const lines = ndjson.slice(0, -1).split("\n");
  return lines.map((line) => {
    const operation = JSON.parse(line) as Record<string, unknown>;
    assert.ok((PLAN_OPERATION_TYPES as readonly unknown[]).includes(operation["@type"]), line);
    assert.notEqual(operation["@type"], "create");
    return operation;
  });
}

test("single defaults: domain, settings, every listener, no coordinator, a console tracer, metrics off", () => {
  const item = byName("single-defaults");
  const plan = renderPlan(item.spec, item.plan);
  assert.deepEqual(plan.results, []);
  assert.deepEqual(plan.operations.map((operation) => `${operation["@type"]} ${operation.object}`), [
    "upsert Domain",
    "update SystemSettings",
    "reconcile NetworkListener",
    "update Coordinator",
    "reconcile Tracer",
    "update Metrics",
  ]);
  assert.equal(plan.fields.length, plan.operations.length);
  assertPlanShape(plan.ndjson);
  assert.deepEqual(operationOf(plan.operations, "Domain")?.value, {
    "domain-1": { name: "example.com", certificateManagement: { "@type": "Manual" }, dnsManagement: { "@type": "Manual" } },
  });
  assert.deepEqual(operationOf(plan.operations, "SystemSettings")?.value, {
    defaultHostname: "mail.example.com",
    defaultDomainId: "#domain-1",
    defaultCertificateId: null,
    proxyTrustedNetworks: {},
  });
  const listeners = operationOf(plan.operations, "NetworkListener");
  assert.equal(listeners?.["@type"], "reconcile");
  assert.deepEqual(listeners?.matchOn, ["name"]);
  const value = listeners?.value as Record<string, Json>;
  assert.deepEqual(value["listener-submissions"], { name: "submissions", protocol: "smtp", bind: { "[::]:465": true }, useTls: true, tlsImplicit: true, overrideProxyTrustedNetworks: {} });
  assert.deepEqual(value["listener-sieve"]?.protocol, "manageSieve");
  assert.deepEqual([value["listener-smtp"]?.useTls, value["listener-smtp"]?.tlsImplicit], [true, false]);
  assert.deepEqual([value["listener-http"]?.useTls, value["listener-http"]?.tlsImplicit], [false, false]);
  assert.deepEqual(value["listener-probe"]?.bind, { "127.0.0.1:8081": true });
  assert.deepEqual(operationOf(plan.operations, "Coordinator")?.value, { "@type": "Disabled" });
  const tracers = operationOf(plan.operations, "Tracer");
  assert.equal(tracers?.matchOn, "*");
  // Value matching compares every scalar: all of Stdout's are spelled out.
  assert.deepEqual(tracers?.value, {
    console: { "@type": "Stdout", enable: true, level: "info", ansi: false, buffered: true, multiline: false, lossy: false, eventsPolicy: "exclude", events: {} },
  });
  assert.deepEqual(operationOf(plan.operations, "Metrics")?.value, { prometheus: { "@type": "Disabled" }, openTelemetry: { "@type": "Disabled" } });
});

test("TLS: a file certificate before the settings that reference it; domains in the caller's order, the first the default", () => {
  const item = byName("single-tls");
  const plan = renderPlan(item.spec, item.plan);
  assert.deepEqual(plan.results, []);
  const objects = plan.operations.map((operation) => operation.object);
  assert.ok(objects.indexOf("Domain") < objects.indexOf("SystemSettings"));
  assert.ok(objects.indexOf("Certificate") < objects.indexOf("SystemSettings"));
  const certificate = operationOf(plan.operations, "Certificate");
  assert.deepEqual(certificate?.matchOn, ["certificate"]);
  assert.deepEqual(certificate?.value, {
    certificate: { certificate: { "@type": "File", filePath: "/etc/stalwart/tls/tls.crt" }, privateKey: { "@type": "File", filePath: "/etc/stalwart/tls/tls.key" } },
  });
  assert.deepEqual(Object.values(operationOf(plan.operations, "Domain")?.value ?? {}).map((domain) => (domain as { name: string }).name), ["example.com", "example.org"]);
  const settings = operationOf(plan.operations, "SystemSettings")?.value as Record<string, unknown>;
  assert.equal(settings.defaultCertificateId, "#certificate");
  assert.equal(settings.defaultDomainId, "#domain-1");
  // No directory mounted, or no spec.tls: no certificate, and none is the default.
  assert.equal(operationOf(renderPlan(item.spec, { domains: ["example.com"] }).operations, "Certificate"), undefined);
  assert.equal(operationOf(renderPlan(settingsFor({}).spec, item.plan).operations, "Certificate"), undefined);
});

test("cluster: NATS with the password from NATS_PASSWORD, Prometheus with Basic auth, a log file tracer, PROXY on the reachable listeners, a role per node", () => {
  const item = byName("cluster");
  const plan = renderPlan(item.spec, item.plan);
  assert.deepEqual(plan.results, []);
  assertPlanShape(plan.ndjson);
  assert.deepEqual(operationOf(plan.operations, "Coordinator")?.value, {
    "@type": "Nats",
    addresses: { "nats://nats-server-2:4222": true, "nats://nats-server:4222": true },
    authUsername: "stalwart",
    authSecret: { "@type": "EnvironmentVariable", variableName: "NATS_PASSWORD" },
    credentials: { "@type": "None" },
    useTls: false,
    noEcho: true,
    timeoutConnection: 5000,
    timeoutRequest: 10000,
    pingInterval: 60000,
    maxReconnects: 20,
    capacityClient: 2048,
    capacitySubscription: 65536,
    capacityReadBuffer: 65535,
  });
  assert.deepEqual((operationOf(plan.operations, "Metrics")?.value as Json).prometheus, {
    "@type": "Enabled",
    authUsername: "prometheus",
    authSecret: { "@type": "EnvironmentVariable", variableName: "PROMETHEUS_PASSWORD" },
  });
  const tracers = operationOf(plan.operations, "Tracer")?.value as Record<string, Json>;
  assert.deepEqual(tracers.file, { "@type": "Log", enable: true, level: "debug", ansi: false, multiline: false, lossy: false, eventsPolicy: "exclude", events: {}, path: "/var/log/stalwart", prefix: "stalwart.log", rotate: "daily" });
  const listeners = operationOf(plan.operations, "NetworkListener")?.value as Record<string, Json>;
  const trusted = { "10.0.0.0/8": true, "192.168.0.0/16": true };
  assert.deepEqual(listeners["listener-smtp"]?.overrideProxyTrustedNetworks, trusted);
  assert.deepEqual(listeners["listener-https"]?.overrideProxyTrustedNetworks, trusted);
  assert.deepEqual(listeners["listener-probe"]?.overrideProxyTrustedNetworks, {});
  // Never globally: a listener without its own networks would take the global ones, the probe listener too.
  assert.deepEqual((operationOf(plan.operations, "SystemSettings")?.value as Json).proxyTrustedNetworks, {});
  const roles = operationOf(plan.operations, "ClusterRole");
  assert.equal(roles?.["@type"], "upsert");
  assert.deepEqual(roles?.matchOn, ["name"]);
  assert.deepEqual(roles?.value, {
    "role-1": { name: "node-1", description: "Node 1: the tasks spec.cluster.roles gives it", tasks: { "@type": "DisableSome", taskTypes: { searchIndexing: true, spamClassifierTraining: true } }, listeners: { "@type": "EnableAll" } },
    "role-2": { name: "node-2", description: "Node 2: the tasks spec.cluster.roles gives it", tasks: { "@type": "DisableSome", taskTypes: { pushNotifications: true, storeMaintenance: true } }, listeners: { "@type": "EnableAll" } },
    "role-3": { name: "node-3", description: "Node 3: the tasks spec.cluster.roles gives it", tasks: { "@type": "DisableSome", taskTypes: { pushNotifications: true, spamClassifierTraining: true, storeMaintenance: true } }, listeners: { "@type": "EnableAll" } },
  });
  assert.equal(plan.fields[plan.operations.findIndex((operation) => operation.object === "ClusterRole")], "spec.cluster.roles");
});

test("named PROXY listeners, IPv4 binds, OpenTelemetry per signal, open Prometheus, a disabled console", () => {
  const item = byName("cluster-open");
  const plan = renderPlan(item.spec, item.plan);
  assert.deepEqual(plan.results, []);
  const listeners = operationOf(plan.operations, "NetworkListener")?.value as Record<string, Json>;
  assert.deepEqual(Object.keys(listeners).filter((id) => Object.keys(listeners[id]?.overrideProxyTrustedNetworks as object).length > 0), ["listener-imaps", "listener-smtp"]);
  assert.equal(listeners["listener-pop3"], undefined);
  assert.deepEqual(listeners["listener-smtp"]?.bind, { "0.0.0.0:25": true });
  const tracers = operationOf(plan.operations, "Tracer")?.value as Record<string, Json>;
  assert.deepEqual([tracers.console?.enable, tracers["otel-logs"]?.["@type"], tracers["otel-traces"]?.["@type"]], [false, "OtelGrpc", "OtelHttp"]);
  assert.deepEqual([tracers["otel-logs"]?.enableLogExporter, tracers["otel-logs"]?.enableSpanExporter, tracers["otel-logs"]?.throttle], [true, false, 2000]);
  assert.deepEqual(tracers["otel-traces"]?.httpHeaders, { "X-Scope-OrgID": "mail" });
  const metrics = operationOf(plan.operations, "Metrics")?.value as Record<string, Json>;
  assert.deepEqual(metrics.prometheus, { "@type": "Enabled", authUsername: null, authSecret: { "@type": "None" } });
  assert.deepEqual(metrics.openTelemetry, { "@type": "Http", endpoint: "https://otel.example.com/v1/metrics", interval: 30000, timeout: 10000, httpAuth: { "@type": "Unauthenticated" }, httpHeaders: {} });
  const coordinator = operationOf(plan.operations, "Coordinator")?.value as Record<string, unknown>;
  assert.deepEqual([coordinator.authUsername, coordinator.authSecret, coordinator.useTls, coordinator.maxReconnects], [null, { "@type": "None" }, true, null]);
});

test("what 0.16 cannot take is an error on its field, never a silent gap or an open endpoint", () => {
  const spec = settingsFor({
    cluster: { nats: { addresses: ["nats:4222"], auth: { enabled: true } }, roles: { acmeRenew: [[1]], pushNotifications: [[1], [2]] } },
    metrics: { prometheus: { enabled: true } },
    tracer: { openTelemetry: { logs: { transport: "http", endpoint: "https://otel/v1/logs" }, headers: ["Authorization: Bearer %{env:OTEL_TOKEN}%"] } },
  }).spec;
  const plan = renderPlan(spec, { domains: [] });
  assert.deepEqual(plan.results.map((result) => result.field?.path ?? "").sort(), [
    "",
    "spec.cluster.nats.auth.enabled",
    "spec.cluster.roles.acmeRenew",
    "spec.cluster.roles.pushNotifications",
    "spec.metrics.prometheus.authentication",
    "spec.tracer.openTelemetry.headers",
  ]);
  assert.ok(plan.results.every((result) => result.severity === "error"));
  // Prometheus stays off rather than serving metrics to anyone; no settings without a default domain; no roles.
  assert.deepEqual((operationOf(plan.operations, "Metrics")?.value as Json).prometheus, { "@type": "Disabled" });
  assert.equal(operationOf(plan.operations, "SystemSettings"), undefined);
  assert.equal(operationOf(plan.operations, "ClusterRole"), undefined);
  // Roles that map still need the pods' node ids.
  const noIds = renderPlan(settingsFor({ cluster: { nats: { addresses: ["nats:4222"] }, roles: { metricsPush: [[1]] } } }).spec, { domains: ["example.com"] });
  assert.deepEqual(noIds.results.map((result) => result.field?.path), ["spec.cluster.roles"]);
  assert.equal(ROLE_TASKS.ftsIndexing, "searchIndexing");
});

test("the same input gives the same bytes; one changed field gives different ones", () => {
  for (const item of CASES) {
    const first = renderPlan(item.spec, item.plan);
    const again = renderPlan(structuredClone(item.spec), { ...item.plan, domains: [...item.plan.domains] });
    assert.equal(again.ndjson, first.ndjson, item.name);
    assert.equal(renderConfigJson(item.spec, item.config).json, renderConfigJson(structuredClone(item.spec), { ...item.config }).json, item.name);
  }
  const item = byName("cluster");
  const base = renderPlan(item.spec, item.plan).ndjson;
  const changed = (edit: (spec: typeof item.spec) => void) => {
    const spec = structuredClone(item.spec);
    edit(spec);
    return renderPlan(spec, item.plan).ndjson;
  };
  assert.notEqual(changed((spec) => (spec.hostname = "mx.example.com")), base);
  assert.notEqual(changed((spec) => (spec.tracer.console.level = "debug")), base);
  assert.notEqual(changed((spec) => (spec.listeners.smtp!.port = 2525)), base);
  assert.notEqual(changed((spec) => (spec.cluster!.nats.tls = true)), base);
  assert.notEqual(renderPlan(item.spec, { ...item.plan, domains: ["example.net"] }).ndjson, base);
  // Set members in another order are the same set, and the same bytes.
  assert.equal(changed((spec) => spec.cluster!.nats.addresses.reverse()), base);
  assert.notEqual(renderConfigJson(item.spec, { fdbClusterFile: "/etc/foundationdb/fdb.cluster" }).json, renderConfigJson(item.spec, item.config).json);
});

test("secrets are references only: no Value or Text secret in any config.json or plan", () => {
  // @ts-expect-error an inline secret cannot be written down in these types
  const inline: SecretReference = { "@type": "Value", secret: "hunter2" };
  // @ts-expect-error nor among the optional ones
  const optional: OptionalSecretReference = { "@type": "Text", secret: "hunter2" };
  assert.ok(inline && optional);
  for (const item of CASES) {
    const texts = [renderPlan(item.spec, item.plan).ndjson, renderConfigJson(item.spec, item.config).json];
    for (const text of texts) {
      for (const type of secretTypes(text)) assert.ok(type === "EnvironmentVariable" || type === "File" || type === "None", `${item.name}: ${type}`);
      assert.doesNotMatch(text, /"secret"\s*:/);
    }
  }
});

test("over many settings variants, every plan line is an allowed operation and no secret is a value", () => {
  const variant = fc.record({
    backend: fc.constantFrom("rocksdb", "foundationdb"),
    tls: fc.boolean(),
    cluster: fc.boolean(),
    natsAuth: fc.boolean(),
    prometheus: fc.constantFrom("off", "open", "auth"),
    file: fc.boolean(),
    proxy: fc.boolean(),
    level: fc.constantFrom("trace", "debug", "info", "warn", "error", "disable"),
    bindAddress: fc.constantFrom("[::]", "0.0.0.0"),
    domains: fc.array(fc.constantFrom("example.com", "example.org", "example.net"), { minLength: 1, maxLength: 3 }),
  });
  fc.assert(
    fc.property(variant, (v) => {
      const spec = settingsFor({
        storage: { backend: v.backend },
        network: { bindAddress: v.bindAddress },
        tracer: { console: { level: v.level }, ...(v.file ? { file: {} } : {}) },
        metrics: { prometheus: { enabled: v.prometheus !== "off", authentication: v.prometheus === "auth" } },
        ...(v.tls ? { tls: { issuerRef: { name: "ca", kind: "ClusterIssuer" }, privateKey: { algorithm: "RSA" } } } : {}),
        ...(v.cluster ? { cluster: { nats: { addresses: ["nats:4222"], auth: { enabled: v.natsAuth } } } } : {}),
        ...(v.proxy ? { proxyProtocol: { trustedNetworks: ["10.0.0.0/8"] } } : {}),
      }).spec;
      const context: PlanContext = { domains: v.domains, tlsDirectory: "/etc/stalwart/tls", natsUsername: "stalwart", prometheusUsername: "prometheus" };
      const plan = renderPlan(spec, context);
      assert.deepEqual(plan.results, []);
      const operations = assertPlanShape(plan.ndjson);
      assert.deepEqual(operations, JSON.parse(JSON.stringify(plan.operations)));
      assert.equal(renderPlan(spec, context).ndjson, plan.ndjson);
      for (const text of [plan.ndjson, renderConfigJson(spec).json]) {
        for (const type of secretTypes(text)) assert.ok(type === "EnvironmentVariable" || type === "File" || type === "None", type);
      }
    }),
    { numRuns: 60, seed: 16 },
  );
});

test("spec.objects: appended after the rendered operations, in order, as given", () => {
  const blob = { "@type": "update", object: "BlobStore", value: { "@type": "S3", bucket: "mail", region: { "@type": "EuCentral1" }, secretKey: { "@type": "EnvironmentVariable", variableName: "S3_SECRET_KEY" } } };
  const search = { "@type": "update", object: "x:SearchStore", value: { "@type": "Default" } };
  const rendered = renderPlan(settingsFor({ version: "0.16", objects: [blob, search] }).spec, { domains: ["example.com"] });
  assert.deepEqual(rendered.results, []);
  const lines = rendered.ndjson.trimEnd().split("\n").map((line) => JSON.parse(line) as Json);
  assert.deepEqual(lines.slice(-2), [blob, search]);
  assert.equal(lines.length, rendered.operations.length + 2);
});

test("spec.objects: refused where it would fight a field, destroy accounts' mail, or write a secret out", () => {
  const refused = (extra: Record<string, unknown>) => {
    const rendered = renderPlan(settingsFor({ version: "0.16", objects: [extra] }).spec, { domains: ["example.com"] });
    assert.equal(rendered.ndjson.includes(JSON.stringify(extra)), rendered.results.length === 0, "an operation is in the plan exactly when it is not refused");
    return rendered.results.map((result) => `${result.field?.path}: ${result.message}`).join("\n");
  };
  assert.match(refused({ "@type": "reconcile", object: "x:NetworkListener", matchOn: ["name"], value: {} }), /objects\[0\]\.object: NetworkListener is declared by `spec\.listeners`/);
  assert.match(refused({ "@type": "update", object: "DataStore", value: { "@type": "RocksDb", path: "/x" } }), /declared by `spec\.storage`/);
  assert.match(refused({ "@type": "reconcile", object: "Account", matchOn: ["name"], value: {} }), /destroys every account it does not list, with its mail/);
  assert.match(refused({ "@type": "update", object: "BlobStore", value: { "@type": "S3", secretKey: { "@type": "Value", secret: "hunter2" } } }), /objects\[0\]\.value\.secretKey: holds a secret as a value/);
  assert.match(refused({ "@type": "upsert", object: "Account", matchOn: ["name"], value: { a: { credentials: { "0": { "@type": "Password", secret: "hunter2" } } } } }), /value\.a\.credentials\.0\.secret: holds a secret/);
  assert.equal(refused({ "@type": "upsert", object: "Account", matchOn: ["name"], value: { a: { name: "a" } } }), "");
});

test("an OpenTelemetry header that looks like a secret is refused: 0.16 would carry it in the plan's ConfigMap", () => {
  const spec = (headers: string[]) => settingsFor({ version: "0.16", tracer: { openTelemetry: { headers, logs: { transport: "http", endpoint: "https://otel.example.com/v1/logs" } } } }).spec;
  const refused = renderPlan(spec(["Authorization: Bearer 0123456789abcdef0123456789abcdef"]), { domains: ["example.com"] });
  assert.match(refused.results.map((result) => result.message).join("\n"), /header "Authorization" looks like a secret/);
  assert.equal(refused.ndjson.includes("0123456789abcdef"), false);
  assert.deepEqual(renderPlan(spec(["X-Scope-OrgID: mail"]), { domains: ["example.com"] }).results, []);
});

test("secrets are found in headers and spec.objects however they are spelt, and other applications than the web interface are free", () => {
  const headerResults = (header: string) => renderPlan(settingsFor({ version: "0.16", tracer: { openTelemetry: { headers: [header], logs: { transport: "http", endpoint: "https://otel.example.com/v1/logs" } } } }).spec, { domains: ["example.com"] }).results;
  assert.equal(headerResults("X-Api-Key: 0123456789abcdef").length, 1);
  assert.equal(headerResults("Authorization: 0123456789abcdef").length, 1);
  const objectResults = (spec: Record<string, unknown>, value: Record<string, unknown>) =>
    renderPlan(settingsFor({ version: "0.16", ...spec, objects: [{ "@type": "upsert", object: "Application", matchOn: ["description"], value }] }).spec, { domains: ["example.com"] }).results.map((result) => `${result.field?.path}: ${result.message}`);
  assert.deepEqual(objectResults({}, { a: { description: "Docs", resourceUrl: "https://example.com/docs.zip", urlPrefix: { "/docs": true } } }), []);
  assert.match(objectResults({ webadmin: { resource: "https://mirror.example.com/webui.zip" } }, { a: { description: "Docs" } }).join("\n"), /declared by `spec\.webadmin\.resource`/);
  assert.match(objectResults({}, { a: { description: "Docs", secretKey: "abc" } }).join("\n"), /value\.a\.secretKey: holds a secret/);
  assert.match(objectResults({}, { a: { description: "Docs", bearerToken: "abc" } }).join("\n"), /value\.a\.bearerToken: holds a secret/);
});
