/**
 * The `stalwart-cli apply` plan for Stalwart 0.16: every setting but the DataStore, as NDJSON operations on the
 * server's objects (objects.ts). The plan can be applied again and again: it upserts, reconciles and updates,
 * never creates, so a second apply of the same plan changes nothing. Operations come in the order their `#`
 * references need (a reference names the client id of an earlier operation).
 *
 * Not in the plan: the `ReloadSettings` and `ReloadTlsCertificates` actions. Writing objects does not reload the
 * running server (crates/jmap/src/registry/set.rs at v0.16.18 never calls reload_registry); the actions are
 * one-shot `create`s, which would make the plan something other than re-appliable. Whoever applies the plan
 * triggers them afterwards (a second, fixed plan of the two creates, or a pod restart, which listeners and the
 * coordinator need anyway: they are built only at boot).
 */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { fieldPath } from "../../settings/field-path.js";
import { quote, type Result } from "../../results.js";
import { enabledListeners, LOOPBACK_ADDRESS, proxyListeners } from "../config/listeners.js";
import { NATS_PASSWORD_ENV } from "../config/cluster.js";
import { PROMETHEUS_PASSWORD_ENV } from "../config/operations.js";
import type {
  ClusterRole,
  ClusterTaskType,
  Coordinator,
  Domain,
  MetricsOpenTelemetry,
  MetricsPrometheus,
  NetworkListener,
  NetworkListenerProtocol,
  ObjectReference,
  OpenTelemetryTracer,
  PlanOperation,
  Tracer,
  TracingLevel,
} from "./objects.js";
import { durationMs, jmapSet } from "./values.js";
import { secretIn } from "../config/secrets.js";

/** What the workload and the caller tell the renderer. */
export interface PlanContext {
  /** The mail domains, the default first; the caller derives them. */
  domains: readonly string[];
  /** Where the certificate's Secret (`tls.crt`, `tls.key`) is mounted in the Stalwart container. */
  tlsDirectory?: string;
  /** Listeners the probes reach, which never expect PROXY headers. */
  probedListeners?: readonly string[];
  /**
   * The NATS user name, when `spec.cluster.nats.auth` is on. Stalwart 0.16 reads `authUsername` as a plain
   * string (no environment reference), so it is a value; the password stays a reference to `NATS_PASSWORD`.
   */
  natsUsername?: string;
  /** The Prometheus user name, when Prometheus authentication is on; a plain string like `natsUsername`. */
  prometheusUsername?: string;
  /** The node ids of the workload's pods (`STALWART_NODE_ID`), which `spec.cluster.roles` names. */
  clusterNodeIds?: readonly number[];
}

export interface RenderedPlan {
  operations: PlanOperation[];
  /** The StalwartConfig field (or context input) that decides each operation, by index, for messages. */
  fields: string[];
  ndjson: string;
  results: Result[];
}

/** Client ids, which later operations reference as `#id`. */
const CERTIFICATE_ID = "certificate";
const domainId = (index: number) => `domain-${index + 1}`;

/** The role a node runs: the workload sets `STALWART_ROLE` to this name, from the node id. */
export const ROLE_PREFIX = "node-";
export const roleName = (nodeId: number) => `${ROLE_PREFIX}${nodeId}`;

/** The settings' protocol names to the enum `NetworkListenerProtocol` of schema.json at v0.16.18. */
const PROTOCOLS: Readonly<Record<StalwartConfigSpec["listeners"][string]["protocol"], NetworkListenerProtocol>> = {
  smtp: "smtp",
  lmtp: "lmtp",
  http: "http",
  imap: "imap",
  pop3: "pop3",
  managesieve: "manageSieve",
};

/**
 * `spec.cluster.roles` fields to the task types of 0.16 (enum `ClusterTaskType` at v0.16.18). `null`: 0.16 has no
 * task of its own for it (ACME renewal, iMIP, calendar alerts and thread merging run inside other tasks).
 */
export const ROLE_TASKS: Readonly<Record<keyof NonNullable<NonNullable<StalwartConfigSpec["cluster"]>["roles"]>, ClusterTaskType | null>> = {
  purgeStores: "storeMaintenance",
  purgeAccounts: "accountMaintenance",
  acmeRenew: null,
  metricsCalculate: "metricsCalculate",
  metricsPush: "metricsPush",
  pushNotifications: "pushNotifications",
  ftsIndexing: "searchIndexing",
  bayesTraining: "spamClassifierTraining",
  spamTraining: "spamClassifierTraining",
  imipProcessing: null,
  calendarAlerts: null,
  mergeThreads: null,
};

