/**
 * The restart container's script, run with bash and curl against a local server that plays the Kubernetes API:
 * KUBERNETES_API and SERVICEACCOUNT_DIR point it there and at a temporary ServiceAccount directory.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BOOT_OBJECTS_ANNOTATION, renderApplyJob, type ApplyJobInput } from "../../../../src/render/v016/apply-job.ts";

const BOOT_HASH = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OLD_HASH = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.test-token.signature";

interface Env {
  name: string;
  value: string;
}
interface Container {
  name: string;
  command: string[];
  env: Env[];
}

/** The restart container as rendered: its command and env are what the test runs. */
function restartContainer(kind: "Deployment" | "StatefulSet" = "StatefulSet", bootHash = BOOT_HASH): Container {
  const input: ApplyJobInput = {
    plan: `${JSON.stringify({ "@type": "update", object: "SystemSettings", value: {} })}\n`,
    instance: { base: "stalwart", namespace: "mail" },
    serverUrl: "http://stalwart:8080",
    credentialsSecret: "stalwart-admin",
    waitImage: "docker.io/stalwartlabs/stalwart:v0.16.18",
    restart: { workload: { kind, name: "stalwart" }, bootHash },
  };
  const job = renderApplyJob(input).objects.find((object) => object.kind === "Job");
  assert.ok(job);
  const spec = (job.spec as { template: { spec: { containers: Container[] } } }).template.spec;
  const container = spec.containers.find((c) => c.name === "restart");
  assert.ok(container);
  return container;
}

const saDir = mkdtempSync(join(tmpdir(), "restart-sa-"));
writeFileSync(join(saDir, "token"), TOKEN);
writeFileSync(join(saDir, "namespace"), "mail");
after(() => rmSync(saDir, { recursive: true, force: true }));

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}
interface Answer {
  status: number;
  body: string;
}

