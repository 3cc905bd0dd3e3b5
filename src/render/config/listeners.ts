/** `server.listener.<id>`: protocol, bind address and TLS mode of every enabled listener. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { fieldPath } from "../../settings/field-path.js";
import { entry, type ConfigEntry } from "./entries.js";
import { byCodeUnits } from "../../order.js";

/**
 * Where `bind: loopback` listeners bind. IPv4 loopback exists in every pod's network namespace, IPv6 or not,
 * and Stalwart always allows 127.0.0.1 (crates/common/src/listener/blocked.rs, v0.14.1 lines 74-79): no rate
 * limit, no counter in the lookup store, no auto-ban for what arrives there.
 */
export const LOOPBACK_ADDRESS = "127.0.0.1";

/** Enabled listeners, sorted by id so that config.toml does not depend on fragment order. */
export function enabledListeners(spec: StalwartConfigSpec) {
  return Object.entries(spec.listeners)
    .filter(([, listener]) => listener.enabled)
    .sort(([a], [b]) => byCodeUnits(a, b));
}

/** Enabled listeners that bind the pod's addresses, which Services and load balancers can reach. */
export function reachableListeners(spec: StalwartConfigSpec) {
  return enabledListeners(spec).filter(([, listener]) => listener.bind === "all");
}

/** Ids of the enabled mail listeners: every protocol but http. */
export function mailListenerIds(spec: StalwartConfigSpec): string[] {
  return enabledListeners(spec).filter(([, listener]) => listener.protocol !== "http").map(([id]) => id);
}

/** Ids of the reachable plain HTTP listeners: the web admin, the API and metrics. */
export function adminListenerIds(spec: StalwartConfigSpec): string[] {
  return reachableListeners(spec).filter(([, listener]) => listener.protocol === "http" && listener.tls === "none").map(([id]) => id);
}

/**
 * The listeners that expect PROXY protocol headers: those named, or every reachable one but those the probes
 * use. A load balancer in PROXY mode sends the header on every port it forwards, 443 and 8080 included; a
 * listener without trusted networks would read it as a malformed request (and, on http, count it towards
 * the scanner ban of crates/http/src/request.rs, v0.14.1 lines 813-835).
 */
export function proxyListeners(spec: StalwartConfigSpec, probed: readonly string[] = []): string[] {
  if (!spec.proxyProtocol) return [];
  if (spec.proxyProtocol.listeners) return spec.proxyProtocol.listeners;
  return reachableListeners(spec).map(([id]) => id).filter((id) => !probed.includes(id));
}

export function listenerEntries(spec: StalwartConfigSpec, probed: readonly string[] = []): ConfigEntry[] {
  const proxied = new Set(proxyListeners(spec, probed));
  const field = (id: string) => fieldPath(["spec", "listeners", id]);
  return enabledListeners(spec).flatMap(([id, listener]) => {
    const prefix = `server.listener.${id}`;
    // Stalwart opens an IPv6 socket for `[::]` (config/server/listener.rs, v0.14.1 lines 66-71), which fails
    // on a kernel without IPv6: hence `spec.network.bindAddress`.
    const address = listener.bind === "loopback" ? LOOPBACK_ADDRESS : spec.network.bindAddress;
    const entries = [
      entry(`${prefix}.bind`, [`${address}:${listener.port}`], `${field(id)}.port`),
      entry(`${prefix}.protocol`, listener.protocol, `${field(id)}.protocol`),
    ];
    if (listener.tls === "none") entries.push(entry(`${prefix}.tls.enable`, false, `${field(id)}.tls`));
    else entries.push(entry(`${prefix}.tls.implicit`, listener.tls === "implicit", `${field(id)}.tls`));
    // Per listener, never globally: a listener cannot opt out of `server.proxy.trusted-networks`.
    if (proxied.has(id) && spec.proxyProtocol) entries.push(entry(`${prefix}.proxy.trusted-networks`, spec.proxyProtocol.trustedNetworks, "spec.proxyProtocol.trustedNetworks"));
    return entries;
  });
}
