/** Mail TLS and FoundationDB client certificates as built by kubectl, and the reloader sidecar run for real. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { configToml, find, parseManifests, secretsCreated, secretsRequired } from "../support/manifests.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { kubectlKustomize } from "../support/tools.ts";

function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

type Container = { name: string; command?: string[]; env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] };
const podOf = (objects: readonly KubeObject[]) => ((objects.find((object) => object.kind === "Deployment" || object.kind === "StatefulSet")?.spec as any).template.spec) as { containers: Container[]; volumes: any[] };

for (const overlay of ["overlays/single", "overlays/cluster"]) {
  test(`${overlay}: Certificate stalwart-tls writes Secret stalwart-tls, issued through acme-dns, loaded as the default certificate`, () => {
    const objects = build(overlay);
    const certificate = find(objects, "Certificate", "stalwart-tls").spec as Record<string, any>;
    assert.equal(certificate.secretName, "stalwart-tls");
    assert.deepEqual(certificate.dnsNames, ["mail.example.com"]);
    assert.deepEqual(certificate.issuerRef, { name: "stalwart-acme", kind: "Issuer", group: "cert-manager.io" });
    const acme = (find(objects, "Issuer", "stalwart-acme").spec as any).acme;
    assert.equal(acme.server, "https://acme-v02.api.letsencrypt.org/directory");
    assert.deepEqual(acme.solvers[0].dns01.acmeDNS, { host: "https://acme-dns.example.com", accountSecretRef: { name: "acme-dns", key: "acmedns.json" } });
    const pod = podOf(objects);
    const volume = pod.volumes.find((candidate) => candidate.name === "tls");
    assert.deepEqual(volume.secret, { secretName: "stalwart-tls", optional: true });
    const flat = flattenToml(configToml(objects));
    assert.equal(flat["certificate.default.cert"], "%{file:/etc/stalwart/tls/tls.crt}%");
    assert.equal(flat["certificate.default.private-key"], "%{file:/etc/stalwart/tls/tls.key}%");
    assert.equal(flat["certificate.default.default"], "true");
    assert.ok(pod.containers.some((container) => container.name === "tls-reloader"));
  });
}

test("without the fdb-tls component nothing mounts or refers to FoundationDB TLS material", () => {
  for (const overlay of ["overlays/single", "overlays/cluster"]) {
    const objects = build(overlay);
    const text = JSON.stringify(objects);
    assert.doesNotMatch(text, /FDB_TLS_|fdb-client-cert|fdb-root-ca|stalwart-fdb-client|VaultDynamicSecret/, overlay);
  }
});

test("overlays/cluster-fdb-tls: Vault issuer, client Certificate stalwart-fdb-client, RBAC and the root CA through External Secrets", () => {
  const objects = build("overlays/cluster-fdb-tls");
  const client = find(objects, "Certificate", "stalwart-fdb-client").spec as Record<string, any>;
  assert.equal(client.secretName, "stalwart-fdb-client-cert");
  assert.equal(client.commonName, "stalwart-fdb-client");
  assert.equal(client.duration, "72h");
  assert.equal(client.renewBefore, "36h");
  assert.equal(client.privateKey.encoding, "PKCS8");
  assert.deepEqual(client.usages, ["client auth", "digital signature", "key encipherment"]);
  assert.deepEqual(client.issuerRef, { name: "fdb-client-issuer", kind: "Issuer", group: "cert-manager.io" });
  const vault = (find(objects, "Issuer", "fdb-client-issuer").spec as any).vault;
  assert.equal(vault.server, "https://openbao.openbao.svc:8200");
  assert.equal(vault.path, "pki_int/sign/fdb-client");
  assert.deepEqual(vault.auth.kubernetes, { mountPath: "/v1/auth/kubernetes", role: "fdb-client", serviceAccountRef: { name: "fdb-client-issuer" } });
  find(objects, "ServiceAccount", "fdb-client-issuer");
  find(objects, "ServiceAccount", "stalwart-pki-reader");
  const role = find(objects, "Role", "fdb-client-issuer-token-creator") as any;
  assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["fdb-client-issuer"], verbs: ["create"] }]);
  const binding = find(objects, "RoleBinding", "fdb-client-issuer-token-creator") as any;
  assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "cert-manager", namespace: "cert-manager" }]);
  const generator = find(objects, "VaultDynamicSecret", "stalwart-fdb-root-ca-generator").spec as any;
  assert.equal(generator.path, "pki/cert/ca");
  assert.deepEqual(generator.provider.caProvider, { type: "Secret", name: "openbao-ca-cert", key: "ca.crt" });
  assert.deepEqual(generator.provider.auth.kubernetes, { mountPath: "kubernetes", role: "pki-root-ca-reader", serviceAccountRef: { name: "stalwart-pki-reader" } });
  const external = find(objects, "ExternalSecret", "stalwart-fdb-root-ca").spec as any;
  assert.equal(external.target.name, "stalwart-fdb-root-ca");
  assert.equal(external.dataFrom[0].sourceRef.generatorRef.name, "stalwart-fdb-root-ca-generator");
  const stalwart = podOf(objects).containers.find((container) => container.name === "stalwart");
  const env = Object.fromEntries((stalwart?.env ?? []).map((variable) => [variable.name, variable.value]));
  assert.equal(env.FDB_TLS_CERTIFICATE_FILE, "/etc/fdb-client-certs/tls.crt");
  assert.equal(env.FDB_TLS_KEY_FILE, "/etc/fdb-client-certs/tls.key");
  assert.equal(env.FDB_TLS_CA_FILE, "/etc/fdb-root-ca/ca.crt");
  assert.equal(env.FDB_TLS_VERIFY_PEERS, "Check.Valid=1,Check.Unexpired=1");
  // The Secrets the pods need beyond the cluster file are all written by generated objects.
  const missing = secretsRequired(objects).filter((name) => !secretsCreated(objects).includes(name));
  assert.deepEqual(missing, ["stalwart-fdb-cluster-file", "stalwart-oauth-key"]);
});

async function waitFor<T>(condition: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = condition();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the reloader sidecar's own script, as rendered, against a stand-in Stalwart on loopback. */
async function runReloader(options: { withCli: boolean }) {
  const reloader = podOf(build("overlays/single")).containers.find((container) => container.name === "tls-reloader");
  assert.ok(reloader?.command);
  const dir = mkdtempSync(join(tmpdir(), "stalwart-reloader-"));
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    response.writeHead(200, { "content-type": "application/json" }).end('{"data":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bin = join(dir, "bin");
  writeFileSync(join(dir, "tls.crt"), "first certificate\n");
  mkdirSync(bin);
  if (options.withCli) {
    // stand-in for stalwart-cli: it must find URL and CREDENTIALS in its environment
    writeFileSync(join(bin, "stalwart-cli"), `#!/bin/sh\necho "$URL $CREDENTIALS $*" >> "${dir}/cli.log"\n`);
    chmodSync(join(bin, "stalwart-cli"), 0o755);
  }
  const env = { PATH: `${bin}:${process.env.PATH}`, TLS_DIRECTORY: dir, URL: url, INTERVAL: "0.1", CREDENTIALS: "admin:secret" };
  const [shell, ...args] = reloader.command as [string, ...string[]];
  const child = spawn(shell, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return {
    dir,
    requests,
    output: () => output,
    async stop() {
      child.kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("the tls-reloader calls Stalwart's certificate reload, with the credentials, when the mounted certificate changes", async () => {
  const run = await runReloader({ withCli: false });
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(run.requests.length, 0, "no reload while the certificate is unchanged");
    writeFileSync(join(run.dir, "tls.crt"), "renewed certificate\n");
    const request = await waitFor(() => run.requests[0], "the reload request");
    assert.equal(request.method, "GET");
    assert.equal(request.url, "/api/reload/certificate");
    assert.equal(request.headers.authorization, `Basic ${Buffer.from("admin:secret").toString("base64")}`);
    await waitFor(() => (/reloaded the certificate/.test(run.output()) ? true : undefined), "the log line");
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(run.requests.length, 1, "one reload per change");
  } finally {
    await run.stop();
  }
});

test("the tls-reloader prefers stalwart-cli where the image has it", async () => {
  const run = await runReloader({ withCli: true });
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    writeFileSync(join(run.dir, "tls.crt"), "renewed certificate\n");
    const log = await waitFor(() => {
      try {
        return readFileSync(join(run.dir, "cli.log"), "utf8");
      } catch {
        return undefined;
      }
    }, "stalwart-cli to run");
    assert.match(log, /^http:\/\/127\.0\.0\.1:\d+ admin:secret server reload-certificates$/m);
    assert.equal(run.requests.length, 0);
  } finally {
    await run.stop();
  }
});
