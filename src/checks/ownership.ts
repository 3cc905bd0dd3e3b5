/**
 * The function owns only what it generated: an object in the input with a generated object's name that this
 * StalwartConfig did not generate is a collision, never replaced. And one instance takes one StalwartConfig: a
 * workload that another one (or this one, in another transformer) already configured is refused.
 */
import { sourcePath, type KubeObject } from "../kube.js";
import { quote, refTo, type Result } from "../results.js";
import { GENERATED_BY_ANNOTATION, isGeneratedBy, LEGACY_GENERATED_ANNOTATION } from "../render/generated.js";
import { CONFIGURED_BY_ANNOTATION, type Workload } from "../render/workload.js";

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");
const identity = (object: KubeObject) => [groupOf(object.apiVersion), object.kind, object.metadata.namespace ?? "", object.metadata.name].join("/");

function whyNotOurs(item: KubeObject, owner: string, mayHoldEarlierOutput: boolean): string {
  const annotations = item.metadata.annotations ?? {};
  const markedBy = annotations[GENERATED_BY_ANNOTATION];
  if (markedBy === owner && !mayHoldEarlierOutput) return "kustomize builds from your sources, so a copy of generated output among them is a second object: remove it";
  if (markedBy !== undefined) return `StalwartConfig ${quote(markedBy)} generated it, not ${quote(owner)}`;
  if (annotations[LEGACY_GENERATED_ANNOTATION] !== undefined) {
    return `it carries \`${LEGACY_GENERATED_ANNOTATION}\`, the mark of an earlier version of this function, which no longer proves who wrote it: if the function wrote it, delete it and it is generated again`;
  }
  return "this StalwartConfig did not generate it";
}

/** Generated objects whose identity an object of the input already has, unless this StalwartConfig generated that one. */
export function checkOwnership(items: readonly KubeObject[], generated: readonly KubeObject[], owner: string, mayHoldEarlierOutput: boolean): Result[] {
  const inputs = new Map(items.map((item) => [identity(item), item]));
  return generated.flatMap((object) => {
    const existing = inputs.get(identity(object));
    if (!existing || (mayHoldEarlierOutput && isGeneratedBy(existing, owner))) return [];
    const file = sourcePath(existing);
    return [
      {
        severity: "error" as const,
        message: `the function generates ${object.kind} ${quote(object.metadata.name)} for this instance, and the input already has one (${whyNotOurs(existing, owner, mayHoldEarlierOutput)}); rename yours, or give the instance another name with \`namePrefix\` or \`nameSuffix\`, or drop the setting that generates it`,
        resourceRef: refTo(existing),
        ...(file ? { file: { path: file } } : {}),
      },
    ];
  });
}

/**
 * kustomize builds from the sources every time, so a workload it hands over already configured means a second
 * StalwartConfig ran before this one. kpt feeds the previous output back in: there, only another StalwartConfig's
 * mark is an error.
 */
export function checkRerun(workload: Workload, owner: string, mayHoldEarlierOutput: boolean): Result[] {
  const configuredBy = workload.object.metadata.annotations?.[CONFIGURED_BY_ANNOTATION];
  if (configuredBy === undefined || (mayHoldEarlierOutput && configuredBy === owner)) return [];
  return [
    {
      severity: "error",
      message: `StalwartConfig ${quote(configuredBy)} already configured this ${workload.kind}, and StalwartConfig ${quote(owner)} would silently replace its settings: one instance takes one StalwartConfig under \`transformers:\` (or in the kpt pipeline); merge the two, or turn one into a fragment (a resource annotated \`config.kubernetes.io/local-config: "true"\`), and do not list a StalwartConfig in an overlay built on one that already has one${mayHoldEarlierOutput ? `; if you renamed your StalwartConfig, remove the annotation \`${CONFIGURED_BY_ANNOTATION}\` from the workload and the files it generated under the old name` : ""}`,
      resourceRef: refTo(workload.object),
      field: { path: `metadata.annotations.${CONFIGURED_BY_ANNOTATION}`, currentValue: configuredBy },
    },
  ];
}
