import assert from "node:assert/strict";
import { test } from "node:test";
import { checkCluster } from "../../../src/checks/cluster.ts";
import { checkStorage } from "../../../src/checks/storage.ts";
import { findWorkload, type Workload } from "../../../src/render/workload.ts";
import { workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";

const nats = { nats: { addresses: ["nats://nats:4222"] } };

function workload(overlay: string, edit: (spec: Record<string, any>, container: Record<string, any>) => void = () => {}): Workload {
  const object = workloadOf(overlay);
  const spec = object.spec as Record<string, any>;
  edit(spec, spec.template.spec.containers.find((container: { name: string }) => container.name === "stalwart"));
  const found = findWorkload([object]).workload;
  assert.ok(found);
  return found;
}

const messages = (results: { message: string }[]) => results.map((result) => result.message).join("\n");

test("the cluster overlay passes its checks", () => {
  const settings = settingsFor({ cluster: nats, storage: { backend: "foundationdb" } });
  assert.deepEqual([...checkCluster(settings, workload("overlays/cluster")), ...checkStorage(settings, workload("overlays/cluster"))], []);
});

test("cluster settings on a Deployment are refused, naming base/cluster", () => {
  const results = checkCluster(settingsFor({ cluster: nats }), workload("overlays/single"));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.cluster");
  assert.match(results[0]?.message ?? "", /needs the StatefulSet of base\/cluster/);
});

test("pods numbered from 0 would give node id 0: refused with the fix", () => {
  const results = checkCluster(settingsFor({ cluster: nats }), workload("overlays/cluster", (spec) => delete spec.ordinals));
  assert.equal(results[0]?.field?.path, "spec.ordinals.start");
  assert.equal(results[0]?.field?.proposedValue, 1);
});

test("node ids above 511 are refused", () => {
  const results = checkCluster(settingsFor({ cluster: nats }), workload("overlays/cluster", (spec) => (spec.replicas = 512)));
  assert.match(messages(results), /the last pod would get node id 512, but Stalwart node ids go from 1 to 511/);
});

test("a StatefulSet without a node id variable is refused", () => {
  const results = checkCluster(settingsFor({ cluster: nats }), workload("overlays/cluster", (_, container) => delete container.env));
  assert.match(messages(results), /each pod needs its own node id in the variable STALWART_NODE_ID/);
});

test("roles naming nodes that do not exist are a warning", () => {
  const results = checkCluster(settingsFor({ cluster: { ...nats, roles: { pushNotifications: [[1, 2], [7]] } } }), workload("overlays/cluster"));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "warning");
  assert.equal(results[0]?.field?.path, "spec.cluster.roles.pushNotifications");
  assert.match(results[0]?.message ?? "", /node 7 is not among the StatefulSet's pods \(node ids 1, 2, 3\)/);
});

test("NATS authentication needs the nats-auth component; its variables without authentication are a warning", () => {
  const missing = checkCluster(settingsFor({ cluster: { nats: { ...nats.nats, auth: { enabled: true } } } }), workload("overlays/cluster"));
  assert.match(messages(missing), /add the component overlays\/components\/nats-auth/);
  const stray = checkCluster(settingsFor({ cluster: nats }), workload("overlays/cluster", (_, container) => container.env.push({ name: "NATS_USERNAME", value: "x" })));
  assert.equal(stray[0]?.severity, "warning");
  assert.match(stray[0]?.message ?? "", /remove the component "nats-auth"/);
});

test("several replicas on FoundationDB without clustering would be uncoordinated: refused", () => {
  const results = checkCluster(settingsFor({ storage: { backend: "foundationdb" } }), workload("overlays/single", (spec) => (spec.replicas = 2)));
  assert.match(messages(results), /2 replicas without `spec.cluster` would run uncoordinated nodes/);
});

test("FoundationDB without the fdb component, or on the official image, is refused naming the fix", () => {
  const results = checkStorage(settingsFor({ storage: { backend: "foundationdb" } }), workload("overlays/single"));
  assert.match(messages(results), /add the component overlays\/components\/fdb/);
  assert.match(messages(results), /image "stalwartlabs\/stalwart:v0.15.5" has no FoundationDB support/);
});

test("a cluster file on a read-only or persistent path is refused", () => {
  const results = checkStorage(
    settingsFor({ storage: { backend: "foundationdb" } }),
    workload("overlays/cluster", (_, container) => (container.env.find((env: { name: string }) => env.name === "FDB_CLUSTER_FILE").value = "/opt/stalwart/etc/fdb.cluster")),
  );
  assert.match(messages(results), /FDB_CLUSTER_FILE is "\/opt\/stalwart\/etc\/fdb.cluster", which is not on a writable emptyDir volume/);
});

test("the fdb component's plumbing with RocksDB storage is a warning naming the component", () => {
  const results = checkStorage(settingsFor({}), workload("overlays/single", (_, container) => (container.env = [{ name: "FDB_CLUSTER_FILE", value: "/var/dynamic-conf/fdb.cluster" }])));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "warning");
  assert.match(results[0]?.message ?? "", /remove the component "fdb"/);
});

test("base/cluster without the fdb component points at it", () => {
  const results = checkStorage(settingsFor({ cluster: nats }), workload("overlays/cluster", (_, container) => (container.env = container.env.filter((env: { name: string }) => env.name !== "FDB_CLUSTER_FILE"))));
  assert.match(messages(results), /StatefulSet runs 3 replicas; store the data in FoundationDB: add the component overlays\/components\/fdb/);
});
