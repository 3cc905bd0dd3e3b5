/**
 * Warnings, settled: kustomize shows a plugin's stderr only when the build fails, so a warning that let the
 * build pass would never be read. Each warning is an error unless the settings acknowledge its code in
 * `spec.acknowledgeWarnings`; an acknowledged one becomes an info result, which kpt shows and kustomize does not.
 */
import type { StalwartConfig } from "./settings/validate.js";
import type { Result, WarningCode } from "./results.js";

export const ACKNOWLEDGE_FIELD = "spec.acknowledgeWarnings";

function settle(result: Result, acknowledged: ReadonlySet<WarningCode>): Result {
  if (result.severity !== "warning") return result;
  const { code, ...fields } = result;
  const tags = { ...fields.tags, warning: code };
  if (acknowledged.has(code)) return { ...fields, severity: "info", message: `acknowledged warning \`${code}\`: ${fields.message}`, tags };
  return {
    ...fields,
    severity: "error",
    message: `${fields.message} (warning \`${code}\`: if this is what you want, add "${code}" to \`${ACKNOWLEDGE_FIELD}\` in your StalwartConfig)`,
    tags,
  };
}

/**
 * Turns every warning into an error or an info. An acknowledgement that matched nothing is an info, not an
 * error: the build is right as it is, but the stale entry would let the same warning pass unread next time.
 */
export function acknowledgeWarnings(results: readonly Result[], settings: StalwartConfig): Result[] {
  const codes = settings.spec.acknowledgeWarnings;
  const acknowledged = new Set(codes);
  const fired = new Set(results.flatMap((result) => (result.severity === "warning" ? [result.code] : [])));
  const stale: Result[] = codes.flatMap((code, index) =>
    fired.has(code)
      ? []
      : [{
          severity: "info" as const,
          message: `warning "${code}" is acknowledged but no longer given; remove it from \`${ACKNOWLEDGE_FIELD}\``,
          field: { path: `${ACKNOWLEDGE_FIELD}[${index}]`, currentValue: code },
        }],
  );
  return [...results.map((result) => settle(result, acknowledged)), ...stale];
}
