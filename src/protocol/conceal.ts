/**
 * The last guard before results are printed: messages and field values that quote user input (a value of the
 * wrong form, say) are masked where they look like a secret, since stderr and KRM results end up in CI logs.
 */
import type { Result } from "../results.js";
import { masked } from "../render/config/secrets.js";

function maskedValue(value: unknown): unknown {
  if (typeof value === "string") return masked(value);
  if (Array.isArray(value)) return value.map(maskedValue);
  if (typeof value === "object" && value !== null) {
    // defineProperty, because a plain assignment to `__proto__` would set the prototype instead.
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) Object.defineProperty(copy, key, { value: maskedValue(entry), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

export function concealSecrets(results: readonly Result[]): Result[] {
  return results.map((result) => {
    const field = result.field && {
      ...result.field,
      ...("currentValue" in result.field ? { currentValue: maskedValue(result.field.currentValue) } : {}),
      ...("proposedValue" in result.field ? { proposedValue: maskedValue(result.field.proposedValue) } : {}),
    };
    // Names come from the input too: a StalwartConfig may be named after a URL.
    const resourceRef = result.resourceRef && { ...result.resourceRef, name: masked(result.resourceRef.name) };
    return { ...result, message: masked(result.message), ...(field ? { field } : {}), ...(resourceRef ? { resourceRef } : {}) };
  });
}
