import assert from "node:assert/strict";
import { test } from "node:test";
import { instanceOf } from "../../../src/render/generated.ts";
import { renderConfigToml, renderContextOf } from "../../../src/render/config-toml.ts";
import { isLocalKey } from "../../../src/render/config/local-keys.ts";
import { renderNetworkPolicy } from "../../../src/render/network-policy.ts";
import { checkNetworkPolicy } from "../../../src/checks/network-policy.ts";
import { renderAdminService, shapeMailService } from "../../../src/render/service.ts";
import { findWorkload } from "../../../src/render/workload.ts";
import { checkOperations, checkServiceOptions } from "../../../src/checks/operations.ts";
import { overlayInput, workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";
import { flattenToml, readLikeStalwart } from "../../support/stalwart-toml.ts";
import { unknownStalwartKeys } from "../../support/stalwart-keys.ts";

const flat = (spec: Record<string, unknown>) => {
  const { toml, results } = renderConfigToml(settingsFor(spec));
  assert.deepEqual(results, []);
  const keys = flattenToml(toml);
  assert.deepEqual(readLikeStalwart(toml), keys);
  assert.deepEqual(unknownStalwartKeys(Object.keys(keys)), []);
  // Macros expand only in local keys: every key written, credentials macros included, must be one.
  const patterns = Object.entries(keys).filter(([key]) => key.startsWith("config.local-keys.")).map(([, value]) => value);
  for (const key of Object.keys(keys)) assert.ok(isLocalKey(key, patterns), `${key} is not a local key`);
  return keys;
};
const workload = (overlay = "overlays/single", edit: (pod: any) => void = () => {}) => {
  const object = workloadOf(overlay);
  edit((object.spec as any).template.spec);
  const found = findWorkload([object]).workload;
  assert.ok(found);
  return found;
};
const messages = (results: { message: string }[]) => results.map((result) => result.message).join("\n");

test("the file tracer writes where the web admin's log viewer reads, beside the console tracer", () => {
  const keys = flat({ tracer: { console: { level: "warn" }, file: { level: "debug", rotate: "hourly" } } });
  assert.equal(keys["tracer.console.level"], "warn");
  assert.deepEqual([keys["tracer.log.type"], keys["tracer.log.path"], keys["tracer.log.prefix"], keys["tracer.log.rotate"], keys["tracer.log.level"]], ["log", "/var/log/stalwart", "stalwart.log", "hourly", "debug"]);
});

test("OpenTelemetry is off unless asked for, one tracer per signal", () => {
  assert.equal(Object.keys(flat({})).some((key) => key.includes("otel") || key.includes("open-telemetry")), false);
  const keys = flat({ tracer: { openTelemetry: { logs: { transport: "http", endpoint: "https://otel:4318/v1/logs" } } }, metrics: { openTelemetry: { transport: "grpc", endpoint: "http://otel:4317" } } });
  assert.equal(keys["tracer.otel-logs.type"], "open-telemetry");
  assert.equal(keys["tracer.otel-logs.enable.log-exporter"], "true");
  assert.equal(keys["tracer.otel-logs.enable.span-exporter"], "false");
  assert.equal(keys["tracer.otel-traces.type"], undefined);
  assert.equal(keys["metrics.open-telemetry.endpoint"], "http://otel:4317");
  assert.equal(keys["metrics.open-telemetry.interval"], "1m");
});

test("fallback admin and Prometheus credentials are macros, never values", () => {
  const keys = flat({ fallbackAdmin: { enabled: true }, metrics: { prometheus: { enabled: true } } });
  assert.equal(keys["authentication.fallback-admin.user"], "%{env:STALWART_FALLBACK_ADMIN_USER}%");
  assert.equal(keys["authentication.fallback-admin.secret"], "%{env:STALWART_FALLBACK_ADMIN_SECRET}%");
  assert.equal(keys["metrics.prometheus.auth.username"], "%{env:PROMETHEUS_USERNAME}%");
  const open = flat({ metrics: { prometheus: { enabled: true, authentication: false } } });
  assert.equal(open["metrics.prometheus.auth.username"], undefined);
});

test("PROXY protocol goes on every listener a load balancer reaches, https and http too, never on the probe listener nor globally", () => {
  const keys = flat({ proxyProtocol: { trustedNetworks: ["10.0.0.0/8", "fd00::/8"] } });
  for (const id of ["smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "sieve", "https", "http"]) assert.equal(keys[`server.listener.${id}.proxy.trusted-networks.0001`], "fd00::/8", id);
  assert.equal(Object.keys(keys).some((key) => key.startsWith("server.listener.probe.proxy")), false);
  assert.equal(Object.keys(keys).some((key) => key.startsWith("server.proxy.")), false);
  const named = flat({ proxyProtocol: { trustedNetworks: ["10.0.0.0/8"], listeners: ["https"] } });
  assert.equal(named["server.listener.https.proxy.trusted-networks.0000"], "10.0.0.0/8");
  assert.equal(named["server.listener.smtp.proxy.trusted-networks.0000"], undefined);
});

test("a listener the workload's probes reach is left out of the PROXY default", () => {
  const settings = settingsFor({ proxyProtocol: { trustedNetworks: ["10.0.0.0/8"] } });
  const httpGet = workload("overlays/single", (pod) => {
    pod.containers.find((container: { name: string }) => container.name === "stalwart").livenessProbe = { httpGet: { path: "/healthz/live", port: "http" } };
  });
  const keys = flattenToml(renderConfigToml(settings, renderContextOf(settings, httpGet)).toml);
  assert.equal(keys["server.listener.http.proxy.trusted-networks.0000"], undefined);
  assert.equal(keys["server.listener.https.proxy.trusted-networks.0000"], "10.0.0.0/8");
  assert.deepEqual(checkOperations(settings, httpGet).filter((result) => result.severity === "error"), []);
});

test("PROXY protocol on the probe listener, or from every address, is refused", () => {
  const probe = checkOperations(settingsFor({ proxyProtocol: { trustedNetworks: ["10.0.0.0/8"], listeners: ["smtp", "probe"] } }), workload());
  assert.match(messages(probe), /listener "probe" serves the probes/);
  const wide = checkOperations(settingsFor({ proxyProtocol: { trustedNetworks: ["0.0.0.0/0", "::/0", "10.0.0.0/4"] } }), workload());
  assert.equal(wide.filter((result) => result.severity === "error").length, 2);
  assert.match(messages(wide), /trusts every address: anyone could send a PROXY header/);
  assert.equal(wide.filter((result) => result.severity === "warning").length, 1);
});

test("features without their component's plumbing are errors; plumbing without its feature a warning", () => {
  const missing = messages(checkOperations(settingsFor({ tracer: { file: {} }, fallbackAdmin: { enabled: true }, metrics: { prometheus: { enabled: true } } }), workload()));
  assert.match(missing, /add the component overlays\/components\/tracer/);
  assert.match(missing, /add the component overlays\/components\/fallback-admin/);
  assert.match(missing, /add the component overlays\/components\/service-monitor/);
  const stray = checkOperations(settingsFor({}), workload("overlays/single", (pod) => {
    pod.volumes.push({ name: "logs", emptyDir: {} });
    pod.containers.find((container: { name: string }) => container.name === "stalwart").env = [{ name: "STALWART_FALLBACK_ADMIN_USER", value: "x" }];
  }));
  assert.deepEqual(stray.map((result) => result.severity), ["warning", "warning"]);
  assert.match(messages(stray), /remove the component "tracer"/);
  assert.match(messages(stray), /remove the component "fallback-admin"/);
});

test("a ClusterIP Service keeps no load-balancer or traffic-policy field; NodePort keeps the traffic policy", () => {
  const service = overlayInput().find((item) => item.kind === "Service");
  assert.ok(service);
  const clusterIp = shapeMailService(service, settingsFor({ service: { type: "ClusterIP", ipFamilyPolicy: "SingleStack" } })).spec as any;
  assert.equal(clusterIp.type, "ClusterIP");
  assert.equal(clusterIp.externalTrafficPolicy, undefined);
  assert.equal(clusterIp.ipFamilyPolicy, "SingleStack");
  const nodePort = shapeMailService(service, settingsFor({ service: { type: "NodePort", externalTrafficPolicy: "Cluster" } })).spec as any;
  assert.equal(nodePort.externalTrafficPolicy, "Cluster");
  const lb = shapeMailService(service, settingsFor({ service: { loadBalancerIP: "203.0.113.10", loadBalancerSourceRanges: ["192.0.2.0/24"], annotations: { "metallb.universe.tf/address-pool": "mail" } } }));
  assert.equal((lb.spec as any).loadBalancerIP, "203.0.113.10");
  assert.deepEqual((lb.spec as any).loadBalancerSourceRanges, ["192.0.2.0/24"]);
  assert.equal(lb.metadata.annotations?.["metallb.universe.tf/address-pool"], "mail");
  assert.match(messages(checkServiceOptions(settingsFor({ service: { type: "ClusterIP", loadBalancerSourceRanges: ["192.0.2.0/24"] } }))), /applies only to a Service of type LoadBalancer/);
});

test("IPv4-only listeners behind a Service that takes IPv6 are a warning", () => {
  const dualStack = { ipFamilyPolicy: "PreferDualStack", ipFamilies: ["IPv4", "IPv6"] };
  const results = checkServiceOptions(settingsFor({ network: { bindAddress: "0.0.0.0" }, service: dualStack }));
  assert.deepEqual(results.map((result) => [result.severity, result.field?.path]), [["warning", "spec.network.bindAddress"]]);
  assert.match(messages(results), /remove the component "dual-stack" or bind `\[::\]`/);
  assert.deepEqual(checkServiceOptions(settingsFor({ service: dualStack })), []);
  assert.deepEqual(checkServiceOptions(settingsFor({ network: { bindAddress: "0.0.0.0" } })), []);
});

test("the admin Service takes the plain HTTP ports off the public one", () => {
  const service = overlayInput().find((item) => item.kind === "Service");
  assert.ok(service);
  const settings = settingsFor({ service: { adminService: { enabled: true } } });
  const [admin] = renderAdminService(service, settings, instanceOf(workload(), "stalwart"));
  assert.equal(admin?.metadata.name, "stalwart-admin");
  assert.deepEqual((admin?.spec as any).ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
  assert.equal((shapeMailService(service, settings).spec as any).ports.some((port: { name: string }) => port.name === "http"), false);
});

test("the NetworkPolicy follows the listeners, NATS addresses and OpenTelemetry endpoints", () => {
  const [policy] = renderNetworkPolicy(
    settingsFor({
      listeners: { pop3: { enabled: false } },
      storage: { backend: "foundationdb" },
      cluster: { nats: { addresses: ["nats://a:4222", "tls://b:7422", "c"] } },
      tracer: { openTelemetry: { traces: { transport: "grpc", endpoint: "https://otel.example.com" } } },
      networkPolicy: { foundationDb: { to: [{ ipBlock: { cidr: "10.1.0.0/16" } }] } },
    }),
    instanceOf(workload("overlays/cluster"), "stalwart"),
  );
  const spec = policy?.spec as any;
  assert.deepEqual(spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "stalwart" } });
  const open = spec.ingress[0].ports.map((port: { port: number }) => port.port).sort((a: number, b: number) => a - b);
  assert.deepEqual(open, [25, 143, 443, 465, 587, 993, 995, 4190], "mail and HTTPS open, POP3 (disabled) and the admin port not");
  assert.equal(spec.ingress.length, 1, "no adminFrom, no admin rule");
  const egressPorts = spec.egress.map((rule: { ports: { port: number }[]; to?: unknown }) => ({ to: rule.to, ports: rule.ports.map((port) => port.port) }));
  const fdb = spec.egress.find((rule: { ports: { port: number }[] }) => rule.ports.some((port) => port.port === 4500));
  assert.deepEqual(fdb, { to: [{ ipBlock: { cidr: "10.1.0.0/16" } }], ports: [{ protocol: "TCP", port: 4500, endPort: 4531 }] });
  assert.deepEqual(egressPorts.find((rule: { ports: number[] }) => rule.ports.includes(4222))?.ports, [4222, 7422]);
  assert.ok(egressPorts.some((rule: { ports: number[] }) => rule.ports.length === 1 && rule.ports[0] === 443));
});

/** The ports of the FoundationDB operator's n-th process in a pod (fdb-kubernetes-operator api/v1beta2 GetProcessPort). */
const operatorPorts = (processes: number) => Array.from({ length: processes }, (_, index) => [4498 + 2 * (index + 1), 4499 + 2 * (index + 1)]).flat();

function fdbEgress(networkPolicy: Record<string, unknown>): { protocol: string; port: number; endPort?: number }[] {
  const [policy] = renderNetworkPolicy(settingsFor({ storage: { backend: "foundationdb" }, networkPolicy }), instanceOf(workload("overlays/cluster"), "stalwart"));
  const rules = (policy?.spec as { egress: { ports: { protocol: string; port: number; endPort?: number }[] }[] }).egress;
  const rule = rules.find((candidate) => candidate.ports.some((port) => port.port >= 4500 && port.port < 4600));
  assert.ok(rule, "a FoundationDB egress rule");
  return rule.ports;
}

const allows = (ports: readonly { port: number; endPort?: number }[], port: number) => ports.some((entry) => port >= entry.port && port <= (entry.endPort ?? entry.port));

test("FoundationDB egress covers operator-managed clusters, TLS and not, with several processes per pod", () => {
  const ports = fdbEgress({});
  for (const port of operatorPorts(16)) assert.ok(allows(ports, port), `port ${port} of an operator-managed pod`);
  assert.ok(allows(ports, 4500), "a hand-made cluster on the default fdbserver port");
  assert.equal(allows(ports, 4499), false);
  assert.equal(allows(ports, 4532), false, "a bounded range, not every port");
});

test("FoundationDB egress ports are configurable: single ports and ranges", () => {
  assert.deepEqual(fdbEgress({ foundationDb: { ports: [4500, { port: 4600, endPort: 4610 }] } }), [
    { protocol: "TCP", port: 4500 },
    { protocol: "TCP", port: 4600, endPort: 4610 },
  ]);
  const results = checkNetworkPolicy(settingsFor({ networkPolicy: { foundationDb: { ports: [4500, { port: 4510, endPort: 4501 }] } } }));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "error");
  assert.equal(results[0]?.field?.path, "spec.networkPolicy.foundationDb.ports[1].endPort");
  assert.deepEqual(checkNetworkPolicy(settingsFor({ networkPolicy: {} })), []);
});

test("0.16: a trusted network holding 127.0.0.1 is refused, since the probes come from there without a PROXY header", () => {
  const errors = (trustedNetworks: string[]) =>
    checkOperations(settingsFor({ version: "0.16", domains: ["example.com"], proxyProtocol: { trustedNetworks } }), workload()).filter((result) => result.severity === "error");
  assert.match(messages(errors(["127.0.0.0/8"])), /"127\.0\.0\.0\/8" holds a loopback address, where the probes come from/);
  assert.match(messages(errors(["96.0.0.0/3"])), /holds a loopback address/);
  assert.match(messages(errors(["::1/128"])), /holds a loopback address/);
  assert.match(messages(errors(["::/127"])), /holds a loopback address/);
  assert.deepEqual(errors(["10.0.0.0/8", "128.0.0.0/2", "fd00::/8"]), []);
  // The TOML lines keep the probed listener out of PROXY protocol instead.
  assert.deepEqual(checkOperations(settingsFor({ proxyProtocol: { trustedNetworks: ["127.0.0.0/8"] } }), workload()).filter((result) => result.severity === "error"), []);
});
