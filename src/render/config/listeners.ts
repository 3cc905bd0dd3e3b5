/** `server.listener.<id>`: protocol, bind address and TLS mode of every enabled listener. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { fieldPath } from "../../settings/field-path.js";
import { entry, type ConfigEntry } from "./entries.js";
import { byCodeUnits } from "../../order.js";

/** Enabled listeners, sorted by id so that config.toml does not depend on fragment order. */
export function enabledListeners(spec: StalwartConfigSpec) {
  return Object.entries(spec.listeners)
    .filter(([, listener]) => listener.enabled)
    .sort(([a], [b]) => byCodeUnits(a, b));
}

/** Ids of the enabled mail listeners: every protocol but http. */
export function mailListenerIds(spec: StalwartConfigSpec): string[] {
  return enabledListeners(spec).filter(([, listener]) => listener.protocol !== "http").map(([id]) => id);
}

/** Ids of the enabled plain HTTP listeners: the web admin, the API, metrics and the probes. */
export function adminListenerIds(spec: StalwartConfigSpec): string[] {
  return enabledListeners(spec).filter(([, listener]) => listener.protocol === "http" && listener.tls === "none").map(([id]) => id);
}

/** The listeners that expect PROXY protocol headers: those named, or every enabled mail listener. */
export function proxyListeners(spec: StalwartConfigSpec): string[] {
  if (!spec.proxyProtocol) return [];
  return spec.proxyProtocol.listeners ?? mailListenerIds(spec);
}

export function listenerEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const proxied = new Set(proxyListeners(spec));
  return enabledListeners(spec).flatMap(([id, listener]) => {
    const field = fieldPath(["spec", "listeners", id]);
    const prefix = `server.listener.${id}`;
    const entries = [
      entry(`${prefix}.bind`, [`[::]:${listener.port}`], `${field}.port`),
      entry(`${prefix}.protocol`, listener.protocol, `${field}.protocol`),
    ];
    if (listener.tls === "none") entries.push(entry(`${prefix}.tls.enable`, false, `${field}.tls`));
    else entries.push(entry(`${prefix}.tls.implicit`, listener.tls === "implicit", `${field}.tls`));
    // Per listener, never globally: the probe listener must not expect headers the kubelet does not send.
    if (proxied.has(id) && spec.proxyProtocol) entries.push(entry(`${prefix}.proxy.trusted-networks`, spec.proxyProtocol.trustedNetworks, "spec.proxyProtocol.trustedNetworks"));
    return entries;
  });
}
