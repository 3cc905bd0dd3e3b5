/**
 * Settings like the overlays', with the context the workload would give, for the 0.16 renderer tests. Shared with
 * the session script that checks every plan against Stalwart's schema (which the tests cannot read).
 */
import { settingsFor } from "../../../support/settings.ts";
import type { StalwartConfigSpec } from "../../../../src/settings/validate.ts";
import type { ConfigJsonContext } from "../../../../src/render/v016/config-json.ts";
import type { PlanContext } from "../../../../src/render/v016/plan.ts";

export interface Case {
  name: string;
  spec: StalwartConfigSpec;
  plan: PlanContext;
  config: ConfigJsonContext;
}

const clusterSpec = {
  tls: { acme: { email: "postmaster@example.com", acmeDns: { host: "https://acme-dns.example.com", accountSecretRef: { name: "acme-dns", key: "acmedns.json" } } }, privateKey: { algorithm: "ECDSA" } },
  storage: { backend: "foundationdb", foundationdb: { transaction: { timeout: "5s", retryLimit: 10, maxRetryDelay: "1s" }, datacenterId: "dc1" } },
  cluster: {
    nats: { addresses: ["nats://nats-server:4222", "nats://nats-server-2:4222"], auth: { enabled: true }, maxReconnects: 20 },
    roles: { pushNotifications: [[1]], spamTraining: [[2]], ftsIndexing: [[2, 3]], purgeStores: [[1]] },
  },
  metrics: { prometheus: { enabled: true } },
  tracer: { file: { level: "debug" } },
  proxyProtocol: { trustedNetworks: ["10.0.0.0/8", "192.168.0.0/16"] },
};

export const CASES: readonly Case[] = [
  { name: "single-defaults", spec: settingsFor({ version: "0.16" }).spec, plan: { domains: ["example.com"] }, config: {} },
  {
    name: "single-tls",
    spec: settingsFor({ version: "0.16", storage: { rocksdb: { path: "/var/lib/stalwart/rocksdb" } }, tls: clusterSpec.tls, tracer: { console: { level: "warn", ansi: true } } }).spec,
    plan: { domains: ["example.com", "example.org"], tlsDirectory: "/etc/stalwart/tls/" },
    config: {},
  },
  {
    name: "cluster",
    spec: settingsFor(clusterSpec).spec,
    plan: { domains: ["example.com"], tlsDirectory: "/etc/stalwart/tls", probedListeners: ["probe"], natsUsername: "stalwart", prometheusUsername: "prometheus", clusterNodeIds: [1, 2, 3] },
    config: { fdbClusterFile: "/var/lib/stalwart/fdb/fdb.cluster" },
  },
  {
    name: "cluster-open",
    spec: settingsFor({
      network: { bindAddress: "0.0.0.0" },
      cluster: { nats: { addresses: ["nats.nats.svc:4222"], tls: true } },
      metrics: { prometheus: { enabled: true, authentication: false }, openTelemetry: { transport: "http", endpoint: "https://otel.example.com/v1/metrics", interval: "30s" } },
      tracer: { console: { level: "disable" }, openTelemetry: { logs: { transport: "grpc", endpoint: "http://otel:4317", level: "warn" }, traces: { transport: "http", endpoint: "https://otel.example.com/v1/traces", level: "info" }, headers: ["X-Scope-OrgID: mail"], throttle: "2s" } },
      proxyProtocol: { trustedNetworks: ["10.0.0.0/8"], listeners: ["smtp", "imaps"] },
      listeners: { pop3: { enabled: false }, pop3s: { enabled: false } },
    }).spec,
    plan: { domains: ["example.com"] },
    config: {},
  },
];
