/**
 * The instance's names. kustomize applies `namePrefix`/`nameSuffix` (and renaming patches) before a custom
 * transformer runs, but fixes references to renamed objects only after it: the function sees the ConfigMap as
 * `corp-stalwart` while the workload's volume still says `stalwart`. kustomize records each rename in
 * annotations; this module reads them, so that the function finds the objects the workload refers to and
 * names what it generates the way kustomize named everything else.
 */
import { annotation, type KubeObject } from "../kube.js";

/** What kustomize writes on a renamed object: its earlier names (oldest first), and the affixes it added. */
const PREVIOUS_NAMES = "internal.config.kubernetes.io/previousNames";
const PREFIXES = "internal.config.kubernetes.io/prefixes";
const SUFFIXES = "internal.config.kubernetes.io/suffixes";

function listAnnotation(object: KubeObject, key: string): string[] {
  const value = annotation(object, key);
  return typeof value === "string" && value !== "" ? value.split(",") : [];
}

/** The name the object had in the file it came from. */
export function originalName(object: KubeObject): string {
  return listAnnotation(object, PREVIOUS_NAMES)[0] ?? object.metadata.name;
}

export interface Affixes {
  prefix: string;
  suffix: string;
}

/**
 * The prefix and suffix kustomize put around the workload's original name; none when it was renamed some
 * other way (a patch), or not at all (kpt). Its annotations list the affixes, but not in an order that says
 * which is outermost, so the split is read off the names themselves, preferring one the annotations agree with.
 */
export function affixesOf(workload: KubeObject): Affixes {
  const original = originalName(workload);
  const current = workload.metadata.name;
  const prefixes = listAnnotation(workload, PREFIXES);
  const suffixes = listAnnotation(workload, SUFFIXES);
  const splits: Affixes[] = [];
  for (let at = current.indexOf(original); at !== -1; at = current.indexOf(original, at + 1)) {
    splits.push({ prefix: current.slice(0, at), suffix: current.slice(at + original.length) });
  }
  const joinedPrefix = (split: Affixes) => prefixes.length > 0 && [prefixes.join(""), [...prefixes].reverse().join("")].includes(split.prefix);
  const joinedSuffix = (split: Affixes) => suffixes.length > 0 && [suffixes.join(""), [...suffixes].reverse().join("")].includes(split.suffix);
  return splits.find((split) => joinedPrefix(split) || joinedSuffix(split)) ?? splits[0] ?? { prefix: "", suffix: "" };
}

/** Names a generated object of the instance: the base's name with the instance's prefix and suffix. */
export type Renamer = (name: string) => string;

export interface Naming {
  /** The workload's name without the instance's affixes: what generated names start from (`stalwart`). */
  base: string;
  rename: Renamer;
  /** A name of the instance without its affixes, where it has them: `corp-stalwart` gives `stalwart`. */
  strip: Renamer;
}

/** How the instance names what the function generates: after the workload, affixed like it. */
export function namingOf(workload: KubeObject): Naming {
  const { prefix, suffix } = affixesOf(workload);
  const name = workload.metadata.name;
  const strip = (affixed: string) =>
    affixed.length >= prefix.length + suffix.length && affixed.startsWith(prefix) && affixed.endsWith(suffix) ? affixed.slice(prefix.length, affixed.length - suffix.length) : affixed;
  return { base: strip(name), rename: (base) => `${prefix}${base}${suffix}`, strip };
}

/**
 * The object of that kind in the namespace that a reference by `name` means: as kustomize will resolve it
 * (by the name the object had in its file), or as it already reads (kpt, or a reference kustomize fixed).
 */
export function findReferenced(items: readonly KubeObject[], kind: string, name: string, namespace: string | undefined): KubeObject | undefined {
  const candidates = items.filter((item) => item.apiVersion === "v1" && item.kind === kind && item.metadata.namespace === namespace);
  return candidates.find((item) => originalName(item) === name) ?? candidates.find((item) => item.metadata.name === name);
}
