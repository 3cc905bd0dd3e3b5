import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { checkComponentContainer, COMPONENT_CONTAINER_ITEMS } from "../../../src/checks/component-container.ts";
import { findWorkload, type Workload } from "../../../src/render/workload.ts";
import { transform } from "../../../src/transform.ts";
import { singleBaseItems, stalwartConfig, workloadOf } from "../../support/fixtures.ts";
import { REPO_ROOT } from "../../support/tools.ts";

function workload(edit: (containers: Record<string, any>[]) => void): Workload {
  const object = workloadOf("overlays/cluster");
  edit((object.spec as any).template.spec.containers);
  const found = findWorkload([object]).workload;
  assert.ok(found);
  return found;
}

/** A container that a strategic-merge patch below the components put first, and that got what they add. */
const sidecarWith = (env: string[], mounts: string[]) => ({ name: "sidecar", image: "busybox", env: env.map((name) => ({ name, value: "x" })), volumeMounts: mounts.map((name) => ({ name, mountPath: `/${name}` })) });

test("the ready overlays' workloads have every component's items on the stalwart container", () => {
  for (const overlay of ["overlays/single", "overlays/cluster", "overlays/cluster-fdb-tls"]) {
    const found = findWorkload([workloadOf(overlay)]).workload;
    assert.ok(found);
    assert.deepEqual(checkComponentContainer(found), [], overlay);
  }
});

test("a component's variable and mount on a container before stalwart, which lacks them, fail with the fix", () => {
  const results = checkComponentContainer(
    workload((containers) => {
      const stalwart = containers.find((container) => container.name === "stalwart");
      assert.ok(stalwart);
      stalwart.env = stalwart.env.filter((variable: { name: string }) => variable.name !== "FDB_CLUSTER_FILE");
      stalwart.volumeMounts = stalwart.volumeMounts.filter((mount: { name: string }) => mount.name !== "dynamic-conf");
      containers.unshift(sidecarWith(["FDB_CLUSTER_FILE"], ["dynamic-conf"]));
    }),
  );
  assert.equal(results.length, 1);
  assert.equal(results[0]?.severity, "error");
  assert.equal(results[0]?.field?.path, "spec.template.spec.containers[name=sidecar]");
  assert.match(results[0]?.message ?? "", /^the component "fdb" added its variable FDB_CLUSTER_FILE and volume mount "dynamic-conf" to this container instead of "stalwart": .* "stalwart" is containers\[1\]; keep "stalwart" first below the components, and add your own containers after it \(`op: add` at `\/spec\/template\/spec\/containers\/-`\)$/);
});

test("a container before stalwart is fine when stalwart has the items too, or when it comes after stalwart", () => {
  // The user's own sidecar, added by a strategic-merge patch after the components ran, with a variable of its own name.
  assert.deepEqual(checkComponentContainer(workload((containers) => containers.unshift(sidecarWith(["FDB_CLUSTER_FILE"], ["dynamic-conf"])))), []);
  // tracer's log-pruner mounts "logs" as well, after stalwart.
  assert.deepEqual(checkComponentContainer(workload((containers) => containers.push(sidecarWith(["NATS_USERNAME"], ["logs"])))), []);
});

test("the function stops at a misplaced component, before checks whose advice would be wrong", () => {
  const items = singleBaseItems();
  const deployment = items.find((item) => item.kind === "Deployment") as any;
  deployment.spec.template.spec.containers.unshift(sidecarWith(["STALWART_FALLBACK_ADMIN_USER", "STALWART_FALLBACK_ADMIN_SECRET"], []));
  const output = transform({ items, functionConfig: stalwartConfig({ hostname: "mail.example.com", fallbackAdmin: { enabled: true } }) });
  assert.deepEqual(output.items, items, "nothing changes");
  assert.deepEqual(output.results.map((result) => result.message.split(":")[0]), ['the component "fallback-admin" added its variables STALWART_FALLBACK_ADMIN_USER and STALWART_FALLBACK_ADMIN_SECRET to this container instead of "stalwart"']);
});

test("the function's list of what each component adds to the stalwart container is what the components' files add", () => {
  const fromFiles: Record<string, { env: string[]; volumeMounts: string[] }> = {};
  const dir = join(REPO_ROOT, "overlays/components");
  for (const component of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, component)).filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml")) {
      const parsed = parse(readFileSync(join(dir, component, file), "utf8"));
      if (!Array.isArray(parsed)) continue;
      for (const operation of parsed as { op: string; path: string; value?: { name?: string } }[]) {
        const list = /^\/spec\/template\/spec\/containers\/0\/(env|volumeMounts)\/-$/.exec(operation.path)?.[1] as "env" | "volumeMounts" | undefined;
        if (operation.op !== "add" || !list || !operation.value?.name) continue;
        (fromFiles[component] ??= { env: [], volumeMounts: [] })[list].push(operation.value.name);
      }
    }
  }
  assert.deepEqual(fromFiles, COMPONENT_CONTAINER_ITEMS);
});
