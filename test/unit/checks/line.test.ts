import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLine as checkLineWith } from "../../../src/checks/line.ts";
import { findWorkload, type Workload } from "../../../src/render/workload.ts";
import { LINE_ANNOTATION, LINE_LABEL, ownReleaseTags, wireLine } from "../../../src/render/workload-line.ts";
import { transform } from "../../../src/transform.ts";
import { overlayInput, stalwartConfig, workloadOf } from "../../support/fixtures.ts";
import { settingsFor } from "../../support/settings.ts";

/** The checks with the tags an earlier run gave, as the transform passes them. */
const checkLine = (settings: ReturnType<typeof settingsFor>, workload: Workload, mayHoldEarlierOutput: boolean) =>
  checkLineWith(settings, workload, mayHoldEarlierOutput, ownReleaseTags(settings.spec, workload.object, mayHoldEarlierOutput));

type Edit = (spec: Record<string, any>, container: Record<string, any>, object: Record<string, any>) => void;

function workload(overlay: string, edit: Edit = () => {}): Workload {
  const object = workloadOf(overlay);
  const spec = object.spec as Record<string, any>;
  edit(spec, spec.template.spec.containers.find((container: { name: string }) => container.name === "stalwart"), object);
  const found = findWorkload([object]).workload;
  assert.ok(found);
  return found;
}

const messages = (results: { message: string }[]) => results.map((result) => result.message).join("\n");
const backup = "VolumeSnapshot stalwart-data-before-0.15";

/** overlays/cluster sets the FoundationDB build of 0.15 with `images:`; untagged, the images take any line. */
const untagged: Edit = (spec) => {
  for (const container of [...spec.template.spec.containers, ...(spec.template.spec.initContainers ?? [])]) container.image = "registry.example.com/stalwart";
};

test("the ready overlays pass on both lines", () => {
  for (const overlay of ["overlays/single", "overlays/cluster"]) {
    for (const version of ["0.14", "0.15"]) {
      assert.deepEqual(checkLine(settingsFor({ version }), workload(overlay, untagged), false), [], `${overlay} on ${version}`);
    }
  }
  assert.deepEqual(checkLine(settingsFor({ version: "0.15" }), workload("overlays/cluster"), false), []);
});

test("an image tagged for another line is refused, naming the container; other tags and other images pass", () => {
  const mixed = workload("overlays/single", (spec, container) => {
    container.image = "stalwartlabs/stalwart:v0.14.1";
    spec.template.spec.containers.push({ name: "sidecar", image: "registry.example.com:5000/stalwart:v0.15.5-fdb" }, { name: "other", image: "busybox:1.36" });
  });
  const results = checkLine(settingsFor({ version: "0.15" }), mixed, false);
  assert.equal(results.length, 1);
  assert.equal(results[0]?.field?.path, "spec.template.spec.containers[name=stalwart].image");
  assert.match(results[0]?.message ?? "", /image "stalwartlabs\/stalwart:v0.14.1" is Stalwart 0.14, but `spec.version` is "0.15"/);
  assert.match(results[0]?.message ?? "", /docs\/upgrading.md/);
  assert.deepEqual(checkLine(settingsFor({ version: "0.15" }), workload("overlays/single", (_, container) => (container.image = "stalwartlabs/stalwart:latest")), false), []);
  const fdb = checkLine(settingsFor({ version: "0.14" }), workload("overlays/single", (_, container) => (container.image = "registry.example.com/stalwart:v0.15.5-fdb")), false);
  assert.match(messages(fdb), /is Stalwart 0.15, but `spec.version` is "0.14"/);
});

test("roles follow the line: bayes-training is 0.14's, spam-training and merge-threads 0.15's", () => {
  const onCluster = (version: string, roles: Record<string, unknown>) => checkLine(settingsFor({ version, cluster: { nats: { addresses: ["nats://nats:4222"] }, roles } }), workload("overlays/cluster", untagged), false);
  assert.deepEqual(onCluster("0.14", { bayesTraining: [[1]] }), []);
  assert.deepEqual(onCluster("0.15", { spamTraining: [[1]], mergeThreads: [[1, 2]] }), []);
  const renamed = onCluster("0.15", { bayesTraining: [[1]] });
  assert.equal(renamed[0]?.field?.path, "spec.cluster.roles.bayesTraining");
  assert.match(renamed[0]?.message ?? "", /Stalwart 0.14 only.*0.15 renamed it `spamTraining`/);
  assert.match(messages(onCluster("0.14", { mergeThreads: [[1]] })), /`cluster.roles.merge-threads` is a role of Stalwart 0.15 only/);
});

test("a Deployment must update by Recreate: a rolling update runs two pods on one store", () => {
  const rolling = checkLine(settingsFor({}), workload("overlays/single", (spec) => (spec.strategy = { type: "RollingUpdate" })), false);
  assert.equal(rolling[0]?.field?.path, "spec.strategy.type");
  assert.equal(rolling[0]?.field?.proposedValue, "Recreate");
  const unset = checkLine(settingsFor({}), workload("overlays/single", (spec) => delete spec.strategy), false);
  assert.match(messages(unset), /has no update strategy, which Kubernetes takes as RollingUpdate/);
});

