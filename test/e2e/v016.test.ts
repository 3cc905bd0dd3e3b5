/**
 * Stalwart 0.16 through the real tools (issue 16): every ready 0.16 overlay and every component over base/single
 * and base/cluster, built by `kubectl kustomize` with the committed plugin, then `kpt fn render` of a 0.16
 * package. What each build must hold: valid objects (upstream schemas, field types, Pod Security "restricted" for
 * the Stalwart pods and the apply Job's), a config.json and a plan with no secret value and only references that
 * resolve in the pod, a plan that can be applied again (no create, no destroy), Job and plan names that follow the
 * plan and nothing else, and the fields 0.16 refuses (or only 0.16 reads) refused with the field named.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { Document, parse, stringify } from "yaml";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IServicePort } from "kubernetes-models/v1/ServicePort";
import type { KubeObject } from "../../src/kube.ts";
import { LINES } from "../../src/lines.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";
import { find, parseManifests, secretsRequired } from "../support/manifests.ts";
import { overlays016 } from "../support/overlays.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { unresolvedReferences } from "../support/references.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize, REPO_ROOT, run, type Run } from "../support/tools.ts";
import { writeComponentOverlay } from "../support/component-overlay.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-v016-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Obj = Record<string, unknown>;

/** One line of plan.ndjson or reload.ndjson, as `stalwart-cli apply` reads it. */
interface Operation {
  "@type": string;
  object: string;
  matchOn?: string[] | "*";
  value: Obj;
}

const CHECKSUM_ANNOTATION = "stalwart.krm.example/config-checksum";
const APPLY_CREDENTIALS = "stalwart-apply-credentials";
/** The ports the listeners behind the mail Service bind: smtp, submissions, submission, imap, imaps, pop3, pop3s, sieve, https, http (the Service's 80). */
const SERVICE_PORTS = [25, 465, 587, 143, 993, 110, 995, 4190, 443, 8080];

// Reading a 0.16 build ------------------------------------------------------------------------------------------

function workload(objects: readonly KubeObject[]): KubeObject {
  const found = objects.filter((object) => object.kind === "Deployment" || object.kind === "StatefulSet");
  assert.equal(found.length, 1, "one Stalwart workload");
  return found[0] as KubeObject;
}

function podSpec(object: KubeObject): IPodSpec {
  return ((object.spec as Obj).template as { spec: IPodSpec }).spec;
}

function podAnnotations(object: KubeObject): Record<string, string> {
  return ((object.spec as Obj).template as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};
}

function container(objects: readonly KubeObject[], name = "stalwart"): IContainer {
  const found = podSpec(workload(objects)).containers.find((candidate) => candidate.name === name);
  assert.ok(found, `the workload has a container ${name}`);
  return found;
}

function env(of: IContainer, name: string): string | undefined {
  return of.env?.find((variable) => variable.name === name)?.value;
}

function applyJob(objects: readonly KubeObject[]): KubeObject {
  const jobs = objects.filter((object) => object.kind === "Job");
  assert.equal(jobs.length, 1, "one apply Job");
  const job = jobs[0] as KubeObject;
  assert.match(job.metadata.name, /^stalwart-apply-[0-9a-f]{8}$/);
  return job;
}

/** Every container of the Job's pod, init containers first: the wait, the apply, the reload (and a restart step). */
function jobContainers(objects: readonly KubeObject[]): IContainer[] {
  const pod = podSpec(applyJob(objects));
  return [...(pod.initContainers ?? []), ...pod.containers];
}

function planConfigMap(objects: readonly KubeObject[]): KubeObject {
  const maps = objects.filter((object) => object.kind === "ConfigMap" && object.metadata.name.startsWith("stalwart-plan-"));
  assert.equal(maps.length, 1, "one plan ConfigMap");
  const map = maps[0] as KubeObject;
  assert.match(map.metadata.name, /^stalwart-plan-[0-9a-f]{8}$/);
  return map;
}

function planText(objects: readonly KubeObject[], key: "plan.ndjson" | "reload.ndjson"): string {
  const text = (planConfigMap(objects).data as Record<string, string> | undefined)?.[key];
  assert.equal(typeof text, "string", `the plan ConfigMap has ${key}`);
  return text as string;
}

/** The lines of an NDJSON plan, each parsed; a line that is not a JSON object fails with its number. */
function ndjson(text: string): Operation[] {
  assert.ok(text.endsWith("\n"), "the plan ends with a newline");
  return text
    .slice(0, -1)
    .split("\n")
    .map((line, index) => {
      let parsed: unknown;
      assert.doesNotThrow(() => (parsed = JSON.parse(line)), `line ${index + 1} is JSON`);
      assert.ok(parsed && typeof parsed === "object" && !Array.isArray(parsed), `line ${index + 1} is an object`);
      const operation = parsed as Operation;
      assert.equal(typeof operation["@type"], "string", `line ${index + 1} has an "@type"`);
      assert.equal(typeof operation.object, "string", `line ${index + 1} names its object`);
      return operation;
    });
}

const plan = (objects: readonly KubeObject[]) => ndjson(planText(objects, "plan.ndjson"));

function operation(operations: readonly Operation[], type: string, object: string): Operation {
  const found = operations.filter((candidate) => candidate["@type"] === type && candidate.object === object);
  assert.equal(found.length, 1, `one ${type} of ${object} in the plan`);
  return found[0] as Operation;
}

/** The objects of a reconcile or upsert, by client id. */
const members = <T = Obj>(op: Operation) => op.value as Record<string, T>;

function configJsonText(objects: readonly KubeObject[]): string {
  const text = (find(objects, "ConfigMap", "stalwart").data as Record<string, string> | undefined)?.["config.json"];
  assert.equal(typeof text, "string", "ConfigMap stalwart has config.json");
  return text as string;
}

