/**
 * The migration from 0.15 to 0.16 (docs/upgrading-0.16.md, overlays/migrate-0.16), for the single instance
 * (RocksDB) and the cluster (FoundationDB): every step built by the real kubectl, every object valid against the
 * upstream schemas, Pod Security "restricted" for every pod but the re-own Job (whose exception is exactly root
 * with CHOWN and DAC_OVERRIDE), the names that tie the steps together, the selector that keeps 0.15 and 0.16 pods
 * apart, dump.py's rewrite run with the local python3, and the guide's commands naming directories that exist.
 * No cluster runs here, and no image is pulled.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import Ajv from "ajv";
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { find, parseManifests } from "../support/manifests.ts";
import { deletions } from "../support/plan-deletions.ts";
import { podTemplateOf, restrictedViolations } from "../support/pod-security.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize, REPO_ROOT, run } from "../support/tools.ts";

const MIGRATE = "overlays/migrate-0.16";
const STEPS = ["dump", "inspect", "stop", "reown", "recovery/single", "recovery/cluster", "apply-export", "apply-plan/single", "apply-plan/cluster", "start/single", "start/cluster"] as const;
type Step = (typeof STEPS)[number];

const built = new Map<Step, KubeObject[]>();
function objects(step: Step): KubeObject[] {
  const cached = built.get(step);
  if (cached) return cached;
  const build = kubectlKustomize(join(REPO_ROOT, MIGRATE, step));
  assert.equal(build.status, 0, `${step}: ${build.stderr}`);
  assert.equal(build.stderr, "", `${step}: no warnings`);
  const parsed = parseManifests(build.stdout);
  built.set(step, parsed);
  return parsed;
}
function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(join(REPO_ROOT, dir));
  assert.equal(result.status, 0, `${dir}: ${result.stderr}`);
  return parseManifests(result.stdout);
}

type Container = { name: string; image?: string; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; volumeMounts?: { name: string; mountPath: string }[]; args?: string[]; command?: string[] };
type PodSpec = { containers: Container[]; initContainers?: Container[]; volumes?: Record<string, any>[]; securityContext?: Record<string, unknown> };
const podOf = (object: KubeObject) => podTemplateOf(object)?.spec as unknown as PodSpec;
const workloadOf = (items: KubeObject[]) => items.find((item) => item.kind === "Deployment" || item.kind === "StatefulSet") as KubeObject;
const stalwart = (items: KubeObject[]) => podOf(workloadOf(items)).containers.find((container) => container.name === "stalwart") as Container;
const env = (container: Container, name: string) => container.env?.find((variable) => variable.name === name);
const applyJob = (items: KubeObject[]) => items.find((item) => item.kind === "Job" && item.metadata.labels?.["app.kubernetes.io/component"] === "apply") as KubeObject;
const configJson = (items: KubeObject[]) => JSON.parse(String((find(items, "ConfigMap", "stalwart").data as Record<string, string>)["config.json"])) as Record<string, unknown>;

/** The v1 schema of VolumeSnapshot (kubernetes-csi/external-snapshotter, client/config/crd/snapshot.storage.k8s.io_volumesnapshots.yaml at 0368263), which no model package has. */
const VOLUME_SNAPSHOT_V1 = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "snapshot.storage.k8s.io/v1" },
    kind: { const: "VolumeSnapshot" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      required: ["source"],
      additionalProperties: false,
      properties: {
        source: {
          type: "object",
          additionalProperties: false,
          properties: { persistentVolumeClaimName: { type: "string" }, volumeSnapshotContentName: { type: "string" } },
          oneOf: [{ required: ["persistentVolumeClaimName"] }, { required: ["volumeSnapshotContentName"] }],
        },
        // "Empty string is not allowed for this field."
        volumeSnapshotClassName: { type: "string", minLength: 1 },
      },
    },
  },
};
const validateSnapshot = new Ajv.default({ allErrors: true, strict: false }).compile(VOLUME_SNAPSHOT_V1);

