/**
 * The Stalwart line against everything that must agree with it: the images, the cluster roles, the workload's
 * update strategy, and, when the line changes, the upgrade procedure. A line change migrates the data at the
 * first start, with every pod of the old line stopped (UPGRADING/v0_15.md): never a rolling update.
 */
import type { StalwartConfig } from "../settings/validate.js";
import { quote, refTo, type Result } from "../results.js";
import { compareLines, isLine, isTomlLine, LINES, type Line } from "../lines.js";
import { ROLE_KEYS, ROLE_LINES } from "../render/config/cluster.js";
import { imagesOfAnotherLine } from "../render/image.js";
import { isRecord } from "../kube.js";
import type { Workload } from "../render/workload.js";

import { LINE_ANNOTATION } from "../render/workload-line.js";
/** Variables that re-run a data migration at every start while set (migration/src/lib.rs at v0.15.5, lines 68-138). */
const FORCE_MIGRATE = /^FORCE_MIGRATE(_QUEUE|_BLOBS|_ACCOUNT)?$/;
const UPGRADE_GUIDE = "docs/upgrading.md";
const UPGRADE_GUIDE_016 = "docs/upgrading-0.16.md";
/** The guide for an upgrade to the line: from 0.15 to 0.16 it is the recovery-mode migration. */
const guideTo = (line: Line) => (isTomlLine(line) ? UPGRADE_GUIDE : UPGRADE_GUIDE_016);

function roles(settings: StalwartConfig): Result[] {
  const line = settings.spec.version;
  // 0.16's roles are task types, mapped and refused by the plan (render/v016/plan.ts ROLE_TASKS).
  if (!isTomlLine(line)) return [];
  const set = settings.spec.cluster?.roles ?? {};
  return (Object.keys(ROLE_KEYS) as (keyof typeof ROLE_KEYS)[]).flatMap((field) => {
    const only = ROLE_LINES[field];
    if (!only || only === line || set[field] === undefined) return [];
    const renamed = field === "bayesTraining" ? "; 0.15 renamed it `spamTraining`" : field === "spamTraining" ? "; on 0.14 it is `bayesTraining`" : "";
    return [{ severity: "error" as const, message: `\`cluster.roles.${ROLE_KEYS[field]}\` is a role of Stalwart ${only} only, and \`spec.version\` is ${quote(line)}${renamed}`, field: { path: `spec.cluster.roles.${field}` } }];
  });
}

function images(settings: StalwartConfig, workload: Workload, ownTags: readonly string[]): Result[] {
  const line = settings.spec.version;
  return imagesOfAnotherLine(workload.pod, line, ownTags).map(({ path, image, imageLine }) => ({
    severity: "error" as const,
    message: `image ${quote(image)} is Stalwart ${imageLine}, but \`spec.version\` is ${quote(line)}: set the tag of the line you run (or leave the image untagged and the function uses ${LINES[line].release}); changing the line is an upgrade (${guideTo(line)})`,
    resourceRef: refTo(workload.object),
    field: { path, currentValue: image },
  }));
}

/** A Deployment's rolling update runs the old pod beside the new one: two processes on one store. */
function strategy(workload: Workload): Result[] {
  if (workload.kind !== "Deployment") return [];
  const spec = workload.object.spec as Record<string, unknown>;
  const type = isRecord(spec.strategy) ? spec.strategy.type : undefined;
  if (type === "Recreate") return [];
  return [
    {
      severity: "error",
      message: `${type === undefined ? "has no update strategy, which Kubernetes takes as RollingUpdate" : `updates by ${quote(type)}`}: the new pod would start beside the old one, which RocksDB refuses and which corrupts the data when the line changes; set \`spec.strategy.type: Recreate\` (base/single does)`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.strategy.type", ...(type === undefined ? {} : { currentValue: type }), proposedValue: "Recreate" },
    },
  ];
}