type Level = StalwartConfigSpec["tracer"]["console"]["level"];

/** 0.16 has no `disable` level: a disabled tracer is `enable: false` (at the default level). */
function tracerLevel(level: Level): { enable: boolean; level: TracingLevel } {
  return level === "disable" ? { enable: false, level: "info" } : { enable: true, level };
}

class PlanBuilder {
  readonly operations: PlanOperation[] = [];
  readonly fields: string[] = [];
  readonly results: Result[] = [];
  /** `spec.objects`, as NDJSON lines: the user's, untyped, after the typed operations. */
  readonly extra: string[] = [];

  add(operation: PlanOperation, field: string): void {
    this.operations.push(operation);
    this.fields.push(field);
  }

  error(message: string, field?: string): void {
    this.results.push({ severity: "error", message, ...(field ? { field: { path: field } } : {}) });
  }
}

function domains(plan: PlanBuilder, context: PlanContext): ObjectReference | undefined {
  const names = [...new Set(context.domains)];
  if (names.length === 0) {
    plan.error("Stalwart 0.16 needs a default domain (SystemSettings.defaultDomainId): no mail domain was given to the plan");
    return undefined;
  }
  const value: Record<string, Domain> = {};
  names.forEach((name, index) => {
    value[domainId(index)] = { name, certificateManagement: { "@type": "Manual" }, dnsManagement: { "@type": "Manual" } };
  });
  plan.add({ "@type": "upsert", object: "Domain", matchOn: ["name"], value }, "spec.hostname");
  return `#${domainId(0)}`;
}

function certificate(plan: PlanBuilder, spec: StalwartConfigSpec, context: PlanContext): ObjectReference | null {
  if (!spec.tls || !context.tlsDirectory) return null;
  const directory = context.tlsDirectory.replace(/\/+$/, "");
  // The label (subjectAlternativeNames) is server-set: match on the file the certificate is read from.
  plan.add(
    {
      "@type": "upsert",
      object: "Certificate",
      matchOn: ["certificate"],
      value: {
        [CERTIFICATE_ID]: {
          certificate: { "@type": "File", filePath: `${directory}/tls.crt` },
          privateKey: { "@type": "File", filePath: `${directory}/tls.key` },
        },
      },
    },
    "spec.tls",
  );
  return `#${CERTIFICATE_ID}`;
}

function systemSettings(plan: PlanBuilder, spec: StalwartConfigSpec, defaultDomain: ObjectReference | undefined, defaultCertificate: ObjectReference | null): void {
  if (!defaultDomain) return;
  plan.add(
    {
      "@type": "update",
      object: "SystemSettings",
      value: {
        defaultHostname: spec.hostname,
        defaultDomainId: defaultDomain,
        defaultCertificateId: defaultCertificate,
        // Empty on purpose: a listener without its own trusted networks takes these, the probe listener too.
        // PROXY protocol is set per listener (overrideProxyTrustedNetworks), as on the TOML lines.
        proxyTrustedNetworks: {},
      },
    },
    "spec.hostname",
  );
}

function listeners(plan: PlanBuilder, spec: StalwartConfigSpec, context: PlanContext): void {
  const proxied = new Set(proxyListeners(spec, context.probedListeners ?? []));
  const trusted = jmapSet(spec.proxyProtocol?.trustedNetworks ?? []);
  const value: Record<string, NetworkListener> = {};
  for (const [id, listener] of enabledListeners(spec)) {
    const address = listener.bind === "loopback" ? LOOPBACK_ADDRESS : spec.network.bindAddress;
    value[`listener-${id}`] = {
      name: id,
      protocol: PROTOCOLS[listener.protocol],
      bind: jmapSet([`${address}:${listener.port}`]),
      useTls: listener.tls !== "none",
      tlsImplicit: listener.tls === "implicit",
      overrideProxyTrustedNetworks: proxied.has(id) ? trusted : {},
    };
  }
  // The StalwartConfig owns every listener: the first-start defaults it does not declare are deleted.
  plan.add({ "@type": "reconcile", object: "NetworkListener", matchOn: ["name"], value }, "spec.listeners");
}

