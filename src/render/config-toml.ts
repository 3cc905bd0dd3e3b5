/** Renders config.toml from validated settings, with a TOML library, in a form Stalwart's own parser reads. */
import { stringify } from "smol-toml";
import type { StalwartConfig } from "../settings/validate.js";
import { envVar, FDB_CLUSTER_FILE_ENV, mountedSecret, probedListenerIds, TLS_VOLUME, type Workload } from "./workload.js";
import { oneLine, quote, refTo, type Result } from "../results.js";
import type { ConfigEntry, ConfigValue } from "./config/entries.js";
import { extraConfigEntries } from "./config/extra-config.js";
import { identityEntries } from "./config/identity.js";
import { listenerEntries } from "./config/listeners.js";
import { localKeysEntry } from "./config/local-keys.js";
import { storageEntries, type StorageContext } from "./config/storage.js";
import { clusterEntries } from "./config/cluster.js";
import { certificateEntries, type CertificateContext } from "./config/certificate.js";
import { tracingEntries } from "./config/tracing.js";
import { secretIn, secretMessage } from "./config/secrets.js";
import { fallbackAdminEntries, metricsEntries } from "./config/operations.js";
import { firstBootEntries, OAUTH_KEY_ENV, type FirstBootContext } from "./config/first-boot.js";

export interface RenderedConfig {
  /** Every key in file order, before nesting; what tests and checks read. */
  entries: ConfigEntry[];
  toml: string;
  results: Result[];
}

// Stalwart's parser reads backslash escapes differently from TOML (`\\n` becomes a newline, `\u` is not
// decoded), so no value may need one; control characters would need escapes too. C1 controls (NEL among them)
// are written escaped, but kustomize's own YAML writer turns NEL into a space and refuses the others.
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f]/;

/** Secrets in what the settings fields write; extraConfig checks its own keys first. */
function secretValues(secrets: readonly ConfigEntry[]): Result[] {
  // One field can write several keys (the OpenTelemetry headers, once per signal): one error per field.
  const byField = new Map<string, Result>();
  for (const { key, value, field } of secrets) {
    const kind = secretIn(key, value);
    if (kind && !byField.has(field)) byField.set(field, { severity: "error", message: secretMessage(kind, key), field: { path: field } });
  }
  return [...byField.values()];
}

/** The header quotes the StalwartConfig's name, so config.toml holds that string too. */
function nameSecret(settings: StalwartConfig): Result[] {
  const kind = secretIn("", settings.metadata.name);
  return kind ? [{ severity: "error", message: secretMessage(kind, ""), field: { path: "metadata.name" }, resourceRef: refTo(settings) }] : [];
}

/** Values that need escapes; secrets are reported as such instead, so that no message quotes them. */
function unsafeValues(entries: readonly ConfigEntry[], secrets: ReadonlySet<ConfigEntry>): Result[] {
  return entries
    .filter((configEntry) => !secrets.has(configEntry))
    .filter(({ value }) => (Array.isArray(value) ? value : [value]).some((item) => typeof item === "string" && UNSAFE.test(item)))
    .map(({ field, value }) => ({
      severity: "error" as const,
      message: `${quote(value)} must not contain a backslash or a control character: Stalwart's config parser does not read TOML escapes`,
      field: { path: field },
    }));
}

type Table = { [key: string]: ConfigValue | Table };

function nest(entries: readonly ConfigEntry[]): Table {
  const root: Table = {};
  for (const { key, value } of entries) {
    const segments = key.split(".");
    const last = segments.pop() as string;
    let table = root;
    for (const segment of segments) {
      // Own keys only: `constructor` is a valid key, and every object inherits one.
      const next = Object.hasOwn(table, segment) ? table[segment] : (table[segment] = {});
      if (typeof next !== "object" || Array.isArray(next)) throw new Error(`config key ${key} would nest under the value of ${segment}`);
      table = next as Table;
    }
    if (Object.hasOwn(table, last)) throw new Error(`config key ${key} is written twice`);
    table[last] = Array.isArray(value) ? [...value] : value;
  }
  return root;
}

function header(settings: StalwartConfig): string {
  // The name is the user's: quoted and escaped, it cannot end the comment line and start a table.
  return `# Generated from StalwartConfig ${oneLine(quote(settings.metadata.name))} by the stalwart.krm.example function.\n# Edit the StalwartConfig, not this file: it is rewritten on every build.\n\n`;
}

/** What the renderer takes from the workload rather than from the settings. */
export type RenderContext = StorageContext & CertificateContext & FirstBootContext & {
  /** Listeners the probes reach, which never expect PROXY headers. */
  probedListeners?: string[];
};

/**
 * The render context of a workload: where the fdb component puts the cluster file, where TLS is mounted,
 * whether it provides the OAuth key, which listeners the probes use.
 */
export function renderContextOf(settings: StalwartConfig, workload: Workload): RenderContext {
  const fdbClusterFile = envVar(workload.container, FDB_CLUSTER_FILE_ENV)?.value;
  const tlsDirectory = mountedSecret(workload, TLS_VOLUME)?.mountPath;
  const probedListeners = probedListenerIds(settings.spec, workload);
  return {
    ...(fdbClusterFile ? { fdbClusterFile } : {}),
    ...(tlsDirectory ? { tlsDirectory } : {}),
    ...(envVar(workload.container, OAUTH_KEY_ENV) ? { oauthKeyFromEnv: true } : {}),
    ...(probedListeners.length > 0 ? { probedListeners } : {}),
  };
}

export function renderConfigToml(settings: StalwartConfig, context: RenderContext = {}): RenderedConfig {
  const spec = settings.spec;
  const generated = [...identityEntries(spec), ...certificateEntries(spec, context), ...listenerEntries(spec, context.probedListeners), ...storageEntries(spec, context), ...clusterEntries(spec), ...tracingEntries(spec), ...metricsEntries(spec), ...fallbackAdminEntries(spec), ...firstBootEntries(spec, context)];
  const extra = extraConfigEntries(spec, generated);
  const body = [...generated, ...extra.entries];
  const entries = [...body, localKeysEntry(body)];
  // extraConfig refused its own secrets already: only the settings fields' entries can still hold one.
  const secrets = new Set(generated.filter(({ key, value }) => secretIn(key, value)));
  const results = [...nameSecret(settings), ...extra.results, ...secretValues([...secrets]), ...unsafeValues(entries, secrets)];
  return { entries, toml: header(settings) + stringify(nest(entries)), results };
}
