import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../../../src/kube.ts";
import { transform } from "../../../../src/transform.ts";
import { isRecoveryMode } from "../../../../src/render/v016/recovery.ts";
import { overlayInput, readObject } from "../../../support/fixtures.ts";

type Env = { name: string; value?: string; valueFrom?: unknown };
type Pod = { containers: { name: string; env?: Env[] }[] };

const config016 = () => readObject("overlays/single-0.16/stalwartconfig.yaml");
const workloadIn = (items: KubeObject[]) => items.find((item) => item.kind === "Deployment" || item.kind === "StatefulSet") as KubeObject;
const podOf = (object: KubeObject) => (object.spec as { template: { spec: Pod } }).template.spec;
const stalwartEnv = (object: KubeObject) => (podOf(object).containers.find((container) => container.name === "stalwart")?.env ?? []) as Env[];

/** An overlay's transformer input, with variables added to the Stalwart container as a component would. */
function inputWith(env: Env[], edit: (workload: KubeObject) => void = () => {}, overlay = "overlays/single-0.16"): KubeObject[] {
  const items = structuredClone(overlayInput(overlay));
  const workload = workloadIn(items);
  stalwartEnv(workload).push(...env);
  edit(workload);
  return items;
}

const recoveryMode: Env = { name: "STALWART_RECOVERY_MODE", value: "1" };
const jobs = (items: readonly KubeObject[]) => items.filter((item) => item.kind === "Job");

test("recovery mode is on for 1 or true in any case, as Stalwart reads it, and off for anything else", () => {
  const container = (value?: string) => ({ name: "stalwart", env: value === undefined ? [] : [{ name: "STALWART_RECOVERY_MODE", value }] });
  for (const value of ["1", "true", "TRUE", "True"]) assert.equal(isRecoveryMode(container(value)), true, value);
  for (const value of [undefined, "", "0", "false", "yes", "on", " 1"]) assert.equal(isRecoveryMode(container(value)), false, String(value));
});

test("in recovery mode the apply Job is created suspended, so that the export goes in first; otherwise it runs", () => {
  const normal = transform({ items: inputWith([]), functionConfig: config016() });
  assert.deepEqual(normal.results.filter((result) => result.severity !== "info"), []);
  const [normalJob] = jobs(normal.items);
  assert.ok(normalJob);
  assert.equal((normalJob.spec as Record<string, unknown>).suspend, undefined);

  const recovery = transform({ items: inputWith([recoveryMode]), functionConfig: config016() });
  assert.deepEqual(recovery.results.filter((result) => result.severity !== "info"), []);
  const [recoveryJob] = jobs(recovery.items);
  assert.ok(recoveryJob);
  assert.equal((recoveryJob.spec as Record<string, unknown>).suspend, true);
  // The same Job otherwise: suspension is not part of the pod template, so resuming it keeps the name.
  assert.equal(recoveryJob.metadata.name, normalJob.metadata.name);
  assert.match(recovery.results.find((result) => result.severity === "info")?.message ?? "", /recovery mode: the apply Job is created suspended/);
});

test("recovery mode on more than one replica is an error on spec.replicas: each pod would migrate the data", () => {
  const cluster = readObject("overlays/cluster-0.16/stalwartconfig.yaml");
  const three = transform({ items: inputWith([], () => {}, "overlays/cluster-0.16"), functionConfig: cluster });
  assert.deepEqual(three.results.filter((result) => result.severity !== "info"), []);
  const output = transform({ items: inputWith([recoveryMode], () => {}, "overlays/cluster-0.16"), functionConfig: cluster });
  const errors = output.results.filter((result) => result.severity === "error");
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]?.field?.path, "spec.replicas");
  assert.equal(errors[0]?.field?.proposedValue, 1);
  assert.match(errors[0]?.message ?? "", /STALWART_RECOVERY_MODE is set on a workload of 3 replicas/);
  const one = transform({ items: inputWith([recoveryMode], (workload) => ((workload.spec as Record<string, unknown>).replicas = 1), "overlays/cluster-0.16"), functionConfig: cluster });
  assert.deepEqual(one.results.filter((result) => result.severity !== "info"), []);
});

test("an administrator the workload already sets is kept: fallback-admin does not replace the recovery one", () => {
  const fallback: Env[] = [
    { name: "STALWART_FALLBACK_ADMIN_USER", valueFrom: { secretKeyRef: { name: "stalwart-fallback-admin", key: "username" } } },
    { name: "STALWART_FALLBACK_ADMIN_SECRET", valueFrom: { secretKeyRef: { name: "stalwart-fallback-admin", key: "secret" } } },
  ];
  const config = config016();
  (config.spec as Record<string, unknown>).fallbackAdmin = { enabled: true };
  const fromFallback = transform({ items: inputWith(fallback), functionConfig: config });
  assert.equal(stalwartEnv(workloadIn(fromFallback.items)).find((env) => env.name === "STALWART_RECOVERY_ADMIN")?.value, "$(STALWART_FALLBACK_ADMIN_USER):$(STALWART_FALLBACK_ADMIN_SECRET)");

  const own: Env = { name: "STALWART_RECOVERY_ADMIN", value: "$(RECOVERY_ADMIN_USERNAME):$(RECOVERY_ADMIN_PASSWORD)" };
  const kept = transform({ items: inputWith([...fallback, own]), functionConfig: config });
  assert.deepEqual(stalwartEnv(workloadIn(kept.items)).filter((env) => env.name === "STALWART_RECOVERY_ADMIN"), [own]);
});
