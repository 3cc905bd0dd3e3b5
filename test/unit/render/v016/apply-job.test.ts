import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../../../src/kube.ts";
import {
  ARGOCD_HOOK_ANNOTATION,
  ARGOCD_HOOK_DELETE_POLICY_ANNOTATION,
  DEFAULT_CLI_IMAGE,
  PLAN_KEY,
  RELOAD_KEY,
  RESTART_SCRIPT,
  renderApplyJob,
  type ApplyJobInput,
} from "../../../../src/render/v016/apply-job.ts";
import { renderPlan } from "../../../../src/render/v016/plan.ts";
import { allSchemaProblems } from "../../../support/kube-schemas.ts";
import { typeProblems } from "../../../support/typed-models.ts";
import { restrictedViolations } from "../../../support/pod-security.ts";
import { CASES } from "./cases.ts";

type Obj = Record<string, any>;

const plans = CASES.map((item) => renderPlan(item.spec, item.plan).ndjson);
const input = (overrides: Partial<ApplyJobInput> = {}): ApplyJobInput => ({
  plan: plans[0]!,
  instance: { base: "stalwart", namespace: "mail" },
  serverUrl: "http://stalwart:8080",
  credentialsSecret: "stalwart-admin",
  waitImage: "docker.io/stalwartlabs/stalwart:v0.16.18",
  ...overrides,
});
const render = (overrides: Partial<ApplyJobInput> = {}) => {
  const rendered = renderApplyJob(input(overrides));
  assert.deepEqual(rendered.results, []);
  return rendered.objects;
};
const kind = (objects: readonly KubeObject[], name: string) => {
  const found = objects.find((object) => object.kind === name);
  assert.ok(found, name);
  return found as Obj & KubeObject;
};
const podOf = (job: Obj) => job.spec.template.spec as Obj;
const allContainers = (job: Obj): Obj[] => [...(podOf(job).initContainers as Obj[]), ...(podOf(job).containers as Obj[])];
/** The containers that run stalwart-cli, and so read the plan and the credentials. */
const cliContainers = (job: Obj): Obj[] => allContainers(job).filter((c) => c.name === "apply" || c.name === "reload");

const BOOT_HASH = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const restartOf = (kind: "Deployment" | "StatefulSet" = "StatefulSet", name = "stalwart", bootHash = BOOT_HASH): ApplyJobInput["restart"] => ({ workload: { kind, name }, bootHash });
const RBAC_KINDS = ["ServiceAccount", "Role", "RoleBinding"];

const variants: Partial<ApplyJobInput>[] = [
  {},
  { useToken: true },
  { argoCdHook: true },
  { instance: { base: "corp-stalwart" } },
  ...plans.map((plan) => ({ plan })),
  { restart: restartOf() },
  { restart: restartOf("Deployment"), argoCdHook: true, useToken: true },
  { restart: restartOf(), instance: { base: "corp-stalwart" } },
];

test("every variant is valid against the upstream schemas and their typed models", async () => {
  for (const variant of variants) {
    const objects = render(variant);
    assert.deepEqual(await allSchemaProblems(objects), []);
    assert.deepEqual(typeProblems(objects), []);
  }
});

test("the pod meets Pod Security restricted, with a read-only root and an emptyDir for the CLI cache", () => {
  for (const variant of variants) {
    const job = kind(render(variant), "Job");
    assert.deepEqual(restrictedViolations(job), []);
    const pod = podOf(job);
    assert.equal(pod.restartPolicy, "Never");
    // A token only for the restart step, which calls the Kubernetes API.
    assert.equal(pod.automountServiceAccountToken, false, "never automounted: only the restart container mounts a token");
    assert.deepEqual(allContainers(job).map((c) => c.name), variant.restart ? ["wait", "apply", "reload", "restart"] : ["wait", "apply", "reload"]);
    for (const container of allContainers(job)) assert.equal(container.securityContext.readOnlyRootFilesystem, true, container.name);
    const cache = (pod.volumes as Obj[]).find((volume) => volume.emptyDir);
    for (const container of cliContainers(job)) {
      const cacheHome = (container.env as Obj[]).find((env) => env.name === "XDG_CACHE_HOME")?.value;
      assert.ok((container.volumeMounts as Obj[]).some((mount) => mount.name === cache?.name && mount.mountPath === cacheHome && !mount.readOnly), container.name);
    }
  }
});

