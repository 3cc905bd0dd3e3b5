/**
 * Every operations component alone, and all of them together, over both bases and on both TOML Stalwart lines, built
 * by the real kubectl:
 * valid output (schemas, field types, Pod Security "restricted"), config.toml keys Stalwart reads, the
 * feature switched on, and no Secret needed beyond what the components ask for.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { allSchemaProblems } from "../support/kube-schemas.ts";
import { configToml, find, parseManifests, secretsRequired } from "../support/manifests.ts";
import { restrictedViolations } from "../support/pod-security.ts";
import { flattenToml, readLikeStalwart, type FlatConfig } from "../support/stalwart-toml.ts";
import { unknownStalwartKeys } from "../support/stalwart-keys.ts";
import { typeProblems } from "../support/typed-models.ts";
import { kubectlKustomize } from "../support/tools.ts";
import { writeComponentOverlay } from "../support/component-overlay.ts";
import { isTomlLine, LINES, type Line } from "../../src/lines.ts";

interface Component {
  /** What the user's StalwartConfig must add for the component. */
  spec?: Record<string, unknown>;
  secrets: string[];
  /** What shows that the feature is on. */
  check(objects: KubeObject[], flat: FlatConfig): void;
}

const pod = (objects: KubeObject[]) => (find(objects, objects.some((o) => o.kind === "StatefulSet") ? "StatefulSet" : "Deployment").spec as any).template.spec;

const COMPONENTS: Record<string, Component> = {
  tracer: {
    secrets: [],
    check(objects, flat) {
      assert.equal(flat["tracer.log.type"], "log");
      assert.equal(flat["tracer.log.path"], "/var/log/stalwart");
      assert.ok(pod(objects).volumes.some((volume: { name: string; emptyDir?: unknown }) => volume.name === "logs" && volume.emptyDir));
      // The pruner sees the files Stalwart writes: the same volume, at the directory it prunes.
      const pruner = pod(objects).containers.find((container: { name: string }) => container.name === "log-pruner");
      const directory = pruner?.env.find((variable: { name: string }) => variable.name === "LOG_DIRECTORY")?.value;
      assert.deepEqual(pruner?.volumeMounts, [{ name: "logs", mountPath: directory }]);
    },
  },
  "fallback-admin": {
    secrets: ["stalwart-fallback-admin"],
    check(_, flat) {
      assert.equal(flat["authentication.fallback-admin.user"], "%{env:STALWART_FALLBACK_ADMIN_USER}%");
      assert.equal(flat["authentication.fallback-admin.secret"], "%{env:STALWART_FALLBACK_ADMIN_SECRET}%");
    },
  },
  "proxy-protocol": {
    spec: { proxyProtocol: { trustedNetworks: ["10.0.0.0/16"] } },
    secrets: [],
    check(_, flat) {
      assert.equal(flat["server.listener.smtp.proxy.trusted-networks.0000"], "10.0.0.0/16");
      assert.equal(flat["server.listener.imaps.proxy.trusted-networks.0000"], "10.0.0.0/16");
      // A load balancer in PROXY mode sends the header to every port it forwards.
      assert.equal(flat["server.listener.https.proxy.trusted-networks.0000"], "10.0.0.0/16");
      assert.equal(flat["server.listener.http.proxy.trusted-networks.0000"], "10.0.0.0/16");
      assert.equal(Object.keys(flat).some((key) => key.startsWith("server.listener.probe.proxy")), false, "never on the probe listener");
      assert.equal(Object.keys(flat).some((key) => key.startsWith("server.proxy.")), false, "never global");
    },
  },
  "network-policy": {
    spec: { networkPolicy: { adminFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] } },
    secrets: [],
    check(objects) {
      const policy = find(objects, "NetworkPolicy", "stalwart").spec as any;
      assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
      const open = policy.ingress.find((rule: { from?: unknown }) => !rule.from);
      assert.ok(open.ports.some((port: { port: number }) => port.port === 25));
      assert.equal(open.ports.some((port: { port: number }) => port.port === 8080), false, "the admin port is not open to the world");
      assert.deepEqual(policy.ingress.find((rule: { from?: unknown }) => rule.from).ports, [{ protocol: "TCP", port: 8080 }]);
      assert.ok(policy.egress.some((rule: { ports: { port: number }[] }) => rule.ports.some((port) => port.port === 53)));
    },
  },
  "service-monitor": {
    secrets: ["stalwart-metrics"],
    check(objects, flat) {
      assert.equal(flat["metrics.prometheus.enable"], "true");
      assert.equal(flat["metrics.prometheus.auth.secret"], "%{env:PROMETHEUS_PASSWORD}%");
      const monitor = find(objects, "ServiceMonitor", "stalwart").spec as any;
      assert.equal(monitor.endpoints[0].path, "/metrics/prometheus");
      find(objects, "Service", "stalwart-metrics");
    },
  },
  "dual-stack": {
    secrets: [],
    check(objects) {
      const service = find(objects, "Service", "stalwart").spec as any;
      assert.equal(service.ipFamilyPolicy, "PreferDualStack");
      assert.deepEqual(service.ipFamilies, ["IPv4", "IPv6"]);
    },
  },
  "admin-service": {
    secrets: [],
    check(objects) {
      const mail = find(objects, "Service", "stalwart").spec as any;
      assert.equal(mail.ports.some((port: { targetPort: string }) => port.targetPort === "http"), false);
      const admin = find(objects, "Service", "stalwart-admin").spec as any;
      assert.equal(admin.type, "ClusterIP");
      assert.deepEqual(admin.ports.map((port: { name: string; port: number }) => [port.name, port.port]), [["http", 80]]);
      assert.equal(admin.externalTrafficPolicy, undefined);
    },
  },
};

