/** Listeners against themselves and against the container ports that the Services target by name. */
import type { StalwartConfig } from "../settings/validate.js";
import { fieldPath } from "../settings/field-path.js";
import { refTo, type Result } from "../results.js";
import { enabledListeners } from "../render/config/listeners.js";
import { containerPorts, type Workload } from "../render/workload.js";

/** Port clashes and TLS modes a protocol cannot have. */
export function checkListeners(settings: StalwartConfig): Result[] {
  const results: Result[] = [];
  const byPort = new Map<number, string>();
  for (const [id, listener] of enabledListeners(settings.spec)) {
    const field = fieldPath(["spec", "listeners", id]);
    const other = byPort.get(listener.port);
    if (other) {
      results.push({
        severity: "error",
        message: `port ${listener.port} is already taken by listener "${other}"; give each enabled listener its own port`,
        field: { path: `${field}.port`, currentValue: listener.port },
      });
    }
    byPort.set(listener.port, id);
    if (listener.protocol === "http" && listener.tls === "starttls") {
      results.push({
        severity: "error",
        message: `an http listener has no STARTTLS: set \`tls\` to "implicit" (HTTPS) or "none" (plain HTTP)`,
        field: { path: `${field}.tls`, currentValue: "starttls", proposedValue: "implicit" },
      });
    }
  }
  return results;
}

/** Each enabled listener needs the container port of the same name and number; each named port, a listener. */
export function checkListenerPorts(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const ports = containerPorts(workload);
  const ref = refTo(workload.object);
  const listeners = enabledListeners(settings.spec);
  for (const [id, listener] of listeners) {
    const containerPort = ports.get(id);
    // Reached from inside the pod only: a Service sending traffic to its port would find nothing listening.
    if (listener.bind === "loopback") {
      if (containerPort !== undefined) {
        results.push({
          severity: "warning",
          code: "listener-loopback-port",
          message: `listener "${id}" binds loopback only, so the container port "${id}" leads nowhere; set \`spec.listeners.${id}.bind: all\` to serve it, or remove the port with a patch`,
          field: { path: `${fieldPath(["spec", "listeners", id])}.bind`, currentValue: "loopback", proposedValue: "all" },
        });
      }
      continue;
    }
    if (containerPort === undefined) {
      results.push({
        severity: "warning",
        code: "listener-port-missing",
        message: `listener "${id}" has no container port named "${id}", so no Service can reach it by name; add the port with a patch, or set \`spec.listeners.${id}.enabled: false\``,
        resourceRef: ref,
        field: { path: "spec.template.spec.containers[name=stalwart].ports" },
      });
    } else if (containerPort !== listener.port) {
      results.push({
        severity: "error",
        message: `container port "${id}" is ${containerPort} but listener "${id}" binds ${listener.port}; the Service would send traffic to a closed port: make them equal`,
        field: { path: `${fieldPath(["spec", "listeners", id])}.port`, currentValue: listener.port, proposedValue: containerPort },
      });
    }
  }
  const enabled = new Set(listeners.map(([id]) => id));
  for (const name of ports.keys()) {
    if (enabled.has(name) || !(name in settings.spec.listeners)) continue;
    results.push({
      severity: "warning",
      code: "listener-port-unused",
      message: `container port "${name}" belongs to listener "${name}", which is disabled; remove the port from the workload and the Service with a patch`,
      resourceRef: ref,
      field: { path: "spec.template.spec.containers[name=stalwart].ports" },
    });
  }
  return results;
}