test("wait, then apply the plan, then the reload actions; the Job's limits", () => {
  const job = kind(render(), "Job");
  const pod = podOf(job);
  assert.deepEqual((pod.initContainers as Obj[]).map((c) => c.name), ["wait", "apply"]);
  assert.deepEqual((pod.containers as Obj[]).map((c) => c.name), ["reload"]);
  const [wait, apply] = pod.initContainers as Obj[];
  assert.equal(wait!.image, "docker.io/stalwartlabs/stalwart:v0.16.18");
  assert.equal(wait!.command.at(-1), "http://stalwart:8080/healthz/ready");
  assert.equal(apply!.image, DEFAULT_CLI_IMAGE);
  assert.deepEqual(apply!.args, ["apply", "--file", `/plan/${PLAN_KEY}`]);
  assert.deepEqual((pod.containers as Obj[])[0]!.args, ["apply", "--file", `/plan/${RELOAD_KEY}`]);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.activeDeadlineSeconds, 900);
  assert.equal("ttlSecondsAfterFinished" in job.spec, false);
  assert.equal(render({ serverUrl: "http://stalwart:8080/" }).length, 2);
  assert.equal(kind(render({ serverUrl: "http://stalwart:8080/" }), "Job").metadata.name, job.metadata.name);
});

test("the ConfigMap is immutable and holds the plan and the two reload actions", () => {
  const configMap = kind(render(), "ConfigMap");
  assert.equal(configMap.immutable, true);
  assert.equal(configMap.data[PLAN_KEY], plans[0]);
  const reload = (configMap.data[RELOAD_KEY] as string).trim().split("\n").map((line) => JSON.parse(line) as Obj);
  assert.deepEqual(reload.map((operation) => [operation["@type"], operation.object, Object.values(operation.value as Obj).map((v: any) => v["@type"])]), [
    ["create", "Action", ["ReloadSettings"]],
    ["create", "Action", ["ReloadTlsCertificates"]],
  ]);
});

test("the same inputs give the same names and bytes; a one-character change in the plan gives new names", () => {
  const first = render();
  assert.equal(JSON.stringify(render()), JSON.stringify(first));
  const job = kind(first, "Job");
  const configMap = kind(first, "ConfigMap");
  assert.match(job.metadata.name, /^stalwart-apply-[0-9a-f]{8}$/);
  assert.match(configMap.metadata.name, /^stalwart-plan-[0-9a-f]{8}$/);
  assert.equal(job.metadata.name.slice(-8), configMap.metadata.name.slice(-8));
  const changed = render({ plan: plans[0]!.replace("example.com", "example.con") });
  assert.notEqual(kind(changed, "Job").metadata.name, job.metadata.name);
  assert.notEqual(kind(changed, "ConfigMap").metadata.name, configMap.metadata.name);
  for (const other of [{ cliImage: "ghcr.io/stalwartlabs/cli:1.0.14" }, { serverUrl: "http://stalwart:8081" }, { credentialsSecret: "other" }, { useToken: true }]) {
    assert.notEqual(kind(render(other), "Job").metadata.name, job.metadata.name, JSON.stringify(other));
  }
  // Metadata only (mutable): the same Job.
  assert.equal(kind(render({ argoCdHook: true }), "Job").metadata.name, job.metadata.name);
});

