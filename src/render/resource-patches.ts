/** `spec.resourcePatches`: the user's RFC 6902 patches on generated objects, applied with fast-json-patch. */
import jsonPatch, { type Operation } from "fast-json-patch";
import { deepClone, isKubeObject, type KubeObject } from "../kube.js";
import type { StalwartConfigSpec } from "../settings/validate.js";
import { quote, type Result } from "../results.js";

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
    const target = patched[position] as KubeObject;
    const error = jsonPatch.validate(resourcePatch.patch as Operation[], target);
    if (error) {
      const operation = error.index !== undefined ? `${field}.patch[${error.index}]` : `${field}.patch`;
      results.push({ severity: "error", message: `cannot apply to ${kind}/${name}: ${error.message.split("\n")[0]}`, field: { path: operation } });
      return;
    }
    const result = jsonPatch.applyPatch(deepClone(target), resourcePatch.patch as Operation[], false, false).newDocument;
    if (!isKubeObject(result) || result.kind !== kind || result.metadata.name !== target.metadata.name) {
      results.push({ severity: "error", message: `must not change the kind or name of ${kind}/${name}, nor remove them; got ${quote(`${String((result as KubeObject | undefined)?.kind)}/${String((result as KubeObject | undefined)?.metadata?.name)}`)}`, field: { path: `${field}.patch` } });
      return;
    }
    patched = patched.map((object, at) => (at === position ? result : object));
  });
  return { objects: patched, results };
}