function coordinator(plan: PlanBuilder, spec: StalwartConfigSpec, context: PlanContext): void {
  const nats = spec.cluster?.nats;
  if (!nats) {
    plan.add({ "@type": "update", object: "Coordinator", value: { "@type": "Disabled" } }, "spec.cluster");
    return;
  }
  const field = "spec.cluster.nats";
  const results = plan.results;
  let authUsername: string | null = null;
  if (nats.auth.enabled) {
    if (context.natsUsername) authUsername = context.natsUsername;
    else plan.error("Stalwart 0.16 reads the NATS user name as a value, not from NATS_USERNAME: the plan needs it", `${field}.auth.enabled`);
  }
  const value: Coordinator = {
    "@type": "Nats",
    addresses: jmapSet(nats.addresses),
    authUsername,
    authSecret: nats.auth.enabled ? { "@type": "EnvironmentVariable", variableName: NATS_PASSWORD_ENV } : { "@type": "None" },
    credentials: { "@type": "None" },
    useTls: nats.tls,
    noEcho: nats.noEcho,
    timeoutConnection: durationMs(nats.timeouts.connection, `${field}.timeouts.connection`, results),
    timeoutRequest: durationMs(nats.timeouts.request, `${field}.timeouts.request`, results),
    pingInterval: durationMs(nats.pingInterval, `${field}.pingInterval`, results),
    maxReconnects: nats.maxReconnects ?? null,
    capacityClient: nats.capacity.client,
    capacitySubscription: nats.capacity.subscription,
    capacityReadBuffer: nats.capacity.readBuffer,
  };
  plan.add({ "@type": "update", object: "Coordinator", value }, field);
}

/** `Name: value` headers to a map; 0.16 expands no `%{env:...}%` macro, so a header holding one is refused. */
function headerMap(plan: PlanBuilder, headers: readonly string[] | undefined, field: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const header of headers ?? []) {
    const colon = header.indexOf(":");
    const name = header.slice(0, colon).trim();
    const text = header.slice(colon + 1).trim();
    if (colon <= 0 || !name) plan.error(`${quote(header)} is not a header: write \`Name: value\``, field);
    else if (text.includes("%{")) plan.error(`header ${quote(name)} holds a macro, which Stalwart 0.16 does not expand in OpenTelemetry headers`, field);
    else if (secretIn("", `${name}: ${text}`)) plan.error(`header ${quote(name)} looks like a secret, which would land in the plan's ConfigMap, and Stalwart 0.16 reads no header from the environment: authenticate the collector some other way (a sidecar, a network policy)`, field);
    else map[name] = text;
  }
  return map;
}

function tracers(plan: PlanBuilder, spec: StalwartConfigSpec): void {
  const tracer = spec.tracer;
  const results = plan.results;
  const common = { lossy: false, eventsPolicy: "exclude", events: {} } as const;
  // Value-matched (`matchOn: "*"`): every scalar is spelled out, or an omitted one compares as null against the
  // stored default and the tracer is destroyed and created again on every apply.
  const value: Record<string, Tracer> = {
    console: { "@type": "Stdout", ...tracerLevel(tracer.console.level), ansi: tracer.console.ansi, buffered: true, multiline: false, ...common },
  };
  if (tracer.file) {
    const file = tracer.file;
    value.file = { "@type": "Log", ...tracerLevel(file.level), ansi: file.ansi, multiline: false, ...common, path: file.path, prefix: file.prefix, rotate: file.rotate };
  }
  const otel = tracer.openTelemetry;
  if (otel) {
    const field = "spec.tracer.openTelemetry";
    const throttle = durationMs(otel.throttle, `${field}.throttle`, results);
    const httpHeaders = headerMap(plan, otel.headers, `${field}.headers`);
    for (const [id, signal, logs] of [["otel-logs", otel.logs, true], ["otel-traces", otel.traces, false]] as const) {
      if (!signal) continue;
      const exporter: OpenTelemetryTracer = {
        "@type": signal.transport === "grpc" ? "OtelGrpc" : "OtelHttp",
        ...tracerLevel(signal.level),
        ...common,
        endpoint: signal.endpoint,
        enableLogExporter: logs,
        enableSpanExporter: !logs,
        throttle,
        timeout: 10_000,
        httpAuth: { "@type": "Unauthenticated" },
        httpHeaders,
      };
      value[id] = exporter;
    }
  }
  // The StalwartConfig owns every tracer: the first-start `Log` tracer (to a directory the image lacks) goes.
  plan.add({ "@type": "reconcile", object: "Tracer", matchOn: "*", value }, "spec.tracer");
}

