/** `spec.extraConfig`: raw keys for what the schema does not cover, checked against what the function writes. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { fieldPath } from "../../settings/field-path.js";
import { quote, type Result } from "../../results.js";
import { entry, type ConfigEntry } from "./entries.js";
import { byCodeUnits } from "../../order.js";
import { secretIn, secretMessage } from "./secrets.js";
import { isTomlLine, keyNotReadBy, STORE_TYPES_ADDED, type Line, type TomlLine } from "../../lines.js";

/** Elasticsearch authenticates with `user` and `password` on 0.14, with `auth.*` from 0.15 on (store/src/backend/elastic). */
const ELASTIC_AUTH: Readonly<Record<TomlLine, { keys: RegExp; described: string }>> = {
  "0.14": { keys: /^store\.[^.]+\.(user|password)$/, described: "`user` and `password`" },
  "0.15": { keys: /^store\.[^.]+\.auth\.(username|secret|token)$/, described: "`auth.username` and `auth.secret` (Basic) or `auth.token` (Bearer)" },
};

/** Why Stalwart of `line` would not read the extraConfig key, or undefined when it does. */
function notReadBy(line: Line, key: string, value: unknown, extra: Readonly<Record<string, unknown>>): string | undefined {
  const change = keyNotReadBy(line, key);
  if (change) return `key ${quote(key)} is read by Stalwart ${change.readBy} only, and \`spec.version\` is ${quote(line)}${change.instead ? `; use \`${change.instead}\` instead` : ""}`;
  const store = /^store\.([^.]+)\.type$/.exec(key);
  const added = typeof value === "string" && Object.hasOwn(STORE_TYPES_ADDED, value) ? STORE_TYPES_ADDED[value] : undefined;
  if (store && added && added !== line) return `store type ${quote(value)} is new in Stalwart ${added}, and \`spec.version\` is ${quote(line)}`;
  const storeId = /^store\.([^.]+)\./.exec(key)?.[1];
  if (storeId && isTomlLine(line) && extra[`store.${storeId}.type`] === "elasticsearch") {
    const other = (Object.keys(ELASTIC_AUTH) as TomlLine[]).find((candidate) => candidate !== line && ELASTIC_AUTH[candidate].keys.test(key));
    if (other) return `Elasticsearch key ${quote(key)} is read by Stalwart ${other} only; ${line} authenticates with ${ELASTIC_AUTH[line].described}`;
  }
  return undefined;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

export function extraConfigEntries(
  spec: StalwartConfigSpec,
  generated: readonly ConfigEntry[],
): { entries: ConfigEntry[]; results: Result[] } {
  const line = spec.version;
  const entries: ConfigEntry[] = [];
  const results: Result[] = [];
  const extra = Object.entries(spec.extraConfig ?? {}).sort(([a], [b]) => byCodeUnits(a, b));
  for (const [key, value] of extra) {
    const field = fieldPath(["spec", "extraConfig", key]);
    const clash = generated.find((generatedEntry) => overlaps(generatedEntry.key, key));
    // Sorted, so a key's parent (`a` before `a.b`) is met first; TOML cannot hold a value and a table under one name.
    const nested = entries.find((extraEntry) => overlaps(extraEntry.key, key));
    // First, so that no other message quotes the value.
    const secret = secretIn(key, value);
    const unread = secret ? undefined : notReadBy(line, key, value, spec.extraConfig ?? {});
    if (secret) {
      results.push({ severity: "error", message: secretMessage(secret, key), field: { path: field } });
    } else if (unread) {
      results.push({ severity: "error", message: unread, field: { path: field } });
    } else if (nested) {
      results.push({ severity: "error", message: `key ${quote(key)} nests under key ${quote(nested.key)}, and config.toml cannot hold both a value and a table under one name; keep one of them`, field: { path: field } });
    } else if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      results.push({ severity: "error", message: `${quote(value)} is beyond 2^53 and cannot be written exactly; write it as a string in quotes`, field: { path: field } });
    } else if (clash || key === "config.local-keys" || key.startsWith("config.local-keys.")) {
      results.push({
        severity: "error",
        message: clash
          ? `key ${quote(key)} collides with \`${clash.key}\`, which the function writes from \`${clash.field}\`; set that field instead`
          : `key ${quote(key)} is written by the function: every key in config.toml is listed there so that the file, kept in git, wins over the database`,
        field: { path: field },
      });
    } else {
      entries.push(entry(key, value, field));
    }
  }
  return { entries, results };
}
