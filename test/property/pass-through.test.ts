/**
 * Determinism and pass-through, with random objects the function does not own mixed into the overlays/cluster
 * stream: the same input gives the same bytes, a run on the function's own output changes nothing, and every
 * object it does not own comes out as it went in: same text, comments included (legacy protocol), same content
 * (KRM protocol, where kpt puts the comments back), same order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Document, stringify } from "yaml";
import type { KubeObject } from "../../src/kube.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";
import { readObject } from "../support/fixtures.ts";
import { parseManifests } from "../support/manifests.ts";
import { runKrm, runLegacy, runs } from "./harness.ts";

const CONFIG_PATH = "overlays/cluster/stalwartconfig.yaml";
const config = stringify(readObject(CONFIG_PATH));
const clusterDocuments = kustomizeInput("overlays/cluster").split(/^---\n/m);
const legacy = (stream: string) => runLegacy(config, stream);

/** Scalars YAML 1.1 readers disagree on, and text that looks like YAML, TOML or a comment. */
const trickyText = fc.oneof(
  fc.constantFrom("yes", "on", "no", "0644", "0x1f", "1e3", "~", "null", "", " leading", "trailing ", "a: b", "# not a comment", "- item", "[x]", "{x: 1}", "line\nbreak", "tab\there", "'quoted'", "\"double\"", "ünïcødé ✉", "🦀", "\u200b", "%{env:X}%", "key = \"toml\""),
  fc.string({ maxLength: 12 }),
);
const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/);
const unrelatedObject = fc.record({
  kind: fc.constantFrom("ConfigMap", "Secret", "Widget"),
  name: label,
  namespace: fc.option(label, { nil: undefined }),
  annotations: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}(\.example\/[a-z]{1,8})?$/), trickyText, { maxKeys: 3, noNullPrototype: true }),
  data: fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/), trickyText, { maxKeys: 4, noNullPrototype: true }),
  count: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(2 ** 53 + 1)),
}).map(({ kind, name, namespace, annotations, data, count }): KubeObject => ({
  apiVersion: kind === "Widget" ? "example.com/v1" : "v1",
  kind,
  metadata: { name: `other-${name}`, ...(namespace ? { namespace } : {}), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
  ...(kind === "Widget" ? { spec: { settings: data, count } } : { data }),
}));

/** The object as a file would hold it: comments above and beside, written the way `yaml` writes. */
function asText(object: KubeObject, index: number): string {
  const document = new Document(object, { version: "1.1" });
  document.commentBefore = ` unrelated ${index}: kept as written`;
  const metadata = document.get("metadata", true) as { comment?: string } | undefined;
  if (metadata) metadata.comment = ` metadata ${index}`;
  return document.toString({ lineWidth: 0, minContentWidth: 0 });
}

const mixedStream = fc.array(fc.tuple(unrelatedObject, fc.nat()), { maxLength: 6 }).map((extras) => {
  const texts = [...clusterDocuments];
  const unrelated: { object: KubeObject; text: string }[] = [];
  extras.forEach(([object, position], index) => {
    const named = { ...object, metadata: { ...object.metadata, name: `${object.metadata.name}-${index}` } };
    const text = asText(named, index);
    unrelated.push({ object: named, text });
    texts.splice(position % (texts.length + 1), 0, text);
  });
  const order = texts.filter((text) => unrelated.some((entry) => entry.text === text));
  return { stream: texts.map((text) => text.replace(/\n*$/, "\n")).join("---\n"), unrelated: order.map((text) => unrelated.find((entry) => entry.text === text) as { object: KubeObject; text: string }) };
});

const isUnrelated = (object: KubeObject) => object.metadata.name.startsWith("other-");

test("legacy protocol: same bytes every time, nothing changes on a second run, and unrelated documents come out as written", () => {
  fc.assert(
    fc.property(mixedStream, ({ stream, unrelated }) => {
      const first = legacy(stream);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.deepEqual(legacy(stream), first, "the same input must give the same output");
      assert.equal(legacy(first.stdout).stdout, first.stdout, "a run on its own output must change nothing");
      const written = first.stdout.split(/^---\n/m).filter((text) => unrelated.some((entry) => entry.text === text));
      assert.deepEqual(written, unrelated.map((entry) => entry.text), "unrelated documents keep their text, comments and order");
    }),
    runs(60),
  );
});

test("KRM protocol: same bytes every time, nothing changes on a second run, and unrelated items keep content and order", () => {
  const functionConfig = stringify(readObject(CONFIG_PATH)).replace(/^/gm, "  ");
  fc.assert(
    fc.property(mixedStream, ({ stream, unrelated }) => {
      const items = parseManifests(stream);
      const list = `${stringify({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items }, { version: "1.1", lineWidth: 0 })}functionConfig:\n${functionConfig}`;
      const first = runKrm(list);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.deepEqual(runKrm(list), first);
      const output = parseManifests(first.stdout)[0] as unknown as { items: KubeObject[] };
      assert.deepEqual(output.items.filter(isUnrelated), unrelated.map((entry) => entry.object));
      const again = runKrm(`${first.stdout.replace(/^results:[\s\S]*$/m, "")}functionConfig:\n${functionConfig}`);
      assert.deepEqual((parseManifests(again.stdout)[0] as unknown as { items: KubeObject[] }).items, output.items, "a run on its own output must change nothing");
    }),
    runs(40),
  );
});
