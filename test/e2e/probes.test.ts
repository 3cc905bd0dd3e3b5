/**
 * The probes as the kubelet runs them: each built overlay's probe command, run by the real bash against a real
 * HTTP server standing in for the loopback `probe` listener, and the listener config.toml gives them. The
 * probes must never reach Stalwart from an address it rate-limits or bans, nor a port a load balancer reaches.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "../../src/kube.ts";
import { configToml, find, parseManifests } from "../support/manifests.ts";
import { flattenToml } from "../support/stalwart-toml.ts";
import { kubectlKustomize } from "../support/tools.ts";

interface ExecProbe {
  exec?: { command: string[] };
  httpGet?: unknown;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}
type Container = { name: string; livenessProbe: ExecProbe; readinessProbe: ExecProbe; startupProbe: ExecProbe };

function build(dir: string): KubeObject[] {
  const result = kubectlKustomize(dir);
  assert.equal(result.status, 0, result.stderr);
  return parseManifests(result.stdout);
}

const stalwartOf = (objects: KubeObject[], kind: string) =>
  ((find(objects, kind).spec as { template: { spec: { containers: Container[] } } }).template.spec.containers.find((container) => container.name === "stalwart") as Container);

/** Runs a probe's command with the probe port swapped for the test server's; resolves to the exit code. */
function runProbe(command: string[], port: number, timeoutMs = 5000): Promise<number> {
  const [program, ...args] = command.map((part) => part.replace("/dev/tcp/127.0.0.1/8081", `/dev/tcp/127.0.0.1/${port}`));
  assert.ok(program);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: "ignore" });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the probe did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

const requests: string[] = [];
let status = 200;
let server: Server;
let port = 0;

before(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.host ?? ""}`);
    response.writeHead(status, { "content-type": "application/problem+json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

for (const [overlay, kind] of [["overlays/single", "Deployment"], ["overlays/cluster", "StatefulSet"]] as const) {
  describe(`${overlay}: probes`, () => {
    const objects = build(overlay);
    const container = stalwartOf(objects, kind);
    const flat = flattenToml(configToml(objects));

    test("they ask the loopback probe listener, which binds nothing a Service or load balancer reaches", () => {
      assert.equal(flat["server.listener.probe.bind.0000"], "127.0.0.1:8081");
      assert.equal(flat["server.listener.probe.tls.enable"], "false");
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        assert.equal(probe.httpGet, undefined, "an httpGet would come from the node's address");
        assert.match(probe.exec?.command.join(" ") ?? "", /\/dev\/tcp\/127\.0\.0\.1\/8081 /);
      }
      for (const service of objects.filter((object) => object.kind === "Service")) {
        const ports = (service.spec as { ports: { port: number; targetPort: number | string }[] }).ports;
        assert.equal(ports.some((entry) => entry.port === 8081 || entry.targetPort === 8081 || entry.targetPort === "probe"), false, service.metadata.name);
      }
    });

    test("a short stall of the store restarts no pod: a minute without an answer, five seconds a try", () => {
      const live = container.livenessProbe;
      assert.ok(live.periodSeconds * live.failureThreshold >= 60, "liveness gives up after at least 60 s");
      assert.ok(live.timeoutSeconds >= 5);
      assert.ok(container.readinessProbe.timeoutSeconds >= 5);
      const start = container.startupProbe;
      assert.ok(start.periodSeconds * start.failureThreshold >= 300, "first start may download the web admin and spam rules");
    });

    test("bash runs each probe: success on 200, failure on 503 and when nothing listens", async () => {
      for (const [name, path] of [["livenessProbe", "/healthz/live"], ["readinessProbe", "/healthz/ready"], ["startupProbe", "/healthz/live"]] as const) {
        const command = container[name].exec?.command;
        assert.ok(command);
        requests.length = 0;
        status = 200;
        assert.equal(await runProbe(command, port), 0, `${name} on 200`);
        assert.deepEqual(requests, [`GET ${path} localhost`]);
        status = 503;
        assert.notEqual(await runProbe(command, port), 0, `${name} on 503`);
      }
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const command = container.livenessProbe.exec?.command;
      assert.ok(command);
      assert.notEqual(await runProbe(command, closedPort), 0, "nothing listening");
    });
  });
}
