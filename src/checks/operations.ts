/**
 * Operational features against the workload: each needs the plumbing its component brings (a log volume,
 * credentials from a Secret), and PROXY protocol must stay off the probe listener and trust only proxies.
 */
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { enabledListeners, proxyListeners } from "../render/config/listeners.js";
import { FALLBACK_ADMIN_SECRET_ENV, FALLBACK_ADMIN_USER_ENV, PROMETHEUS_PASSWORD_ENV, PROMETHEUS_USERNAME_ENV } from "../render/config/operations.js";
import { probedListenerIds, type Workload } from "../render/workload.js";
import { checkCredentials } from "./credentials.js";
import { isTomlLine } from "../lines.js";
import { mountHolding } from "./storage.js";

export const LOG_VOLUME = "logs";

function checkFileTracer(settings: StalwartConfig, workload: Workload): Result[] {
  const file = settings.spec.tracer.file;
  const logVolume = workload.pod.volumes?.some((volume) => volume.name === LOG_VOLUME) ?? false;
  if (file) {
    const mount = mountHolding(workload, file.path);
    if (!mount || mount.readOnly) {
      const logMount = workload.container.volumeMounts?.find((candidate) => candidate.name === LOG_VOLUME && !candidate.readOnly);
      const fix = logMount
        ? `the tracer component mounts its volume at ${JSON.stringify(logMount.mountPath)}: set the path there, or patch the "${LOG_VOLUME}" volume mount to where you want the files`
        : "add the component overlays/components/tracer, or set the path to where a volume is mounted";
      return [{ severity: "error", message: `no writable volume is mounted at or above the log path ${JSON.stringify(file.path)}: ${fix}`, field: { path: "spec.tracer.file.path", currentValue: file.path } }];
    }
  } else if (logVolume) {
    return [{ severity: "warning", code: "tracer-component-unused", message: `the workload has the "${LOG_VOLUME}" volume of the tracer component but \`spec.tracer.file\` is not set; remove the component "tracer" or set \`spec.tracer.file\``, resourceRef: refTo(workload.object), field: { path: "spec.template.spec.volumes" } }];
  }
  return [];
}

function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}

/** Whether the network holds a loopback address the probes may come from: 127.0.0.1, or `::1`. */
function holdsLoopback(cidr: string, bits: number): boolean {
  const address = cidr.split("/")[0] ?? "";
  // `::1` itself, or a network of leading zeros short enough to reach it (`::/127`).
  if (address.includes(":")) return address === "::1" || (/^[0:]+$/.test(address) && bits <= 127);
  const octets = address.split(".").map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) return false;
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const block = 2 ** (32 - bits);
  return Math.floor(value / block) === Math.floor(0x7f000001 / block);
}

function checkProxyProtocol(settings: StalwartConfig, workload: Workload): Result[] {
  const proxy = settings.spec.proxyProtocol;
  if (!proxy) return [];
  const results: Result[] = [];
  const enabled = new Set(enabledListeners(settings.spec).map(([id]) => id));
  // 0.16's probes ask a proxied `http` from 127.0.0.1, which Stalwart reads PROXY headers from only if trusted.
  const toml = isTomlLine(settings.spec.version);
  const probed = new Set(toml ? probedListenerIds(settings.spec, workload) : []);
  for (const id of proxyListeners(settings.spec, [...probed])) {
    if (!enabled.has(id)) results.push({ severity: "error", message: `listener "${id}" is not an enabled listener; name one of ${[...enabled].join(", ")}`, field: { path: "spec.proxyProtocol.listeners", currentValue: id } });
    if (probed.has(id)) results.push({ severity: "error", message: `listener "${id}" serves the probes, which the kubelet sends without a PROXY header; leave it out`, field: { path: "spec.proxyProtocol.listeners", currentValue: id } });
  }
  proxy.trustedNetworks.forEach((cidr, index) => {
    const ipv6 = cidr.includes(":");
    const bits = prefixLength(cidr);
    const field = { path: `spec.proxyProtocol.trustedNetworks[${index}]`, currentValue: cidr };
    if (Number.isNaN(bits) || bits > (ipv6 ? 128 : 32)) results.push({ severity: "error", message: `${JSON.stringify(cidr)} is not a network: the prefix length must be from 0 to ${ipv6 ? 128 : 32}`, field });
    else if (bits === 0) results.push({ severity: "error", message: `${JSON.stringify(cidr)} trusts every address: anyone could send a PROXY header claiming any client address, defeating SPF, DNSBLs, rate limits and relay rules; list only your load balancer's source networks`, field });
    else if (!toml && holdsLoopback(cidr, bits)) results.push({ severity: "error", message: `${JSON.stringify(cidr)} holds a loopback address, where the probes come from without a PROXY header (Stalwart 0.16 expects one from every trusted address); list only your load balancer's source networks`, field });
    else if (bits < (ipv6 ? 32 : 8)) results.push({ severity: "warning", code: "proxy-trusted-network-wide", message: `${JSON.stringify(cidr)} is a very wide network to trust with PROXY headers; list only your load balancer's source networks`, field });
  });
  return results;
}

export function checkOperations(settings: StalwartConfig, workload: Workload): Result[] {
  const { fallbackAdmin, metrics } = settings.spec;
  return [
    ...checkFileTracer(settings, workload),
    ...checkCredentials(workload, fallbackAdmin.enabled, [FALLBACK_ADMIN_USER_ENV, FALLBACK_ADMIN_SECRET_ENV], "fallback-admin", "spec.fallbackAdmin.enabled"),
    ...checkCredentials(workload, metrics.prometheus.enabled && metrics.prometheus.authentication, isTomlLine(settings.spec.version) ? [PROMETHEUS_USERNAME_ENV, PROMETHEUS_PASSWORD_ENV] : [PROMETHEUS_PASSWORD_ENV], "service-monitor", "spec.metrics.prometheus.enabled"),
    ...checkProxyProtocol(settings, workload),
  ];
}

/** Service fields that only a LoadBalancer accepts. */
export function checkServiceOptions(settings: StalwartConfig): Result[] {
  const options = settings.spec.service;
  // IPv6 clients of a dual-stack Service would reach pods that listen on IPv4 only.
  const ipv4Only: Result[] =
    settings.spec.network.bindAddress === "0.0.0.0" && options.ipFamilies?.includes("IPv6")
      ? [{ severity: "warning", code: "ipv4-only-dual-stack", message: "the listeners bind IPv4 only, but the Service takes IPv6 too, whose connections would find no listener; remove the component \"dual-stack\" or bind `[::]`", field: { path: "spec.network.bindAddress", currentValue: "0.0.0.0" } }]
      : [];
  if (options.type === "LoadBalancer") return ipv4Only;
  return [
    ...ipv4Only,
    ...(["loadBalancerIP", "loadBalancerSourceRanges"] as const)
      .filter((field) => options[field] !== undefined)
      .map((field) => ({
        severity: "error" as const,
        message: `applies only to a Service of type LoadBalancer, and \`spec.service.type\` is "${options.type}"; remove it or change the type`,
        field: { path: `spec.service.${field}`, currentValue: options[field] },
      })),
  ];
}
