/**
 * Thousands of random StalwartConfigs, well-formed and not: the function never throws, every problem is a
 * result with a message in words, and whatever it renders reads the same to Stalwart as to TOML.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { transform } from "../../src/transform.ts";
import { hasErrors, formatResult } from "../../src/results.ts";
import { overlayInput, stalwartConfig } from "../support/fixtures.ts";
import schema from "../../src/settings/stalwartconfig.schema.json" with { type: "json" };
import { flattenToml, readLikeStalwart } from "../support/stalwart-toml.ts";
import { runs } from "./harness.ts";

const listenerIds = fc.oneof({ arbitrary: fc.constantFrom("smtp", "submission", "imap", "http", "https", "pop3", "lmtp", "probe", "custom-1"), weight: 12 }, { arbitrary: fc.constantFrom("Bad_Id", ""), weight: 1 });
const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
/** Mostly a value of the right shape, now and then anything at all. */
const mostly = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary, weight: 30 }, { arbitrary: junk, weight: 1 });
/** Mostly absent: a field that the overlay's bases and components already decide. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary, weight: 1 });
const optional = <T>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(fields, { requiredKeys: [] });
const listener = optional({
  enabled: mostly(fc.boolean()),
  protocol: mostly(fc.constantFrom("smtp", "lmtp", "imap", "pop3", "managesieve", "http")),
  port: rarely(mostly(fc.integer({ min: -10, max: 70000 }))),
  tls: rarely(mostly(fc.constantFrom("implicit", "starttls", "none"))),
  bind: rarely(mostly(fc.constantFrom("all", "loopback"))),
}).map((listener) => Object.fromEntries(Object.entries(listener).filter(([, value]) => value !== undefined)));
const shards = fc.array(fc.array(mostly(fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });
const cluster = fc.record({
  nats: mostly(fc.record({
    addresses: mostly(fc.array(fc.constantFrom("nats://nats:4222", "tls://a.b:4222", "nats:4222"), { minLength: 1, maxLength: 3 })),
    auth: mostly(optional({ enabled: mostly(fc.constantFrom(false, false, false, true)) })),
    tls: mostly(fc.boolean()),
    pingInterval: mostly(fc.constantFrom("60s", "1m", "250ms")),
    maxReconnects: mostly(fc.integer({ min: 1, max: 10 })),
    capacity: mostly(optional({ client: mostly(fc.integer({ min: 1, max: 5000 })) })),
  }, { requiredKeys: ["addresses"] })),
  roles: mostly(optional({ pushNotifications: mostly(shards), ftsIndexing: mostly(shards), purgeStores: mostly(shards) })),
}, { requiredKeys: ["nats"] });
const tls = optional({
  dnsNames: mostly(fc.array(fc.domain(), { minLength: 1, maxLength: 3 })),
  issuerRef: mostly(fc.record({ name: mostly(fc.constantFrom("letsencrypt", "ca")), kind: mostly(fc.constantFrom("Issuer", "ClusterIssuer")) }, { requiredKeys: ["name"] })),
  privateKey: mostly(optional({ algorithm: mostly(fc.constantFrom("RSA", "ECDSA")), size: mostly(fc.constantFrom(256, 2048, 4096)) })),
  renewBefore: mostly(fc.constantFrom("720h", "30d", "1h30m")),
});
const specFor = (overlay: string) => fc.record({
  hostname: mostly(fc.domain()),
  tls: rarely(tls),
  publicUrl: mostly(fc.webUrl()),
  listeners: rarely(fc.dictionary(listenerIds, mostly(listener), { maxKeys: 4 })),
  cluster: overlay.endsWith("cluster") ? mostly(cluster) : rarely(cluster),
  storage: rarely(optional({ backend: rarely(fc.constantFrom("rocksdb", "foundationdb")), rocksdb: optional({ path: mostly(fc.constant("/opt/stalwart/data/db")), compression: mostly(fc.constantFrom("lz4", "none")) }) })),
  network: rarely(optional({ bindAddress: mostly(fc.constantFrom("[::]", "0.0.0.0")) })),
  webadmin: rarely(optional({ resource: mostly(fc.constantFrom("https://mirror.example.com/webadmin.zip", "file:///opt/webadmin.zip", "ftp://x/y.zip")) })),
  proxyProtocol: rarely(optional({ trustedNetworks: mostly(fc.array(fc.constantFrom("10.0.0.0/16", "fd00::/64", "0.0.0.0/0"), { minLength: 1, maxLength: 2 })), listeners: rarely(fc.array(listenerIds, { minLength: 1, maxLength: 2 })) })),
  tracer: mostly(optional({ console: optional({ level: mostly(fc.constantFrom("info", "debug")), ansi: mostly(fc.boolean()) }) })),
  extraConfig: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}(\.[a-z-]{1,8}){0,2}$/), mostly(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }))), { maxKeys: 4 }),
  // Random settings give warnings often (the overlays' tls-reload without `spec.tls`, disabled listeners): most
  // runs acknowledge them all, to reach the rendering path; the others take the error path.
  acknowledgeWarnings: mostly(fc.constant(schema.$defs.warningCode.enum)),
}, { requiredKeys: overlay.endsWith("cluster") ? ["hostname", "cluster"] : ["hostname"] });
const specWithStrayKeys = (overlay: string) => fc.tuple(specFor(overlay), fc.option(fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), junk, { maxKeys: 1 }), { freq: 20, nil: {} })).map(([known, stray]) => Object.fromEntries(Object.entries({ ...stray, ...known }).filter(([, value]) => value !== undefined)));

for (const overlay of ["overlays/single", "overlays/cluster"]) test(`random settings on ${overlay} never crash the function and render only what Stalwart reads as TOML does`, () => {
  const items = overlayInput(overlay);
  let rendered = 0;
  fc.assert(
    fc.property(specWithStrayKeys(overlay), (randomSpec) => {
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
    runs(1500),
  );
  assert.ok(rendered > 30, `only ${rendered} of 1500 random settings were valid: the generator no longer reaches the rendering path`);
});