describe("every step builds with kubectl into objects the upstream schemas accept", () => {
  for (const step of STEPS) {
    test(step, async () => {
      const items = objects(step);
      assert.ok(items.length > 0);
      const snapshots = items.filter((item) => item.kind === "VolumeSnapshot");
      for (const snapshot of snapshots) {
        assert.ok(validateSnapshot(snapshot), JSON.stringify(validateSnapshot.errors));
        new ObjectMeta(snapshot.metadata).validate();
      }
      const rest = items.filter((item) => item.kind !== "VolumeSnapshot");
      assert.deepEqual(await allSchemaProblems(rest), []);
      assert.deepEqual(typeProblems(rest), []);
    });
  }
});

test("Pod Security restricted for every pod of every step, but the re-own Job, which is root with CHOWN and DAC_OVERRIDE only", () => {
  for (const step of STEPS) {
    for (const item of objects(step)) {
      if (step === "reown") continue;
      assert.deepEqual(restrictedViolations(item), [], `${step}: ${item.kind}/${item.metadata.name}`);
    }
  }
  const reown = find(objects("reown"), "Job", "stalwart-migrate-reown");
  assert.deepEqual(restrictedViolations(reown).sort(), [
    "Job/stalwart-migrate-reown: container reown adds capability CHOWN (restricted allows only NET_BIND_SERVICE)",
    "Job/stalwart-migrate-reown: container reown adds capability DAC_OVERRIDE (restricted allows only NET_BIND_SERVICE)",
    "Job/stalwart-migrate-reown: container reown must run with runAsNonRoot: true",
    "Job/stalwart-migrate-reown: pod runAsUser must not be 0",
  ]);
  // Nothing beyond "baseline": its capabilities are in baseline's list, and no privilege escalation.
  assert.equal(restrictedViolations(reown).some((violation) => violation.includes("(baseline)")), false);
  const pod = podOf(reown);
  assert.equal(pod.securityContext?.runAsUser, 0);
  assert.deepEqual(pod.containers[0]?.command, ["chown", "-R", "2000:2000", "/var/lib/stalwart"]);
  assert.deepEqual(pod.volumes, [{ name: "data", persistentVolumeClaim: { claimName: "stalwart-data" } }]);
});

test("the dump Job: a pinned Python image, the script from the user's ConfigMap, credentials from a Secret, the claim for later steps", () => {
  const items = objects("dump");
  const job = find(items, "Job", "stalwart-migrate-dump");
  const pod = podOf(job);
  const container = pod.containers[0] as Container;
  assert.match(String(container.image), /^python:3\.\d+\.\d+-slim-[a-z]+$/, "pinned by a full tag");
  assert.equal((job.spec as { backoffLimit: number }).backoffLimit, 0);
  assert.deepEqual(env(container, "STALWART_USER")?.valueFrom?.secretKeyRef, { name: "stalwart-migrate-credentials", key: "username" });
  assert.deepEqual(env(container, "STALWART_PASSWORD")?.valueFrom?.secretKeyRef, { name: "stalwart-migrate-credentials", key: "password" });
  assert.equal(env(container, "STALWART_URL")?.value, "http://stalwart:80");
  assert.equal(env(container, "PATCH_PATHS")?.value, "/opt/stalwart/data=/var/lib/stalwart /opt/stalwart=/var/lib/stalwart");
  assert.equal(env(container, "MIGRATE_SCRIPT_SHA256")?.value, "ebc7c2cc8b3d9378476523ee5fd76c39b1bc0e788a890ff17b507b03c0757458");
  const volumes = Object.fromEntries((pod.volumes ?? []).map((volume) => [volume.name, volume]));
  assert.equal(volumes.script?.configMap?.name, "stalwart-migrate-script");
  assert.match(String(volumes.tools?.configMap?.name), /^stalwart-migrate-dump-/);
  assert.deepEqual(volumes.work?.emptyDir, { sizeLimit: "1Gi" });
  assert.equal(volumes.migration?.persistentVolumeClaim?.claimName, "stalwart-migration");
  const claim = find(items, "PersistentVolumeClaim", "stalwart-migration").spec as { accessModes: string[] };
  assert.deepEqual(claim.accessModes, ["ReadWriteOnce"]);
  // The 0.15 Service of both bases has port 80 to the plain-HTTP listener.
  for (const overlay of ["overlays/single", "overlays/cluster"]) {
    const ports = (find(build(overlay), "Service", "stalwart").spec as { ports: { port: number; targetPort: string }[] }).ports;
    assert.ok(ports.some((port) => port.port === 80 && port.targetPort === "http"), overlay);
  }
});

