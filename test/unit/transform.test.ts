import assert from "node:assert/strict";
import { test } from "node:test";
import { transform } from "../../src/transform.ts";
import { CONFIG_CHECKSUM_ANNOTATION, type KubeObject } from "../../src/kube.ts";
import { overlayInput, readObject, singleBaseItems, stalwartConfig } from "../support/fixtures.ts";
import { flattenToml } from "../support/stalwart-toml.ts";

const user = stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "letsencrypt" } } });

function configMapOf(items: readonly KubeObject[]): KubeObject {
  const found = items.find((item) => item.kind === "ConfigMap");
  assert.ok(found);
  return found;
}

function podAnnotations(items: readonly KubeObject[]): Record<string, string> {
  const deployment = items.find((item) => item.kind === "Deployment") as any;
  return deployment.spec.template.metadata.annotations ?? {};
}

test("fills the ConfigMap the workload mounts and stamps the checksum on the pod template", () => {
  const output = transform({ items: singleBaseItems(), functionConfig: user });
  assert.equal(output.results.filter((result) => result.severity !== "info").length, 0);
  const toml = (configMapOf(output.items).data as Record<string, string>)["config.toml"] as string;
  assert.equal(flattenToml(toml)["server.hostname"], "mail.example.com");
  assert.match(podAnnotations(output.items)[CONFIG_CHECKSUM_ANNOTATION] ?? "", /^[0-9a-f]{64}$/);
  assert.equal(output.results.at(-1)?.severity, "info");
});

test("passes every other item through untouched, in order, fragments included", () => {
  const input = singleBaseItems();
  const output = transform({ items: input, functionConfig: user });
  const names = (items: readonly KubeObject[]) => items.map((item) => `${item.kind}/${item.metadata.name}`);
  assert.deepEqual(names(output.items), [...names(input), "Certificate/stalwart-tls"], "input order kept, generated objects appended");
  for (const [index, item] of input.entries()) {
    if (item.kind !== "ConfigMap" && item.kind !== "Deployment") assert.equal(output.items[index], item);
  }
});

test("drops the empty initContainers and env the bases give for components to append to, and keeps filled ones", () => {
  const podOf = (items: readonly KubeObject[]) => (items.find((item) => item.kind === "Deployment" || item.kind === "StatefulSet") as any).spec.template.spec;
  const input = singleBaseItems();
  assert.deepEqual([podOf(input).initContainers, podOf(input).containers[0].env], [[], []], "base/single gives both, empty");
  const single = podOf(transform({ items: input, functionConfig: user }).items);
  assert.equal("initContainers" in single, false);
  assert.equal("env" in single.containers[0], false);
  const filled = podOf(transform({ items: overlayInput("overlays/cluster"), functionConfig: readObject("overlays/cluster/stalwartconfig.yaml") }).items);
  assert.deepEqual(filled.initContainers.map((container: { name: string }) => container.name), ["copy-fdb-cluster-file"]);
  assert.ok(filled.containers[0].env.length > 0);
});

test("a second run on its own output changes nothing", () => {
  const once = transform({ items: singleBaseItems(), functionConfig: user });
  const twice = transform({ items: once.items, functionConfig: user, mayHoldEarlierOutput: true });
  assert.deepEqual(twice.items, once.items);
});

test("a changed setting changes the checksum", () => {
  const a = transform({ items: singleBaseItems(), functionConfig: user });
  const b = transform({ items: singleBaseItems(), functionConfig: stalwartConfig({ hostname: "mx.example.org" }) });
  assert.notEqual(podAnnotations(a.items)[CONFIG_CHECKSUM_ANNOTATION], podAnnotations(b.items)[CONFIG_CHECKSUM_ANNOTATION]);
});

test("creates the ConfigMap in the workload's namespace when no placeholder exists", () => {
  const items = singleBaseItems()
    .filter((item) => item.kind !== "ConfigMap")
    .map((item) => ({ ...item, metadata: { ...item.metadata, namespace: "mail" } }));
  const output = transform({ items, functionConfig: user });
  const configMap = configMapOf(output.items);
  assert.equal(configMap.metadata.namespace, "mail");
  assert.deepEqual(configMap.metadata.labels, { "app.kubernetes.io/name": "stalwart" });
  assert.equal(output.items.at(-2), configMap, "appended, before the generated Certificate");
});

test("the user's StalwartConfig wins over the fragments", () => {
  const output = transform({ items: singleBaseItems(), functionConfig: stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "letsencrypt" } }, tracer: { console: { level: "trace" } } }) });
  const toml = (configMapOf(output.items).data as Record<string, string>)["config.toml"] as string;
  assert.equal(flattenToml(toml)["tracer.console.level"], "trace");
});

test("with an error nothing changes", () => {
  const input = singleBaseItems();
  const output = transform({ items: input, functionConfig: stalwartConfig({ hostname: "mail.example.com", listeners: { smtp: { port: 0 } } }) });
  assert.deepEqual(output.items, input);
  assert.equal(output.results[0]?.severity, "error");
});

test("no StalwartConfig anywhere is an error that says where to put one", () => {
  const output = transform({ items: singleBaseItems().filter((item) => item.kind !== "StalwartConfig") });
  assert.equal(output.results.length, 1);
  assert.match(output.results[0]?.message ?? "", /no StalwartConfig found/);
});

test("a StalwartConfig item without the local-config annotation is refused", () => {
  const items = singleBaseItems().map((item) => (item.kind === "StalwartConfig" ? { ...item, metadata: { name: item.metadata.name } } : item));
  const output = transform({ items, functionConfig: user });
  assert.equal(output.results.filter((result) => result.severity === "error").length, 2);
  assert.match(output.results[0]?.message ?? "", /must be annotated `config.kubernetes.io\/local-config: "true"`/);
});

test("a functionConfig of another kind is refused", () => {
  const output = transform({ items: singleBaseItems(), functionConfig: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "function-input" } } });
  assert.match(output.results[0]?.message ?? "", /must be configured by a StalwartConfig/);
});
