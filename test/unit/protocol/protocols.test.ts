import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { runLegacyPlugin } from "../../../src/protocol/legacy-plugin.ts";
import { runResourceList } from "../../../src/protocol/resource-list.ts";
import { REPO_ROOT } from "../../support/tools.ts";
import { kustomizeInput } from "../../support/kustomize-input.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const stream = kustomizeInput("overlays/single");
const documents = stream.split(/^---\n/m);
const config = read("overlays/single/stalwartconfig.yaml");

function resourceList(items: string, functionConfig = config): string {
  const indent = (text: string) => text.replace(/^(?!#)/gm, "    ").replace(/^    $/gm, "");
  const docs = items.split(/^---\n/m).map((doc) => `  - ${indent(doc).trimStart()}`);
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${docs.join("")}functionConfig:\n${indent(functionConfig)}`;
}

test("legacy: the stream comes back with config.toml filled in", () => {
  const outcome = runLegacyPlugin({ configText: config, streamText: stream, configSource: "stalwartconfig.yaml" });
  assert.deepEqual(outcome.results.filter((result) => result.severity === "error"), []);
  assert.match(outcome.output, /config\.toml: \|/);
  // plus the Issuer and Certificate of the overlay's `spec.tls`
  assert.equal(outcome.output.split(/^---$/m).length, documents.length + 2);
});

test("KRM: a ResourceList comes back with the same items, changed where owned", () => {
  const outcome = runResourceList(resourceList(stream));
  const list = parse(outcome.output) as { kind: string; items: { kind: string }[]; results: { severity: string }[] };
  assert.equal(list.kind, "ResourceList");
  assert.deepEqual(list.items.map((item) => item.kind), ["ServiceAccount", "Service", "ConfigMap", "StalwartConfig", "Deployment", "PersistentVolumeClaim", "StalwartConfig", "Issuer", "Certificate"]);
  assert.equal(list.results.at(-1)?.severity, "info");
});

test("an item the function does not own is written back byte for byte, comments and octal modes included", () => {
  const service = "# why this Service\napiVersion: v1\nkind: Service\nmetadata:\n  name: other # trailing\n  labels:\n    flag: \"yes\"\nspec:\n  ports:\n    - port: 0644\n";
  const outcome = runLegacyPlugin({ configText: config, streamText: `${stream}---\n${service}`, configSource: "c" });
  assert.ok(outcome.output.includes(service.replace("    - port", "  - port")) || outcome.output.includes(service), outcome.output.slice(-400));
});

test("a changed item keeps what was not changed as it was written", () => {
  const original = documents.find((doc) => /^kind: Deployment$/m.test(doc)) ?? "";
  const deployment = original.replace("  strategy:\n", "  # one at a time\n  strategy:\n").replace("      volumes:\n", "      volumes:\n      - name: extra\n        secret:\n          secretName: x\n          defaultMode: 0440\n");
  assert.notEqual(deployment, original);
  const outcome = runLegacyPlugin({ configText: config, streamText: stream.replace(original, deployment), configSource: "c" });
  assert.match(outcome.output, /defaultMode: 0440/);
  assert.match(outcome.output, /# one at a time/);
  assert.match(outcome.output, /stalwart\.krm\.example\/config-checksum: [0-9a-f]{64}/);
});

test("strings YAML 1.1 reads as booleans stay quoted in what the function writes", () => {
  const labelled = documents
    .filter((doc) => !/^kind: ConfigMap$/m.test(doc))
    .join("---\n")
    .replace("  labels:\n    app.kubernetes.io/name: stalwart\n  name: stalwart\nspec:\n  replicas", '  labels:\n    app.kubernetes.io/name: stalwart\n    backup: "on"\n  name: stalwart\nspec:\n  replicas');
  assert.match(labelled, /backup: "on"/);
  const outcome = runLegacyPlugin({ configText: config, streamText: labelled, configSource: "c" });
  const configMap = outcome.output.split(/^---$/m).find((doc) => /^kind: ConfigMap$/m.test(doc)) ?? "";
  assert.match(configMap, /kind: ConfigMap/);
  assert.match(configMap, /backup: "on"/);
});

test("invalid YAML names the input, line and column", () => {
  const outcome = runLegacyPlugin({ configText: "spec:\n  version: '0.15'\n  hostname: [unclosed\n", streamText: stream, configSource: "overlays/x/stalwartconfig.yaml" });
  assert.equal(outcome.results[0]?.severity, "error");
  assert.match(outcome.results[0]?.message ?? "", /^overlays\/x\/stalwartconfig.yaml is not valid YAML at line \d+, column \d+/);
});

test("legacy: an empty stream is an error, not an empty success", () => {
  const outcome = runLegacyPlugin({ configText: config, streamText: "", configSource: "c" });
  assert.equal(outcome.results.length, 1);
  assert.match(outcome.results[0]?.message ?? "", /the resource stream on stdin is empty/);
});

test("KRM: empty stdin and a bare stream are errors with a ResourceList still written", () => {
  for (const input of ["", stream]) {
    const outcome = runResourceList(input);
    assert.equal(outcome.results[0]?.severity, "error");
    assert.equal((parse(outcome.output) as { kind: string }).kind, "ResourceList");
  }
});

test("KRM: an item that is not a Kubernetes object is named by its index", () => {
  const outcome = runResourceList("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- just: text\n");
  assert.match(outcome.results[0]?.message ?? "", /items\[0\] of the ResourceList is not a Kubernetes object/);
});

test("KRM: no functionConfig and no fragments is an error", () => {
  const deployment = documents.find((doc) => /^kind: Deployment$/m.test(doc)) ?? "";
  const outcome = runResourceList(resourceList(deployment).replace(/functionConfig:[\s\S]*$/, ""));
  assert.match(outcome.results[0]?.message ?? "", /no StalwartConfig found/);
});
