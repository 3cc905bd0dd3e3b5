/** Metrics and the fallback administrator: credentials stay in Secrets, config.toml names the variables. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

export const FALLBACK_ADMIN_USER_ENV = "STALWART_FALLBACK_ADMIN_USER";
export const FALLBACK_ADMIN_SECRET_ENV = "STALWART_FALLBACK_ADMIN_SECRET";
export const PROMETHEUS_USERNAME_ENV = "PROMETHEUS_USERNAME";
export const PROMETHEUS_PASSWORD_ENV = "PROMETHEUS_PASSWORD";

export function metricsEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  const prometheus = spec.metrics.prometheus;
  if (prometheus.enabled) {
    entries.push(entry("metrics.prometheus.enable", true, "spec.metrics.prometheus.enabled"));
    if (prometheus.authentication) {
      entries.push(entry("metrics.prometheus.auth.username", `%{env:${PROMETHEUS_USERNAME_ENV}}%`, "spec.metrics.prometheus.authentication"));
      entries.push(entry("metrics.prometheus.auth.secret", `%{env:${PROMETHEUS_PASSWORD_ENV}}%`, "spec.metrics.prometheus.authentication"));
    }
  }
  const otel = spec.metrics.openTelemetry;
  if (otel) {
    const field = "spec.metrics.openTelemetry";
    entries.push(
      entry("metrics.open-telemetry.transport", otel.transport, `${field}.transport`),
      entry("metrics.open-telemetry.endpoint", otel.endpoint, `${field}.endpoint`),
      entry("metrics.open-telemetry.interval", otel.interval, `${field}.interval`),
    );
  }
  return entries;
}

export function fallbackAdminEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  if (!spec.fallbackAdmin.enabled) return [];
  // Stalwart compares the secret as a hash when it starts with `$`, `_` or `{`, as plain text otherwise.
  return [
    entry("authentication.fallback-admin.user", `%{env:${FALLBACK_ADMIN_USER_ENV}}%`, "spec.fallbackAdmin.enabled"),
    entry("authentication.fallback-admin.secret", `%{env:${FALLBACK_ADMIN_SECRET_ENV}}%`, "spec.fallbackAdmin.enabled"),
  ];
}
