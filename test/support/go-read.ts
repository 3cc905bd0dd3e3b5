/**
 * What Go's YAML reader makes of the function's output. The function's tests read its output with the
 * JavaScript library that wrote it, which agrees with itself; kustomize, kpt and kubectl read it with Go's,
 * which takes NEL, U+2028 and U+2029 for line breaks. `kubectl label --local -o json` reads a stream or a
 * ResourceList (as a list of its items) without a cluster and prints each object as JSON, which shows exactly
 * what Go read; removing a label nobody sets changes nothing but an empty `labels` it adds.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRecord, type KubeObject } from "../../src/kube.ts";
import { run } from "./tools.ts";

const PROBE_LABEL = "stalwart-test-go-read";

/** The objects Go reads from the YAML text, in order; fails with Go's message when it cannot read it. */
export function goRead(text: string): unknown[] {
  const result = run("kubectl", ["label", "--local", "-f", "-", "-o", "json", `${PROBE_LABEL}-`], { input: text });
  assert.equal(result.status, 0, `Go's YAML reader (kubectl) refused the output: ${result.stderr}\n${text.slice(0, 2000)}`);
  // One pretty-printed JSON object after another, each closed by a `}` alone on its line.
  return result.stdout
    .split(/(?<=^\})\n/m)
    .filter((chunk) => chunk.trim() !== "")
    .map((chunk) => {
      const object = JSON.parse(chunk) as unknown;
      if (isRecord(object) && isRecord(object.metadata) && isRecord(object.metadata.labels) && Object.keys(object.metadata.labels).length === 0) delete object.metadata.labels;
      return object;
    });
}

/**
 * The objects `kubectl kustomize` (kyaml, Go's other YAML library) reads from the stream, as it writes them
 * and kubectl reads them back. kustomize's own writer turns NEL into a space, which no input can prevent.
 */
export function kustomizeRead(text: string): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), "stalwart-go-read-"));
  try {
    writeFileSync(join(dir, "output.yaml"), text);
    writeFileSync(join(dir, "kustomization.yaml"), "resources:\n- output.yaml\n");
    const result = run("kubectl", ["kustomize", dir]);
    assert.equal(result.status, 0, `kustomize refused the output: ${result.stderr}`);
    return goRead(result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const identity = (object: unknown) => (isRecord(object) && isRecord(object.metadata) ? [object.apiVersion, object.kind, object.metadata.namespace ?? "", object.metadata.name].join("/") : "?");

/** The string entries of a map: what Go and JavaScript must read alike whatever else YAML 1.1 types differently. */
function strings(value: unknown): Record<string, string> {
  return isRecord(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string")) : {};
}

/**
 * Go reads the same objects as JavaScript: same identities in the same order, and the same string annotations,
 * labels and ConfigMap data (config.toml among them). `whole` compares the objects entirely, for outputs whose
 * input holds no value YAML 1.1 types differently in the two (dates, binary, integers beyond 2^53).
 */
export function assertGoReadsAlike(text: string, objects: readonly KubeObject[], whole = false): void {
  const go = goRead(text);
  assert.deepEqual(go.map(identity), objects.map(identity), "Go reads other objects than JavaScript");
  go.forEach((goObject, index) => {
    const jsObject = objects[index] as KubeObject;
    const where = identity(jsObject);
    if (whole) {
      assert.deepEqual(goObject, JSON.parse(JSON.stringify(jsObject)), `Go reads ${where} differently`);
      return;
    }
    const goMeta = isRecord(goObject) && isRecord(goObject.metadata) ? goObject.metadata : {};
    assert.deepEqual(strings(goMeta.annotations), strings(jsObject.metadata.annotations), `Go reads the annotations of ${where} differently`);
    assert.deepEqual(strings(goMeta.labels), strings(jsObject.metadata.labels), `Go reads the labels of ${where} differently`);
    if (jsObject.kind === "ConfigMap") assert.deepEqual(strings(isRecord(goObject) ? goObject.data : undefined), strings(jsObject.data), `Go reads the data of ${where} differently`);
  });
}
