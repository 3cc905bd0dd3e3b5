/** The store must fit the workload: RocksDB is embedded, so it needs a writable persistent volume and one replica. */
import type { StalwartConfig } from "../settings/validate.js";
import { refTo, type Result } from "../results.js";
import { volumeNamed, type Workload } from "../render/workload.js";

function isUnder(path: string, directory: string): boolean {
  const base = directory.endsWith("/") ? directory : `${directory}/`;
  return path === directory || path.startsWith(base);
}

export function checkStorage(settings: StalwartConfig, workload: Workload): Result[] {
  const results: Result[] = [];
  if (settings.spec.storage.backend !== "rocksdb") return results;
  const path = settings.spec.storage.rocksdb.path;
  const field = { path: "spec.storage.rocksdb.path", currentValue: path };

  if (workload.replicas > 1) {
    results.push({
      severity: "error",
      message: `RocksDB is embedded in one pod, but the ${workload.kind} runs ${workload.replicas} replicas; run one replica, or store data in FoundationDB (base/cluster)`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.replicas", currentValue: workload.replicas, proposedValue: 1 },
    });
  }
  const mount = (workload.container.volumeMounts ?? [])
    .filter((candidate) => isUnder(path, candidate.mountPath))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount || mount.readOnly) {
    results.push({
      severity: "error",
      message: `no writable volume is mounted at or above the RocksDB path ${JSON.stringify(path)} in the "stalwart" container; mount the data volume there, or set the path to where it is mounted`,
      field,
    });
    return results;
  }
  const volume = volumeNamed(workload, mount.name);
  const persistent = volume?.persistentVolumeClaim !== undefined || workload.volumeClaimTemplates.includes(mount.name);
  if (!persistent) {
    results.push({
      severity: "warning",
      message: `the RocksDB path ${JSON.stringify(path)} is on volume "${mount.name}", which is not a PersistentVolumeClaim: every mailbox is lost when the pod goes`,
      resourceRef: refTo(workload.object),
      field: { path: "spec.template.spec.volumes", currentValue: mount.name },
    });
  }
  return results;
}