test("the Job mounts exactly the ConfigMap it names, in every container that reads a plan", () => {
  for (const variant of variants) {
    const objects = render(variant);
    const job = kind(objects, "Job");
    const configMap = kind(objects, "ConfigMap");
    const configMapVolumes = (podOf(job).volumes as Obj[]).filter((volume) => volume.configMap);
    assert.deepEqual(configMapVolumes.map((volume) => volume.configMap.name), [configMap.metadata.name]);
    assert.equal(configMap.metadata.namespace, job.metadata.namespace);
    for (const container of cliContainers(job)) {
      assert.ok((container.volumeMounts as Obj[]).some((mount) => mount.name === configMapVolumes[0]!.name && mount.mountPath === "/plan"), container.name);
    }
  }
});

test("credentials come only from the Secret by secretKeyRef, never as values", () => {
  for (const [variant, keys] of [
    [{}, ["username", "password"]],
    [{ useToken: true }, ["token"]],
    [{ restart: restartOf() }, ["username", "password"]],
  ] as const) {
    const objects = render(variant);
    const job = kind(objects, "Job");
    assert.equal(cliContainers(job).length, 2);
    for (const container of cliContainers(job)) {
      const env = container.env as Obj[];
      assert.deepEqual(env.filter((e) => "value" in e).map((e) => e.name).sort(), ["STALWART_URL", "XDG_CACHE_HOME"]);
      const refs = env.filter((e) => e.valueFrom).map((e) => e.valueFrom.secretKeyRef as Obj);
      assert.deepEqual(refs.map((ref) => ref.name), keys.map(() => "stalwart-admin"));
      assert.deepEqual(refs.map((ref) => ref.key), [...keys]);
    }
    assert.equal(objects.some((object) => object.kind === "Secret"), false);
    const text = JSON.stringify(objects);
    assert.doesNotMatch(text, /STALWART_RECOVERY_ADMIN|"--password"|"--api-key"/);
  }
});

test("Argo CD hook annotations only when asked", () => {
  assert.equal(kind(render(), "Job").metadata.annotations, undefined);
  assert.equal(kind(render({ argoCdHook: false }), "Job").metadata.annotations, undefined);
  const hooked = render({ argoCdHook: true });
  assert.deepEqual(kind(hooked, "Job").metadata.annotations, { [ARGOCD_HOOK_ANNOTATION]: "PostSync", [ARGOCD_HOOK_DELETE_POLICY_ANNOTATION]: "BeforeHookCreation" });
  assert.equal(kind(hooked, "ConfigMap").metadata.annotations, undefined);
});

test("inputs the pod could not use are errors, with no objects", () => {
  const cases: [Partial<ApplyJobInput>, RegExp][] = [
    [{ plan: "\n \n" }, /empty/],
    [{ plan: "# a comment\n" }, /line 1 is not JSON/],
    [{ plan: `${plans[0]}[1]\n` }, /is not an operation/],
    [{ serverUrl: "stalwart:8080" }, /http or https|not a URL/],
    [{ serverUrl: "http://admin:pw@stalwart:8080" }, /credentials/],
    [{ credentialsSecret: "Not_A_Name" }, /credentialsSecret/],
    [{ instance: { base: "x".repeat(50) } }, /at most 63/],
    [{ restart: restartOf("StatefulSet", "stalwart", "ABCDEF12") }, /restart\.bootHash must be a lower-case hex digest/],
    [{ restart: restartOf("StatefulSet", "stalwart", "abc") }, /restart\.bootHash/],
    [{ restart: restartOf("StatefulSet", "stalwart", `${BOOT_HASH}"; reboot`) }, /restart\.bootHash/],
    [{ restart: restartOf("StatefulSet", "Stalwart_1") }, /restart\.workload\.name "Stalwart_1"/],
    [{ restart: { workload: { kind: "DaemonSet" as "StatefulSet", name: "stalwart" }, bootHash: BOOT_HASH } }, /Deployment or StatefulSet, not "DaemonSet"/],
    [{ restart: { workload: { kind: "toString" as "StatefulSet", name: "stalwart" }, bootHash: BOOT_HASH } }, /not "toString"/],
  ];
  for (const [overrides, message] of cases) {
    const rendered = renderApplyJob(input(overrides));
    assert.deepEqual(rendered.objects, [], JSON.stringify(overrides));
    assert.ok(rendered.results.some((result) => result.severity === "error" && message.test(result.message)), `${JSON.stringify(overrides)}: ${JSON.stringify(rendered.results)}`);
  }
});

