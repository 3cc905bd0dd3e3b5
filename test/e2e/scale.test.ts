/**
 * 10,000 objects the function does not own, after the overlays/cluster input: all of them come out, in order
 * and as they went in, through the real plugin (legacy protocol) and through the KRM protocol. No timing here:
 * how the cost grows is `npm run bench`'s business.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { invoke } from "../../src/invocation.ts";
import type { KubeObject } from "../../src/kube.ts";
import { readObject } from "../support/fixtures.ts";
import { parseManifests } from "../support/manifests.ts";
import { REPO_ROOT, runLegacyPlugin } from "../support/tools.ts";
import { streamWithUnrelated, unrelated, unrelatedDocuments } from "../support/unrelated.ts";

const COUNT = 10_000;
const expected = Array.from({ length: COUNT }, (_, index) => unrelated(index));
const isUnrelated = (object: KubeObject) => object.metadata.name.startsWith("unrelated-");

test(`the plugin passes ${COUNT} unrelated objects through, in order and as written`, () => {
  const result = runLegacyPlugin(join(REPO_ROOT, "overlays/cluster/stalwartconfig.yaml"), streamWithUnrelated(COUNT));
  assert.equal(result.status, 0, result.stderr);
  const documents = result.stdout.split(/^---\n/m).filter((text) => text.includes("\n  name: unrelated-"));
  assert.deepEqual(documents, unrelatedDocuments(COUNT), "the unrelated documents come out text for text, in order");
  assert.ok(parseManifests(result.stdout).some((object) => object.kind === "ConfigMap" && object.metadata.name === "stalwart" && object.data), "and config.toml is still rendered");
});

test(`the KRM protocol passes ${COUNT} unrelated items through, in order and unchanged`, () => {
  const items = [...parseManifests(streamWithUnrelated(0)), ...expected];
  const list = stringify({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items, functionConfig: readObject("overlays/cluster/stalwartconfig.yaml") }, { version: "1.1" });
  const answer = invoke({ args: [], stdin: Buffer.from(list), readFile: () => new Uint8Array() });
  assert.equal(answer.exitCode, 0, answer.stderr);
  const [output] = parseManifests(answer.stdout) as unknown as { items: KubeObject[] }[];
  assert.deepEqual(output?.items.filter(isUnrelated), expected);
});