for (const layout of ["single", "cluster"] as const) {
  describe(`${layout}: recovery, the resumed plan and the normal start`, () => {
    const recovery = () => objects(`recovery/${layout}`);
    const plan = () => objects(`apply-plan/${layout}`);
    const start = () => objects(`start/${layout}`);

    test("recovery mode on one replica, with the recovery administrator composed from its Secret", () => {
      const workload = workloadOf(recovery());
      assert.equal((workload.spec as { replicas: number }).replicas, 1);
      const container = stalwart(recovery());
      assert.equal(env(container, "STALWART_RECOVERY_MODE")?.value, "1");
      assert.equal(env(container, "STALWART_RECOVERY_ADMIN")?.value, "$(RECOVERY_ADMIN_USERNAME):$(RECOVERY_ADMIN_PASSWORD)");
      const names = (container.env ?? []).map((variable) => variable.name);
      assert.ok(names.indexOf("RECOVERY_ADMIN_PASSWORD") < names.indexOf("STALWART_RECOVERY_ADMIN"), "defined before it is expanded");
      assert.deepEqual(env(container, "RECOVERY_ADMIN_USERNAME")?.valueFrom?.secretKeyRef, { name: "stalwart-recovery-admin", key: "username" });
      assert.deepEqual(env(container, "RECOVERY_ADMIN_PASSWORD")?.valueFrom?.secretKeyRef, { name: "stalwart-recovery-admin", key: "password" });
      assert.equal((container as { startupProbe?: { failureThreshold: number } }).startupProbe?.failureThreshold, 1440);
    });

    test("the library's apply Job: suspended in recovery, signed in as the recovery administrator; resumed by apply-plan, the same Job", () => {
      const suspended = applyJob(recovery());
      assert.equal((suspended.spec as { suspend?: boolean }).suspend, true);
      const cli = podOf(suspended).initContainers?.find((container) => container.name === "apply") as Container;
      assert.deepEqual(env(cli, "STALWART_USER")?.valueFrom?.secretKeyRef, { name: "stalwart-recovery-admin", key: "username" });
      const resumed = applyJob(plan());
      assert.equal(resumed.metadata.name, suspended.metadata.name);
      assert.equal((resumed.spec as { suspend?: boolean }).suspend, false);
      const { suspend: _a, ...restSuspended } = suspended.spec as Record<string, unknown>;
      const { suspend: _b, ...restResumed } = resumed.spec as Record<string, unknown>;
      assert.deepEqual(restResumed, restSuspended, "only suspend differs");
      assert.deepEqual(plan().filter((item) => item.kind !== "Job"), recovery().filter((item) => item.kind !== "Job"), "the rest is step 4 again");
    });

    test("the normal start: no recovery mode, every replica, the Job runs with stalwart-apply-credentials", () => {
      const container = stalwart(start());
      for (const name of ["STALWART_RECOVERY_MODE", "STALWART_RECOVERY_ADMIN", "RECOVERY_ADMIN_USERNAME"]) assert.equal(env(container, name), undefined, name);
      assert.equal((workloadOf(start()).spec as { replicas: number }).replicas, layout === "single" ? 1 : 3);
      const job = applyJob(start());
      assert.equal((job.spec as { suspend?: boolean }).suspend, undefined);
      const cli = podOf(job).initContainers?.find((candidate) => candidate.name === "apply") as Container;
      assert.deepEqual(env(cli, "STALWART_USER")?.valueFrom?.secretKeyRef, { name: "stalwart-apply-credentials", key: "username" });
      // Recovery and normal start are the same settings: the same config.json, the same plan.
      assert.deepEqual(configJson(start()), configJson(recovery()));
      const planOf = (items: KubeObject[]) => (items.find((item) => item.kind === "ConfigMap" && item.metadata.name.includes("-plan-"))?.data as Record<string, string>)["plan.ndjson"];
      assert.equal(planOf(start()), planOf(recovery()));
    });

    test("no plan of the migration deletes an account or a domain", () => {
      for (const items of [recovery(), plan(), start()]) {
        const maps = items.filter((item) => item.kind === "ConfigMap" && item.metadata.name.includes("-plan-"));
        assert.equal(maps.length, 1);
        for (const map of maps) for (const text of Object.values(map.data as Record<string, string>)) assert.deepEqual(deletions(text), []);
      }
    });

    test("a 0.15 pod and a 0.16 pod never share a workload: the selector carries the line, which the API server never lets change", () => {
      const old = workloadOf(build(`overlays/${layout}`));
      const selector = (object: KubeObject) => (object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      const labels = (object: KubeObject) => (podTemplateOf(object)?.metadata.labels ?? {}) as Record<string, string>;
      for (const next of [workloadOf(recovery()), workloadOf(start())]) {
        assert.equal(next.kind, old.kind);
        assert.equal(next.metadata.name, old.metadata.name, "the same name: applied over the old workload, it is refused");
        assert.equal(selector(old)["stalwart.krm.example/stalwart-line"], "0.15");
        assert.equal(selector(next)["stalwart.krm.example/stalwart-line"], "0.16");
        assert.notDeepEqual(selector(next), selector(old));
        const matches = (matchLabels: Record<string, string>, podLabels: Record<string, string>) => Object.entries(matchLabels).every(([key, value]) => podLabels[key] === value);
        assert.equal(matches(selector(next), labels(old)), false, "0.16 never adopts a 0.15 pod");
        assert.equal(matches(selector(old), labels(next)), false, "0.15 never adopts a 0.16 pod");
      }
    });
  });
}

test("single: the migrated claim, mounted at /var/lib/stalwart, holds RocksDB at its root, as 0.15 wrote it", () => {
  for (const step of ["recovery/single", "start/single"] as const) {
    const items = objects(step);
    assert.deepEqual(configJson(items), { "@type": "RocksDb", path: "/var/lib/stalwart" }, step);
    const pod = podOf(workloadOf(items));
    assert.ok(pod.volumes?.some((volume) => volume.name === "data" && volume.persistentVolumeClaim?.claimName === "stalwart-data"));
    assert.ok(stalwart(items).volumeMounts?.some((mount) => mount.name === "data" && mount.mountPath === "/var/lib/stalwart"));
  }
  // 0.15 put the same claim at /opt/stalwart/data and RocksDB there: the dump's --patch-paths maps one to the other.
  const old = build("overlays/single");
  assert.ok(stalwart(old).volumeMounts?.some((mount) => mount.name === "data" && mount.mountPath === "/opt/stalwart/data"));
  assert.match(String((find(old, "ConfigMap", "stalwart").data as Record<string, string>)["config.toml"]), /path = "\/opt\/stalwart\/data"/);
  // Without the path, 0.16 would open an empty store beside the old one.
  assert.deepEqual(configJson(build("overlays/single-0.16")), { "@type": "RocksDb", path: "/var/lib/stalwart/data" });
  // The snapshot and the re-own Job are of that claim.
  assert.equal((find(objects("stop"), "VolumeSnapshot", "stalwart-data-before-0.16").spec as any).source.persistentVolumeClaimName, "stalwart-data");
});

test("the settings of the step directories are one: recovery and start share a StalwartConfig, the cluster's is overlays/cluster-0.16's", () => {
  const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
  assert.equal(read(`${MIGRATE}/recovery/single/stalwartconfig.yaml`), read(`${MIGRATE}/start/single/stalwartconfig.yaml`));
  assert.deepEqual(parse(read(`${MIGRATE}/recovery/cluster/stalwartconfig.yaml`)), parse(read("overlays/cluster-0.16/stalwartconfig.yaml")));
  const recovery = parse(read(`${MIGRATE}/recovery/cluster/kustomization.yaml`)) as Record<string, unknown>;
  const normal = parse(read("overlays/cluster-0.16/kustomization.yaml")) as Record<string, unknown>;
  assert.deepEqual(recovery.images, normal.images);
  assert.deepEqual(recovery.components, [...(normal.components as string[]).map((path) => `../../${path}`), "../../../components/recovery-mode"]);
});

test("the export Job reads the dump's claim and reaches the recovery pod as its administrator; never retried", () => {
  const job = find(objects("apply-export"), "Job", "stalwart-migrate-apply-export");
  assert.equal((job.spec as { backoffLimit: number }).backoffLimit, 0);
  const pod = podOf(job);
  const cli = pod.containers[0] as Container;
  assert.equal(cli.image, "ghcr.io/stalwartlabs/cli:1.0.13");
  assert.deepEqual(cli.args, ["apply", "--file", "/migration/export.json"]);
  assert.equal(env(cli, "XDG_CACHE_HOME")?.value, "/cache");
  assert.equal(pod.securityContext?.runAsUser, 65532);
  assert.equal(pod.securityContext?.fsGroup, 2000, "the group the dump wrote the export for");
  assert.equal(podOf(find(objects("dump"), "Job", "stalwart-migrate-dump")).securityContext?.runAsGroup, 2000);
  assert.deepEqual(env(cli, "STALWART_USER")?.valueFrom?.secretKeyRef, { name: "stalwart-recovery-admin", key: "username" });
  assert.deepEqual(env(cli, "STALWART_PASSWORD")?.valueFrom?.secretKeyRef, { name: "stalwart-recovery-admin", key: "password" });
  assert.ok(pod.volumes?.some((volume) => volume.persistentVolumeClaim?.claimName === "stalwart-migration"));
  const serverUrl = String(env(cli, "STALWART_URL")?.value);
  const url = new URL(serverUrl);
  for (const layout of ["single", "cluster"] as const) {
    const items = objects(`recovery/${layout}`);
    const service = find(items, "Service", url.hostname).spec as { ports: { port: number; targetPort: string }[] };
    const port = service.ports.find((candidate) => candidate.port === Number(url.port || 80));
    assert.equal(port?.targetPort, "http", layout);
    const container = (stalwart(items) as Container & { ports: { name: string; containerPort: number }[] }).ports.find((candidate) => candidate.name === "http");
    assert.equal(container?.containerPort, 8080, "recovery mode serves 8080 only");
  }
  const wait = pod.initContainers?.[0] as Container;
  assert.equal(wait.command?.at(-1), `${serverUrl}/healthz/ready`);
});

describe("dump.py, run with the local python3", () => {
  const dumpPy = join(REPO_ROOT, MIGRATE, "dump/dump.py");
  const scratch = mkdtempSync(join(tmpdir(), "stalwart-dump-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const sampleExport = [
    { "@type": "create", object: "Domain", value: { "create-0": { name: "example.com" } } },
    { "@type": "create", object: "Account", value: { "restore-2": { "@type": "User", name: "jane", domainId: "#create-0", credentials: { "0": { "@type": "Password", secret: "$6$salt$hash" } } } } },
    { "@type": "create", object: "DkimSignature", value: { "create-1": { "@type": "Dkim1RsaSha256", privateKey: { "@type": "Text", secret: "-----BEGIN PRIVATE KEY-----" } } } },
    { "@type": "update", object: "SearchStore", value: { "@type": "ElasticSearch", httpAuth: { "@type": "Basic", username: "elastic", secret: { "@type": "Value", secret: "%{env:ES_PASSWORD}%" } } } },
    { "@type": "update", object: "BlobStore", value: { "@type": "S3", accessKey: { "@type": "Value", value: "AKIAEXAMPLE" }, secretKey: { "@type": "Value", secret: "%{file:/etc/s3/secret-key}%" } } },
  ];
  const write = (name: string, operations: readonly unknown[]) => {
    const path = join(scratch, name);
    writeFileSync(path, operations.map((operation) => JSON.stringify(operation)).join("\n") + "\n");
    return path;
  };
  const rewrite = (input: string, output: string, extraEnv: NodeJS.ProcessEnv = {}) => run("python3", ["-I", dumpPy, "rewrite", input, output], { env: { ...process.env, ...extraEnv } });

  test("%{env:X}% and %{file:P}% store secrets become references; everything else is left as it was", () => {
    const output = join(scratch, "out.json");
    const result = rewrite(write("sample.json", sampleExport), output);
    assert.equal(result.status, 0, result.stderr);
    const lines = readFileSync(output, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(lines.slice(0, 3), sampleExport.slice(0, 3), "accounts, hashes, DKIM keys untouched");
    assert.deepEqual(lines[3].value.httpAuth.secret, { "@type": "EnvironmentVariable", variableName: "ES_PASSWORD" });
    assert.deepEqual(lines[4].value.secretKey, { "@type": "File", filePath: "/etc/s3/secret-key" });
    assert.deepEqual(lines[4].value.accessKey, { "@type": "Value", value: "AKIAEXAMPLE" }, "a public Value is no secret");
    assert.match(result.stdout, /must have these environment variables \(the export refers to them\): ES_PASSWORD/);
    assert.match(result.stdout, /must have these files \(the export refers to them\): \/etc\/s3\/secret-key/);
    assert.equal(statSync(output).mode & 0o777, 0o640, "owner and group only");
  });

  test("a plain Value secret stops it, listed by place and never by value, and nothing is written; KEEP_VALUE_SECRETS=true keeps it", () => {
    const plain = { "@type": "update", object: "InMemoryStore", value: { "@type": "Redis", authSecret: { "@type": "Value", secret: "hunter2-not-a-macro" } } };
    const input = write("plain.json", [...sampleExport, plain]);
    const output = join(scratch, "refused.json");
    const refused = rewrite(input, output);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /export\.json line 6 \(update InMemoryStore\) \/value\/authSecret: a secret is written as a value/);
    assert.doesNotMatch(refused.stdout + refused.stderr, /hunter2/);
    assert.equal(existsSync(output), false);
    const kept = rewrite(input, output, { KEEP_VALUE_SECRETS: "true" });
    assert.equal(kept.status, 0, kept.stderr);
    assert.match(kept.stdout, /Kept as values \(KEEP_VALUE_SECRETS=true\)/);
    assert.deepEqual(JSON.parse(readFileSync(output, "utf8").trimEnd().split("\n")[5] as string).value.authSecret, plain.value.authSecret);
  });

  test("a macro left anywhere else stops it, KEEP_VALUE_SECRETS or not: 0.16 would read it as text", () => {
    const macro = { "@type": "update", object: "InMemoryStore", value: { "@type": "Redis", url: "redis://%{env:REDIS_HOST}%:6379", authSecret: { "@type": "Value", secret: "pre-%{env:X}%" } } };
    const result = rewrite(write("macro.json", [macro]), join(scratch, "macro-out.json"), { KEEP_VALUE_SECRETS: "true" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\/value\/url: a %\{env:\.\.\.\}% macro, which 0\.16 does not expand/);
    assert.match(result.stderr, /\/value\/authSecret: a secret holds a macro 0\.16 does not expand/);
  });

  describe("the Job's run, against a stand-in 0.15 management API and a stand-in script", () => {
    const standIn = join(REPO_ROOT, "test/e2e/fixtures/migrate-0.16/migrate-stand-in.py");
    const seen: { authorization?: string; url?: string }[] = [];
    let failPrincipal = false;
    const server: Server = createServer((request, response) => {
      seen.push({ authorization: request.headers.authorization, url: request.url });
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Basic ${Buffer.from("admin:s3cr3t é").toString("base64")}`) return reply(401, { error: "unauthorized" });
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname === "/api/settings/list") return reply(200, { data: { items: { "store.rocksdb.path": "/opt/stalwart/data", "store.es.auth.secret": "%{env:ES_PASSWORD}%" }, total: 2 } });
      if (url.pathname === "/api/principal") return reply(200, { data: { items: [{ type: "individual", name: "jane@example.com" }], total: 1 } });
      if (url.pathname === "/api/principal/jane%40example.com") return failPrincipal ? reply(500, { error: "boom" }) : reply(200, { data: { id: 2, type: "individual", name: "jane@example.com" } });
      return reply(404, { error: "notFound" });
    });
    before(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const job = async (name: string, extraEnv: NodeJS.ProcessEnv = {}) => {
      const work = join(scratch, name, "work");
      const output = join(scratch, name, "migration");
      mkdirSync(work, { recursive: true });
      mkdirSync(output, { recursive: true });
      const environment = {
        PATH: process.env.PATH,
        STALWART_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        STALWART_USER: "admin",
        STALWART_PASSWORD: "s3cr3t é",
        MIGRATE_SCRIPT: standIn,
        MIGRATE_SCRIPT_SHA256: "",
        PATCH_PATHS: "/opt/stalwart/data=/var/lib/stalwart /opt/stalwart=/var/lib/stalwart",
        WORK_DIR: work,
        OUTPUT_DIR: output,
        ...extraEnv,
      };
      // Asynchronous: the stand-in API answers from this process meanwhile.
      const result = await promisify(execFile)("python3", ["-I", "-u", dumpPy], { env: environment }).then(
        (done) => ({ status: 0, stdout: done.stdout, stderr: done.stderr }),
        (failed: { code?: number; stdout: string; stderr: string }) => ({ status: failed.code ?? 1, stdout: failed.stdout, stderr: failed.stderr }),
      );
      return { ...result, output, work };
    };

    test("dump and convert with the credentials from the environment, then the rewrite: export.json, config.json and unmigrated.txt on the claim", async () => {
      const result = await job("ok");
      assert.equal(result.status, 0, result.stderr);
      assert.ok(seen.some((request) => request.url === "/api/settings/list?prefix=&page=1&limit=200"), "query parameters as requests sends them");
      const export_ = readFileSync(join(result.output, "export.json"), "utf8");
      assert.match(export_, /"variableName": "ES_PASSWORD"/);
      assert.doesNotMatch(export_, /%\{env:/);
      assert.deepEqual(JSON.parse(readFileSync(join(result.output, "config.json"), "utf8")), { "@type": "RocksDb", path: "/var/lib/stalwart" });
      assert.ok(existsSync(join(result.output, "unmigrated.txt")));
      assert.equal(existsSync(join(result.output, "settings.json")), false, "settings and principals stay in the emptyDir");
      assert.ok(existsSync(join(result.work, "principals.json")));
      assert.match(result.stdout, /Wrote .*export\.json: create Domain \(1\), create Account \(1\), update SearchStore \(1\)/);
      assert.doesNotMatch(result.stdout + result.stderr, /s3cr3t/);
    });

    test("wrong credentials, an unreadable principal or another script version end the Job with 1 and no export", async () => {
      const wrong = await job("wrong", { STALWART_PASSWORD: "nope" });
      assert.equal(wrong.status, 1);
      assert.match(wrong.stderr, /401/);
      failPrincipal = true;
      const incomplete = await job("incomplete");
      failPrincipal = false;
      assert.equal(incomplete.status, 1);
      assert.match(incomplete.stderr, /the dump is incomplete.*\n.*WARN failed to fetch individual 'jane@example.com'/);
      const version = await job("version", { MIGRATE_SCRIPT_SHA256: "ebc7c2cc8b3d9378476523ee5fd76c39b1bc0e788a890ff17b507b03c0757458" });
      assert.equal(version.status, 1);
      assert.match(version.stderr, /has SHA-256 [0-9a-f]{64}, not ebc7c2cc/);
      for (const result of [wrong, incomplete, version]) assert.equal(existsSync(join(result.output, "export.json")), false);
    });
  });
});

describe("the guide", () => {
  const guide = readFileSync(join(REPO_ROOT, "docs/upgrading-0.16.md"), "utf8");

  test("every migration directory it names exists and is a kustomization; every step directory is named", () => {
    const named = new Set([...guide.matchAll(/overlays\/migrate-0\.16\/([a-z-]+(?:\/(?:single|cluster))?)/g)].map((match) => match[1] as string));
    for (const dir of named) assert.ok(existsSync(join(REPO_ROOT, MIGRATE, dir, "kustomization.yaml")), dir);
    for (const step of STEPS) assert.ok(named.has(step) || (step.endsWith("/cluster") && guide.includes(`${step.split("/")[0]}/single\` or \`/cluster`)), step);
  });

  test("each step is applied with the command that fits it and waited for by name", () => {
    for (const step of ["dump", "inspect", "stop", "reown", "apply-export"]) assert.ok(guide.includes(`kubectl apply -k ${MIGRATE}/${step}\n`), step);
    for (const step of ["recovery/single", "recovery/cluster", "apply-plan/single", "start/single"]) {
      assert.ok(guide.includes(`kubectl kustomize --enable-alpha-plugins ${MIGRATE}/${step} | kubectl apply -f -`), step);
    }
    for (const wait of [
      "kubectl wait --for=condition=complete job/stalwart-migrate-dump",
      "kubectl wait --for=delete pod -l app.kubernetes.io/name=stalwart",
      "kubectl wait --for=jsonpath='{.status.readyToUse}'=true volumesnapshot/stalwart-data-before-0.16",
      "kubectl wait --for=condition=complete job/stalwart-migrate-reown",
      "kubectl wait --for=condition=available deployment/stalwart",
      "kubectl wait --for=condition=ready pod/stalwart-1",
      "kubectl wait --for=condition=complete job/stalwart-migrate-apply-export",
      "kubectl wait --for=condition=complete job -l app.kubernetes.io/component=apply",
    ]) {
      assert.ok(guide.includes(wait), wait);
    }
  });

  test("the names it tells users to create are the ones the steps read", () => {
    const secrets = new Set(STEPS.flatMap((step) => objects(step)).flatMap((item) => {
      const pod = podTemplateOf(item)?.spec as unknown as PodSpec | undefined;
      if (!pod) return [];
      return [...pod.containers, ...(pod.initContainers ?? [])].flatMap((container) => (container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.name] : [])));
    }));
    for (const secret of ["stalwart-migrate-credentials", "stalwart-recovery-admin", "stalwart-apply-credentials"]) {
      assert.ok(secrets.has(secret), secret);
      assert.match(guide, new RegExp(`kubectl create secret generic ${secret} --from-literal=username=\\S+ --from-literal=password=`), secret);
    }
    assert.ok(guide.includes("kubectl create configmap stalwart-migrate-script --from-file=migrate_v016.py"));
    assert.ok(guide.includes("https://raw.githubusercontent.com/stalwartlabs/stalwart/v0.16.18/resources/scripts/migrate_v016.py"));
    assert.ok(guide.includes("ebc7c2cc8b3d9378476523ee5fd76c39b1bc0e788a890ff17b507b03c0757458  migrate_v016.py"));
  });

  test("docs/upgrading.md links it from a section on 0.15 to 0.16", () => {
    const upgrading = readFileSync(join(REPO_ROOT, "docs/upgrading.md"), "utf8");
    assert.match(upgrading, /## 0\.15 to 0\.16\n[\s\S]*\]\(upgrading-0\.16\.md\)/);
  });
});