test("a restart problem names its field", () => {
  const rendered = renderApplyJob(input({ restart: restartOf("StatefulSet", "stalwart", "nothex00") }));
  assert.deepEqual(rendered.results.map((result) => [result.severity, result.field?.path]), [["error", "restart.bootHash"]]);
});

test("without restart: no ServiceAccount, Role or RoleBinding, no token, the reload is the last container", () => {
  for (const variant of variants.filter((v) => !v.restart)) {
    const objects = render(variant);
    assert.deepEqual(objects.map((object) => object.kind), ["ConfigMap", "Job"]);
    const pod = podOf(kind(objects, "Job"));
    assert.equal("serviceAccountName" in pod, false);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual((pod.containers as Obj[]).map((c) => c.name), ["reload"]);
  }
});

test("with restart: the ServiceAccount, Role and RoleBinding first, the reload an initContainer, then the restart container", () => {
  const objects = render({ restart: restartOf() });
  assert.deepEqual(objects.map((object) => object.kind), [...RBAC_KINDS, "ConfigMap", "Job"]);
  const job = kind(objects, "Job");
  const pod = podOf(job);
  assert.deepEqual((pod.initContainers as Obj[]).map((c) => c.name), ["wait", "apply", "reload"]);
  assert.deepEqual((pod.containers as Obj[]).map((c) => c.name), ["restart"]);
  assert.deepEqual((pod.initContainers as Obj[])[2]!.args, ["apply", "--file", `/plan/${RELOAD_KEY}`]);
  assert.equal(pod.serviceAccountName, "stalwart-apply");
  assert.equal(pod.automountServiceAccountToken, false);
  // The token reaches the restart container alone, where an automounted one would be; the CLI containers get none.
  const mounts = (container: Obj) => ((container.volumeMounts ?? []) as Obj[]).map((mount) => `${mount.name}:${mount.mountPath}`);
  assert.deepEqual(mounts((pod.containers as Obj[])[0]!), ["api-token:/var/run/secrets/kubernetes.io/serviceaccount"]);
  for (const container of pod.initContainers as Obj[]) assert.equal(mounts(container).some((mount) => mount.startsWith("api-token:")), false, String(container.name));
  const volume = (pod.volumes as Obj[]).find((candidate) => candidate.name === "api-token") as { projected: { sources: Obj[] } };
  assert.deepEqual(volume.projected.sources.map((source) => Object.keys(source)[0]), ["serviceAccountToken", "configMap", "downwardAPI"]);
  for (const rbacKind of RBAC_KINDS) {
    const object = kind(objects, rbacKind);
    assert.equal(object.metadata.name, "stalwart-apply", rbacKind);
    assert.equal(object.metadata.namespace, "mail", rbacKind);
    assert.deepEqual(object.metadata.labels, job.metadata.labels, rbacKind);
  }
  const unnamespaced = render({ restart: restartOf(), instance: { base: "stalwart" } });
  for (const object of unnamespaced) assert.equal("namespace" in object.metadata, false, object.kind);
  assert.deepEqual(kind(unnamespaced, "RoleBinding").subjects, [{ kind: "ServiceAccount", name: "stalwart-apply" }]);
});

