/** The shape of a Kubernetes object as the function reads it: only what it relies on is typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** API group and version of the settings kind. */
export const SETTINGS_API_VERSION = "stalwart.krm.example/v1alpha1";
export const SETTINGS_KIND = "StalwartConfig";

/** Annotation that marks an object as client-side only: kustomize drops it from the output, kpt never applies it. */
export const LOCAL_CONFIG_ANNOTATION = "config.kubernetes.io/local-config";
/** Annotation carrying the checksum of config.toml on the pod template, so a changed config rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "stalwart.krm.example/config-checksum";

/** The file an orchestrator read an object from, or should write it to. */
export const INTERNAL_PATH_ANNOTATION = "internal.config.kubernetes.io/path";
const PATH_ANNOTATIONS = [INTERNAL_PATH_ANNOTATION, "config.kubernetes.io/path"];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when the value has the fields every KRM object needs. */
export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === "string" &&
    typeof value.kind === "string" &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === "string"
  );
}

export function annotation(object: KubeObject, key: string): string | undefined {
  return object.metadata.annotations?.[key];
}

/** The file an orchestrator read the object from, when it says. */
export function sourcePath(object: KubeObject): string | undefined {
  for (const key of PATH_ANNOTATIONS) {
    const path = annotation(object, key);
    if (path) return path;
  }
  return undefined;
}

/** Kustomize and kpt treat every value but the string "false" as local. */
export function isLocalConfig(object: KubeObject): boolean {
  const value = annotation(object, LOCAL_CONFIG_ANNOTATION);
  return value !== undefined && value !== "false";
}

/** Identity used to upsert: apiVersion, kind, namespace and name. */
export function objectKey(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): string {
  return [object.apiVersion, object.kind, object.metadata.namespace ?? "", object.metadata.name].join("/");
}

/**
 * A deep copy in which no two places share an object. structuredClone keeps sharing, and a YAML alias reads as
 * one object in two places (`template: {metadata: *meta}`): a change meant for one would land in both.
 */
export function deepClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => deepClone(item)) as T;
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    // defineProperty, because assigning to a key `__proto__` would set the prototype instead.
    for (const [key, item] of Object.entries(value)) Object.defineProperty(copy, key, { value: deepClone(item), enumerable: true, writable: true, configurable: true });
    return copy as T;
  }
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}
