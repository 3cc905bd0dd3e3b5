/**
 * The function's pure core: items and functionConfig in, items and results out. It merges and validates the
 * settings, renders config.toml into the ConfigMap the workload mounts, stamps the config checksum on the pod
 * template and passes every other item through untouched. With any error it changes nothing.
 */
import { sha256Hex } from "./sha256.js";
import { isDeepStrictEqual } from "node:util";
import { objectKey, SETTINGS_KIND, sourcePath, type KubeObject } from "./kube.js";
import { hasErrors, refTo, sortResults, type Result } from "./results.js";
import { findFragments } from "./settings/fragments.js";
import { mergeFragments, originOf, type MergedSettings } from "./settings/merge.js";
import { fieldPathToPointer } from "./settings/field-path.js";
import { validateSettings } from "./settings/validate.js";
import { renderConfigToml, renderContextOf } from "./render/config-toml.js";
import { renderConfigMap } from "./render/config-map.js";
import { configMapOf, findWorkload, wireWorkload } from "./render/workload.js";
import { instanceOf, isGeneratedBy } from "./render/generated.js";
import { instanceSecrets, renderGeneratedObjects } from "./render/generated-objects.js";
import { mailServices, shapeMailService } from "./render/service.js";
import { checkAll } from "./checks/all.js";
import { checkLine } from "./checks/line.js";
import { ownReleaseTags, wireLine } from "./render/workload-line.js";
import { checkComponentContainer } from "./checks/component-container.js";
import { checkOwnership, checkRerun } from "./checks/ownership.js";
import { checkGeneratedNames, checkWorkloadNames } from "./checks/names.js";
import { acknowledgeWarnings } from "./warnings.js";
import { isTomlLine } from "./lines.js";
import { CONFIG_JSON_KEY } from "./render/config-map.js";
import { checkSpecToml, render016 } from "./render/v016/render.js";

export interface TransformInput {
  items: readonly KubeObject[];
  functionConfig?: KubeObject;
  /** Where the functionConfig came from, when the orchestrator does not annotate it. */
  functionConfigPath?: string;
  /**
   * Whether the input may hold this function's own earlier output: kpt feeds a package's files back in, while
   * kustomize builds from the sources every time (legacy plugins run only under kustomize).
   */
  mayHoldEarlierOutput?: boolean;
}

export interface TransformOutput {
  items: KubeObject[];
  results: Result[];
}

function unchanged(input: TransformInput, results: Result[]): TransformOutput {
  return { items: [...input.items], results: sortResults(results) };
}

/** Points results about settings fields at the fragment (and file) that set the field. */
function attribute(results: readonly Result[], merged: MergedSettings): Result[] {
  return results.map((result) => {
    if (result.resourceRef || !result.field?.path.startsWith("spec")) return result;
    const origin = originOf(merged, fieldPathToPointer(result.field.path));
    if (!origin) return result;
    return { ...result, resourceRef: refTo(origin.object), ...(origin.filePath ? { file: { path: origin.filePath } } : {}) };
  });
}

/** Replaces the item with the same identity, or appends it: a second run changes nothing. */
function upsert(items: KubeObject[], object: KubeObject): void {
  const key = objectKey(object);
  const index = items.findIndex((item) => objectKey(item) === key);
  if (index === -1) items.push(object);
  else items[index] = object;
}

/**
 * kustomize never emits one object twice; with two, the output would hold the changed one and a stale copy,
 * and whichever comes last wins on apply. Fragments may repeat a name: they merge in stream order.
 */
function duplicates(items: readonly KubeObject[]): Result[] {
  const seen = new Map<string, KubeObject>();
  return items.flatMap((item) => {
    const key = objectKey(item);
    const first = seen.get(key);
    if (item.kind === SETTINGS_KIND || !first) {
      seen.set(key, item);
      return [];
    }
    const files = [sourcePath(first), sourcePath(item)];
    const where = files.every((file) => file !== undefined) ? ` (in ${files.join(" and in ")})` : "";
    return [{ severity: "error" as const, message: `appears twice in the input${where}, and only one of them could be updated: remove the other`, resourceRef: refTo(item) }];
  });
}