function configJson(objects: readonly KubeObject[]): Obj {
  let parsed: unknown;
  assert.doesNotThrow(() => (parsed = JSON.parse(configJsonText(objects))), "config.json is JSON");
  assert.ok(parsed && typeof parsed === "object" && !Array.isArray(parsed));
  return parsed as Obj;
}

interface Found {
  path: string;
  value: unknown;
}

/** Every member of a JSON value that `test` picks, with its path. */
function walk(value: unknown, test: (key: string, value: unknown) => boolean, path = "$"): Found[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => walk(item, test, `${path}[${index}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Obj).flatMap(([key, item]) => [...(test(key, item) ? [{ path: `${path}.${key}`, value: item }] : []), ...walk(item, test, `${path}.${key}`)]);
}

/**
 * Secrets written as values: a member named like a secret that holds a string, or a `Value` variant, the one
 * way 0.16's `SecretKey` takes a secret inline.
 */
function inlineSecrets(value: unknown): Found[] {
  return walk(value, (key, item) => (/secret|password|token/i.test(key) && typeof item === "string") || (key === "@type" && item === "Value"));
}

/** What the references of type `type` (EnvironmentVariable, File) name, through `field`. */
function references(value: unknown, type: string, field: string): string[] {
  return walk(value, (_, item) => !!item && typeof item === "object" && (item as Obj)["@type"] === type).map((found) => {
    const name = (found.value as Obj)[field];
    assert.equal(typeof name, "string", `${found.path}.${field}`);
    return name as string;
  });
}

/** Whether a path lies on one of the container's volume mounts (the mount itself or below it). */
function mounted(of: IContainer, path: string): boolean {
  return (of.volumeMounts ?? []).some((mount) => path === mount.mountPath || path.startsWith(`${mount.mountPath.replace(/\/+$/, "")}/`));
}

/** The EnvironmentVariable and File references in config.json and the plan, each resolved in the Stalwart container. */
function unresolvedInPod(objects: readonly KubeObject[]): string[] {
  const stalwart = container(objects);
  const names = new Set((stalwart.env ?? []).map((variable) => variable.name));
  const problems: string[] = [];
  for (const [where, value] of [["config.json", configJson(objects)], ["plan.ndjson", plan(objects)]] as const) {
    for (const name of references(value, "EnvironmentVariable", "variableName")) if (!names.has(name)) problems.push(`${where}: variable ${name} is not on the stalwart container`);
    for (const path of references(value, "File", "filePath")) if (!mounted(stalwart, path)) problems.push(`${where}: file ${path} is on no volume mount of the stalwart container`);
  }
  return problems;
}

/** The Service and port the apply Job reaches Stalwart at, checked down to the `http` listener of the plan. */
function jobTarget(objects: readonly KubeObject[]): { service: KubeObject; port: IServicePort; containerPort: number } {
  const urls = new Set(jobContainers(objects).flatMap((candidate) => (env(candidate, "STALWART_URL") ? [env(candidate, "STALWART_URL") as string] : [])));
  assert.equal(urls.size, 1, `one STALWART_URL for every stalwart-cli container: ${[...urls].join(", ")}`);
  const raw = [...urls][0] as string;
  const url = new URL(raw);
  assert.equal(url.protocol, "http:");
  const service = find(objects, "Service", url.hostname);
  const port = ((service.spec as { ports: IServicePort[] }).ports).find((candidate) => candidate.port === Number(url.port || 80));
  assert.ok(port, `Service ${url.hostname} has port ${url.port}`);
  // The port leads to the container port of that name, and the plan binds the plain-HTTP listener there.
  const containerPort = (container(objects).ports ?? []).find((candidate) => candidate.name === port.targetPort || candidate.containerPort === port.targetPort);
  assert.ok(containerPort, `the stalwart container has the port ${String(port.targetPort)}`);
  const http = members<{ name: string; useTls: boolean; bind: Obj }>(operation(plan(objects), "reconcile", "NetworkListener"))["listener-http"];
  assert.ok(http, "the plan has the http listener");
  assert.equal(http.useTls, false);
  assert.ok(Object.keys(http.bind).some((bind) => bind.endsWith(`:${containerPort.containerPort}`)), `the http listener binds port ${containerPort.containerPort}`);
  // The wait step polls the same server before the apply.
  const wait = podSpec(applyJob(objects)).initContainers?.find((candidate) => candidate.name === "wait");
  assert.ok(wait?.command?.includes(`${raw.replace(/\/+$/, "")}/healthz/ready`), `the wait step polls the server the CLI applies to: ${wait?.command?.join(" ")}`);
  return { service, port, containerPort: containerPort.containerPort };
}

/**
 * The Job's pod has no API token, or (with a restart step) a ServiceAccount of its own that may only get and
 * patch the one Stalwart workload.
 */
function assertJobAccount(objects: readonly KubeObject[]): void {
  const pod = podSpec(applyJob(objects));
  const account = pod.serviceAccountName;
  assert.equal(pod.automountServiceAccountToken, false, "no automounted token: the CLI containers talk only to Stalwart");
  if (!account) return;
  find(objects, "ServiceAccount", account);
  const bindings = objects.filter((object) => object.kind === "RoleBinding" && ((object.subjects ?? []) as { kind: string; name: string }[]).some((subject) => subject.kind === "ServiceAccount" && subject.name === account));
  assert.equal(bindings.length, 1, `one RoleBinding for ServiceAccount ${account}`);
  const role = find(objects, "Role", (bindings[0]?.roleRef as { name: string }).name);
  const target = workload(objects);
  assert.deepEqual(role.rules, [{ apiGroups: ["apps"], resources: [target.kind === "StatefulSet" ? "statefulsets" : "deployments"], resourceNames: [target.metadata.name], verbs: ["get", "patch"] }]);
}

/** What every successful 0.16 build must hold, whatever the overlay or component. */
async function assertValid016(objects: readonly KubeObject[]): Promise<void> {
  assert.deepEqual(await allSchemaProblems(objects), []);
  assert.deepEqual(typeProblems(objects), []);
  assert.deepEqual(restrictedViolations(workload(objects)), [], "the Stalwart pods");
  assert.deepEqual(restrictedViolations(applyJob(objects)), [], "the apply Job's pod");
  assert.deepEqual(objects.flatMap(restrictedViolations), []);
  assert.deepEqual(objects.filter((object) => object.kind === "StalwartConfig"), []);
  // The Job reads the plan from the ConfigMap of the same hash.
  const volumes = podSpec(applyJob(objects)).volumes ?? [];
  assert.deepEqual(volumes.flatMap((volume) => (volume.configMap ? [volume.configMap.name] : [])), [planConfigMap(objects).metadata.name]);
  assert.equal(applyJob(objects).metadata.name.slice(-8), planConfigMap(objects).metadata.name.slice(-8));
  assert.equal(planConfigMap(objects).immutable, true);
  // config.json and the plan: secrets only by reference, every reference one the pod resolves.
  assert.deepEqual(inlineSecrets(configJson(objects)), []);
  assert.deepEqual(inlineSecrets(plan(objects)), []);
  assert.doesNotMatch(planText(objects, "plan.ndjson"), /"@type":\s*"Value"/);
  assert.doesNotMatch(configJsonText(objects), /"@type":\s*"Value"/);
  assert.deepEqual(unresolvedInPod(objects), []);
  // Re-appliable: no one-shot create, no destroy; the two reload actions are the only creates, in reload.ndjson.
  assert.deepEqual([...new Set(plan(objects).map((op) => op["@type"]))].filter((type) => !["upsert", "update", "reconcile"].includes(type)), []);
  assert.deepEqual(
    ndjson(planText(objects, "reload.ndjson")).map((op) => [op["@type"], op.object, Object.values(op.value).map((action) => (action as Obj)["@type"])]),
    [
      ["create", "Action", ["ReloadSettings"]],
      ["create", "Action", ["ReloadTlsCertificates"]],
    ],
  );
  jobTarget(objects);
  const jobSecrets = secretsRequired(objects, ["Job"]);
  assert.equal(jobSecrets.length, 1, "the Job needs its credentials and nothing else");
  assert.ok([APPLY_CREDENTIALS, "stalwart-recovery-admin"].includes(jobSecrets[0] ?? ""), `the Job signs in with ${jobSecrets[0]}`);
  assertJobAccount(objects);
  // Stalwart runs config.json, from the ConfigMap's mount.
  const stalwart = container(objects);
  const configPath = stalwart.command?.at(-1) ?? "";
  assert.match(configPath, /\/config\.json$/);
  assert.ok(mounted(stalwart, configPath));
  assert.match(podAnnotations(workload(objects))[CHECKSUM_ANNOTATION] ?? "", /^[0-9a-f]{64}$/);
}

// Building ------------------------------------------------------------------------------------------------------

function built(build: Run, what: string): KubeObject[] {
  assert.equal(build.status, 0, `${what}: ${build.stderr}`);
  assert.equal(build.stderr, "", `${what}: no warnings`);
  return parseManifests(build.stdout);
}

/** The build failed in the function, with each message and no stack trace. */
function assertRefused(build: Run, messages: readonly RegExp[]): void {
  assert.equal(build.status, 1, build.stderr);
  assert.equal(build.stdout, "");
  assert.match(build.stderr, /\[error\] /);
  // kubectl quotes the plugin's own exit code.
  assert.match(build.stderr, /exit status 1/);
  for (const message of messages) assert.match(build.stderr, message);
  assert.doesNotMatch(build.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(build.stderr, /undefined/);
}

/** Sets the members of `patch` into `target`, objects merged, everything else replaced. */
function deepMerge(target: Obj, patch: Obj): Obj {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current)) deepMerge(current as Obj, value as Obj);
    else target[key] = structuredClone(value);
  }
  return target;
}

interface OverlayChange {
  /** Merged into the StalwartConfig's spec. */
  spec?: Obj;
  /** Spec fields to remove, by name. */
  remove?: string[];
  /** Merged into kustomization.yaml. */
  kustomization?: Obj;
}

/** A ready overlay copied into a folder of its own, its paths rebased, with the change made. */
function overlayCopy(overlay: string, name: string, change: OverlayChange = {}): string {
  const source = join(REPO_ROOT, "overlays", overlay);
  const dir = join(scratch, name);
  mkdirSync(dir);
  const kustomization = parse(readFileSync(join(source, "kustomization.yaml"), "utf8")) as Obj;
  const rebase = (path: string) => relative(dir, resolve(source, path));
  for (const field of ["resources", "components"]) if (Array.isArray(kustomization[field])) kustomization[field] = (kustomization[field] as string[]).map(rebase);
  writeFileSync(join(dir, "kustomization.yaml"), stringify(deepMerge(kustomization, change.kustomization ?? {})));
  const config = parse(readFileSync(join(source, "stalwartconfig.yaml"), "utf8")) as { spec: Obj };
  deepMerge(config.spec, change.spec ?? {});
  for (const field of change.remove ?? []) delete config.spec[field];
  writeFileSync(join(dir, "stalwartconfig.yaml"), stringify(config));
  return dir;
}

// 1-3: the ready overlays --------------------------------------------------------------------------------------

interface Overlay016 {
  store: "RocksDb" | "FoundationDb" | "PostgreSql";
  cluster: boolean;
  /** The Secrets the Stalwart pods need. */
  secrets: string[];
}

const OVERLAYS: Record<string, Overlay016> = {
  "single-0.16": { store: "RocksDb", cluster: false, secrets: [] },
  "cluster-0.16": { store: "FoundationDb", cluster: true, secrets: ["stalwart-fdb-cluster-file"] },
  "cluster-postgresql-0.16": { store: "PostgreSql", cluster: true, secrets: ["stalwart-postgresql"] },
};

test("the ready 0.16 overlays are the three this file knows", () => {
  assert.deepEqual(overlays016(), Object.keys(OVERLAYS).sort());
});

for (const [overlay, expected] of Object.entries(OVERLAYS)) {
  describe(`overlays/${overlay}`, () => {
    const build = kubectlKustomize(`overlays/${overlay}`);
    const objects = build.status === 0 ? parseManifests(build.stdout) : [];

    test("builds with kubectl kustomize, byte-identical twice: valid, restricted, Job and plan wired", async () => {
      built(build, overlay);
      const again = kubectlKustomize(`overlays/${overlay}`);
      assert.equal(again.stdout, build.stdout, "a rebuild gives the same bytes");
      await assertValid016(objects);
      // A ready overlay is complete: what it mounts and refers to is in the build (or written by one of its objects).
      assert.deepEqual(unresolvedReferences(objects), []);
      assert.deepEqual(secretsRequired(objects), expected.secrets);
    });

    test(`config.json is the ${expected.store} data store, its files and secrets in the pod`, () => {
      const config = configJson(objects);
      assert.equal(config["@type"], expected.store);
      const stalwart = container(objects);
      if (expected.store === "RocksDb") {
        assert.equal(typeof config.path, "string");
        assert.ok(mounted(stalwart, config.path as string), `${String(config.path)} is on a volume`);
        const mount = stalwart.volumeMounts?.find((candidate) => (config.path as string).startsWith(`${candidate.mountPath}/`));
        const volume = podSpec(workload(objects)).volumes?.find((candidate) => candidate.name === mount?.name);
        assert.ok(volume?.persistentVolumeClaim, "RocksDB lives on the PersistentVolumeClaim");
      }
      if (expected.store === "FoundationDb") {
        assert.equal(config.clusterFile, env(stalwart, "FDB_CLUSTER_FILE"));
        assert.ok(mounted(stalwart, config.clusterFile as string), "the cluster file is on a volume");
      }
      if (expected.store === "PostgreSql") {
        assert.deepEqual(config.authSecret, { "@type": "EnvironmentVariable", variableName: "STALWART_DB_PASSWORD" });
        const variable = stalwart.env?.find((candidate) => candidate.name === "STALWART_DB_PASSWORD");
        assert.deepEqual(variable?.valueFrom, { secretKeyRef: { name: "stalwart-postgresql", key: "password" } });
        assert.equal(config.host, "postgresql.database.svc");
      }
    });

    test("the plan: listeners of the Service ports and the probe, stdout tracer, hostname and default domain, coordinator", () => {
      const operations = plan(objects);
      const listeners = members<{ name: string; bind: Obj }>(operation(operations, "reconcile", "NetworkListener"));
      const binds = Object.values(listeners).flatMap((listener) => Object.keys(listener.bind));
      assert.deepEqual(binds.filter((bind) => !bind.startsWith("127.0.0.1:")).map((bind) => Number(bind.split(":").at(-1))).sort((a, b) => a - b), [...SERVICE_PORTS].sort((a, b) => a - b));
      assert.deepEqual(Object.values(listeners).filter((listener) => Object.keys(listener.bind).every((bind) => bind.startsWith("127.0.0.1:"))).map((listener) => listener.name), ["probe"]);
      // Every port of the mail Service leads to a listener of the same name.
      for (const port of (find(objects, "Service", "stalwart").spec as { ports: IServicePort[] }).ports) {
        assert.ok(Object.values(listeners).some((listener) => listener.name === port.targetPort), `Service port ${port.name} has its listener`);
      }
      assert.ok(Object.values(members(operation(operations, "reconcile", "Tracer"))).some((tracer) => tracer["@type"] === "Stdout"));
      const settings = operation(operations, "update", "SystemSettings").value;
      assert.equal(settings.defaultHostname, "mail.example.com");
      const domains = operation(operations, "upsert", "Domain");
      const [firstId, first] = Object.entries(members<{ name: string }>(domains))[0] ?? [];
      assert.equal(settings.defaultDomainId, `#${firstId}`, "the default domain is the first of the plan's domains");
      assert.equal(first?.name, "example.com");
      const coordinator = operation(operations, "update", "Coordinator").value;
      if (expected.cluster) {
        assert.equal(coordinator["@type"], "Nats");
        assert.deepEqual(coordinator.addresses, { "nats://nats-server:4222": true });
      } else {
        assert.deepEqual(coordinator, { "@type": "Disabled" });
      }
      // The operations come in the order their references need: the default domain is upserted first.
      assert.ok(operations.indexOf(domains) < operations.indexOf(operation(operations, "update", "SystemSettings")));
    });

    test("the images: Stalwart and the Job's wait step run the 0.16 release", () => {
      const image = container(objects).image ?? "";
      assert.match(image, new RegExp(`:${LINES["0.16"].release}(-fdb)?$`));
      const wait = podSpec(applyJob(objects)).initContainers?.find((candidate) => candidate.name === "wait");
      assert.equal(wait?.image, image, "the wait step has curl because it runs the Stalwart image");
    });
  });
}

