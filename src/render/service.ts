/**
 * The Service that exposes the listeners: its type and type-specific fields come from `spec.service`, and only
 * fields the API accepts for the type are kept. With `adminService`, the plain HTTP listeners move to a
 * ClusterIP Service of their own.
 */
import { deepClone, isRecord, type KubeObject } from "../kube.js";
import type { StalwartConfig } from "../settings/validate.js";
import { adminListenerIds } from "./config/listeners.js";
import { generatedMetadata, type Instance } from "./generated.js";
import type { Workload } from "./workload.js";

export const ADMIN_SERVICE_SUFFIX = "-admin";
const LOAD_BALANCER_FIELDS = ["loadBalancerIP", "loadBalancerSourceRanges", "loadBalancerClass", "allocateLoadBalancerNodePorts", "healthCheckNodePort"];

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

const specOf = (service: KubeObject) => service.spec as Record<string, unknown>;
// Entries that are not objects (the API server refuses them) are skipped rather than read.
const portsOf = (service: KubeObject) => (Array.isArray(specOf(service).ports) ? (specOf(service).ports as unknown[]).filter(isRecord) as unknown as ServicePort[] : []);

/**
 * Marks the Service that `spec.service` shapes. Only a Service the bases (or the user) mark is ever changed:
 * other Services selecting the pods, such as an internal relay on 587, are the user's and stay as written.
 */
export const MAIL_SERVICE_ANNOTATION = "stalwart.krm.example/service";
export const MAIL_SERVICE_MARK = "mail";

/** The marked Services in the workload's namespace: the ones `spec.service` shapes. */
export function mailServices(items: readonly KubeObject[], workload: Workload): KubeObject[] {
  return items.filter(
    (item) =>
      item.apiVersion === "v1" &&
      item.kind === "Service" &&
      isRecord(item.spec) &&
      item.metadata.annotations?.[MAIL_SERVICE_ANNOTATION] === MAIL_SERVICE_MARK &&
      item.metadata.namespace === workload.object.metadata.namespace,
  );
}

/** The mail Service shaped by the settings. */
export function shapeMailService(service: KubeObject, settings: StalwartConfig): KubeObject {
  const options = settings.spec.service;
  const shaped = deepClone(service);
  const spec = specOf(shaped);
  spec.type = options.type;
  if (options.type === "ClusterIP") {
    delete spec.externalTrafficPolicy;
    for (const port of portsOf(shaped)) delete port.nodePort;
  } else {
    spec.externalTrafficPolicy = options.externalTrafficPolicy;
  }
  for (const field of LOAD_BALANCER_FIELDS) if (options.type !== "LoadBalancer") delete spec[field];
  if (options.type === "LoadBalancer") {
    if (options.loadBalancerIP) spec.loadBalancerIP = options.loadBalancerIP;
    if (options.loadBalancerSourceRanges) spec.loadBalancerSourceRanges = [...options.loadBalancerSourceRanges];
  }
  if (options.ipFamilyPolicy) spec.ipFamilyPolicy = options.ipFamilyPolicy;
  if (options.ipFamilies) spec.ipFamilies = [...options.ipFamilies];
  if (options.annotations) shaped.metadata.annotations = { ...shaped.metadata.annotations, ...options.annotations };
  if (options.adminService.enabled) {
    const admin = new Set(adminListenerIds(settings.spec));
    spec.ports = portsOf(shaped).filter((port) => !(typeof port.targetPort === "string" && admin.has(port.targetPort)));
  }
  return shaped;
}

/** The ClusterIP Service of the plain HTTP listeners, when asked for. */
export function renderAdminService(mailService: KubeObject, settings: StalwartConfig, instance: Instance): KubeObject[] {
  const options = settings.spec.service;
  if (!options.adminService.enabled) return [];
  const admin = new Set(adminListenerIds(settings.spec));
  const ports = portsOf(mailService)
    .filter((port) => typeof port.targetPort === "string" && admin.has(port.targetPort))
    .map(({ nodePort: _nodePort, ...port }) => port);
  const spec: Record<string, unknown> = { type: "ClusterIP", selector: { ...(specOf(mailService).selector as Record<string, string>) }, ports };
  if (options.ipFamilyPolicy) spec.ipFamilyPolicy = options.ipFamilyPolicy;
  if (options.ipFamilies) spec.ipFamilies = [...options.ipFamilies];
  return [{ apiVersion: "v1", kind: "Service", metadata: generatedMetadata(instance.rename(`${instance.strip(mailService.metadata.name)}${ADMIN_SERVICE_SUFFIX}`), instance), spec }];
}
