/**
 * Thousands of random StalwartConfigs, well-formed and not: the function never throws, every problem is a
 * result with a message in words, and whatever it renders reads the same to Stalwart as to TOML.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { transform } from "../../src/transform.ts";
import { hasErrors, formatResult } from "../../src/results.ts";
import { singleBaseItems, stalwartConfig } from "../support/fixtures.ts";
import { flattenToml, readLikeStalwart } from "../support/stalwart-toml.ts";

const items = singleBaseItems();
const listenerIds = fc.constantFrom("smtp", "submission", "imap", "http", "https", "pop3", "lmtp", "custom-1", "Bad_Id", "");
const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
/** Mostly a value of the right shape, now and then anything at all. */
const mostly = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary, weight: 30 }, { arbitrary: junk, weight: 1 });
const optional = <T>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(fields, { requiredKeys: [] });
const listener = optional({
  enabled: mostly(fc.boolean()),
  protocol: mostly(fc.constantFrom("smtp", "lmtp", "imap", "pop3", "managesieve", "http")),
  port: mostly(fc.integer({ min: -10, max: 70000 })),
  tls: mostly(fc.constantFrom("implicit", "starttls", "none")),
});
const spec = optional({
  hostname: mostly(fc.domain()),
  publicUrl: mostly(fc.webUrl()),
  listeners: fc.dictionary(listenerIds, mostly(listener), { maxKeys: 4 }),
  storage: mostly(optional({ backend: mostly(fc.constant("rocksdb")), rocksdb: optional({ path: mostly(fc.constant("/opt/stalwart/data/db")), compression: mostly(fc.constantFrom("lz4", "none")) }) })),
  tracer: mostly(optional({ console: optional({ level: mostly(fc.constantFrom("info", "debug")), ansi: mostly(fc.boolean()) }) })),
  extraConfig: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}(\.[a-z-]{1,8}){0,2}$/), mostly(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }))), { maxKeys: 4 }),
});
const specWithStrayKeys = fc.tuple(spec, fc.option(fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), junk, { maxKeys: 1 }), { freq: 20, nil: {} })).map(([known, stray]) => ({ ...stray, ...known }));

test("random settings never crash the function and render only what Stalwart reads as TOML does", () => {
  let rendered = 0;
  fc.assert(
    fc.property(specWithStrayKeys, (randomSpec) => {
      const output = transform({ items, functionConfig: stalwartConfig(randomSpec as Record<string, unknown>) });
      for (const result of output.results) {
        const line = formatResult(result);
        assert.doesNotMatch(line, /undefined|\[object Object\]/, line);
        assert.ok(result.message.length > 10, line);
      }
      if (hasErrors(output.results)) {
        assert.deepEqual(output.items, items, "nothing changes when there is an error");
        return;
      }
      const configMap = output.items.find((item) => item.kind === "ConfigMap");
      const toml = (configMap?.data as Record<string, string>)["config.toml"] as string;
      assert.deepEqual(readLikeStalwart(toml), flattenToml(toml));
      rendered++;
    }),
    { numRuns: 1500 },
  );
  assert.ok(rendered > 50, `only ${rendered} of 1500 random settings were valid: the generator no longer reaches the rendering path`);
});