/**
 * The web interface's bundle, when `spec.webadmin.resource` names a mirror. Matched on the description the
 * server gives the Application it inserts at first start (crates/common/src/manager/defaults.rs at v0.16.18,
 * lines 57-77), so the plan changes that one rather than adding a second.
 */
export const WEB_INTERFACE = "Stalwart Web Interface";

function webInterface(plan: PlanBuilder, spec: StalwartConfigSpec): void {
  const resource = spec.webadmin.resource;
  if (!resource) return;
  plan.add(
    { "@type": "upsert", object: "Application", matchOn: ["description"], value: { webui: { description: WEB_INTERFACE, resourceUrl: resource, urlPrefix: jmapSet(["/admin", "/account"]) } } },
    "spec.webadmin.resource",
  );
}

function metrics(plan: PlanBuilder, spec: StalwartConfigSpec, context: PlanContext): void {
  const { prometheus: settings, openTelemetry: otel } = spec.metrics;
  let prometheus: MetricsPrometheus = { "@type": "Disabled" };
  if (settings.enabled && !settings.authentication) prometheus = { "@type": "Enabled", authUsername: null, authSecret: { "@type": "None" } };
  else if (settings.enabled && context.prometheusUsername) {
    prometheus = { "@type": "Enabled", authUsername: context.prometheusUsername, authSecret: { "@type": "EnvironmentVariable", variableName: PROMETHEUS_PASSWORD_ENV } };
  } else if (settings.enabled) {
    // Enabled without a user name would serve the metrics to anyone: stay disabled and say why.
    plan.error("Stalwart 0.16 reads the Prometheus user name as a value, not from PROMETHEUS_USERNAME: the plan needs it", "spec.metrics.prometheus.authentication");
  }
  let openTelemetry: MetricsOpenTelemetry = { "@type": "Disabled" };
  if (otel) {
    const interval = durationMs(otel.interval, "spec.metrics.openTelemetry.interval", plan.results);
    openTelemetry =
      otel.transport === "grpc"
        ? { "@type": "Grpc", endpoint: otel.endpoint, interval, timeout: 10_000 }
        : { "@type": "Http", endpoint: otel.endpoint, interval, timeout: 10_000, httpAuth: { "@type": "Unauthenticated" }, httpHeaders: {} };
  }
  plan.add({ "@type": "update", object: "Metrics", value: { prometheus, openTelemetry } }, "spec.metrics");
}

/**
 * One role per node, `node-<id>`, that disables the tasks `spec.cluster.roles` gives to other nodes. 0.16 picks
 * a node's role by the name in its `STALWART_ROLE` (no node-id lists) and has no task shards, so a role maps only
 * when it is one shard of a task 0.16 has; a node outside every role runs everything, as on the TOML lines.
 */
function clusterRoles(plan: PlanBuilder, spec: StalwartConfigSpec, context: PlanContext): void {
  const roles = spec.cluster?.roles;
  if (!roles) return;
  const nodesOf = new Map<ClusterTaskType, Set<number>>();
  let mapped = true;
  for (const [name, task] of Object.entries(ROLE_TASKS) as [keyof typeof ROLE_TASKS, ClusterTaskType | null][]) {
    const shards = roles[name];
    if (!shards) continue;
    const field = fieldPath(["spec", "cluster", "roles", name]);
    if (!task) {
      plan.error(`Stalwart 0.16 has no task of its own for \`${name}\`: leave it out`, field);
      mapped = false;
    } else if (shards.length > 1) {
      plan.error(`Stalwart 0.16 does not split \`${name}\` into shards: give one shard, the nodes that run it`, field);
      mapped = false;
    } else {
      const nodes = nodesOf.get(task) ?? new Set<number>();
      for (const node of shards[0] ?? []) nodes.add(node);
      nodesOf.set(task, nodes);
    }
  }
  if (!mapped) return;
  const nodeIds = [...new Set(context.clusterNodeIds ?? [])].sort((a, b) => a - b);
  if (nodeIds.length === 0) {
    plan.error("roles for Stalwart 0.16 are made per node: the plan needs the node ids of the pods", "spec.cluster.roles");
    return;
  }
  const value: Record<string, ClusterRole> = {};
  for (const node of nodeIds) {
    const disabled = [...nodesOf].filter(([, nodes]) => !nodes.has(node)).map(([task]) => task);
    value[`role-${node}`] = {
      name: roleName(node),
      description: `Node ${node}: the tasks spec.cluster.roles gives it`,
      tasks: disabled.length > 0 ? { "@type": "DisableSome", taskTypes: jmapSet(disabled) } : { "@type": "EnableAll" },
      listeners: { "@type": "EnableAll" },
    };
  }
  plan.add({ "@type": "upsert", object: "ClusterRole", matchOn: ["name"], value }, "spec.cluster.roles");
}

