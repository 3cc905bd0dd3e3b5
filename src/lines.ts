/**
 * The Stalwart lines the function renders for, and what differs between them. Every fact cites the upstream
 * file at the release tag it was read from (stalwartlabs/stalwart, unless said otherwise).
 */

export type Line = "0.14" | "0.15" | "0.16";

/** Lines that read config.toml; from 0.16 on, config.json and objects applied with stalwart-cli. */
export type TomlLine = "0.14" | "0.15";

export interface LineFacts {
  /** The release whose image tag an untagged Stalwart image gets. */
  release: string;
  /** Where RocksDB keeps its data unless `spec.storage.rocksdb.path` says otherwise: on the data volume's mount. */
  rocksDbPath: string;
  /** The line whose data this one migrates at its first start, if any. */
  upgradesFrom?: Line;
  /**
   * The web admin bundle made for the line. v0.1.33 came out with server v0.14.0 (both 2025-10-22; webadmin
   * CHANGELOG.md). 0.15 needs a later one: v0.1.33's "Reindex" calls `GET /api/store/reindex`, which 0.15 answers
   * with 404 (crates/http/src/management/stores.rs line 214 at v0.15.5, which wants an index name); v0.1.37 is the
   * release nixpkgs pairs with server 0.15.4 (not checked against the webadmin repository's releases).
   */
  webadmin?: string;
  /**
   * The spam filter rules made for the line, when Stalwart's own default (`releases/latest`) no longer serves
   * them. spam-filter v2.0.5 (CHANGELOG, 2025-12-16, the day of server v0.15.0) adds the tags 0.15's classifier uses.
   */
  spamFilter?: string;
}

export const LINES: Readonly<Record<Line, LineFacts>> = {
  "0.14": {
    release: "v0.14.1",
    rocksDbPath: "/opt/stalwart/data",
    webadmin: "https://github.com/stalwartlabs/webadmin/releases/download/v0.1.33/webadmin.zip",
  },
  "0.15": {
    release: "v0.15.5",
    rocksDbPath: "/opt/stalwart/data",
    upgradesFrom: "0.14",
    webadmin: "https://github.com/stalwartlabs/webadmin/releases/download/v0.1.37/webadmin.zip",
    spamFilter: "https://github.com/stalwartlabs/spam-filter/releases/download/v2.0.5/spam-filter.toml",
  },
  // The newest 0.16 tag whose object schema (resources/schema/schema.json.gz) the plans were checked against.
  // Its upgrade from 0.15 is offline, through recovery mode (docs/upgrading-0.16.md), not a first-start migration.
  // The web interface is an Application object the server downloads itself (`releases/latest` of stalwartlabs/
  // webui, made for the current line), so the line pins none.
  "0.16": {
    release: "v0.16.18",
    // The image's WORKDIR and VOLUME (Dockerfile.build at v0.16.18) is /var/lib/stalwart, where the claim goes.
    rocksDbPath: "/var/lib/stalwart/data",
    upgradesFrom: "0.15",
  },
};

/** Whether the line reads config.toml (0.14, 0.15) rather than config.json and an apply plan (0.16 on). */
export function isTomlLine(line: Line): line is TomlLine {
  return line === "0.14" || line === "0.15";
}

/** Lines in release order. */
export const LINE_ORDER: readonly Line[] = ["0.14", "0.15", "0.16"];

export function isLine(value: string): value is Line {
  return Object.hasOwn(LINES, value);
}

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b`. */
export function compareLines(a: Line, b: Line): number {
  return Math.sign(LINE_ORDER.indexOf(a) - LINE_ORDER.indexOf(b));
}

/**
 * config.toml keys one line reads and the other does not, as flat-key patterns (`*` is one or more segments),
 * with what to write instead. From a diff of the key literals in crates/ between v0.14.1 and v0.15.5, checked by
 * hand against `git diff v0.14.1 v0.15.5`.
 */
export interface KeyChange {
  pattern: string;
  /** The line that reads the key; the other does not. */
  readBy: Line;
  instead?: string;
}

export const KEY_CHANGES: readonly KeyChange[] = [
  // common/src/config/mod.rs, jmap/settings.rs at v0.15.5: the search index settings moved and grew.
  { pattern: "storage.full-text.default-language", readBy: "0.14", instead: "storage.search-index.default-language" },
  { pattern: "storage.search-index.*", readBy: "0.15" },
  // common/src/config/spamfilter.rs at v0.15.5: the Bayes classifier and the reputation tracking are gone.
  { pattern: "spam-filter.bayes.*", readBy: "0.14", instead: "spam-filter.classifier.*" },
  { pattern: "spam-filter.reputation.*", readBy: "0.14" },
  { pattern: "spam-filter.header.*", readBy: "0.14" },
  { pattern: "spam-filter.trusted-reply.duration", readBy: "0.14" },
  { pattern: "spam-filter.card-is-ham", readBy: "0.14", instead: "spam-filter.card-is-ham.enable" },
  { pattern: "cache.bayes.*", readBy: "0.14" },
  { pattern: "spam-filter.classifier.*", readBy: "0.15" },
  { pattern: "spam-filter.card-is-ham.*", readBy: "0.15" },
  { pattern: "spam-filter.trusted-reply.enable", readBy: "0.15" },
  { pattern: "spam-filter.trusted-reply.learn", readBy: "0.15" },
  // common/src/config/network.rs at v0.15.5 lines 222-263: the training role was renamed, thread merging is new.
  { pattern: "cluster.roles.bayes-training", readBy: "0.14", instead: "spec.cluster.roles.spamTraining" },
  { pattern: "cluster.roles.spam-training", readBy: "0.15", instead: "spec.cluster.roles.bayesTraining" },
  { pattern: "cluster.roles.merge-threads", readBy: "0.15" },
  // store/src/backend/elastic/main.rs at v0.15.5: Basic or Bearer authentication under `auth.*`.
  { pattern: "store.*.cloud-id", readBy: "0.14" },
  { pattern: "store.*.languages", readBy: "0.15" },
  { pattern: "email-submission.auto-expunge", readBy: "0.15" },
];

function matches(pattern: string, key: string): boolean {
  const expression = pattern
    .split(".")
    .map((segment) => (segment === "*" ? "[^.]+(?:\\.[^.]+)*" : segment.replace(/[-]/g, "\\-")))
    .join("\\.");
  return new RegExp(`^${expression}$`).test(key);
}

/** The change that makes `key` one that `line` does not read, if any. */
export function keyNotReadBy(line: Line, key: string): KeyChange | undefined {
  return KEY_CHANGES.find((change) => change.readBy !== line && matches(change.pattern, key));
}

/** Store types one line knows and the other does not (store/src/backend at v0.15.5: `meilisearch` is new). */
export const STORE_TYPES_ADDED: Readonly<Record<string, Line>> = { meilisearch: "0.15" };

/** The RocksDB directory the settings mean: theirs, or the line's default. */
export function rocksDbPath(spec: { version: Line; storage: { rocksdb: { path?: string } } }): string {
  return spec.storage.rocksdb.path ?? LINES[spec.version].rocksDbPath;
}
