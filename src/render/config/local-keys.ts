/**
 * `config.local-keys`: Stalwart keeps only "local" keys from the file and stores the rest in its database,
 * warning about each one. The default patterns are kept and every other key the file sets is added, so that
 * config.toml, kept in git, is what the server runs with.
 */
import { entry, type ConfigEntry } from "./entries.js";

/** Stalwart v0.14's default local-key patterns, in its order (crates/common/src/manager/config.rs). */
export const DEFAULT_LOCAL_KEYS: readonly string[] = [
  "store.*",
  "directory.*",
  "tracer.*",
  "!server.blocked-ip.*",
  "!server.allowed-ip.*",
  "server.*",
  "certificate.*",
  "config.local-keys.*",
  "authentication.fallback-admin.*",
  "cluster.*",
  "storage.data",
  "storage.blob",
  "storage.lookup",
  "storage.fts",
  "storage.directory",
  "enterprise.license-key",
];

function matches(pattern: string, key: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return key.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return key.endsWith(pattern.slice(1));
  return key === pattern;
}

/** Whether Stalwart treats a flat key as local under the given patterns: any include, and no exclude. */
export function isLocalKey(key: string, patterns: readonly string[]): boolean {
  let local = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (matches(pattern.slice(1), key)) return false;
    } else if (matches(pattern, key)) {
      local = true;
    }
  }
  return local;
}

/** Lists are stored as `<key>.0000`, `<key>.0001`, ...: their pattern is `<key>.*`. */
function patternFor(configEntry: ConfigEntry): string {
  return Array.isArray(configEntry.value) ? `${configEntry.key}.*` : configEntry.key;
}

function flatKeys(configEntry: ConfigEntry): string[] {
  return Array.isArray(configEntry.value) ? configEntry.value.map((_, index) => `${configEntry.key}.${String(index).padStart(4, "0")}`) : [configEntry.key];
}

export function localKeysEntry(entries: readonly ConfigEntry[]): ConfigEntry {
  const extra = entries
    .filter((configEntry) => !flatKeys(configEntry).every((key) => isLocalKey(key, DEFAULT_LOCAL_KEYS)))
    .map(patternFor);
  return entry("config.local-keys", [...DEFAULT_LOCAL_KEYS, ...new Set(extra)], "spec");
}