/** The objects the rendered operations declare: `spec.objects` sets them through their fields instead. */
const DECLARED_OBJECTS: Readonly<Record<string, string>> = {
  Domain: "spec.domains",
  Certificate: "spec.tls",
  SystemSettings: "spec.hostname",
  NetworkListener: "spec.listeners",
  Coordinator: "spec.cluster.nats",
  Tracer: "spec.tracer",
  Metrics: "spec.metrics",
  ClusterRole: "spec.cluster.roles",
  Application: "spec.webadmin.resource",
  // config.json, read-only in the pod: the server's write of it would fail.
  DataStore: "spec.storage",
};

/** Where in a value a secret is written out, rather than referenced: `Value`/`Text` variants, or a bare `secret`. */
function inlineSecret(value: unknown, at: string): string | undefined {
  if (Array.isArray(value)) return value.map((item, index) => inlineSecret(item, `${at}[${index}]`)).find((found) => found !== undefined);
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record["@type"] === "Value" || (record["@type"] === "Text" && "secret" in record)) return at;
  for (const [key, child] of Object.entries(record)) {
    // Keys in the schema's camelCase, read as the kebab-case names config.toml's secret check knows.
    if (typeof child === "string" && secretIn(key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`), child)) return `${at}.${key}`;
    const found = inlineSecret(child, `${at}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** `spec.objects`, after the rendered operations; refused where it would fight them, destroy mail or hold a secret. */
function extraObjects(plan: PlanBuilder, spec: StalwartConfigSpec): void {
  for (const [index, extra] of (spec.objects ?? []).entries()) {
    const field = `spec.objects[${index}]`;
    const name = extra.object.replace(/^x:/, "");
    // The web interface's Application is declared only with `spec.webadmin.resource`; other applications are free.
    const declaredBy = name === "Application" && !spec.webadmin.resource ? undefined : DECLARED_OBJECTS[name];
    const secretAt = inlineSecret(extra.value, `${field}.value`);
    if (declaredBy) plan.error(`${name} is declared by \`${declaredBy}\`: set it there, so that the two do not undo each other on every apply`, `${field}.object`);
    else if (name === "Account" && extra["@type"] === "reconcile") plan.error("a `reconcile` of Account destroys every account it does not list, with its mail: use `upsert`", `${field}.@type`);
    else if (secretAt) plan.error("holds a secret as a value, which would land in a ConfigMap: refer to it as {\"@type\": \"EnvironmentVariable\", \"variableName\": ...} (set on the Stalwart container) or {\"@type\": \"File\", \"filePath\": ...}", secretAt);
    else plan.extra.push(`${JSON.stringify(extra)}\n`);
  }
}

/** One operation per line, as `stalwart-cli apply` reads NDJSON. */
export function planNdjson(operations: readonly PlanOperation[]): string {
  return operations.map((operation) => `${JSON.stringify(operation)}\n`).join("");
}

export function renderPlan(spec: StalwartConfigSpec, context: PlanContext): RenderedPlan {
  const plan = new PlanBuilder();
  const defaultDomain = domains(plan, context);
  const defaultCertificate = certificate(plan, spec, context);
  systemSettings(plan, spec, defaultDomain, defaultCertificate);
  listeners(plan, spec, context);
  coordinator(plan, spec, context);
  tracers(plan, spec);
  metrics(plan, spec, context);
  clusterRoles(plan, spec, context);
  webInterface(plan, spec);
  extraObjects(plan, spec);
  return { operations: plan.operations, fields: plan.fields, ndjson: planNdjson(plan.operations) + plan.extra.join(""), results: plan.results };
}
