/** `storage.*`, the store behind them and the internal directory on it. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

const DIRECTORY_ID = "internal";

function storeEntries(spec: StalwartConfigSpec): { id: string; entries: ConfigEntry[] } {
  const rocksdb = spec.storage.rocksdb;
  const field = "spec.storage.rocksdb";
  return {
    id: "rocksdb",
    entries: [
      entry("store.rocksdb.type", "rocksdb", "spec.storage.backend"),
      entry("store.rocksdb.path", rocksdb.path, `${field}.path`),
      entry("store.rocksdb.compression", rocksdb.compression, `${field}.compression`),
    ],
  };
}

export function storageEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const store = storeEntries(spec);
  const field = "spec.storage.backend";
  // All five storage keys are required: a missing one disables every store and /healthz/ready answers 503.
  return [
    ...["data", "blob", "fts", "lookup"].map((role) => entry(`storage.${role}`, store.id, field)),
    entry("storage.directory", DIRECTORY_ID, field),
    ...store.entries,
    entry(`directory.${DIRECTORY_ID}.type`, "internal", field),
    entry(`directory.${DIRECTORY_ID}.store`, store.id, field),
  ];
}
