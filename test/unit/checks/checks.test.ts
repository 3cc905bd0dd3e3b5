import assert from "node:assert/strict";
import { test } from "node:test";
import { checkListenerPorts, checkListeners } from "../../../src/checks/listeners.ts";
import { checkProbes } from "../../../src/checks/probes.ts";
import { checkStorage } from "../../../src/checks/storage.ts";
import { findWorkload, type Workload } from "../../../src/render/workload.ts";
import type { KubeObject } from "../../../src/kube.ts";
import { workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";

function deployment(edit: (pod: Record<string, any>, spec: Record<string, any>) => void = () => {}): Workload {
  const object = workloadOf();
  const spec = object.spec as Record<string, any>;
  edit(spec.template.spec, spec);
  const { workload } = findWorkload([object]);
  assert.ok(workload);
  return workload;
}

test("the base workload and listeners pass every check", () => {
  const settings = settingsFor({});
  const workload = deployment();
  assert.deepEqual([...checkListeners(settings), ...checkListenerPorts(settings, workload), ...checkProbes(settings, workload), ...checkStorage(settings, workload)], []);
});

test("two listeners on one port are refused", () => {
  const results = checkListeners(settingsFor({ listeners: { submission: { port: 25 } } }));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.listeners.submission.port");
  assert.match(results[0]?.message ?? "", /port 25 is already taken by listener "smtp"/);
});

test("an http listener cannot use STARTTLS", () => {
  const results = checkListeners(settingsFor({ listeners: { http: { tls: "starttls" } } }));
  assert.equal(results[0]?.field?.path, "spec.listeners.http.tls");
  assert.equal(results[0]?.field?.proposedValue, "implicit");
});

test("a listener port that differs from its container port is an error; a missing one a warning", () => {
  const settings = settingsFor({ listeners: { smtp: { port: 2525 }, lmtp: { protocol: "lmtp", port: 24 } } });
  const results = checkListenerPorts(settings, deployment());
  const error = results.find((result) => result.severity === "error");
  assert.equal(error?.field?.path, "spec.listeners.smtp.port");
  assert.match(error?.message ?? "", /container port "smtp" is 25 but listener "smtp" binds 2525/);
  const warning = results.find((result) => result.severity === "warning");
  assert.match(warning?.message ?? "", /listener "lmtp" has no container port named "lmtp"/);
});

test("a container port left behind by a disabled listener is a warning", () => {
  const results = checkListenerPorts(settingsFor({ listeners: { pop3: { enabled: false } } }), deployment());
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "warning");
  assert.match(results[0]?.message ?? "", /container port "pop3" belongs to listener "pop3", which is disabled/);
});

test("a loopback listener needs no container port; one with a port a Service could target is a warning", () => {
  assert.deepEqual(checkListenerPorts(settingsFor({}), deployment()), [], "the probe listener has no container port, rightly");
  const results = checkListenerPorts(settingsFor({ listeners: { http: { bind: "loopback" } } }), deployment());
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "warning");
  assert.equal(results[0]?.field?.path, "spec.listeners.http.bind");
  assert.match(results[0]?.message ?? "", /listener "http" binds loopback only, so the container port "http" leads nowhere/);
});

test("probes must reach an enabled plain HTTP listener", () => {
  const results = checkProbes(settingsFor({ listeners: { probe: { enabled: false } } }), deployment());
  assert.equal(results.length, 3);
  assert.match(results[0]?.message ?? "", /the livenessProbe asks for plain HTTP on 127.0.0.1:8081, which no enabled http listener serves; enable the `probe` listener/);
  assert.deepEqual(checkProbes(settingsFor({ listeners: { http: { enabled: false } } }), deployment()), [], "the base's probes do not use the http listener");
  // The kubelet's own httpGet reaches the pod's addresses, never a loopback listener.
  const httpGet = deployment((pod) => (pod.containers.find((container: { name: string }) => container.name === "stalwart").readinessProbe = { httpGet: { path: "/healthz/ready", port: 8081 } }));
  assert.match(checkProbes(settingsFor({}), httpGet)[0]?.message ?? "", /the readinessProbe asks for plain HTTP on port 8081, which no enabled http listener bound to all addresses serves/);
  const onHttp = deployment((pod) => (pod.containers.find((container: { name: string }) => container.name === "stalwart").readinessProbe = { httpGet: { path: "/healthz/ready", port: "http" } }));
  assert.deepEqual(checkProbes(settingsFor({}), onHttp), []);
});

test("RocksDB needs a writable mount at its path", () => {
  const results = checkStorage(settingsFor({ storage: { rocksdb: { path: "/var/lib/stalwart" } } }), deployment());
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.storage.rocksdb.path");
  const readOnly = checkStorage(settingsFor({}), deployment((pod) => (pod.containers.find((container: { name: string }) => container.name === "stalwart").volumeMounts.find((mount: { name: string }) => mount.name === "data").readOnly = true)));
  assert.match(readOnly[0]?.message ?? "", /no writable volume is mounted at or above the RocksDB path/);
});

test("RocksDB on an emptyDir is a warning: the mailboxes would not survive the pod", () => {
  const results = checkStorage(settingsFor({}), deployment((pod) => (pod.volumes = pod.volumes.map((volume: { name: string }) => (volume.name === "data" ? { name: "data", emptyDir: {} } : volume)))));
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "warning");
});

test("RocksDB cannot serve more than one replica", () => {
  const results = checkStorage(settingsFor({}), deployment((_, spec) => (spec.replicas = 2)));
  assert.equal(results[0]?.field?.path, "spec.replicas");
  assert.match(results[0]?.message ?? "", /RocksDB is embedded in one pod, but the Deployment runs 2 replicas/);
});

test("no workload, or two, is an error that says what to include", () => {
  assert.match(findWorkload([]).results[0]?.message ?? "", /must include a Deployment \(base\/single\) or StatefulSet \(base\/cluster\)/);
  const object: KubeObject = workloadOf();
  const twin = { ...object, metadata: { ...object.metadata, name: "stalwart-2" } };
  assert.match(findWorkload([object, twin]).results[0]?.message ?? "", /more than one Stalwart workload/);
});
