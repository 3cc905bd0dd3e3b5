/** Wire forms of 0.16 values: durations as integer milliseconds, sets as `{"member": true}` in a stable order. */
import { byCodeUnits } from "../../order.js";
import { quote, type Result } from "../../results.js";
import type { JmapSet } from "./objects.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a settings duration (`5s`, `100ms`, `1m`: the schema's `duration`). Stalwart 0.16 reads a
 * duration as an integer of milliseconds and refuses 0 (crates/registry/src/types/duration.rs at v0.16.18), so
 * 0 and anything unreadable are reported against the field.
 */
export function durationMs(duration: string, field: string, results: Result[]): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
  if (Number.isSafeInteger(ms) && ms > 0) return ms;
  results.push({ severity: "error", message: `${quote(duration)} is not a duration Stalwart 0.16 reads: give a positive number and a unit (ms, s, m, h, d)`, field: { path: field } });
  return 1;
}

/** A set on the wire, members sorted by code units so that the same members always give the same bytes. */
export function jmapSet(members: Iterable<string>): JmapSet {
  const set: Record<string, true> = {};
  for (const member of [...new Set(members)].sort(byCodeUnits)) set[member] = true;
  return set;
}

/** JSON as the files and plans are written: two-space indentation and a final newline, or one line for NDJSON. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
