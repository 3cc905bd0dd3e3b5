import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../../../src/kube.ts";
import { COMMAND_016, wireWorkload016, type Workload016Input } from "../../../../src/render/v016/workload.ts";
import { allSchemaProblems } from "../../../support/kube-schemas.ts";
import { typeProblems } from "../../../support/typed-models.ts";
import { restrictedViolations } from "../../../support/pod-security.ts";
import { workloadOf } from "../../../support/fixtures.ts";

type Obj = Record<string, any>;

const OVERLAYS = ["overlays/single", "overlays/cluster"] as const;
const full: Workload016Input = {
  publicUrl: "https://mail.example.com",
  secretEnv: [{ name: "STALWART_DB_PASSWORD", secretKeyRef: { name: "stalwart-db", key: "password" } }],
};
const inputs: Workload016Input[] = [{}, full, { ...full, probePort: 8090 }];

const wire = (object: KubeObject, input: Workload016Input = {}) => {
  const wired = wireWorkload016(object, input);
  assert.deepEqual(wired.results, []);
  return wired.object as Obj & KubeObject;
};
const podOf = (object: Obj) => object.spec.template.spec as Obj;
const stalwartOf = (object: Obj) => (podOf(object).containers as Obj[]).find((container) => container.name === "stalwart")!;
const mountOf = (object: Obj, name: string) => (stalwartOf(object).volumeMounts as Obj[]).find((mount) => mount.name === name);
const envOf = (object: Obj, name: string) => ((stalwartOf(object).env ?? []) as Obj[]).filter((variable) => variable.name === name);
const probeScripts = (object: Obj) => ["startupProbe", "livenessProbe", "readinessProbe"].map((name) => (stalwartOf(object)[name].exec.command as string[]).join(" "));

test("the wired workloads of both bases are valid against the upstream schemas and their typed models", async () => {
  for (const overlay of OVERLAYS) {
    for (const input of inputs) {
      const objects = [wire(workloadOf(overlay), input)];
      assert.deepEqual(await allSchemaProblems(objects), [], overlay);
      assert.deepEqual(typeProblems(objects), [], overlay);
    }
  }
});

test("Pod Security restricted holds, and it lets the container add NET_BIND_SERVICE after dropping ALL", () => {
  for (const overlay of OVERLAYS) {
    const wired = wire(workloadOf(overlay), full);
    assert.deepEqual(restrictedViolations(wired), [], overlay);
    assert.deepEqual(stalwartOf(wired).securityContext.capabilities, { drop: ["ALL"], add: ["NET_BIND_SERVICE"] });
    const pod = podOf(wired).securityContext;
    assert.deepEqual([pod.runAsUser, pod.runAsGroup, pod.fsGroup], [2000, 2000, 2000]);
  }
  // The checker does see capabilities: one more than restricted allows is a violation.
  const wider = wire(workloadOf());
  stalwartOf(wider).securityContext.capabilities.add.push("CHOWN");
  assert.equal(restrictedViolations(wider).length, 1);
});

test("command, config and data paths, probes on the http listener", () => {
  for (const overlay of OVERLAYS) {
    const wired = wire(workloadOf(overlay));
    assert.deepEqual(stalwartOf(wired).command, [...COMMAND_016]);
    assert.deepEqual(stalwartOf(wired).command, ["/usr/local/bin/stalwart", "--config", "/etc/stalwart/config/config.json"]);
    assert.deepEqual(mountOf(wired, "config"), { name: "config", mountPath: "/etc/stalwart/config", readOnly: true });
    assert.equal(mountOf(wired, "tmp")?.mountPath, "/tmp");
    assert.equal(mountOf(wired, "tls")?.mountPath, "/etc/stalwart/tls");
    for (const script of probeScripts(wired)) {
      assert.match(script, /\/dev\/tcp\/127\.0\.0\.1\/8080 /);
      assert.doesNotMatch(script, /8081/);
    }
    assert.match(probeScripts(wired)[2]!, /GET \/healthz\/ready /);
    for (const script of probeScripts(wire(workloadOf(overlay), { probePort: 8090 }))) assert.match(script, /\/dev\/tcp\/127\.0\.0\.1\/8090 /);
  }
  assert.deepEqual(mountOf(wire(workloadOf("overlays/single")), "data"), { name: "data", mountPath: "/var/lib/stalwart" });
  assert.equal(mountOf(wire(workloadOf("overlays/cluster")), "data"), undefined);
});

