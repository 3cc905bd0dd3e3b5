/** Cluster mode as built by kubectl: node ids, scheduling, NATS and FoundationDB, and the Secrets it needs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { configToml, find, parseManifests, secretsRequired } from "../support/manifests.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { kubectlKustomize, run } from "../support/tools.ts";

function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

type Env = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } };
type Pod = { containers: { name: string; env?: Env[]; command?: string[] }[] };

/** The node id each pod of the StatefulSet gets, worked out the way the kubelet and the shell would. */
function nodeIdsOf(statefulSet: KubeObject): number[] {
  const spec = statefulSet.spec as { replicas: number; ordinals?: { start: number }; template: { spec: Pod } };
  const container = spec.template.spec.containers.find((candidate) => candidate.name === "stalwart");
  assert.ok(container);
  const first = spec.ordinals?.start ?? 0;
  return Array.from({ length: spec.replicas }, (_, offset) => {
    const index = first + offset;
    const variable = container.env?.find((env) => env.name === "STALWART_NODE_ID");
    if (variable?.valueFrom?.fieldRef?.fieldPath === "metadata.labels['apps.kubernetes.io/pod-index']") return index;
    const script = container.command?.at(-1) ?? "";
    assert.match(script, /STALWART_NODE_ID=/, "no node id source");
    // Run the component's own shell line, with the server replaced by an echo of the variable.
    const probe = script.replace(/exec \/usr\/local\/bin\/stalwart .*$/, `exec /bin/sh -c 'echo "$STALWART_NODE_ID"'`);
    const shell = run("/bin/sh", ["-c", probe], { env: { ...process.env, HOSTNAME: `stalwart-${index}` } });
    assert.equal(shell.status, 0, shell.stderr);
    return Number(shell.stdout.trim());
  });
}

function assertDistinctValidIds(ids: number[], count: number): void {
  assert.equal(ids.length, count);
  assert.equal(new Set(ids).size, ids.length, `node ids repeat: ${ids.join(", ")}`);
  for (const id of ids) assert.ok(Number.isInteger(id) && id >= 1 && id <= 511, `node id ${id} is not from 1 to 511`);
}

