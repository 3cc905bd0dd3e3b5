/** `spec.resourcePatches`: the user's RFC 6902 patches on generated objects, applied with fast-json-patch. */
import jsonPatch, { type Operation } from "fast-json-patch";
import { deepClone, isKubeObject, type KubeObject } from "../kube.js";
import type { StalwartConfigSpec } from "../settings/validate.js";
import { quote, type Result } from "../results.js";
import { jsonSize, operationProblem } from "./patch-operations.js";

type Patched = { object: KubeObject; problem?: undefined } | { object?: undefined; problem: { index: number; message: string } };

/**
 * The operations applied one at a time, so that a failure names its operation. The values are copied: two
 * operations adding one YAML anchor's value would otherwise share it, and a later change would reach both.
 */
function applyOperations(target: KubeObject, operations: readonly Operation[]): Patched {
  let document = deepClone(target);
  let size = jsonSize(document);
  for (const [index, operation] of operations.entries()) {
    const checked = operationProblem(operation, document, size);
    if (checked.problem) return { problem: { index, message: checked.problem } };
    size = checked.size;
    let next: unknown;
    try {
      const copy = "value" in operation ? { ...operation, value: deepClone(operation.value) as unknown } : operation;
      next = jsonPatch.applyOperation(document, copy as Operation, true, true, true, index).newDocument;
    } catch (error) {
      // fast-json-patch's own errors say what is wrong; anything else it throws is about its internals.
      const message = error instanceof jsonPatch.JsonPatchError ? (error.message.split("\n")[0] ?? "") : "the operation cannot be applied to the object as it stands; check its `path` and `from`";
      return { problem: { index, message } };
    }
    if (!isKubeObject(next)) {
      return { problem: { index, message: "leaves no Kubernetes object (with `apiVersion`, `kind` and `metadata.name`): it removes or replaces them" } };
    }
    document = next;
  }
  return { object: document };
}

/** A target names a generated object as the bases name it (`stalwart-tls`) or as the instance does (`corp-stalwart-tls`). */
export function applyResourcePatches(objects: readonly KubeObject[], spec: StalwartConfigSpec, rename: (name: string) => string = (name) => name): { objects: KubeObject[]; results: Result[] } {
  const results: Result[] = [];
  let patched = objects.map((object) => object);
  (spec.resourcePatches ?? []).forEach((resourcePatch, index) => {
    const field = `spec.resourcePatches[${index}]`;
    const { kind, name } = resourcePatch.target;
    const position = patched.findIndex((object) => object.kind === kind && (object.metadata.name === name || object.metadata.name === rename(name)));
    if (position === -1) {
      const generated = patched.map((object) => `${object.kind}/${object.metadata.name}`).join(", ") || "none";
      results.push({ severity: "error", message: `targets ${kind}/${name}, which the function does not generate; it generates ${generated}`, field: { path: `${field}.target` } });
      return;
    }
    const applied = applyOperations(patched[position] as KubeObject, resourcePatch.patch as Operation[]);
    if (applied.problem) {
      results.push({ severity: "error", message: `cannot apply to ${kind}/${name}: ${applied.problem.message}`, field: { path: `${field}.patch[${applied.problem.index}]` } });
      return;
    }
    const result = applied.object;
    if (result.kind !== kind || result.metadata.name !== (patched[position] as KubeObject).metadata.name) {
      results.push({ severity: "error", message: `must not change the kind or name of ${kind}/${name}; got ${quote(`${result.kind}/${result.metadata.name}`)}`, field: { path: `${field}.patch` } });
      return;
    }
    patched = patched.map((object, at) => (at === position ? result : object));
  });
  return { objects: patched, results };
}
