/**
 * Probes must reach a plain HTTP listener: /healthz/* answer there, and PROXY-protocol listeners would drop them.
 * The kubelet's httpGet reaches only listeners bound to the pod's addresses; base/pod's loopback script, any.
 */
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { enabledListeners } from "../render/config/listeners.js";
import { PROBES, probeTarget, type Workload } from "../render/workload.js";

export function checkProbes(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const listeners = enabledListeners(settings.spec);
  for (const probe of PROBES) {
    const target = probeTarget(workload, workload.container[probe]);
    if (!target) continue;
    const served = listeners.some(([, listener]) => listener.protocol === "http" && listener.port === target.port && (listener.tls === "implicit") === target.https && (target.loopback || listener.bind === "all"));
    if (served) continue;
    const httpGet = workload.container[probe]?.httpGet;
    results.push({
      severity: "error",
      message: httpGet
        ? `the ${probe} asks for ${target.https ? "HTTPS" : "plain HTTP"} on port ${JSON.stringify(httpGet.port)}, which no enabled http listener bound to all addresses serves; point the probe at the http listener or enable it`
        : `the ${probe} asks for plain HTTP on 127.0.0.1:${target.port}, which no enabled http listener serves; enable the \`probe\` listener of the bases (\`spec.listeners.probe\`) or point the probe at another plain HTTP listener`,
      resourceRef: refTo(workload.object),
      field: httpGet
        ? { path: `spec.template.spec.containers[name=stalwart].${probe}.httpGet.port`, currentValue: httpGet.port }
        : { path: `spec.template.spec.containers[name=stalwart].${probe}.exec.command` },
    });
  }
  return results;
}