test("overlays/cluster: three parallel pods with distinct node ids 1 to 3, spread and protected", () => {
  const objects = build("overlays/cluster");
  const statefulSet = find(objects, "StatefulSet", "stalwart");
  const spec = statefulSet.spec as Record<string, any>;
  assert.equal(spec.replicas, 3);
  assert.equal(spec.podManagementPolicy, "Parallel");
  assert.equal(spec.serviceName, "stalwart-headless");
  assert.deepEqual(nodeIdsOf(statefulSet), [1, 2, 3]);
  assert.ok(spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution);
  assert.equal(spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
  assert.equal(spec.template.spec.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
  const headless = find(objects, "Service", "stalwart-headless").spec as Record<string, unknown>;
  assert.equal(headless.clusterIP, "None");
  assert.equal(headless.publishNotReadyAddresses, true);
  assert.equal((find(objects, "PodDisruptionBudget", "stalwart").spec as Record<string, unknown>).maxUnavailable, 1);
});

test("overlays/cluster: FoundationDB storage and NATS coordination in config.toml, no NATS credentials, one OAuth key", () => {
  const flat = flattenToml(configToml(build("overlays/cluster")));
  for (const role of ["data", "blob", "fts", "lookup"]) assert.equal(flat[`storage.${role}`], "foundationdb");
  assert.equal(flat["store.foundationdb.type"], "foundationdb");
  assert.equal(flat["store.foundationdb.cluster-file"], "/var/dynamic-conf/fdb.cluster");
  assert.equal(flat["directory.internal.store"], "foundationdb");
  assert.equal(flat["cluster.node-id"], "%{env:STALWART_NODE_ID}%");
  assert.equal(flat["cluster.coordinator"], "nats");
  assert.equal(flat["store.nats.type"], "nats");
  assert.equal(flat["store.nats.address.0000"], "nats://nats-server:4222");
  assert.equal(flat["store.nats.no-echo"], "true");
  assert.equal(flat["store.nats.tls.enable"], "false");
  assert.equal(flat["store.nats.user"], undefined);
  assert.equal(flat["store.nats.password"], undefined);
  assert.equal(Object.keys(flat).some((key) => key.startsWith("store.rocksdb")), false);
  // Every node signs sessions with the key of Secret stalwart-oauth-key, from its first start.
  assert.equal(flat["oauth.key"], "%{env:STALWART_OAUTH_KEY}%");
  const stalwart = (find(build("overlays/cluster"), "StatefulSet") as any).spec.template.spec.containers.find((container: { name: string }) => container.name === "stalwart");
  assert.deepEqual(stalwart.env.find((env: Env) => env.name === "STALWART_OAUTH_KEY")?.valueFrom, { secretKeyRef: { name: "stalwart-oauth-key", key: "oauth-key" } });
});

test("a single instance sets no OAuth key: nothing asks it for a Secret", () => {
  assert.equal(flattenToml(configToml(build("overlays/single")))["oauth.key"], undefined);
});

test("only the Secrets a feature asks for are needed: none for single, the cluster file for cluster", () => {
  assert.deepEqual(secretsRequired(build("overlays/single")), []);
  assert.deepEqual(secretsRequired(build("overlays/cluster")), ["stalwart-fdb-cluster-file", "stalwart-oauth-key"]);
  assert.deepEqual(secretsRequired(build("test/e2e/compositions/cluster-nats-auth")), ["stalwart-fdb-cluster-file", "stalwart-nats-credentials", "stalwart-oauth-key"]);
});

test("the fdb component copies the cluster file to a writable volume before Stalwart starts", () => {
  const statefulSet = find(build("overlays/cluster"), "StatefulSet") as any;
  const pod = statefulSet.spec.template.spec;
  const init = pod.initContainers.find((container: { name: string }) => container.name === "copy-fdb-cluster-file");
  assert.deepEqual(init.command, ["/bin/cp", "/var/fdb-secret/cluster-file", "/var/dynamic-conf/fdb.cluster"]);
  assert.equal(init.image, "registry.example.com/stalwart:v0.15.5-fdb");
  const stalwart = pod.containers.find((container: { name: string }) => container.name === "stalwart");
  assert.deepEqual(stalwart.env.find((env: Env) => env.name === "FDB_CLUSTER_FILE"), { name: "FDB_CLUSTER_FILE", value: "/var/dynamic-conf/fdb.cluster" });
  assert.deepEqual(pod.volumes.find((volume: { name: string }) => volume.name === "dynamic-conf"), { name: "dynamic-conf", emptyDir: {} });
});

test("NATS authentication, TLS, roles and required anti-affinity compose, over five pods", () => {
  const objects = build("test/e2e/compositions/cluster-nats-auth");
  const statefulSet = find(objects, "StatefulSet") as any;
  assertDistinctValidIds(nodeIdsOf(statefulSet), 5);
  const antiAffinity = statefulSet.spec.template.spec.affinity.podAntiAffinity;
  assert.equal(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution, undefined);
  assert.equal(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
  const flat = flattenToml(configToml(objects));
  assert.equal(flat["store.nats.user"], "%{env:NATS_USERNAME}%");
  assert.equal(flat["store.nats.password"], "%{env:NATS_PASSWORD}%");
  assert.equal(flat["store.nats.tls.enable"], "true");
  assert.equal(flat["store.nats.max-reconnects"], "100");
  assert.equal(flat["store.nats.timeout.request"], "30s");
  assert.deepEqual([flat["cluster.roles.push-notifications.0000"], flat["cluster.roles.push-notifications.0001"], flat["cluster.roles.push-notifications.0002"]], ["1,2", "3,4", "5"]);
  assert.equal(flat["cluster.roles.purge.stores.0000"], "1");
});

test("on Kubernetes older than 1.28 the node id comes from the pod name: stalwart-0 is node 1", () => {
  const statefulSet = find(build("test/e2e/compositions/cluster-old-kubernetes"), "StatefulSet") as any;
  assert.equal(statefulSet.spec.ordinals, undefined);
  assert.deepEqual(nodeIdsOf(statefulSet), [1, 2, 3]);
});

test("the fdb component on the single instance leaves no RocksDB volume or claim behind", () => {
  const objects = build("test/e2e/compositions/single-fdb");
  assert.equal(objects.some((object) => object.kind === "PersistentVolumeClaim"), false);
  const pod = (find(objects, "Deployment").spec as any).template.spec;
  assert.equal(pod.volumes.some((volume: { name: string }) => volume.name === "data"), false);
  const flat = flattenToml(configToml(objects));
  assert.equal(flat["store.foundationdb.compression"], "none");
  assert.equal(flat["store.foundationdb.transaction.timeout"], "5s");
  assert.equal(flat["store.foundationdb.transaction.retry-limit"], "10");
  assert.equal(flat["store.foundationdb.transaction.max-retry-delay"], "1s");
  assert.equal(flat["store.foundationdb.ids.datacenter"], "dc1");
  assert.equal(flat["cluster.node-id"], undefined);
});
