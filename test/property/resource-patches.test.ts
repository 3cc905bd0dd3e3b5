/**
 * Random RFC 6902 operations thrown at `spec.resourcePatches`: paths through `__proto__`, `constructor` and
 * `prototype`, the `-` index, escaped segments (`~0`, `~1`), moves into their own children, and copies of huge
 * values that double the object. Every answer keeps the contract (exit code 0 or 1, no internal error, an
 * error naming the operation), no run adds anything to Object.prototype, and an accepted run renders.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stalwartConfig } from "../support/fixtures.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";
import { junk } from "./arbitraries.ts";
import { assertBothOutcomes, assertRun, type Tally } from "./contract.ts";
import { runLegacy, runs, yamlText } from "./harness.ts";

const SEGMENTS = ["spec", "metadata", "labels", "annotations", "dnsNames", "issuerRef", "name", "kind", "secretName", "__proto__", "constructor", "prototype", "-", "0", "1", "a~1b", "~0", "x"];
const pointer = fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 4 }).map((segments) => segments.map((segment) => `/${segment}`).join(""));
/** Mostly paths that exist on the Certificate, so that operations get past the first one often enough. */
const path = fc.oneof({ arbitrary: fc.constantFrom("/spec/dnsNames/-", "/spec/dnsNames/0", "/metadata/labels", "/metadata/labels/a", "/spec/secretTemplate", "/spec/issuerRef/name"), weight: 2 }, { arbitrary: pointer, weight: 3 });

/** An object with an own `__proto__` key, as YAML reads `__proto__:` and as JSON.parse makes it. */
const protoValue = fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "a": "b"}') as unknown);
const hugeValue = fc.integer({ min: 1, max: 4 }).map((size) => "x".repeat(size * 100_000));
const value = fc.oneof({ arbitrary: junk, weight: 4 }, { arbitrary: protoValue, weight: 1 }, { arbitrary: hugeValue, weight: 1 }, { arbitrary: fc.constantFrom<unknown>({ "a": "b" }, ["a"], "example.com"), weight: 2 });

const operation = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom("add", "replace", "test"), path, value }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("remove"), path }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constantFrom("move", "copy"), from: path, path }), weight: 2 },
  // Into its own child, which RFC 6902 forbids for a move.
  { arbitrary: fc.record({ op: fc.constantFrom("move", "copy"), from: path, child: fc.constantFrom("/x", "/-", "/0", "/__proto__") }).map(({ op, from, child }) => ({ op, from, path: `${from}${child}` })), weight: 1 },
);

/** A run of copies of the whole spec into itself: each doubles the object. */
const doubling = fc.integer({ min: 1, max: 40 }).map((count) => Array.from({ length: count }, (_, index) => ({ op: "copy", from: "/spec", path: `/spec/copy${index}` })));

/** Operations that apply, so that accepted runs stay common. */
const applying = fc.constantFrom<Record<string, unknown>>(
  { op: "add", path: "/metadata/labels", value: { "backup.example.com/skip": "true" } },
  { op: "add", path: "/spec/dnsNames/-", value: "imap.example.com" },
  { op: "replace", path: "/spec/issuerRef/name", value: "other" },
  { op: "test", path: "/kind", value: "Certificate" },
  { op: "copy", from: "/spec/dnsNames", path: "/spec/secretTemplate" },
  { op: "move", from: "/spec/issuerRef", path: "/spec/issuer" },
);

const patchList = fc.oneof(
  { arbitrary: fc.array(applying, { minLength: 1, maxLength: 3 }), weight: 4 },
  { arbitrary: fc.array(operation, { minLength: 1, maxLength: 5 }), weight: 6 },
  { arbitrary: fc.tuple(fc.array(operation, { maxLength: 2 }), doubling).map(([before, copies]) => [...before, ...copies]), weight: 1 },
);

const target = fc.oneof({ arbitrary: fc.constant({ kind: "Certificate", name: "stalwart-tls" }), weight: 19 }, { arbitrary: fc.constant({ kind: "Issuer", name: "stalwart-acme" }), weight: 1 });

const NUM_PATCHES = 150;

test("random JSON Patch operations on generated objects keep the contract and never pollute Object.prototype", () => {
  const stream = kustomizeInput("overlays/single");
  const counts: Tally = { accepted: 0, refused: 0 };
  let namedOperation = 0;
  fc.assert(
    fc.property(fc.array(fc.record({ target, patch: patchList }), { minLength: 1, maxLength: 2 }), (resourcePatches) => {
      const config = stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "letsencrypt" } }, resourcePatches });
      const answer = runLegacy(yamlText(config), stream);
      const checked = assertRun(answer, "legacy", counts);
      assert.ok(!("polluted" in {}), "a run set Object.prototype.polluted");
      if (/spec\.resourcePatches\[\d+\]\.patch\[\d+\]: cannot apply/.test(answer.stderr)) namedOperation++;
    }),
    runs(NUM_PATCHES),
  );
  assertBothOutcomes(counts, NUM_PATCHES);
  // Most refusals are of one operation, named by its index: otherwise the generator no longer reaches them.
  assert.ok(namedOperation > counts.refused / 2, `${namedOperation} of ${counts.refused} refusals name an operation`);
});