export function transform(input: TransformInput): TransformOutput {
  const found = findWorkload(input.items);
  const workload = found.workload;
  const search = findFragments(input.items, input.functionConfig, input.functionConfigPath, workload?.object);
  const twice = duplicates(input.items);
  if (hasErrors([...search.results, ...twice])) return unchanged(input, [...search.results, ...twice]);

  // Without a workload there is nothing to configure, and every settings error would be noise.
  if (!workload) return unchanged(input, [...search.results, ...found.results]);
  // Neither would the checks' advice be right for a workload whose components patched the wrong container.
  const misplaced = checkComponentContainer(workload);
  if (hasErrors(misplaced)) return unchanged(input, [...search.results, ...misplaced]);

  const merged = mergeFragments(search.fragments);
  const validation = validateSettings(merged);
  const settings = validation.settings;
  if (!settings) return unchanged(input, [...search.results, ...validation.results]);

  const owner = settings.metadata.name;
  const mayHoldEarlierOutput = input.mayHoldEarlierOutput === true;
  const rerun = checkRerun(workload, owner, mayHoldEarlierOutput);
  if (hasErrors(rerun)) return unchanged(input, [...search.results, ...rerun]);

  const instance = instanceOf(workload, owner);
  const configMap = configMapOf(input.items, workload, instance.rename);
  // Tags an earlier run gave the images (kpt feeds its output back): checked and changed as the function's own.
  const ownTags = ownReleaseTags(settings.spec, workload.object, mayHoldEarlierOutput);
  const isDeclared = (pointer: string) => merged.origins.has(pointer);
  const toml = isTomlLine(settings.spec.version);
  const rendered = toml ? renderConfigToml(settings, renderContextOf(settings, workload)) : undefined;
  const originalServices = mailServices(input.items, workload);
  const services = originalServices.map((service) => shapeMailService(service, settings));
  const generated = renderGeneratedObjects(settings, instance, originalServices);
  const secrets = instanceSecrets(settings, instance);
  const wired = wireWorkload(workload, { checksum: rendered ? sha256Hex(rendered.toml) : "", owner, secrets, ...(configMap.existing ? {} : { createdConfigMap: configMap.name ?? "" }) });
  wireLine(wired, settings.spec, ownTags);
  // 0.16: config.json, the workload wired for it, the plan and the Job that applies it; checked as 0.16 runs them.
  const v016 = toml ? undefined : render016({ settings, workload, wired, instance, mailServices: [...services, ...generated.objects.filter((object) => object.kind === "Service")], isDeclared });
  const checked = v016?.workload ?? workload;
  const objects = [...generated.objects, ...(v016?.objects ?? [])];
  const results = attribute(
    acknowledgeWarnings([
      ...search.results,
      ...configMap.results,
      ...checkWorkloadNames(workload),
      ...(toml ? checkSpecToml(settings.spec, isDeclared) : []),
      ...checkAll(settings, checked),
      ...checkLine(settings, workload, mayHoldEarlierOutput, ownTags),
      ...generated.results,
      ...checkGeneratedNames(objects),
      ...checkOwnership(input.items, objects, owner, mayHoldEarlierOutput),
      ...(rendered?.results ?? []),
      ...(v016?.results ?? []),
    ], settings),
    merged,
  );
  if (hasErrors(results) || !configMap.name) return unchanged(input, results);

  // Objects an earlier run generated and this one does not are removed (kpt keeps the previous output); kustomize
  // builds from the sources, so there nothing in the input is the function's own.
  const items = input.items.filter((item) => !mayHoldEarlierOutput || !isGeneratedBy(item, owner) || objects.some((object) => objectKey(object) === objectKey(item)));
  upsert(items, v016?.workload.object ?? wired);
  upsert(items, rendered ? renderConfigMap(configMap.name, workload, rendered.toml, configMap.existing) : renderConfigMap(configMap.name, workload, v016?.configJson ?? "", configMap.existing, CONFIG_JSON_KEY));
  for (const [index, service] of services.entries()) if (!isDeepStrictEqual(service, originalServices[index])) upsert(items, service);
  for (const object of objects) upsert(items, object);

  const what = rendered
    ? `config.toml (${rendered.entries.length} settings)`
    : `config.json and an apply plan of ${v016?.operations ?? 0} operations${v016?.recovery ? " (recovery mode: the apply Job is created suspended; resume it once the export is applied, docs/upgrading-0.16.md)" : ""}`;
  results.push({
    severity: "info",
    message: `rendered ${what} into ConfigMap "${configMap.name}" for ${workload.kind} "${workload.object.metadata.name}"${objects.length > 0 ? `, and generated ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(", ")}` : ""}`,
    resourceRef: refTo(settings),
  });
  return { items, results: sortResults(results) };
}
