/**
 * A server migrated from 0.15 holds the accounts and domains its export created; deleting an Account deletes its
 * mail (UPGRADING/v0_16.md). No plan the library renders may delete either: no `destroy` at all, no `reconcile`
 * (which deletes what it does not match) of the directory's objects, and no operation on Account whatsoever.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { renderPlan } from "../../../../src/render/v016/plan.ts";
import { RELOAD_NDJSON } from "../../../../src/render/v016/apply-job.ts";
import { settingsFor } from "../../../support/settings.ts";
import { CASES } from "./cases.ts";
import { deletions } from "../../../support/plan-deletions.ts";

test("the finder sees a destroy, a reconcile of an exported object and any Account operation", () => {
  const plan = [
    { "@type": "destroy", object: "Tracer", value: {} },
    { "@type": "reconcile", object: "x:Domain", matchOn: ["name"], value: {} },
    { "@type": "upsert", object: "Account", matchOn: ["name", "domainId"], value: { a: {} } },
    { "@type": "reconcile", object: "NetworkListener", matchOn: ["name"], value: {} },
  ];
  assert.deepEqual(deletions(plan.map((operation) => JSON.stringify(operation)).join("\n")), ["destroy Tracer", "reconcile Domain", "upsert Account"]);
});

test("the plans of the renderer's cases and the reload actions delete no account and no domain", () => {
  for (const item of CASES) assert.deepEqual(deletions(renderPlan(item.spec, item.plan).ndjson), [], item.name);
  assert.deepEqual(deletions(RELOAD_NDJSON), []);
});

test("over many settings, no rendered plan deletes an account or a domain", () => {
  const variant = fc.record({
    backend: fc.constantFrom("rocksdb", "foundationdb"),
    tls: fc.boolean(),
    cluster: fc.boolean(),
    roles: fc.boolean(),
    prometheus: fc.constantFrom("off", "open", "auth"),
    file: fc.boolean(),
    proxy: fc.boolean(),
    domains: fc.array(fc.constantFrom("example.com", "example.org", "example.net"), { minLength: 1, maxLength: 3 }),
  });
  fc.assert(
    fc.property(variant, (v) => {
      const spec = settingsFor({
        storage: { backend: v.backend },
        tracer: v.file ? { file: {} } : {},
        metrics: { prometheus: { enabled: v.prometheus !== "off", authentication: v.prometheus === "auth" } },
        ...(v.tls ? { tls: { issuerRef: { name: "ca", kind: "ClusterIssuer" } } } : {}),
        ...(v.cluster ? { cluster: { nats: { addresses: ["nats:4222"] }, ...(v.roles ? { roles: { spamTraining: [[1]], purgeAccounts: [[2]] } } : {}) } } : {}),
        ...(v.proxy ? { proxyProtocol: { trustedNetworks: ["10.0.0.0/8"] } } : {}),
      }).spec;
      const plan = renderPlan(spec, { domains: v.domains, tlsDirectory: "/etc/stalwart/tls", prometheusUsername: "prometheus", clusterNodeIds: [1, 2, 3] });
      assert.deepEqual(deletions(plan.ndjson), []);
    }),
    { numRuns: 80, seed: 17 },
  );
});