test("the input is not changed, and wiring the output again gives the same object", () => {
  for (const overlay of OVERLAYS) {
    for (const input of inputs) {
      const original = workloadOf(overlay);
      const before = structuredClone(original);
      const once = wire(original, input);
      assert.deepEqual(original, before, overlay);
      assert.notDeepEqual(once, before);
      const snapshot = structuredClone(once);
      assert.deepEqual(wire(once, input), once, overlay);
      assert.deepEqual(once, snapshot);
    }
  }
});

test("other containers and init containers are left alone", () => {
  const original = workloadOf("overlays/cluster") as Obj & KubeObject;
  const sidecar = { name: "sidecar", image: "busybox", command: ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081"], volumeMounts: [{ name: "config", mountPath: "/cfg" }] };
  const init = { name: "init", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/opt/stalwart/data" }] };
  podOf(original).containers.push(structuredClone(sidecar));
  podOf(original).initContainers = [structuredClone(init)];
  const others = (object: Obj) => (podOf(object).containers as Obj[]).filter((container) => container.name !== "stalwart");
  const before = structuredClone(others(original));
  assert.ok(before.length >= 2);
  const wired = wire(original, full);
  assert.deepEqual(others(wired), before);
  assert.deepEqual(podOf(wired).initContainers, [init]);
});

test("a fixed STALWART_HOSTNAME on more than one replica is refused, naming the field and the fix", () => {
  const cluster = workloadOf("overlays/cluster") as Obj & KubeObject;
  assert.ok(cluster.spec.replicas > 1);
  stalwartOf(cluster).env.push({ name: "STALWART_HOSTNAME", value: "mail.example.com" });
  const { results } = wireWorkload016(cluster, {});
  assert.equal(results.length, 1);
  assert.equal(results[0]!.severity, "error");
  assert.equal(results[0]!.field?.path, "spec.template.spec.containers[name=stalwart].env[name=STALWART_HOSTNAME].value");
  assert.match(results[0]!.message, /node id/);
  assert.match(results[0]!.message, /fieldPath: metadata\.name/);
  assert.deepEqual(results[0]!.resourceRef, { apiVersion: "apps/v1", kind: "StatefulSet", name: cluster.metadata.name, ...(cluster.metadata.namespace ? { namespace: cluster.metadata.namespace } : {}) });

  // From the pod's name, or on a single replica, it is accepted.
  const fromPodName = workloadOf("overlays/cluster") as Obj & KubeObject;
  stalwartOf(fromPodName).env.push({ name: "STALWART_HOSTNAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
  wire(fromPodName);
  const single = workloadOf("overlays/single") as Obj & KubeObject;
  assert.equal(single.spec.replicas, 1);
  stalwartOf(single).env.push({ name: "STALWART_HOSTNAME", value: "mail.example.com" });
  wire(single);
});

test("the public URL as a value, the secret variables only by secretKeyRef, replacing same-named ones", () => {
  for (const overlay of OVERLAYS) {
    const original = workloadOf(overlay) as Obj & KubeObject;
    stalwartOf(original).env.push({ name: "STALWART_DB_PASSWORD", value: "plain" });
    const wired = wire(original, full);
    assert.deepEqual(envOf(wired, "STALWART_PUBLIC_URL"), [{ name: "STALWART_PUBLIC_URL", value: "https://mail.example.com" }]);
    assert.deepEqual(envOf(wired, "STALWART_DB_PASSWORD"), [{ name: "STALWART_DB_PASSWORD", valueFrom: { secretKeyRef: { name: "stalwart-db", key: "password" } } }]);
    assert.deepEqual(envOf(wire(workloadOf(overlay)), "STALWART_PUBLIC_URL"), []);
  }
});

test("a workload without the stalwart container, or without the config mount, is refused", () => {
  const noContainer = workloadOf() as Obj & KubeObject;
  stalwartOf(noContainer).name = "other";
  const missing = wireWorkload016(noContainer, {});
  assert.equal(missing.results[0]?.severity, "error");
  assert.equal(missing.object, noContainer);
  const noMount = workloadOf() as Obj & KubeObject;
  stalwartOf(noMount).volumeMounts = (stalwartOf(noMount).volumeMounts as Obj[]).filter((mount) => mount.name !== "config");
  const refused = wireWorkload016(noMount, {});
  assert.equal(refused.results.length, 1);
  assert.equal(refused.results[0]!.field?.path, "spec.template.spec.containers[name=stalwart].volumeMounts");
});
