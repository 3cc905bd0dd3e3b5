/**
 * Clustering against the workload: only a StatefulSet gives each pod its own node id, every id must be unique
 * and from 1 to 511, and NATS credentials must come with the component that provides them.
 */
import { isTomlLine } from "../lines.js";
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { NATS_PASSWORD_ENV, NATS_USERNAME_ENV, NODE_ID_ENV, ROLE_KEYS } from "../render/config/cluster.js";
import { envVar, type Workload } from "../render/workload.js";
import { OAUTH_KEY_ENV } from "../render/config/first-boot.js";
import { checkCredentials } from "./credentials.js";

export const POD_INDEX_FIELD = "metadata.labels['apps.kubernetes.io/pod-index']";
const MAX_NODE_ID = 511;

/** The node ids the pods get, or why they cannot be known to be unique and valid. */
export function nodeIds(workload: Workload): { ids?: number[]; problem?: Result } {
  const ref = refTo(workload.object);
  const variable = envVar(workload.container, NODE_ID_ENV);
  const indices = Array.from({ length: workload.replicas }, (_, index) => workload.firstOrdinal + index);
  if (variable?.valueFrom?.fieldRef?.fieldPath === POD_INDEX_FIELD) {
    if (workload.firstOrdinal < 1) {
      return {
        problem: {
          severity: "error",
          message: `the first pod would get node id ${workload.firstOrdinal}, but Stalwart node ids start at 1: set \`spec.ordinals.start: 1\` (base/cluster does)`,
          resourceRef: ref,
          field: { path: "spec.ordinals.start", currentValue: workload.firstOrdinal, proposedValue: 1 },
        },
      };
    }
    return { ids: indices };
  }
  if (!variable && workload.container.command?.some((part) => part.includes(`${NODE_ID_ENV}=`))) {
    // The node-id-from-hostname component computes the id from the pod name: its ordinal plus one.
    return { ids: indices.map((index) => index + 1) };
  }
  return {
    problem: {
      severity: "error",
      message: `each pod needs its own node id in the variable ${NODE_ID_ENV}, taken from its index (the field ${POD_INDEX_FIELD}); base/cluster sets it`,
      resourceRef: ref,
      field: { path: `spec.template.spec.containers[name=stalwart].env[name=${NODE_ID_ENV}]` },
    },
  };
}

export function checkCluster(settings: StalwartConfig, workload: Workload): Result[] {
  const cluster = settings.spec.cluster;
  const ref = refTo(workload.object);
  if (!cluster) {
    if (workload.replicas > 1 && settings.spec.storage.backend !== "rocksdb") {
      return [{
        severity: "error",
        message: `${workload.replicas} replicas without \`spec.cluster\` would run uncoordinated nodes on one store: build on base/cluster, which coordinates them through NATS`,
        resourceRef: ref,
        field: { path: "spec.replicas", currentValue: workload.replicas },
      }];
    }
    return [];
  }
  if (workload.kind !== "StatefulSet") {
    return [{
      severity: "error",
      message: "`spec.cluster` needs the StatefulSet of base/cluster, which gives every pod its own node id; build on base/cluster (with the component overlays/components/fdb) instead of base/single",
      field: { path: "spec.cluster" },
    }];
  }

  if (!isTomlLine(settings.spec.version)) {
    // 0.16 leases node ids by host name and reads no oauth.key: the pod index matters only to the roles.
    const results = cluster.roles ? checkRoleNodes(settings, workload) : [];
    results.push(...checkCredentials(workload, cluster.nats.auth.enabled, [NATS_PASSWORD_ENV], "nats-auth", "spec.cluster.nats.auth.enabled"));
    return results;
  }
  const results = checkRoleNodes(settings, workload);
  if (!envVar(workload.container, OAUTH_KEY_ENV)) {
    results.push({
      severity: "error",
      message: `every node must sign sessions with one OAuth key, or each generates its own at first start and sessions fail on the others: set the variable ${OAUTH_KEY_ENV} from Secret "stalwart-oauth-key" (key "oauth-key"), as base/cluster does`,
      resourceRef: ref,
      field: { path: `spec.template.spec.containers[name=stalwart].env[name=${OAUTH_KEY_ENV}]` },
    });
  }
  results.push(...checkCredentials(workload, cluster.nats.auth.enabled, [NATS_USERNAME_ENV, NATS_PASSWORD_ENV], "nats-auth", "spec.cluster.nats.auth.enabled"));
  return results;
}

/** The pods' node ids, from their index, and the roles' node ids against them. */
function checkRoleNodes(settings: StalwartConfig, workload: Workload): Result[] {
  const cluster = settings.spec.cluster;
  const ref = refTo(workload.object);
  const results: Result[] = [];
  const { ids, problem } = nodeIds(workload);
  if (problem) results.push(problem);
  const highest = ids?.at(-1);
  if (highest !== undefined && highest > MAX_NODE_ID) {
    results.push({
      severity: "error",
      message: `the last pod would get node id ${highest}, but Stalwart node ids go from 1 to ${MAX_NODE_ID}: run fewer replicas or start the ordinals lower`,
      resourceRef: ref,
      field: { path: "spec.replicas", currentValue: workload.replicas },
    });
  }
  const known = new Set(ids ?? []);
  for (const field of Object.keys(ROLE_KEYS) as (keyof typeof ROLE_KEYS)[]) {
    const missing = [...new Set((cluster?.roles?.[field] ?? []).flat())].filter((id) => ids && !known.has(id));
    if (missing.length > 0) {
      results.push({
        severity: "warning",
        code: "cluster-role-node-missing",
        message: `node ${missing.join(", ")} is not among the ${workload.kind}'s pods (node ids ${[...known].join(", ")}); the shards listing it run on fewer nodes than meant`,
        field: { path: `spec.cluster.roles.${field}` },
      });
    }
  }

  return results;
}
