/**
 * The store must fit the workload: RocksDB is embedded, so it needs a writable persistent volume and one pod;
 * FoundationDB needs the fdb component's cluster file and an image built with FoundationDB support.
 */
import { withReleaseTag } from "../render/image.js";
import { isTomlLine, LINES, rocksDbPath } from "../lines.js";
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { envVar, FDB_CLUSTER_FILE_ENV, volumeNamed, type Workload } from "../render/workload.js";

/** The official images are built without the `foundationdb` feature (Dockerfile.build of v0.14). */
const OFFICIAL_IMAGE = /^(docker\.io\/|ghcr\.io\/)?stalwartlabs\/stalwart([:@]|$)/;

function isUnder(path: string, directory: string): boolean {
  const base = directory.endsWith("/") ? directory : `${directory}/`;
  return path === directory || path.startsWith(base);
}

/** The container's mount that holds the path, the deepest one. */
export function mountHolding(workload: Workload, path: string) {
  return (workload.container.volumeMounts ?? [])
    .filter((candidate) => isUnder(path, candidate.mountPath))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

function checkRocksDb(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const path = rocksDbPath(settings.spec);
  if (workload.replicas > 1) {
    results.push({
      severity: "error",
      message: `RocksDB is embedded in one pod, but the ${workload.kind} runs ${workload.replicas} replicas; ${workload.kind === "StatefulSet" ? `store the data in FoundationDB: add the component overlays/components/fdb${isTomlLine(settings.spec.version) ? "" : ", or in PostgreSQL or MySQL: set `spec.storage.backend` and `spec.storage.sql`"}` : "run one replica, or build a cluster on base/cluster"}`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.replicas", currentValue: workload.replicas },
    });
  }
  const mount = mountHolding(workload, path);
  if (!mount || mount.readOnly) {
    results.push({
      severity: "error",
      message: `no writable volume is mounted at or above the RocksDB path ${JSON.stringify(path)} in the "stalwart" container; mount the data volume there, or set the path to where it is mounted`,
      field: { path: "spec.storage.rocksdb.path", currentValue: path },
    });
    return results;
  }
  const volume = volumeNamed(workload, mount.name);
  if (volume?.persistentVolumeClaim === undefined && !workload.volumeClaimTemplates.includes(mount.name)) {
    results.push({
      severity: "warning",
      code: "rocksdb-not-persistent",
      message: `the RocksDB path ${JSON.stringify(path)} is on volume "${mount.name}", which is not a PersistentVolumeClaim: every mailbox is lost when the pod goes`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.template.spec.volumes", currentValue: mount.name },
    });
  }
  return results;
}

function checkFoundationDb(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  const ref = refTo(workload.object);
  const clusterFile = envVar(workload.container, FDB_CLUSTER_FILE_ENV)?.value;
  if (!clusterFile) {
    results.push({
      severity: "error",
      message: `FoundationDB needs its cluster file: add the component overlays/components/fdb, which copies Secret "stalwart-fdb-cluster-file" into the pod and sets ${FDB_CLUSTER_FILE_ENV}`,
      field: { path: "spec.storage.backend", currentValue: "foundationdb" },
    });
  } else {
    const mount = mountHolding(workload, clusterFile);
    if (!mount || mount.readOnly || !volumeNamed(workload, mount.name)?.emptyDir) {
      results.push({
        severity: "error",
        message: `${FDB_CLUSTER_FILE_ENV} is ${JSON.stringify(clusterFile)}, which is not on a writable emptyDir volume; the FoundationDB client rewrites the file when the coordinators change`,
        resourceRef: ref,
        field: { path: `spec.template.spec.containers[name=stalwart].env[name=${FDB_CLUSTER_FILE_ENV}]`, currentValue: clusterFile },
      });
    }
  }
  // As the pod would run it: the function tags an untagged image with the line's release.
  const image = withReleaseTag(workload.container.image ?? "", LINES[settings.spec.version].release);
  if (OFFICIAL_IMAGE.test(image)) {
    results.push({
      severity: "error",
      message: `image ${JSON.stringify(image)} has no FoundationDB support (the official images are built without it): build one from Stalwart's ${isTomlLine(settings.spec.version) ? "resources/docker/Dockerfile.fdb" : "Dockerfile.fdb"} (at the release tag) and set it with kustomize's \`images:\` field`,
      resourceRef: ref,
      field: { path: "spec.template.spec.containers[name=stalwart].image", currentValue: image },
    });
  }
  return results;
}

export function checkStorage(settings: StalwartConfig, workload: Workload): Result[] {
  if (settings.spec.storage.backend === "foundationdb") return checkFoundationDb(settings, workload);
  // An external database (0.16): nothing of it is on the workload but the password variable, which the function sets.
  if (settings.spec.storage.backend !== "rocksdb") return [];
  const results = checkRocksDb(settings, workload);
  if (envVar(workload.container, FDB_CLUSTER_FILE_ENV)) {
    results.push({
      severity: "warning",
      code: "fdb-component-unused",
      message: `the workload carries the FoundationDB cluster file (${FDB_CLUSTER_FILE_ENV}) but \`spec.storage.backend\` is "rocksdb"; remove the component "fdb" or set the backend to "foundationdb"`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.template.spec.containers[name=stalwart].env" },
    });
  }
  return results;
}
