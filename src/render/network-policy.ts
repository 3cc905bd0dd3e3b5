/**
 * The NetworkPolicy of `spec.networkPolicy`, derived from the listeners and stores in use: mail open to the
 * world, plain HTTP (admin, probes, metrics) only from `adminFrom`, egress only where Stalwart must go.
 */
import type { KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { adminListenerIds, reachableListeners } from "./config/listeners.js";
import { generatedMetadata, type Instance } from "./generated.js";
import { selectorLabels } from "./workload.js";
import { isTomlLine } from "../lines.js";
import { applyJobLabels } from "./v016/apply-job.js";

const tcp = (port: number) => ({ protocol: "TCP", port });

/** The port of an address such as `nats://host:4222`, `tls://host` or `https://host:4318/v1/logs`. */
function portOf(address: string, fallback: number): number {
  const withScheme = /^[a-z]+:\/\//.test(address) ? address : `nats://${address}`;
  try {
    const port = new URL(withScheme.replace(/^(nats|tls):/, "http:")).port;
    return port ? Number(port) : fallback;
  } catch {
    return fallback;
  }
}

export function renderNetworkPolicy(settings: StalwartConfig, instance: Instance): KubeObject[] {
  const policy = settings.spec.networkPolicy;
  if (!policy) return [];
  // Loopback listeners take no traffic from the network.
  const listeners = reachableListeners(settings.spec);
  const adminIds = new Set(adminListenerIds(settings.spec));
  const admin = listeners.filter(([id]) => adminIds.has(id));
  const open = listeners.filter(([id]) => !adminIds.has(id));
  const ingress: Record<string, unknown>[] = [];
  if (open.length > 0) ingress.push({ ports: open.map(([, listener]) => tcp(listener.port)) });
  if (admin.length > 0 && (policy.adminFrom?.length ?? 0) > 0) ingress.push({ from: structuredClone(policy.adminFrom), ports: admin.map(([, listener]) => tcp(listener.port)) });
  // 0.16: the apply Job reaches the `http` listener from its own pods (render/v016/render.ts).
  const http = settings.spec.listeners.http;
  if (!isTomlLine(settings.spec.version) && http && http.enabled !== false && http.bind !== "loopback") {
    ingress.push({ from: [{ podSelector: { matchLabels: applyJobLabels(instance.rename(instance.base)) } }], ports: [tcp(http.port)] });
  }

  const egress: Record<string, unknown>[] = [
    { ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
    // Delivering mail, and relaying through a smart host.
    { ports: [tcp(25), tcp(465), tcp(587)] },
    // First boot downloads the web admin and spam filter rules; Stalwart's own ACME; webhooks.
    { ports: [tcp(443)] },
  ];
  const peers = (to: unknown[] | undefined) => (to && to.length > 0 ? { to: structuredClone(to) } : {});
  const rule = (to: unknown[] | undefined, ports: number[]) => ({ ...peers(to), ports: [...new Set(ports)].sort((a, b) => a - b).map(tcp) });
  const { storage, cluster, tracer, metrics } = settings.spec;
  if (storage.backend === "foundationdb") {
    const { to, ports } = policy.foundationDb;
    // As given: entries may be ranges (`endPort`), which the dedup and sort of `rule` do not know.
    egress.push({ ...peers(to), ports: ports.map((entry) => (typeof entry === "number" ? tcp(entry) : { ...tcp(entry.port), endPort: entry.endPort })) });
  }
  if (storage.backend === "postgresql" || storage.backend === "mysql") egress.push(rule(undefined, [storage.sql?.port ?? (storage.backend === "postgresql" ? 5432 : 3306)]));
  if (cluster) egress.push(rule(policy.nats.to, cluster.nats.addresses.map((address) => portOf(address, 4222))));
  const otel = [tracer.openTelemetry?.logs?.endpoint, tracer.openTelemetry?.traces?.endpoint, metrics.openTelemetry?.endpoint].filter((endpoint): endpoint is string => endpoint !== undefined);
  if (otel.length > 0) egress.push(rule(undefined, otel.map((endpoint) => portOf(endpoint, endpoint.startsWith("https") ? 443 : 80))));
  for (const extra of policy.extraEgress ?? []) egress.push(structuredClone(extra));

  return [{
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: generatedMetadata(instance.rename(instance.base), instance),
    spec: { podSelector: { matchLabels: { ...selectorLabels(instance.workload) } }, policyTypes: ["Ingress", "Egress"], ingress, egress },
  }];
}