const BASES = {
  single: { components: [] as string[], secrets: [] as string[], spec: {} },
  cluster: { components: ["fdb"], secrets: ["stalwart-fdb-cluster-file", "stalwart-oauth-key"], spec: { cluster: { nats: { addresses: ["nats://nats-server:4222"] } } } },
};

const workdir = mkdtempSync(join(tmpdir(), "stalwart-components-"));
after(() => rmSync(workdir, { recursive: true, force: true }));

function buildOverlay(base: keyof typeof BASES, components: string[], line: Line): KubeObject[] {
  const dir = join(workdir, `${base}-${components.join("+")}-${line}`);
  const spec = Object.assign({ version: line, hostname: "mail.example.com" }, BASES[base].spec, ...components.map((name) => COMPONENTS[name]?.spec ?? {}));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeComponentOverlay(dir, base, [...BASES[base].components, ...components], spec);
  const build = kubectlKustomize(dir);
  assert.equal(build.status, 0, build.stderr);
  assert.equal(build.stderr, "", "no warnings: every component's plumbing is used");
  return parseManifests(build.stdout);
}

// The TOML lines: on 0.16 the components are tested with config.json and the plan (v016.test.ts).
for (const line of (Object.keys(LINES) as Line[]).filter(isTomlLine)) {
  for (const base of Object.keys(BASES) as (keyof typeof BASES)[]) {
    const cases = [...Object.keys(COMPONENTS).map((name) => [name]), Object.keys(COMPONENTS)];
    for (const components of cases) {
      describe(`Stalwart ${line}: base/${base} with ${components.length > 1 ? "every operations component" : components[0]}`, () => {
        const objects = buildOverlay(base, components, line);
        test("valid against the upstream schemas and types, Pod Security restricted", async () => {
          assert.deepEqual(await allSchemaProblems(objects), []);
          assert.deepEqual(typeProblems(objects), []);
          assert.deepEqual(objects.flatMap(restrictedViolations), []);
        });
        test("config.toml as Stalwart reads it, with only keys it knows", () => {
          const toml = configToml(objects);
          assert.deepEqual(readLikeStalwart(toml), flattenToml(toml));
          assert.deepEqual(unknownStalwartKeys(Object.keys(flattenToml(toml)), line), []);
          const workload = objects.find((object) => object.kind === "Deployment" || object.kind === "StatefulSet")?.spec as any;
          for (const container of [...workload.template.spec.containers, ...(workload.template.spec.initContainers ?? [])]) {
            if (container.image.includes("stalwart")) assert.equal(container.image, `registry.example.com/stalwart:${LINES[line].release}`);
          }
        });
        test("the feature is on, and only the Secrets the components ask for are needed", () => {
          const flat = flattenToml(configToml(objects));
          for (const name of components) COMPONENTS[name]?.check(objects, flat);
          const expected = [...BASES[base].secrets, ...components.flatMap((name) => COMPONENTS[name]?.secrets ?? [])].sort();
          assert.deepEqual(secretsRequired(objects), expected);
        });
      });
    }
  }
}