// 4: names and checksums follow what they stand for --------------------------------------------------------------

describe("idempotency: the Job and plan names follow the plan, the checksum follows config.json", () => {
  const names = (objects: readonly KubeObject[]) => ({ job: applyJob(objects).metadata.name, plan: planConfigMap(objects).metadata.name });
  const checksum = (objects: readonly KubeObject[]) => podAnnotations(workload(objects))[CHECKSUM_ANNOTATION];
  const buildCopy = (overlay: string, name: string, change?: OverlayChange) => built(kubectlKustomize(overlayCopy(overlay, name, change)), name);
  const single = built(kubectlKustomize("overlays/single-0.16"), "single-0.16");

  test("an unchanged copy gives the same names and checksum", () => {
    const copy = buildCopy("single-0.16", "unchanged");
    assert.deepEqual(names(copy), names(single));
    assert.equal(checksum(copy), checksum(single));
  });

  test("another hostname: a new Job and plan ConfigMap, the same config.json and checksum", () => {
    const copy = buildCopy("single-0.16", "hostname", { spec: { hostname: "mx.example.com", tls: { dnsNames: ["mx.example.com"] } } });
    assert.notEqual(names(copy).job, names(single).job);
    assert.notEqual(names(copy).plan, names(single).plan);
    assert.equal(operation(plan(copy), "update", "SystemSettings").value.defaultHostname, "mx.example.com");
    assert.equal(configJsonText(copy), configJsonText(single));
    assert.equal(checksum(copy), checksum(single), "the plan is applied to the running server: no restart");
  });

  test("one more domain: a new Job and plan ConfigMap", () => {
    const copy = buildCopy("single-0.16", "domain", { spec: { domains: ["example.com", "example.org"] } });
    assert.notEqual(names(copy).job, names(single).job);
    assert.notEqual(names(copy).plan, names(single).plan);
    assert.deepEqual(Object.values(members<{ name: string }>(operation(plan(copy), "upsert", "Domain"))).map((domain) => domain.name), ["example.com", "example.org"]);
    assert.equal(checksum(copy), checksum(single));
  });

  test("other resources for the workload: the Job keeps its name", () => {
    const patch = [{ op: "replace", path: "/spec/template/spec/containers/0/resources", value: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } } }];
    const copy = buildCopy("single-0.16", "resources", { kustomization: { patches: [{ target: { kind: "Deployment", name: "stalwart" }, patch: JSON.stringify(patch) }] } });
    assert.deepEqual(container(copy).resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } }, "the patch reached the workload");
    assert.deepEqual(names(copy), names(single));
    assert.equal(planText(copy, "plan.ndjson"), planText(single, "plan.ndjson"));
  });

  test("another PostgreSQL host: a new config.json, so a new checksum; the plan and Job stay", () => {
    const postgresql = built(kubectlKustomize("overlays/cluster-postgresql-0.16"), "cluster-postgresql-0.16");
    const copy = buildCopy("cluster-postgresql-0.16", "postgresql-host", { spec: { storage: { sql: { host: "postgresql-2.database.svc" } } } });
    assert.equal(configJson(copy).host, "postgresql-2.database.svc");
    assert.notEqual(checksum(copy), checksum(postgresql));
    assert.equal(checksum(copy), podAnnotations(workload(copy))[CHECKSUM_ANNOTATION]);
    assert.deepEqual(names(copy), names(postgresql));
  });
});

