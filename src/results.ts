/** KRM function results: what went wrong or what was done, as the KRM functions specification spells them. */
import type { KubeObject } from "./kube.js";
import { byCodeUnits } from "./order.js";
import type { WarningCode } from "./settings/generated/stalwartconfig.js";

export type { WarningCode };

export type Severity = "error" | "warning" | "info";

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

interface ResultFields {
  message: string;
  resourceRef?: ResourceRef;
  field?: { path: string; currentValue?: unknown; proposedValue?: unknown };
  file?: { path: string; index?: number };
  /** The specification's free-form labels; acknowledged and unacknowledged warnings carry their code here. */
  tags?: Record<string, string>;
}

/**
 * A warning carries its code, by which the user acknowledges it; src/warnings.ts turns every warning into an
 * error or an info before the results leave the function.
 */
export type Result = ResultFields & ({ severity: "error" | "info"; code?: never } | { severity: "warning"; code: WarningCode });

export function refTo(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): ResourceRef {
  const ref: ResourceRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

export function hasErrors(results: readonly Result[]): boolean {
  return results.some((result) => result.severity === "error");
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: errors first, then by file, field and message. */
export function sortResults(results: readonly Result[]): Result[] {
  return [...results].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      byCodeUnits(a.file?.path ?? "", b.file?.path ?? "") ||
      byCodeUnits(a.field?.path ?? "", b.field?.path ?? "") ||
      byCodeUnits(a.message, b.message),
  );
}

/** Names, kinds, keys and paths from the input can hold line breaks and terminal escapes. */
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Escapes what would break a line or drive a terminal, as `\uXXXX`. */
export function oneLine(text: string): string {
  return text.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One line per result: `[severity] apiVersion/Kind/namespace/name field.path: message (file)`. */
export function formatResult(result: Result): string {
  const ref = result.resourceRef;
  const subject = ref ? [ref.apiVersion, ref.kind, ref.namespace, ref.name].filter(Boolean).join("/") : "";
  const where = [subject, result.field?.path].filter(Boolean).join(" ");
  const file = result.file ? ` (in ${result.file.path})` : "";
  return oneLine(`[${result.severity}] ${where ? `${where}: ` : ""}${result.message}${file}`);
}

/** Renders a value the way messages quote user input. */
export function quote(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}
