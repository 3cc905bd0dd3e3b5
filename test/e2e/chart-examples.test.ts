/**
 * The migration guide's translations of the Helm chart's README examples, taken from docs/migrating-from-helm.md as written and
 * built by the real kubectl: each builds, is valid against the upstream schemas, and does what the chart's did.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { configToml, find, parseManifests } from "../support/manifests.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { kubectlKustomize, REPO_ROOT } from "../support/tools.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-chart-examples-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The two YAML blocks after `<!-- example: name -->`: the kustomization and the StalwartConfig of `my-mail/`. */
function example(name: string): { kustomization: string; stalwartConfig: string } {
  const guide = readFileSync(join(REPO_ROOT, "docs/migrating-from-helm.md"), "utf8");
  const after = guide.split(`<!-- example: ${name} -->`)[1];
  assert.ok(after, `docs/migrating-from-helm.md has the example ${name}`);
  const blocks = [...after.matchAll(/```yaml\n([\s\S]*?)\n```/g)].slice(0, 2).map((match) => match[1] ?? "");
  assert.match(blocks[0] ?? "", /^# my-mail\/kustomization\.yaml/);
  assert.match(blocks[1] ?? "", /^# my-mail\/stalwartconfig\.yaml/);
  return { kustomization: blocks[0] ?? "", stalwartConfig: blocks[1] ?? "" };
}

/** Lays the example out as `my-mail/` beside the repository's folders would be, and builds it. */
function build(name: string): KubeObject[] {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const { kustomization, stalwartConfig } = example(name);
  const repo = relative(dir, REPO_ROOT);
  writeFileSync(join(dir, "kustomization.yaml"), kustomization.replaceAll("- ../", `- ${repo}/`));
  writeFileSync(join(dir, "stalwartconfig.yaml"), stalwartConfig);
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

async function valid(objects: readonly KubeObject[]): Promise<Record<string, unknown>> {
  assert.deepEqual(await allSchemaProblems(objects), []);
  return flattenToml(configToml(objects));
}

test("Basic Installation: FoundationDB over TLS, the chart's hostname, DNS names and ACME account", async () => {
  const objects = build("chart-basic-installation");
  const config = await valid(objects);
  assert.equal(config["server.hostname"], "mail.example.com");
  assert.equal(config["store.foundationdb.type"] ?? config["store.foundation-db.type"], "foundationdb");
  assert.equal((find(objects, "Issuer", "stalwart-acme").spec as { acme: { privateKeySecretRef: { name: string } } }).acme.privateKeySecretRef.name, "stalwart-account-key");
  const volumes = ((find(objects, "Deployment", "stalwart").spec as { template: { spec: { volumes: { name: string }[] } } }).template.spec.volumes).map((volume) => volume.name);
  for (const volume of ["fdb-cluster-file", "fdb-client-cert", "fdb-root-ca"]) assert.ok(volumes.includes(volume), volume);
});

test("High Availability Cluster Mode: three nodes coordinated through NATS", async () => {
  const objects = build("chart-cluster");
  const config = await valid(objects);
  assert.equal((find(objects, "StatefulSet", "stalwart").spec as { replicas: number }).replicas, 3);
  assert.equal(config["cluster.coordinator"], "nats");
  assert.equal(config["store.nats.type"], "nats");
  assert.match(configToml(objects), /address = \[ "nats:\/\/nats-server:4222" \]/);
});

test("Fallback Admin, File-Based Logging and Resource Limits", async () => {
  const objects = build("chart-advanced");
  const config = await valid(objects);
  assert.equal(config["authentication.fallback-admin.user"], "%{env:STALWART_FALLBACK_ADMIN_USER}%");
  assert.equal(config["tracer.log.level"], "info");
  const container = (find(objects, "Deployment", "stalwart").spec as { template: { spec: { containers: { name: string; resources: unknown }[] } } }).template.spec.containers.find((candidate) => candidate.name === "stalwart");
  assert.deepEqual(container?.resources, { limits: { cpu: "2000m", memory: "2Gi" }, requests: { cpu: "1000m", memory: "1Gi" } });
});