/** Answers each request with `answer(method)` and records it. */
async function fakeApi(answer: (method: string) => Answer, serverOf: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server = createHttpServer) {
  const seen: Seen[] = [];
  const server = serverOf((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const method = req.method ?? "";
      seen.push({ method, url: req.url ?? "", authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
      const reply = answer(method);
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Runs the container's command with its env, as the kubelet would, plus the test's API and ServiceAccount directory. */
async function run(container: Container, api: string, extraEnv: Record<string, string> = {}) {
  const [program, ...args] = container.command;
  assert.ok(program);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...Object.fromEntries(container.env.map((e) => [e.name, e.value])), KUBERNETES_API: api, SERVICEACCOUNT_DIR: saDir, ...extraEnv };
  const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/**
 * A StatefulSet as the API server returns it (compact JSON): the pod template's annotations, plus the places a
 * naive text match would be fooled by: the object's own annotations, last-applied-configuration, managedFields.
 */
function statefulSet(templateAnnotations: Record<string, string>, elsewhere = ""): object {
  const decoy = elsewhere ? { [BOOT_OBJECTS_ANNOTATION]: elsewhere } : {};
  return {
    kind: "StatefulSet",
    apiVersion: "apps/v1",
    metadata: {
      name: "stalwart",
      namespace: "mail",
      annotations: {
        ...decoy,
        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ spec: { template: { metadata: { annotations: decoy } } } }),
      },
      managedFields: [{ manager: "curl", operation: "Update", fieldsV1: { "f:spec": { "f:template": { "f:metadata": { "f:annotations": { [`f:${BOOT_OBJECTS_ANNOTATION}`]: {} } } } } } }],
    },
    spec: {
      replicas: 3,
      template: { metadata: { labels: { "app.kubernetes.io/name": "stalwart" }, annotations: templateAnnotations }, spec: { containers: [{ name: "stalwart", image: "stalwart" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data", annotations: decoy } }],
    },
  };
}

const ok = (body: object | string, spaced = false): Answer => ({ status: 200, body: typeof body === "string" ? body : JSON.stringify(body, null, spaced ? 2 : undefined) });
const PATH = "/apis/apps/v1/namespaces/mail/statefulsets/stalwart";
const EXPECTED_PATCH = { spec: { template: { metadata: { annotations: { [BOOT_OBJECTS_ANNOTATION]: BOOT_HASH } } } } };

test("the pod template already carries the digest: no PATCH, exit 0", async () => {
  for (const spaced of [false, true]) {
    const api = await fakeApi(() => ok(statefulSet({ [BOOT_OBJECTS_ANNOTATION]: BOOT_HASH, other: "x" }), spaced));
    try {
      const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(api.seen.map((seen) => [seen.method, seen.url]), [["GET", PATH]]);
      assert.equal(api.seen[0]!.authorization, `Bearer ${TOKEN}`);
      assert.match(result.stdout, /no restart/);
      assert.equal(result.stderr, "");
    } finally {
      api.close();
    }
  }
});

test("no annotation yet: exactly one strategic merge PATCH that sets it, exit 0 and one line saying why", async () => {
  const api = await fakeApi((method) => (method === "GET" ? ok(statefulSet({ other: "x" })) : ok({ kind: "StatefulSet" })));
  try {
    const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(api.seen.map((seen) => [seen.method, seen.url]), [["GET", PATH], ["PATCH", PATH]]);
    const patch = api.seen[1]!;
    assert.equal(patch.contentType, "application/strategic-merge-patch+json");
    assert.equal(patch.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(patch.body), EXPECTED_PATCH);
    assert.equal(result.stdout.trim().split("\n").length, 1);
    assert.match(result.stdout, /rolling the pods of statefulsets\/stalwart once: objects Stalwart reads only at boot .* had none/);
  } finally {
    api.close();
  }
});

test("another digest on the pod template: PATCH, even when the new digest appears outside the template", async () => {
  for (const [spaced, previous] of [
    [false, OLD_HASH],
    [true, OLD_HASH],
    // Equality, not a prefix.
    [false, `${BOOT_HASH}00`],
  ] as const) {
    const api = await fakeApi((method) => (method === "GET" ? ok(statefulSet({ [BOOT_OBJECTS_ANNOTATION]: previous }, BOOT_HASH), spaced) : ok({})));
    try {
      const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(api.seen.map((seen) => seen.method), ["GET", "PATCH"], previous);
      assert.deepEqual(JSON.parse(api.seen[1]!.body), EXPECTED_PATCH);
      assert.match(result.stdout, new RegExp(`had ${previous}$`, "m"));
    } finally {
      api.close();
    }
  }
});

test("a Deployment is read and patched under deployments", async () => {
  const api = await fakeApi((method) => (method === "GET" ? ok(statefulSet({})) : ok({})));
  try {
    const result = await run(restartContainer("Deployment"), `http://127.0.0.1:${api.port}`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(api.seen.map((seen) => [seen.method, seen.url]), [
      ["GET", "/apis/apps/v1/namespaces/mail/deployments/stalwart"],
      ["PATCH", "/apis/apps/v1/namespaces/mail/deployments/stalwart"],
    ]);
  } finally {
    api.close();
  }
});

test("403 on GET: exit 1, status and body on stderr, no PATCH", async () => {
  const forbidden = JSON.stringify({ kind: "Status", status: "Failure", message: 'statefulsets.apps "stalwart" is forbidden', reason: "Forbidden", code: 403 });
  const api = await fakeApi(() => ({ status: 403, body: forbidden }));
  try {
    const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
    assert.equal(result.code, 1);
    assert.deepEqual(api.seen.map((seen) => seen.method), ["GET"]);
    assert.match(result.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/mail\/statefulsets\/stalwart answered HTTP 403/);
    assert.ok(result.stderr.includes('is forbidden'), result.stderr);
    assert.doesNotMatch(result.stdout, /rolling/);
  } finally {
    api.close();
  }
});

test("a refused PATCH: exit 1 with the status on stderr", async () => {
  const api = await fakeApi((method) => (method === "GET" ? ok(statefulSet({})) : { status: 422, body: '{"kind":"Status","reason":"Invalid"}' }));
  try {
    const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
    assert.equal(result.code, 1);
    assert.deepEqual(api.seen.map((seen) => seen.method), ["GET", "PATCH"]);
    assert.match(result.stderr, /PATCH \S+ answered HTTP 422: \{"kind":"Status","reason":"Invalid"\}/);
  } finally {
    api.close();
  }
});

test("no API server listening: exit 1", async () => {
  const api = await fakeApi(() => ok({}));
  api.close();
  const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no answer from the API server/);
});

test("a BOOT_HASH that is not hex stops the script before any request", async () => {
  const api = await fakeApi(() => ok({}));
  try {
    const result = await run(restartContainer(), `http://127.0.0.1:${api.port}`, { BOOT_HASH: `${BOOT_HASH}"}` });
    assert.equal(result.code, 1);
    assert.deepEqual(api.seen, []);
    assert.match(result.stderr, /BOOT_HASH must be lower-case hex/);
  } finally {
    api.close();
  }
});

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

test("over https, the ServiceAccount's ca.crt is the trust anchor", { skip: hasOpenssl ? false : "openssl is not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "restart-tls-"));
  try {
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const cert = readFileSync(join(dir, "cert.pem"));
    const api = await fakeApi(() => ok(statefulSet({ [BOOT_OBJECTS_ANNOTATION]: BOOT_HASH })), (handler) => createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert }, handler));
    try {
      writeFileSync(join(saDir, "ca.crt"), cert);
      const trusted = await run(restartContainer(), `https://127.0.0.1:${api.port}`);
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.deepEqual(api.seen.map((seen) => seen.method), ["GET"]);
      // Another CA in ca.crt: curl must refuse the server, so the file above is what it trusted.
      writeFileSync(join(saDir, "ca.crt"), otherCertificate(dir));
      const untrusted = await run(restartContainer(), `https://127.0.0.1:${api.port}`);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stderr, /no answer from the API server/);
      assert.equal(api.seen.length, 1);
    } finally {
      api.close();
      rmSync(join(saDir, "ca.crt"), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function otherCertificate(dir: string): Buffer {
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other", "-keyout", join(dir, "other-key.pem"), "-out", join(dir, "other.pem")], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  return readFileSync(join(dir, "other.pem"));
}
