import assert from "node:assert/strict";
import { test } from "node:test";
import { instanceOf } from "../../../src/render/generated.ts";
import { renderMailTls } from "../../../src/render/mail-tls.ts";
import { applyResourcePatches } from "../../../src/render/resource-patches.ts";
import { findWorkload } from "../../../src/render/workload.ts";
import { workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";

const certificate = () => {
  const found = findWorkload([workloadOf()]).workload;
  assert.ok(found);
  return renderMailTls(settingsFor({ tls: { issuerRef: { name: "ca" } } }), instanceOf(found, "stalwart"), "stalwart-tls");
};

function patch(...operations: Record<string, unknown>[]) {
  const spec = settingsFor({ resourcePatches: [{ target: { kind: "Certificate", name: "stalwart-tls" }, patch: [{ op: "test", path: "/kind", value: "Certificate" }, ...operations] }] }).spec;
  return applyResourcePatches(certificate(), spec);
}

/** The one error, on the operation after the leading `test`, with the words expected. */
function refused(message: RegExp, ...operations: Record<string, unknown>[]) {
  const { results } = patch(...operations);
  assert.equal(results.length, 1, JSON.stringify(results));
  assert.equal(results[0]?.field?.path, `spec.resourcePatches[0].patch[${operations.length}]`);
  assert.match(results[0]?.message ?? "", message);
  assert.deepEqual(Object.keys(Object.prototype), [], "Object.prototype polluted");
}

test("a path or from through __proto__ or constructor/prototype is refused naming the operation", () => {
  for (const path of ["/__proto__/polluted", "/metadata/__proto__", "/spec/constructor/prototype/polluted", "/metadata/labels/__proto__"]) {
    refused(/goes through `__proto__` or `constructor\/prototype`, which no Kubernetes object has/, { op: "add", path, value: { polluted: true } });
  }
  refused(/`from` "\/__proto__"/, { op: "copy", from: "/__proto__", path: "/metadata/x" });
  // `constructor` alone is an ordinary key.
  assert.deepEqual(patch({ op: "add", path: "/metadata/annotations", value: { constructor: "x" } }).results, []);
});

test("a move into the moved value's own child is refused, as RFC 6902 says", () => {
  refused(/moves "\/spec" into its own child "\/spec\/x", which RFC 6902 forbids/, { op: "move", from: "/spec", path: "/spec/x" });
  refused(/moves "" into its own child/, { op: "move", from: "", path: "/x" });
  const moved = patch({ op: "move", from: "/spec/issuerRef", path: "/spec/issuerRefMoved" });
  assert.deepEqual(moved.results, []);
  assert.ok((moved.objects[0]?.spec as Record<string, unknown>).issuerRefMoved, "a move elsewhere is applied");
});

test("copies that grow the object past what Kubernetes stores are refused before they are made", () => {
  const doubling = Array.from({ length: 64 }, (_, index) => ({ op: "copy", from: "/spec", path: `/spec/copy${index}` }));
  const { results } = patch(...doubling);
  assert.equal(results.length, 1);
  assert.match(results[0]?.message ?? "", /larger than the 1.5 MiB Kubernetes stores for one object/);
  assert.match(results[0]?.field?.path ?? "", /^spec\.resourcePatches\[0\]\.patch\[\d+\]$/);
});

test("operations fast-json-patch refuses name their index; removing the whole object is refused in words", () => {
  refused(/Cannot perform the operation at a path that does not exist/, { op: "remove", path: "/spec/dnsNames/-" });
  refused(/Test operation failed/, { op: "test", path: "/kind", value: "Issuer" });
  refused(/leaves no Kubernetes object/, { op: "remove", path: "" });
  refused(/leaves no Kubernetes object/, { op: "move", from: "/spec/dnsNames/-", path: "" });
});

test("a value added twice is two values: a later change to one leaves the other", () => {
  const shared = { labels: { a: "1" } };
  const { objects, results } = patch({ op: "add", path: "/spec/secretTemplate", value: shared }, { op: "add", path: "/metadata/extra", value: shared }, { op: "replace", path: "/spec/secretTemplate/labels/a", value: "2" });
  assert.deepEqual(results, []);
  const patched = objects[0] as unknown as { metadata: { extra: unknown } };
  assert.deepEqual(patched.metadata.extra, { labels: { a: "1" } });
  assert.deepEqual(shared, { labels: { a: "1" } }, "the settings are not modified");
});