// 5: components on 0.16 ------------------------------------------------------------------------------------------

type Base = "single" | "cluster";

interface Build016 {
  objects: KubeObject[];
  plan: Operation[];
}

interface Component016 {
  /** What the user's StalwartConfig must add for the component on 0.16. */
  spec?: Obj;
  /** Without `spec`, the build fails with these messages. */
  refusedWithout?: RegExp[];
  /** Bases where the component is refused whatever the spec, with these messages. */
  refusedOn?: Partial<Record<Base, RegExp[]>>;
  /** Bases it means something on (both unless said). */
  bases?: Base[];
  /** The Secrets the component asks for. */
  secrets: string[];
  /** The Secret the apply Job signs in with when the component is there, instead of stalwart-apply-credentials. */
  jobSecret?: string;
  /** What shows that the feature is on. */
  check?(build: Build016, base: Base): void;
}

const listenerMap = (operations: readonly Operation[]) => members<{ name: string; overrideProxyTrustedNetworks: Obj }>(operation(operations, "reconcile", "NetworkListener"));
const envNames = (of: IContainer) => (of.env ?? []).map((variable) => variable.name);

const COMPONENTS: Record<string, Component016> = {
  "admin-service": {
    secrets: [],
    check({ objects }) {
      const { service } = jobTarget(objects);
      assert.equal(service.metadata.name, "stalwart-admin", "the mail Service no longer has the http port: the Job goes through the admin Service");
      assert.equal((find(objects, "Service", "stalwart").spec as { ports: IServicePort[] }).ports.some((port) => port.targetPort === "http"), false);
    },
  },
  "recovery-mode": {
    secrets: ["stalwart-recovery-admin"],
    jobSecret: "stalwart-recovery-admin",
    check({ objects }) {
      assert.equal(env(container(objects), "STALWART_RECOVERY_MODE"), "1");
      assert.equal(env(container(objects), "STALWART_RECOVERY_ADMIN"), "$(RECOVERY_ADMIN_USERNAME):$(RECOVERY_ADMIN_PASSWORD)");
      const job = objects.find((object) => object.kind === "Job");
      assert.equal((job?.spec as { suspend?: boolean } | undefined)?.suspend, true, "the plan waits until the export is applied");
    },
  },
  "fallback-admin": {
    secrets: ["stalwart-fallback-admin"],
    check({ objects }) {
      const names = envNames(container(objects));
      const recovery = names.indexOf("STALWART_RECOVERY_ADMIN");
      assert.ok(recovery > names.indexOf("STALWART_FALLBACK_ADMIN_USER") && recovery > names.indexOf("STALWART_FALLBACK_ADMIN_SECRET"), `Kubernetes expands only variables defined before: ${names.join(", ")}`);
      assert.ok(names.indexOf("STALWART_FALLBACK_ADMIN_USER") >= 0 && names.indexOf("STALWART_FALLBACK_ADMIN_SECRET") >= 0);
      assert.equal(env(container(objects), "STALWART_RECOVERY_ADMIN"), "$(STALWART_FALLBACK_ADMIN_USER):$(STALWART_FALLBACK_ADMIN_SECRET)");
    },
  },
  "tls-reload": {
    spec: { tls: { issuerRef: { name: "letsencrypt" } } },
    refusedWithout: [/the tls-reloader sidecar reloads a certificate, but `spec\.tls` is not set/],
    secrets: [],
    check({ objects, plan: operations }) {
      const reloader = container(objects, "tls-reloader");
      assert.equal(env(reloader, "RELOAD_API"), "jmap");
      assert.equal(env(reloader, "URL"), "http://127.0.0.1:8080");
      // The sidecar reaches the plain-HTTP listener over loopback, and watches the directory the plan's certificate is read from.
      const http = members<{ bind: Obj; useTls: boolean }>(operation(operations, "reconcile", "NetworkListener"))["listener-http"];
      assert.deepEqual(http && [Object.keys(http.bind), http.useTls], [["[::]:8080"], false]);
      const certificate = Object.values(members<{ certificate: { filePath: string } }>(operation(operations, "upsert", "Certificate")))[0];
      assert.equal(certificate?.certificate.filePath, `${env(reloader, "TLS_DIRECTORY")}/tls.crt`);
    },
  },
  "nats-auth": {
    bases: ["cluster"],
    refusedOn: { single: [/`spec\.cluster` needs the StatefulSet of base\/cluster/, /remove the component "nats-auth"/] },
    spec: { cluster: { nats: { auth: { username: "stalwart" } } } },
    refusedWithout: [/spec\.cluster\.nats\.auth\.username/, /reads the NATS user name as a value/],
    secrets: ["stalwart-nats-credentials"],
    check({ objects, plan: operations }) {
      const coordinator = operation(operations, "update", "Coordinator").value;
      assert.equal(coordinator.authUsername, "stalwart");
      assert.deepEqual(coordinator.authSecret, { "@type": "EnvironmentVariable", variableName: "NATS_PASSWORD" });
      assert.ok(envNames(container(objects)).includes("NATS_PASSWORD"));
      assert.equal(envNames(container(objects)).includes("NATS_USERNAME"), false, "0.16 reads the user name from the plan");
    },
  },
  "service-monitor": {
    spec: { metrics: { prometheus: { username: "prometheus" } } },
    refusedWithout: [/spec\.metrics\.prometheus\.username/, /reads the Prometheus user name as a value/],
    secrets: ["stalwart-metrics"],
    check({ objects, plan: operations }) {
      const prometheus = operation(operations, "update", "Metrics").value.prometheus as Obj;
      assert.deepEqual(prometheus, { "@type": "Enabled", authUsername: "prometheus", authSecret: { "@type": "EnvironmentVariable", variableName: "PROMETHEUS_PASSWORD" } });
      assert.equal(envNames(container(objects)).includes("PROMETHEUS_USERNAME"), false);
      find(objects, "ServiceMonitor", "stalwart");
      find(objects, "Service", "stalwart-metrics");
    },
  },
  "node-id-from-hostname": {
    bases: ["cluster"],
    refusedOn: { cluster: [/node-id-from-hostname/, /leases node ids/, /containers\[name=stalwart\]\.command/] },
    secrets: [],
  },
  tracer: {
    secrets: [],
    check({ objects, plan: operations }) {
      const tracers = Object.values(members(operation(operations, "reconcile", "Tracer")));
      const log = tracers.find((tracer) => tracer["@type"] === "Log");
      assert.ok(log, "a Log tracer");
      assert.equal(log.path, "/var/log/stalwart");
      assert.ok(mounted(container(objects), log.path as string), "the log directory is on a volume");
      assert.ok(tracers.some((tracer) => tracer["@type"] === "Stdout"), "the console tracer stays");
    },
  },
  "proxy-protocol": {
    spec: { proxyProtocol: { trustedNetworks: ["10.0.0.0/16"] } },
    refusedWithout: [/spec\.proxyProtocol\.trustedNetworks: is required/],
    secrets: [],
    check({ plan: operations }) {
      const listeners = listenerMap(operations);
      for (const id of ["smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "sieve", "https"]) {
        assert.deepEqual(listeners[`listener-${id}`]?.overrideProxyTrustedNetworks, { "10.0.0.0/16": true }, id);
      }
      assert.deepEqual(listeners["listener-probe"]?.overrideProxyTrustedNetworks, {}, "never on the probe listener");
      // On 0.16 the probes ask `http` from 127.0.0.1, outside the trusted networks: it takes PROXY headers like the rest.
      assert.deepEqual(listeners["listener-http"]?.overrideProxyTrustedNetworks, { "10.0.0.0/16": true });
      assert.deepEqual(operation(operations, "update", "SystemSettings").value.proxyTrustedNetworks, {}, "never global");
    },
  },
  "network-policy": {
    spec: { networkPolicy: { adminFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] } },
    secrets: [],
    check({ objects }) {
      type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown };
      const policy = find(objects, "NetworkPolicy", "stalwart").spec as { policyTypes: string[]; ingress: { from?: Peer[]; ports: { port: number }[] }[] };
      assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
      const open = policy.ingress.find((rule) => !rule.from);
      assert.ok(open?.ports.some((port) => port.port === 25));
      assert.equal(open?.ports.some((port) => port.port === 8080), false, "the admin port is not open to the world");
      // The apply Job's pods, of the same namespace, may reach the port their STALWART_URL leads to.
      const jobLabels = ((applyJob(objects).spec as Obj).template as { metadata: { labels: Record<string, string> } }).metadata.labels;
      const selects = (peer: Peer) => !peer.namespaceSelector && !!peer.podSelector && Object.entries(peer.podSelector.matchLabels ?? {}).every(([key, value]) => jobLabels[key] === value);
      const { containerPort } = jobTarget(objects);
      assert.ok(policy.ingress.some((rule) => rule.from?.some(selects) && rule.ports.some((port) => port.port === containerPort)), "the apply Job gets through the NetworkPolicy");
    },
  },
  "dual-stack": {
    secrets: [],
    check({ objects }) {
      const service = find(objects, "Service", "stalwart").spec as { ipFamilyPolicy?: string; ipFamilies?: string[] };
      assert.equal(service.ipFamilyPolicy, "PreferDualStack");
      assert.deepEqual(service.ipFamilies, ["IPv4", "IPv6"]);
    },
  },
  "required-anti-affinity": {
    bases: ["cluster"],
    secrets: [],
    check({ objects }) {
      const affinity = podSpec(workload(objects)).affinity?.podAntiAffinity;
      assert.equal(affinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey, "kubernetes.io/hostname");
      assert.equal(affinity?.preferredDuringSchedulingIgnoredDuringExecution, undefined);
    },
  },
  fdb: {
    // base/cluster has it already.
    bases: ["single"],
    secrets: ["stalwart-fdb-cluster-file"],
    check({ objects }) {
      const config = configJson(objects);
      assert.equal(config["@type"], "FoundationDb");
      assert.equal(config.clusterFile, env(container(objects), "FDB_CLUSTER_FILE"));
      assert.ok(mounted(container(objects), config.clusterFile as string));
    },
  },
  "fdb-tls": {
    refusedOn: { single: [/the component "fdb-tls" needs the component "fdb"/] },
    secrets: ["stalwart-fdb-client-cert", "stalwart-fdb-root-ca"],
    check({ objects }) {
      const stalwart = container(objects);
      for (const name of ["FDB_TLS_CERTIFICATE_FILE", "FDB_TLS_KEY_FILE", "FDB_TLS_CA_FILE"]) {
        const path = env(stalwart, name);
        assert.ok(path && mounted(stalwart, path), `${name} (${path}) is on a volume`);
      }
    },
  },
};

