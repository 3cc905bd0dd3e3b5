/**
 * Valid StalwartConfig specs per overlay, the starting points the property suites break: the overlays' own,
 * the golden cases', and one that sets every string the renderer writes into config.toml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/tools.ts";
import type { Overlay } from "./harness.ts";

type Spec = Record<string, unknown>;

function specOf(path: string): Spec {
  return (parse(readFileSync(join(REPO_ROOT, path), "utf8"), { version: "1.1" }) as { spec: Spec }).spec;
}

/** Strings everywhere config.toml takes one from the settings (the tracer's log file on the data volume). */
const RICH: Spec = {
  hostname: "mail.example.com",
  publicUrl: "https://webmail.example.com/mail",
  tls: { dnsNames: ["mail.example.com", "imap.example.com"], issuerRef: { name: "letsencrypt" } },
  tracer: {
    console: { level: "debug" },
    file: { path: "/opt/stalwart/data/log", prefix: "stalwart.log" },
    openTelemetry: {
      logs: { transport: "http", endpoint: "https://otel.example.com/v1/logs" },
      traces: { transport: "grpc", endpoint: "https://otel.example.com:4317" },
      headers: ["X-Scope: mail"],
    },
  },
  metrics: { openTelemetry: { transport: "grpc", endpoint: "https://otel.example.com:4317" } },
  extraConfig: {
    "queue.outbound.hostname": "mx.example.com",
    "spam-filter.enable": false,
    "session.rcpt.max-recipients": 100,
    "server.allowed-ip.list": ["10.0.0.1", "10.0.0.2"],
  },
};

/** As RICH, on FoundationDB: no data volume, so the log file goes to the writable /tmp. */
const CLUSTER_RICH: Spec = {
  ...RICH,
  tracer: { ...(RICH.tracer as Spec), file: { path: "/tmp/log", prefix: "stalwart.log" } },
  cluster: { nats: { addresses: ["nats://nats-a:4222", "tls://nats-b:4222"], maxReconnects: 5 }, roles: { pushNotifications: [[1, 2], [3]] } },
  storage: { foundationdb: { datacenterId: "dc-1", transaction: { timeout: "5s", retryLimit: 3 } } },
};

export const SEEDS: Record<Overlay, readonly Spec[]> = {
  "overlays/single": [
    specOf("overlays/single/stalwartconfig.yaml"),
    specOf("test/golden/function/resource-patches/config.yaml"),
    specOf("test/golden/function/single-custom-listeners/config.yaml"),
    specOf("test/golden/function/tls-existing-issuer/config.yaml"),
    RICH,
  ],
  "overlays/cluster": [specOf("overlays/cluster/stalwartconfig.yaml"), CLUSTER_RICH],
};

export const RICH_SPEC: Record<Overlay, Spec> = { "overlays/single": RICH, "overlays/cluster": CLUSTER_RICH };
