/**
 * Merges StalwartConfig fragments: objects key by key, arrays and scalars replaced, `null` removes a key;
 * later fragments win. Remembers which fragment set each field, so messages can point at the right file.
 */
import { deepClone, isRecord, type KubeObject } from "../kube.js";
import type { Fragment } from "./fragments.js";

export interface MergedSettings {
  /** The merged object: apiVersion, kind, metadata.name of the last fragment, and every other field merged. */
  object: Record<string, unknown>;
  /** JSON Pointer of each field to the fragment that set it last. */
  origins: Map<string, Fragment>;
}

function pointer(parent: string, key: string): string {
  return `${parent}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

function forget(origins: Map<string, Fragment>, at: string): void {
  for (const key of [...origins.keys()]) {
    if (key === at || key.startsWith(`${at}/`)) origins.delete(key);
  }
}

function record(origins: Map<string, Fragment>, at: string, value: unknown, fragment: Fragment): void {
  origins.set(at, fragment);
  if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) record(origins, pointer(at, key), child, fragment);
  } else if (Array.isArray(value)) {
    value.forEach((child, index) => record(origins, pointer(at, String(index)), child, fragment));
  }
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  at: string,
  fragment: Fragment,
  origins: Map<string, Fragment>,
): void {
  for (const [key, value] of Object.entries(source)) {
    const here = pointer(at, key);
    // Own properties only, and defined rather than assigned: a key `__proto__` (YAML makes it an ordinary key)
    // must not reach Object.prototype, where it would add fields to every object of the run.
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (value === null) {
      delete target[key];
      forget(origins, here);
    } else if (isRecord(value) && isRecord(current)) {
      origins.set(here, fragment);
      mergeInto(current, value, here, fragment, origins);
    } else {
      forget(origins, here);
      Object.defineProperty(target, key, { value: deepClone(value), enumerable: true, writable: true, configurable: true });
      record(origins, here, value, fragment);
    }
  }
}

/** Merges the fragments in the order given. */
export function mergeFragments(fragments: readonly Fragment[]): MergedSettings {
  const object: Record<string, unknown> = {};
  const origins = new Map<string, Fragment>();
  for (const fragment of fragments) {
    const { metadata, ...fields } = fragment.object as KubeObject;
    mergeInto(object, fields, "", fragment, origins);
    object.metadata = { name: metadata.name };
    origins.set("/metadata", fragment);
  }
  return { object, origins };
}

/** The fragment that set the field at the pointer, or its nearest parent. */
export function originOf(merged: MergedSettings, at: string): Fragment | undefined {
  for (let path = at; ; path = path.slice(0, path.lastIndexOf("/"))) {
    const origin = merged.origins.get(path);
    if (origin || path === "") return origin;
  }
}
