/**
 * What a Helm chart user relies on, built by the real kubectl: plain HTTP on port 80 of the mail Service, the
 * documented way to move it, and the migration table's answer to `fdbClientCert.serviceAccount.create=false`.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { find, parseManifests } from "../support/manifests.ts";
import { readyOverlays } from "../support/overlays.ts";
import { kubectlKustomize, REPO_ROOT } from "../support/tools.ts";

const workdir = mkdtempSync(join(tmpdir(), "stalwart-helm-parity-"));
after(() => rmSync(workdir, { recursive: true, force: true }));

function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

/** A fresh overlay folder under the test's work directory. */
function folder(name: string): string {
  const dir = join(workdir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

type Port = { name: string; port: number; targetPort: number | string };
const portsOf = (service: KubeObject) => (service.spec as { ports: Port[] }).ports;

test("every ready overlay serves plain HTTP on port 80 of the mail Service, as the chart did, with unique port names", () => {
  for (const name of readyOverlays()) {
    const objects = build(`overlays/${name}`);
    const ports = portsOf(find(objects, "Service", "stalwart"));
    assert.deepEqual(ports.find((port) => port.name === "http"), { name: "http", port: 80, protocol: "TCP", targetPort: "http" }, name);
    for (const service of objects.filter((object) => object.kind === "Service")) {
      const names = portsOf(service).map((port) => port.name);
      assert.equal(new Set(names).size, names.length, `${service.metadata.name}: port names repeat`);
    }
  }
});

test("the documented patch moves the http port without a second port named http", () => {
  const dir = folder("http-port");
  const base = relative(dir, join(REPO_ROOT, "overlays/single"));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    `resources:\n  - ${base}\npatches:\n  - target: {kind: Service, name: stalwart}\n    patch: |-\n      - op: test\n        path: /spec/ports/9/name\n        value: http\n      - op: replace\n        path: /spec/ports/9/port\n        value: 8080\n`,
  );
  const ports = portsOf(find(build(dir), "Service", "stalwart"));
  assert.deepEqual(ports.filter((port) => port.name === "http"), [{ name: "http", port: 8080, protocol: "TCP", targetPort: "http" }]);
  assert.equal(ports.some((port) => port.port === 80), false);
});

test("fdbClientCert.serviceAccount.create=false: name your ServiceAccount, and the generated one leaves the output", () => {
  const dir = folder("own-service-account");
  const up = (path: string) => relative(dir, join(REPO_ROOT, path));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    `resources:\n  - ${up("base/cluster")}\ncomponents:\n  - ${up("overlays/components/fdb")}\n  - ${up("overlays/components/fdb-tls")}\nimages:\n  - name: stalwartlabs/stalwart\n    newName: registry.example.com/stalwart\n    newTag: v0.14.1-fdb\ntransformers:\n  - stalwartconfig.yaml\n`,
  );
  writeFileSync(
    join(dir, "stalwartconfig.yaml"),
    [
      "apiVersion: stalwart.krm.example/v1alpha1",
      "kind: StalwartConfig",
      "metadata:",
      "  name: stalwart",
      "spec:",
      '  version: "0.14"',
      "  hostname: mail.example.com",
      "  cluster:",
      "    nats:",
      "      addresses: [nats://nats-server:4222]",
      "  fdbClientCert:",
      "    issuer:",
      "      server: https://openbao.openbao.svc:8200",
      "      serviceAccountName: my-vault-client",
      "    rootCA:",
      "      caBundle: LS0tLS1CRUdJTg==",
      "  resourcePatches:",
      "    - target: {kind: ServiceAccount, name: my-vault-client}",
      "      patch:",
      "        - op: add",
      "          path: /metadata/annotations/config.kubernetes.io~1local-config",
      '          value: "true"',
      "",
    ].join("\n"),
  );
  const objects = build(dir);
  const accounts = objects.filter((object) => object.kind === "ServiceAccount").map((object) => object.metadata.name);
  assert.equal(accounts.includes("my-vault-client"), false, "the generated ServiceAccount is left out");
  assert.ok(accounts.includes("stalwart-pki-reader"));
  const issuer = find(objects, "Issuer", "fdb-client-issuer").spec as { vault: { auth: { kubernetes: { serviceAccountRef: { name: string } } } } };
  assert.equal(issuer.vault.auth.kubernetes.serviceAccountRef.name, "my-vault-client");
  const role = find(objects, "Role").rules as { resourceNames: string[] }[];
  assert.deepEqual(role[0]?.resourceNames, ["my-vault-client"], "cert-manager may still request tokens for it");
});
