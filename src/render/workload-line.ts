/**
 * What the line changes on the workload: the images' release tag, a selector label that makes a change of line
 * a new workload, and, during an upgrade, a startup probe that waits out the data migration.
 */
import { compareLines, isLine, LINES, type Line } from "../lines.js";
import type { StalwartConfigSpec } from "../settings/validate.js";
import { isRecord, type KubeObject } from "../kube.js";
import { withReleaseTag } from "./image.js";
import { CONTAINER_NAME, setEnv, type Container } from "./workload.js";

/** The line the workload was last rendered for; kpt feeds it back, so a change of line is seen. */
export const LINE_ANNOTATION = "stalwart.krm.example/stalwart-line";
/**
 * On the selector and the pods from 0.15 on. A selector cannot change (the API server refuses it), so a new line
 * cannot roll over the old one pod by pod: the workload must be deleted, which stops every pod of the old line,
 * and created again. 0.14 has none, so that deployments made before lines existed keep their selector.
 */
export const LINE_LABEL = "stalwart.krm.example/stalwart-line";
/** How many accounts a pod migrates at once (migration/src/v014.rs at v0.15.5, line 74). */
export const MIGRATION_THREADS_ENV = "NUM_THREADS";
/** Kubernetes' default period of a probe that sets none. */
const DEFAULT_PERIOD_SECONDS = 10;

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function durationSeconds(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  return match ? Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] ?? 1) : 0;
}

function labelled(holder: Record<string, unknown>, key: string, line: Line): void {
  const labels = isRecord(holder.labels) ? holder.labels : (holder.labels = {});
  (labels as Record<string, string>)[key] = line;
}

/**
 * The release tags an earlier run of the function gave the images, which it may change: under kpt only (kustomize
 * builds from the sources, where every tag is the user's), those of the line the workload was rendered for and of
 * the line an upgrade leaves. A package rendered before lines existed has no annotation, only `spec.upgrade`.
 */
export function ownReleaseTags(spec: StalwartConfigSpec, workload: KubeObject, mayHoldEarlierOutput: boolean): string[] {
  if (!mayHoldEarlierOutput) return [];
  const rendered = workload.metadata.annotations?.[LINE_ANNOTATION];
  const lines = [rendered !== undefined && isLine(rendered) ? rendered : undefined, spec.upgrade?.from];
  return lines.flatMap((line) => (line ? [LINES[line].release] : []));
}

/** Applies the line to a copy of the workload the function already wired; changes `object` in place. */
export function wireLine(object: KubeObject, spec: StalwartConfigSpec, ownTags: readonly string[] = []): void {
  const line = spec.version;
  object.metadata.annotations = { ...object.metadata.annotations, [LINE_ANNOTATION]: line };
  const workloadSpec = object.spec as Record<string, unknown>;
  const template = workloadSpec.template as Record<string, unknown>;
  const pod = template.spec as { containers: Container[]; initContainers?: Container[] };
  if (compareLines(line, "0.15") >= 0) {
    const selector = isRecord(workloadSpec.selector) ? workloadSpec.selector : (workloadSpec.selector = {});
    if (!isRecord(selector.matchLabels)) selector.matchLabels = {};
    (selector.matchLabels as Record<string, string>)[LINE_LABEL] = line;
    labelled((isRecord(template.metadata) ? template.metadata : (template.metadata = {})) as Record<string, unknown>, LINE_LABEL, line);
  }
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    if (typeof container.image === "string") container.image = withReleaseTag(container.image, LINES[line].release, ownTags);
  }
  const upgrade = spec.upgrade;
  const stalwart = pod.containers.find((container) => container.name === CONTAINER_NAME);
  if (!upgrade || !stalwart) return;
  const probe = stalwart.startupProbe as (Record<string, unknown> & { periodSeconds?: number }) | undefined;
  if (probe) probe.failureThreshold = Math.ceil(durationSeconds(upgrade.startupTimeout) / (probe.periodSeconds ?? DEFAULT_PERIOD_SECONDS));
  if (upgrade.threads !== undefined) setEnv(stalwart, { name: MIGRATION_THREADS_ENV, value: String(upgrade.threads) });
}