const BASES: Record<Base, { components: string[]; secrets: string[]; spec: Obj }> = {
  single: { components: [], secrets: [], spec: {} },
  // 0.16 reads no oauth key from the environment: the cluster no longer needs stalwart-oauth-key.
  cluster: { components: ["fdb"], secrets: ["stalwart-fdb-cluster-file"], spec: { cluster: { nats: { addresses: ["nats://nats-server:4222"] } } } },
};

const workdir = join(scratch, "components");
mkdirSync(workdir);

/** base/<base> with the components, on 0.16 with an image of one's own (untagged: the function tags it). */
function buildComponents(base: Base, components: readonly string[], spec: Obj, label: string): Run {
  const dir = join(workdir, `${base}-${label}`);
  mkdirSync(dir);
  const fullSpec = deepMerge({ version: "0.16", hostname: "mail.example.com", domains: ["example.com"] }, structuredClone(BASES[base].spec));
  deepMerge(fullSpec, spec);
  writeComponentOverlay(dir, base, [...BASES[base].components, ...components], fullSpec);
  return kubectlKustomize(dir);
}

const basesOf = (name: string) => COMPONENTS[name]?.bases ?? (["single", "cluster"] as Base[]);

test("every component folder is in the 0.16 matrix", () => {
  const folders = readdirSync(join(REPO_ROOT, "overlays/components"), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  assert.deepEqual(Object.keys(COMPONENTS).sort(), folders.sort());
});

for (const base of ["single", "cluster"] as Base[]) {
  for (const [name, component] of Object.entries(COMPONENTS)) {
    const refusedOn = component.refusedOn?.[base];
    if (!basesOf(name).includes(base) && !refusedOn) continue;
    describe(`Stalwart 0.16: base/${base} with ${name}`, () => {
      if (refusedOn) {
        test("fails with the reason and what to do", () => assertRefused(buildComponents(base, [name], component.spec ?? {}, name), refusedOn));
        return;
      }
      if (component.refusedWithout) {
        test(`without ${JSON.stringify(component.spec)}: fails naming the field`, () => assertRefused(buildComponents(base, [name], {}, `${name}-bare`), component.refusedWithout ?? []));
      }
      const build = buildComponents(base, [name], component.spec ?? {}, name);
      test("builds, valid, with the feature on and only the Secrets the component asks for", async () => {
        const objects = built(build, `${base}+${name}`);
        await assertValid016(objects);
        component.check?.({ objects, plan: plan(objects) }, base);
        const jobSecret = component.jobSecret ?? APPLY_CREDENTIALS;
        assert.deepEqual(secretsRequired(objects), [...new Set([...BASES[base].secrets.map((secret) => (secret === APPLY_CREDENTIALS ? jobSecret : secret)), ...component.secrets])].sort());
        assert.deepEqual(secretsRequired(objects, ["Job"]), [jobSecret]);
        assert.equal(container(objects).image, `registry.example.com/stalwart:${LINES["0.16"].release}`);
      });
    });
  }

  // recovery-mode is a step of the 0.15 migration, not a feature to combine: its administrator takes the place of fallback-admin's.
  const together = Object.entries(COMPONENTS).filter(([name, component]) => name !== "recovery-mode" && basesOf(name).includes(base) && !component.refusedOn?.[base]);
  describe(`Stalwart 0.16: base/${base} with every component that builds there (${together.map(([name]) => name).join(", ")})`, () => {
    const spec = together.reduce((merged, [, component]) => deepMerge(merged, component.spec ?? {}), {} as Obj);
    const build = buildComponents(base, together.map(([name]) => name), spec, "together");
    test("builds, valid, every feature on, only the Secrets the components ask for", async () => {
      const objects = built(build, `${base} with every component`);
      await assertValid016(objects);
      for (const [, component] of together) component.check?.({ objects, plan: plan(objects) }, base);
      const jobSecret = together.find(([, component]) => component.jobSecret)?.[1].jobSecret ?? APPLY_CREDENTIALS;
      const baseSecrets = BASES[base].secrets.map((secret) => (secret === APPLY_CREDENTIALS ? jobSecret : secret));
      assert.deepEqual(secretsRequired(objects), [...new Set([...baseSecrets, ...together.flatMap(([, component]) => component.secrets)])].sort());
    });
  });
}

// 6: fields a line does not read ---------------------------------------------------------------------------------

const REFUSALS: { name: string; overlay: string; change: OverlayChange; messages: RegExp[] }[] = [
  { name: "0.16 without spec.domains", overlay: "single-0.16", change: { remove: ["domains"] }, messages: [/spec\.domains: Stalwart 0\.16 needs its mail domains/] },
  { name: "0.16 with spec.extraConfig", overlay: "single-0.16", change: { spec: { extraConfig: { "queue.outbound.hostname": "mx.example.com" } } }, messages: [/spec\.extraConfig: is not read by Stalwart 0\.16/] },
  { name: "0.16 on PostgreSQL without spec.storage.sql", overlay: "single-0.16", change: { spec: { storage: { backend: "postgresql" } } }, messages: [/spec\.storage\.sql: `spec\.storage\.backend` is "postgresql": set `spec\.storage\.sql`/] },
  { name: "0.15 with spec.domains", overlay: "single", change: { spec: { domains: ["example.com"] } }, messages: [/spec\.domains: is read by Stalwart 0\.16 only, and `spec\.version` is "0\.15"/] },
  { name: "0.15 with spec.apply", overlay: "single", change: { spec: { apply: { credentialsSecret: "my-admin" } } }, messages: [/spec\.apply: is read by Stalwart 0\.16 only, and `spec\.version` is "0\.15"/] },
  { name: "0.15 on PostgreSQL", overlay: "single", change: { spec: { storage: { backend: "postgresql" } } }, messages: [/spec\.storage\.backend: "postgresql" storage is rendered for Stalwart 0\.16 only/] },
];

for (const refusal of REFUSALS) {
  test(`refused: ${refusal.name}`, () => {
    assertRefused(kubectlKustomize(overlayCopy(refusal.overlay, `refused-${refusal.name.replace(/[^a-z0-9]+/gi, "-")}`, refusal.change)), refusal.messages);
  });
}

// 7: kpt ---------------------------------------------------------------------------------------------------------

/** Every file of a folder, by name. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file), "utf8")]));
}

describe("kpt fn render of a 0.16 package", () => {
  // The package as `npm run kpt-package` lays out overlays/kpt, made of what kustomize hands the function for
  // overlays/single-0.16: one file per object, the Kptfile of overlays/kpt, the overlay's StalwartConfig.
  const dir = mkdtempSync(join(scratch, "kpt-"));
  const pkg = join(dir, "overlays/kpt-0.16");
  mkdirSync(pkg, { recursive: true });
  cpSync(join(REPO_ROOT, "overlays/kpt/Kptfile"), join(pkg, "Kptfile"));
  // The user's StalwartConfig is the function's config, not a resource to deploy.
  const userConfig = parse(readFileSync(join(REPO_ROOT, "overlays/single-0.16/stalwartconfig.yaml"), "utf8")) as KubeObject;
  userConfig.metadata.annotations = { "config.kubernetes.io/local-config": "true" };
  writeFileSync(join(pkg, "stalwartconfig.yaml"), stringify(userConfig));
  for (const object of parseManifests(kustomizeInput("overlays/single-0.16"))) {
    const annotations = Object.fromEntries(Object.entries(object.metadata.annotations ?? {}).filter(([key]) => !/^(config\.kubernetes\.io\/(path|index)|internal\.config\.kubernetes\.io\/|kustomize\.config\.k8s\.io\/|config\.k8s\.io\/id)/.test(key)));
    object.metadata.annotations = annotations;
    if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
    // Literal block scalars, never re-wrapped, as `npm run kpt-package` writes them: kpt 1.0.0-beta.56 writes a
    // folded scalar back with two more blank lines at each render once the function re-emits it (the reloader's script).
    writeFileSync(join(pkg, `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`), new Document(object, { version: "1.1" }).toString({ lineWidth: 0 }));
  }
  cpSync(join(REPO_ROOT, "plugin"), join(dir, "plugin"), { recursive: true });
  const render = () => run("kpt", ["fn", "render", "overlays/kpt-0.16", "--allow-exec"], { cwd: dir });

  test("renders config.json, the plan and the Job into the package, valid", async () => {
    const result = render();
    assert.equal(result.status, 0, result.stderr);
    const files = readdirSync(pkg);
    const job = files.find((file) => /^job-stalwart-apply-[0-9a-f]{8}\.yaml$/.test(file));
    assert.ok(job, files.join(", "));
    assert.ok(files.some((file) => /^configmap-stalwart-plan-[0-9a-f]{8}\.yaml$/.test(file)), files.join(", "));
    const objects = files
      .filter((file) => file.endsWith(".yaml"))
      .flatMap((file) => parseManifests(readFileSync(join(pkg, file), "utf8")))
      .filter((object) => object.metadata.annotations?.["config.kubernetes.io/local-config"] !== "true");
    await assertValid016(objects);
    assert.deepEqual(unresolvedReferences(objects), []);
    assert.equal(configJson(objects)["@type"], "RocksDb");
    // kustomize and kpt render the same plan from the same settings.
    const kustomized = built(kubectlKustomize("overlays/single-0.16"), "single-0.16");
    assert.equal(applyJob(objects).metadata.name, applyJob(kustomized).metadata.name);
    assert.equal(configJsonText(objects), configJsonText(kustomized));
  });

  test("a second render changes no file", () => {
    const before = snapshot(pkg);
    const result = render();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(snapshot(pkg), before);
  });

  test("another hostname: the Job of the old plan leaves the package, the new one comes", () => {
    const before = readdirSync(pkg).filter((file) => file.startsWith("job-"));
    const config = join(pkg, "stalwartconfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replaceAll("mail.example.com", "mx.example.com"));
    const result = render();
    assert.equal(result.status, 0, result.stderr);
    const after = readdirSync(pkg).filter((file) => file.startsWith("job-"));
    assert.equal(after.length, 1, after.join(", "));
    assert.notDeepEqual(after, before);
    assert.equal(readdirSync(pkg).filter((file) => file.startsWith("configmap-stalwart-plan-")).length, 1);
  });
});
