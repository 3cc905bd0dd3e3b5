/** Probes must reach a plain HTTP listener: /healthz/* answer there, and PROXY-protocol listeners would drop them. */
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { enabledListeners } from "../render/config/listeners.js";
import { probePort, type Workload } from "../render/workload.js";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

export function checkProbes(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const listeners = enabledListeners(settings.spec);
  for (const probe of PROBES) {
    const httpGet = workload.container[probe]?.httpGet;
    if (!httpGet) continue;
    const port = probePort(workload, httpGet.port);
    const https = httpGet.scheme === "HTTPS";
    const served = listeners.some(([, listener]) => listener.protocol === "http" && listener.port === port && (listener.tls === "implicit") === https);
    if (!served) {
      results.push({
        severity: "error",
        message: `the ${probe} asks for ${https ? "HTTPS" : "plain HTTP"} on port ${JSON.stringify(httpGet.port)}, which no enabled http listener serves; point the probe at the http listener or enable it`,
        resourceRef: refTo(workload.object),
        field: { path: `spec.template.spec.containers[name=stalwart].${probe}.httpGet.port`, currentValue: httpGet.port },
      });
    }
  }
  return results;
}