function upgrade(settings: StalwartConfig, workload: Workload): Result[] {
  const { version, upgrade: declared } = settings.spec;
  if (!declared) return [];
  const from = LINES[version].upgradesFrom;
  if (from === declared.from) {
    if (workload.container.startupProbe) return [];
    return [
      {
        severity: "error",
        message: "has no startup probe, which the upgrade stretches to wait out the data migration: without it the liveness probe restarts the pod while Stalwart migrates and answers nothing; keep base/pod's startupProbe",
        resourceRef: refTo(workload.object),
        field: { path: "spec.template.spec.containers[name=stalwart].startupProbe" },
      },
    ];
  }
  return [
    {
      severity: "error",
      message: from
        ? `Stalwart ${version} migrates data of ${from} only: upgrade one line at a time (${guideTo(version)})`
        : `Stalwart ${version} is the oldest line this library renders, so nothing upgrades to it; remove \`spec.upgrade\`, or set \`spec.version\` to the line you upgrade to`,
      field: { path: "spec.upgrade.from", currentValue: declared.from },
    },
  ];
}

/**
 * kpt renders a package in place, so the workload shows the line it was last rendered for; kustomize builds
 * from the sources, where the API server's refusal to change the selector (rendered below) stops the rollout.
 */
function lineChange(settings: StalwartConfig, workload: Workload, mayHoldEarlierOutput: boolean): Result[] {
  const previous = workload.object.metadata.annotations?.[LINE_ANNOTATION];
  const { version, upgrade: declared } = settings.spec;
  if (!mayHoldEarlierOutput || previous === undefined || !isLine(previous) || previous === version) return [];
  const ref = refTo(workload.object);
  if (compareLines(previous, version) > 0) {
    return [
      {
        severity: "error",
        message: `was rendered for Stalwart ${previous}, and \`spec.version\` asks for ${version}: the data is in ${previous}'s format, which ${version} cannot read. Going back means restoring the backup taken before the upgrade (${guideTo(previous)}, "Rolling back")`,
        resourceRef: ref,
        field: { path: "spec.version", currentValue: version, proposedValue: previous },
      },
    ];
  }
  if (declared?.from === previous) return [];
  return [
    {
      severity: "error",
      message: isTomlLine(version)
        ? `was rendered for Stalwart ${previous}, and \`spec.version\` asks for ${version}: ${version} migrates the data at its first start, with every ${previous} pod stopped and a backup taken. Follow ${UPGRADE_GUIDE}, then set \`spec.upgrade\` (from: ${quote(previous)}, and where the backup is)`
        : `was rendered for Stalwart ${previous}, and \`spec.version\` asks for ${version}: ${version} is reached offline, with every ${previous} pod stopped, a backup taken and the first start in recovery mode. Follow ${UPGRADE_GUIDE_016}, then set \`spec.upgrade\` (from: ${quote(previous)}, and where the backup is)`,
      resourceRef: ref,
      field: { path: "spec.upgrade" },
    },
  ];
}

function forceMigrate(workload: Workload): Result[] {
  return (workload.container.env ?? [])
    .filter((variable) => FORCE_MIGRATE.test(variable.name))
    .map((variable) => ({
      severity: "warning" as const,
      code: "force-migrate-set" as const,
      message: `${variable.name} is set on the Stalwart container: while it stays, every start runs that data migration again; remove it after one run`,
      resourceRef: refTo(workload.object),
      field: { path: `spec.template.spec.containers[name=stalwart].env[name=${variable.name}]` },
    }));
}

/** `ownTags`: the release tags an earlier run gave the images (`ownReleaseTags`), which are the function's to change. */
export function checkLine(settings: StalwartConfig, workload: Workload, mayHoldEarlierOutput: boolean, ownTags: readonly string[]): Result[] {
  return [...roles(settings), ...images(settings, workload, ownTags), ...strategy(workload), ...upgrade(settings, workload), ...lineChange(settings, workload, mayHoldEarlierOutput), ...forceMigrate(workload)];
}
