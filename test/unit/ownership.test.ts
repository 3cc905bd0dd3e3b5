/** What the function owns: only what this StalwartConfig generated, only the Service the bases mark, one StalwartConfig per instance. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { transform } from "../../src/transform.ts";
import { overlayInput, stalwartConfig } from "../support/fixtures.ts";

const acme = { acmeDns: { host: "https://acme-dns.example.com", accountSecretRef: { name: "acme-dns", key: "acmedns.json" } } };
const withAcme = stalwartConfig({ hostname: "mail.example.com", tls: { acme } });
const withIssuerRef = stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "ca" } } });
const errors = (output: ReturnType<typeof transform>) => output.results.filter((result) => result.severity === "error").map((result) => result.message);
const issuer = (annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name: "stalwart-acme", ...(annotations ? { annotations } : {}) },
  spec: { selfSigned: {} },
});

test("a user's object with a generated object's name is a collision naming both, and nothing changes", () => {
  const input = [...overlayInput(), issuer({ "internal.config.kubernetes.io/path": "issuer.yaml" })];
  const output = transform({ items: input, functionConfig: withAcme });
  assert.match(errors(output).join("\n"), /generates Issuer "stalwart-acme" for this instance, and the input already has one \(this StalwartConfig did not generate it\)/);
  assert.equal(output.results[0]?.file?.path, "issuer.yaml");
  assert.deepEqual(output.items, input);
});

test("the old `generated: \"true\"` mark proves nothing: a collision, with the way out", () => {
  const output = transform({ items: [...overlayInput(), issuer({ "stalwart.krm.example/generated": "true" })], functionConfig: withAcme });
  assert.match(errors(output).join("\n"), /mark of an earlier version of this function.*delete it/);
});

test("an object another StalwartConfig generated is neither replaced nor pruned", () => {
  const foreign = issuer({ "stalwart.krm.example/generated-by": "other" });
  const collision = transform({ items: [...overlayInput(), foreign], functionConfig: withAcme, mayHoldEarlierOutput: true });
  assert.match(errors(collision).join("\n"), /StalwartConfig "other" generated it, not "stalwart"/);
  const output = transform({ items: [...overlayInput(), foreign], functionConfig: withIssuerRef, mayHoldEarlierOutput: true });
  assert.deepEqual(errors(output), []);
  assert.ok(output.items.includes(foreign), "passed through");
});

test("a mark prunes nothing under kustomize, nor on kinds the function never generates", () => {
  const marked = { "stalwart.krm.example/generated-by": "stalwart" };
  const mine = { ...issuer(marked), metadata: { name: "mine", annotations: marked } };
  const deployment: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "other-app", annotations: marked }, spec: {} };
  const kustomize = transform({ items: [...overlayInput(), mine], functionConfig: withIssuerRef });
  assert.ok(kustomize.items.includes(mine), "kustomize builds from sources: nothing in them is the function's output");
  const kpt = transform({ items: [...overlayInput(), mine, deployment], functionConfig: withIssuerRef, mayHoldEarlierOutput: true });
  assert.equal(kpt.items.includes(mine), false, "kpt: the Issuer this StalwartConfig generated earlier goes");
  assert.ok(kpt.items.includes(deployment), "a Deployment is never the function's to remove");
  const legacy = transform({ items: [...overlayInput(), { ...mine, metadata: { name: "mine", annotations: { "stalwart.krm.example/generated": "true" } } }], functionConfig: withIssuerRef, mayHoldEarlierOutput: true });
  assert.ok(legacy.items.some((item) => item.metadata.name === "mine"), "the old mark prunes nothing");
});

test("under kustomize, a copy of generated output among the sources is a collision", () => {
  const output = transform({ items: [...overlayInput(), issuer({ "stalwart.krm.example/generated-by": "stalwart" })], functionConfig: withAcme });
  assert.match(errors(output).join("\n"), /a copy of generated output among them is a second object: remove it/);
});

test("only the Service the bases mark is shaped; a user's relay Service on 587 stays as written", () => {
  const relay: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "relay", labels: { "app.kubernetes.io/name": "stalwart" } },
    spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "stalwart" }, ports: [{ name: "submission", port: 587, targetPort: "submission" }] },
  };
  const output = transform({ items: [...overlayInput(), relay], functionConfig: stalwartConfig({ hostname: "mail.example.com", service: { type: "NodePort" }, tls: { issuerRef: { name: "ca" } } }) });
  assert.deepEqual(errors(output), []);
  assert.equal(output.items.find((item) => item.metadata.name === "relay"), relay);
  assert.equal((output.items.find((item) => item.kind === "Service" && item.metadata.name === "stalwart")?.spec as { type: string }).type, "NodePort");
});

test("a second StalwartConfig on a workload one already configured is refused under kustomize", () => {
  const once = transform({ items: overlayInput(), functionConfig: withAcme });
  const second = transform({ items: once.items, functionConfig: stalwartConfig({ hostname: "other.example.com" }, "second") });
  assert.match(errors(second).join("\n"), /StalwartConfig "stalwart" already configured this Deployment, and StalwartConfig "second" would silently replace its settings/);
  const again = transform({ items: once.items, functionConfig: withAcme });
  assert.match(errors(again).join("\n"), /already configured/, "kustomize never feeds output back: the same name twice is two transformers");
  assert.deepEqual(errors(transform({ items: once.items, functionConfig: withAcme, mayHoldEarlierOutput: true })), [], "kpt re-renders its own output");
  assert.match(errors(transform({ items: once.items, functionConfig: stalwartConfig({ hostname: "x.example.com" }, "second"), mayHoldEarlierOutput: true })).join("\n"), /already configured/);
});

test("the placeholder key goes, other files in the ConfigMap stay", () => {
  const input = overlayInput().map((item) => (item.kind === "ConfigMap" ? { ...item, data: { ...(item.data as Record<string, string>), "extra.txt": "kept" } } : item));
  const output = transform({ items: input, functionConfig: withIssuerRef });
  const data = output.items.find((item) => item.kind === "ConfigMap")?.data as Record<string, string>;
  assert.deepEqual(Object.keys(data), ["extra.txt", "config.toml"]);
});

test("a generated name longer than Kubernetes allows fails here, naming the object", () => {
  const input = overlayInput().map((item) =>
    item.kind === "Deployment"
      ? { ...item, metadata: { ...item.metadata, name: `${"p".repeat(60)}-stalwart`, annotations: { ...item.metadata.annotations, "internal.config.kubernetes.io/previousNames": "stalwart", "internal.config.kubernetes.io/prefixes": `${"p".repeat(60)}-` } } }
      : item,
  );
  const output = transform({ items: input, functionConfig: stalwartConfig({ hostname: "mail.example.com", tls: { acme }, service: { adminService: { enabled: true } } }) });
  assert.match(errors(output).join("\n"), /the generated Service "p{60}-stalwart-admin" is 75 characters long, and a Service name may have at most 63/);
});