test("spec.upgrade names the line just before, and needs the startup probe it stretches", () => {
  assert.deepEqual(checkLine(settingsFor({ version: "0.15", upgrade: { from: "0.14", backup } }), workload("overlays/single"), false), []);
  const nothingBefore = checkLine(settingsFor({ version: "0.14", upgrade: { from: "0.14", backup } }), workload("overlays/single"), false);
  assert.match(messages(nothingBefore), /0.14 is the oldest line this library renders/);
  const noProbe = checkLine(settingsFor({ version: "0.15", upgrade: { from: "0.14", backup } }), workload("overlays/single", (_, container) => delete container.startupProbe), false);
  assert.match(messages(noProbe), /has no startup probe/);
  assert.throws(() => settingsFor({ version: "0.15", upgrade: { from: "0.14" } }), /backup/);
  assert.throws(() => settingsFor({ version: "0.15", upgrade: { from: "0.14", backup: "" } }), /invalid test settings/);
});

test("kpt: a package rendered for 0.14 moves to 0.15 only with spec.upgrade from 0.14, and never back", () => {
  const rendered014 = workload("overlays/single", (_, __, object) => (object.metadata.annotations = { [LINE_ANNOTATION]: "0.14" }));
  const silent = checkLine(settingsFor({ version: "0.15" }), rendered014, true);
  assert.equal(silent[0]?.field?.path, "spec.upgrade");
  assert.match(silent[0]?.message ?? "", /was rendered for Stalwart 0.14, and `spec.version` asks for 0.15: 0.15 migrates the data at its first start/);
  assert.deepEqual(checkLine(settingsFor({ version: "0.15", upgrade: { from: "0.14", backup } }), rendered014, true), []);
  // kustomize builds from the sources: the annotation there is a copy, and the selector guards the cluster.
  assert.deepEqual(checkLine(settingsFor({ version: "0.15" }), rendered014, false), []);
  const rendered015 = workload("overlays/single", (_, __, object) => (object.metadata.annotations = { [LINE_ANNOTATION]: "0.15" }));
  const back = checkLine(settingsFor({ version: "0.14" }), rendered015, true);
  assert.equal(back[0]?.field?.proposedValue, "0.15");
  assert.match(back[0]?.message ?? "", /Going back means restoring the backup/);
});

test("FORCE_MIGRATE variables are a warning: they re-run the migration at every start", () => {
  const forced = checkLine(settingsFor({}), workload("overlays/single", (_, container) => (container.env = [{ name: "FORCE_MIGRATE", value: "4" }, { name: "NUM_THREADS", value: "8" }])), false);
  assert.equal(forced.length, 1);
  assert.equal(forced[0]?.severity, "warning");
  assert.equal(forced[0]?.severity === "warning" ? forced[0].code : undefined, "force-migrate-set");
});

test("the line on the workload: release tags for untagged Stalwart images, a selector label from 0.15, the upgrade's probe and threads", () => {
  const wire = (spec: Record<string, unknown>) => {
    const object = workloadOf("overlays/single");
    const containers = (object.spec as any).template.spec.containers as { name: string; image: string }[];
    containers.push({ name: "mirror", image: "registry.example.com:5000/stalwart" }, { name: "pinned", image: "stalwartlabs/stalwart@sha256:0123" }, { name: "other", image: "busybox" });
    wireLine(object, settingsFor(spec).spec);
    return object as any;
  };
  const on015 = wire({ version: "0.15" });
  const images = Object.fromEntries(on015.spec.template.spec.containers.map((container: { name: string; image: string }) => [container.name, container.image]));
  assert.equal(images.stalwart, "stalwartlabs/stalwart:v0.15.5");
  assert.equal(images.mirror, "registry.example.com:5000/stalwart:v0.15.5");
  assert.equal(images.pinned, "stalwartlabs/stalwart@sha256:0123");
  assert.equal(images.other, "busybox");
  assert.equal(on015.spec.selector.matchLabels[LINE_LABEL], "0.15");
  assert.equal(on015.spec.template.metadata.labels[LINE_LABEL], "0.15");
  assert.equal(on015.metadata.annotations[LINE_ANNOTATION], "0.15");
  const stalwartOf = (object: any) => object.spec.template.spec.containers.find((container: { name: string }) => container.name === "stalwart");
  const on014 = wire({ version: "0.14" });
  assert.equal(stalwartOf(on014).image, "stalwartlabs/stalwart:v0.14.1");
  assert.equal(on014.spec.selector.matchLabels[LINE_LABEL], undefined, "0.14 keeps the selector deployments had before lines");
  const upgrading = wire({ version: "0.15", upgrade: { from: "0.14", backup, startupTimeout: "2h", threads: 8 } });
  const stalwart = stalwartOf(upgrading);
  assert.equal(stalwart.startupProbe.failureThreshold, (2 * 3600) / stalwart.startupProbe.periodSeconds);
  assert.deepEqual(stalwart.env.find((variable: { name: string }) => variable.name === "NUM_THREADS"), { name: "NUM_THREADS", value: "8" });
  const defaultBudget = stalwartOf(wire({ version: "0.15", upgrade: { from: "0.14", backup } })).startupProbe;
  assert.equal(defaultBudget.failureThreshold * defaultBudget.periodSeconds, 6 * 3600);
});

test("the transform renders the line end to end, and a second run changes nothing", () => {
  const config = stalwartConfig({ hostname: "mail.example.com", tls: { issuerRef: { name: "ca" } } });
  const first = transform({ items: overlayInput("overlays/single"), functionConfig: config });
  assert.ok(!first.results.some((result) => result.severity === "error"), messages(first.results));
  const again = transform({ items: first.items, functionConfig: config, mayHoldEarlierOutput: true });
  assert.deepEqual(again.items, first.items);
});
