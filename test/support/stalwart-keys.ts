/**
 * The config.toml keys Stalwart v0.14.1 and v0.15.5 read, as patterns over flat keys: `*` is one id segment, `#`
 * a list index. Each group names the source file in stalwartlabs/stalwart@v0.14.1 that reads it (see also
 * ../../../shared/reference/stalwart-config.md in the team workspace); LINE_ONLY holds what one line reads and the
 * other does not (checked against a diff of the key literals of crates/ between the two tags).
 */
import type { Line } from "../../src/lines.ts";

const KNOWN: Record<string, readonly string[]> = {
  // crates/common/src/config/network.rs, jmap/settings.rs
  identity: ["server.hostname", "http.url"],
  // crates/common/src/config/server/listener.rs
  listeners: [
    "server.listener.*.bind.#",
    "server.listener.*.protocol",
    "server.listener.*.tls.enable",
    "server.listener.*.tls.implicit",
    "server.listener.*.proxy.trusted-networks.#",
    "server.proxy.trusted-networks.#",
  ],
  // crates/common/src/config/server/tls.rs
  certificates: ["certificate.*.cert", "certificate.*.private-key", "certificate.*.default", "certificate.*.subjects.#"],
  // crates/store/src/config.rs, backend/{rocksdb,foundationdb,nats}
  storage: [
    "storage.data",
    "storage.blob",
    "storage.fts",
    "storage.lookup",
    "storage.directory",
    "store.*.type",
    "store.*.path",
    "store.*.compression",
    "store.*.cluster-file",
    "store.*.transaction.timeout",
    "store.*.transaction.retry-limit",
    "store.*.transaction.max-retry-delay",
    "store.*.ids.machine",
    "store.*.ids.datacenter",
    "store.*.address.#",
    "store.*.user",
    "store.*.password",
    "store.*.no-echo",
    "store.*.tls.enable",
    "store.*.timeout.connection",
    "store.*.timeout.request",
    "store.*.ping-interval",
    "store.*.max-reconnects",
    "store.*.capacity.client",
    "store.*.capacity.subscription",
    "store.*.capacity.read-buffer",
  ],
  // crates/directory/src/core/config.rs
  directory: ["directory.*.type", "directory.*.store"],
  // crates/common/src/config/network.rs, config/mod.rs
  cluster: [
    "cluster.node-id",
    "cluster.coordinator",
    "cluster.roles.purge.stores.#",
    "cluster.roles.purge.accounts.#",
    "cluster.roles.acme.renew.#",
    "cluster.roles.metrics.calculate.#",
    "cluster.roles.metrics.push.#",
    "cluster.roles.push-notifications.#",
    "cluster.roles.fts-indexing.#",
    "cluster.roles.imip-processing.#",
    "cluster.roles.calendar-alerts.#",
  ],
  // crates/common/src/config/telemetry.rs
  telemetry: [
    "tracer.*.type",
    "tracer.*.level",
    "tracer.*.enable",
    "tracer.*.ansi",
    "tracer.*.path",
    "tracer.*.prefix",
    "tracer.*.rotate",
    "tracer.*.transport",
    "tracer.*.endpoint",
    "tracer.*.headers.#",
    "tracer.*.throttle",
    "tracer.*.enable.log-exporter",
    "tracer.*.enable.span-exporter",
    "metrics.prometheus.enable",
    "metrics.prometheus.auth.username",
    "metrics.prometheus.auth.secret",
    "metrics.open-telemetry.transport",
    "metrics.open-telemetry.endpoint",
    "metrics.open-telemetry.interval",
    "metrics.open-telemetry.headers.#",
  ],
  // crates/common/src/manager/config.rs, crates/directory/src/core/secret.rs
  management: ["config.local-keys.#", "authentication.fallback-admin.user", "authentication.fallback-admin.secret"],
  // crates/common/src/auth/oauth/config.rs, crates/common/src/manager/mod.rs
  firstBoot: ["oauth.key", "webadmin.resource", "spam-filter.resource"],
};

const LINE_ONLY: Record<Line, readonly string[]> = {
  "0.14": ["cluster.roles.bayes-training.#"],
  // crates/common/src/config/network.rs at v0.15.5, lines 222-263
  "0.15": ["cluster.roles.spam-training.#", "cluster.roles.merge-threads.#"],
  // 0.16 reads no config.toml.
  "0.16": [],
};

const toPattern = (pattern: string) => new RegExp(`^${pattern.replaceAll(".", "\\.").replaceAll("*", "[^.]+").replaceAll("#", "\\d{4}")}$`);
const PATTERNS = Object.values(KNOWN).flat().map(toPattern);

/** The flat keys Stalwart of the line does not read. */
export function unknownStalwartKeys(keys: Iterable<string>, line: Line = "0.15"): string[] {
  const patterns = [...PATTERNS, ...LINE_ONLY[line].map(toPattern)];
  return [...keys].filter((key) => !patterns.some((pattern) => pattern.test(key)));
}