test("the Role grants get and patch on the one workload and nothing else; the RoleBinding gives it to the Job's ServiceAccount", () => {
  for (const [workloadKind, resource] of [
    ["StatefulSet", "statefulsets"],
    ["Deployment", "deployments"],
  ] as const) {
    const objects = render({ restart: restartOf(workloadKind, "mail-stalwart") });
    assert.deepEqual(kind(objects, "Role").rules, [{ apiGroups: ["apps"], resources: [resource], resourceNames: ["mail-stalwart"], verbs: ["get", "patch"] }]);
    const binding = kind(objects, "RoleBinding");
    assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: kind(objects, "Role").metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: podOf(kind(objects, "Job")).serviceAccountName, namespace: "mail" }]);
    assert.equal(kind(objects, "ServiceAccount").metadata.name, podOf(kind(objects, "Job")).serviceAccountName);
  }
});

test("the ServiceAccount, Role and RoleBinding are valid against the upstream schemas and their typed models", async () => {
  const rbac = render({ restart: restartOf() }).filter((object) => RBAC_KINDS.includes(object.kind));
  assert.deepEqual(rbac.map((object) => object.kind), RBAC_KINDS);
  assert.deepEqual(await allSchemaProblems(rbac), []);
  assert.deepEqual(typeProblems(rbac), []);
  // The checks can fail: a Role whose verbs are a string, not a list.
  const broken = { ...rbac[1]!, rules: [{ apiGroups: ["apps"], resources: ["statefulsets"], verbs: "get" }] };
  assert.notDeepEqual(await allSchemaProblems([broken]), []);
});

test("the restart container runs the constant script in the Stalwart image; the digest and workload come by env", () => {
  for (const [workloadKind, path] of [
    ["StatefulSet", "statefulsets/stalwart"],
    ["Deployment", "deployments/stalwart"],
  ] as const) {
    const job = kind(render({ restart: restartOf(workloadKind) }), "Job");
    const restart = (podOf(job).containers as Obj[])[0]!;
    assert.equal(restart.image, "docker.io/stalwartlabs/stalwart:v0.16.18");
    assert.deepEqual(restart.command, ["bash", "-c", RESTART_SCRIPT]);
    assert.deepEqual(restart.env, [
      { name: "BOOT_HASH", value: BOOT_HASH },
      { name: "WORKLOAD_PATH", value: path },
    ]);
    assert.deepEqual(restart.volumeMounts, [{ name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }], "its token, and nothing else");
  }
  assert.doesNotMatch(RESTART_SCRIPT, new RegExp(BOOT_HASH));
});

test("the Job's name changes with the restart input; the ServiceAccount, Role and RoleBinding names do not", () => {
  const names = (objects: readonly KubeObject[]) => objects.map((object) => object.metadata.name);
  const without = kind(render(), "Job").metadata.name;
  const withRestart = render({ restart: restartOf() });
  const job = kind(withRestart, "Job").metadata.name;
  assert.notEqual(job, without);
  assert.equal(kind(render({ restart: restartOf() }), "Job").metadata.name, job);
  for (const other of [restartOf("StatefulSet", "stalwart", BOOT_HASH.replace("0", "1")), restartOf("Deployment"), restartOf("StatefulSet", "stalwart-2")]) {
    const objects = render({ restart: other });
    assert.notEqual(kind(objects, "Job").metadata.name, job, JSON.stringify(other));
    assert.notEqual(kind(objects, "ConfigMap").metadata.name, kind(withRestart, "ConfigMap").metadata.name);
    assert.deepEqual(names(objects).slice(0, 3), names(withRestart).slice(0, 3));
  }
});

test("with an Argo CD hook, only the Job is a hook: the ServiceAccount, Role and RoleBinding are synced before it", () => {
  const objects = render({ restart: restartOf(), argoCdHook: true });
  assert.equal(kind(objects, "Job").metadata.annotations?.[ARGOCD_HOOK_ANNOTATION], "PostSync");
  for (const rbacKind of RBAC_KINDS) assert.equal(kind(objects, rbacKind).metadata.annotations, undefined, rbacKind);
});
