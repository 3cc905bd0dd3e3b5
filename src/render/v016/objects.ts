/**
 * The Stalwart 0.16 objects this library declares, and the `stalwart-cli apply` plan operations that carry them.
 * Only what the renderers emit is typed, field for field as the server reads it. Written from
 * stalwartlabs/stalwart at tag v0.16.18: `resources/schema/schema.json.gz` (the object schema the server serves
 * at `/api/schema`) and `crates/registry/src/schema/structs.rs` (the serde types config.json is read with); the
 * plan format from stalwartlabs/cli `src/commands/apply.rs` (the version with upsert, reconcile and scope; see
 * the v0.16 reference notes for which commit).
 *
 * Wire forms: a set is a JSON object whose members map to `true`, a duration is an integer of milliseconds, a
 * reference to another object of the same plan is `#` and its client id.
 */

/** A set of strings on the wire: `{"member": true}` (schema.json at v0.16.18, field type `set`). */
export type JmapSet = Readonly<Record<string, true>>;

/** The id of another object: a server id, or `#` and the client id of an earlier operation of the plan. */
export type ObjectReference = `#${string}`;

/**
 * A secret the server reads when it builds the object: from its own environment or a file in its pod.
 * `SecretKey` at v0.16.18 (schema.json `x:SecretKey`, structs.rs) without its `Value` variant: a secret never
 * travels in a plan or config.json, so an inline value cannot be written down in these types.
 */
export type SecretReference =
  | { readonly "@type": "EnvironmentVariable"; readonly variableName: string }
  | { readonly "@type": "File"; readonly filePath: string };

/** `SecretKeyOptional` at v0.16.18 (schema.json `x:SecretKeyOptional`) without `Value`: a reference, or none. */
export type OptionalSecretReference = SecretReference | { readonly "@type": "None" };

/**
 * `PublicText` and `SecretText` at v0.16.18 (schema.json `x:PublicText`, `x:SecretText`) without their inline
 * `Text` variants: the certificate and key come from files the pod mounts.
 */
export type TextReference = SecretReference;

// config.json ---------------------------------------------------------------------------------------------------

/** schema.json at v0.16.18, object `DataStore`, variant `RocksDb` (`x:RocksDbStore`). */
export interface RocksDbStore {
  readonly "@type": "RocksDb";
  readonly path: string;
}

/** schema.json at v0.16.18, object `DataStore`, variant `FoundationDb` (`x:FoundationDbStore`); durations in ms. */
export interface FoundationDbStore {
  readonly "@type": "FoundationDb";
  readonly clusterFile?: string;
  readonly datacenterId?: string;
  readonly transactionTimeout?: number;
  readonly transactionRetryLimit?: number;
  /** The FoundationDB option `TransactionMaxRetryDelay` (crates/store/src/backend/foundationdb/main.rs at v0.16.18). */
  readonly transactionRetryDelay?: number;
}

/** The fields set here of the SQL variants of `DataStore` in schema.json at v0.16.18, which share them. */
interface SqlStoreFields {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly authUsername: string;
  readonly authSecret: OptionalSecretReference;
  readonly useTls: boolean;
  readonly allowInvalidCerts: boolean;
}

/** schema.json at v0.16.18, object `DataStore`, variant `PostgreSql` (`x:PostgreSqlStore`). */
export interface PostgreSqlStore extends SqlStoreFields {
  readonly "@type": "PostgreSql";
}

/** schema.json at v0.16.18, object `DataStore`, variant `MySql` (`x:MySqlStore`). */
export interface MySqlStore extends SqlStoreFields {
  readonly "@type": "MySql";
}

/** The one object config.json holds: the serde enum `DataStore`, tagged `@type` (structs.rs at v0.16.18). */
export type DataStore = RocksDbStore | FoundationDbStore | PostgreSqlStore | MySqlStore;

// Plan objects ----------------------------------------------------------------------------------------------------

/** schema.json at v0.16.18, object `Domain` (`x:Domain`): certificates and DNS records are managed outside Stalwart. */
export interface Domain {
  readonly name: string;
  readonly certificateManagement: { readonly "@type": "Manual" };
  readonly dnsManagement: { readonly "@type": "Manual" };
}

/**
 * schema.json at v0.16.18, object `Certificate` (`x:Certificate`): the PEM files of a mounted Secret. Issuer,
 * validity and names are server-set, read from the files.
 */
export interface Certificate {
  readonly certificate: TextReference;
  readonly privateKey: TextReference;
}

/** schema.json at v0.16.18, singleton `SystemSettings` (`x:SystemSettings`): the fields this library owns. */
export interface SystemSettingsPatch {
  readonly defaultHostname: string;
  readonly defaultDomainId: ObjectReference;
  readonly defaultCertificateId: ObjectReference | null;
  readonly proxyTrustedNetworks: JmapSet;
}

/** The enum `NetworkListenerProtocol` of schema.json at v0.16.18. */
export type NetworkListenerProtocol = "smtp" | "lmtp" | "http" | "imap" | "pop3" | "manageSieve";

/** schema.json at v0.16.18, object `NetworkListener` (`x:NetworkListener`); `bind` is a set of socket addresses. */
export interface NetworkListener {
  readonly name: string;
  readonly protocol: NetworkListenerProtocol;
  readonly bind: JmapSet;
  readonly useTls: boolean;
  readonly tlsImplicit: boolean;
  /** When not empty, replaces `SystemSettings.proxyTrustedNetworks` for this listener (config/server/listener.rs). */
  readonly overrideProxyTrustedNetworks: JmapSet;
}

/** schema.json at v0.16.18, singleton `Coordinator`, variant `Nats` (`x:NatsCoordinator`); durations in ms. */
export interface NatsCoordinator {
  readonly "@type": "Nats";
  readonly addresses: JmapSet;
  /** A plain string in the schema: the server reads no reference here (crates/coordinator/src/backend/nats/mod.rs). */
  readonly authUsername: string | null;
  readonly authSecret: OptionalSecretReference;
  /** A NATS token, not a JWT credentials file (same file). */
  readonly credentials: OptionalSecretReference;
  readonly useTls: boolean;
  readonly noEcho: boolean;
  readonly timeoutConnection: number;
  readonly timeoutRequest: number;
  readonly pingInterval: number;
  readonly maxReconnects: number | null;
  readonly capacityClient: number;
  readonly capacitySubscription: number;
  readonly capacityReadBuffer: number;
}

/** schema.json at v0.16.18, singleton `Coordinator` (variants `Disabled` and `Nats` of eight). */
export type Coordinator = { readonly "@type": "Disabled" } | NatsCoordinator;

/** The enums `TracingLevel` and `LogRotateFrequency` of schema.json at v0.16.18. */
export type TracingLevel = "error" | "warn" | "info" | "debug" | "trace";
export type LogRotateFrequency = "daily" | "hourly" | "minutely" | "never";

/** The scalars every tracer variant has; a value-matched (`matchOn: "*"`) tracer must spell out all of them. */
interface TracerCommon {
  readonly enable: boolean;
  readonly level: TracingLevel;
  readonly lossy: boolean;
  readonly eventsPolicy: "exclude";
  readonly events: JmapSet;
}

/** schema.json at v0.16.18, object `Tracer`, variant `Stdout` (`x:TracerStdout`). */
export interface StdoutTracer extends TracerCommon {
  readonly "@type": "Stdout";
  readonly ansi: boolean;
  readonly buffered: boolean;
  readonly multiline: boolean;
}

/** schema.json at v0.16.18, object `Tracer`, variant `Log` (`x:TracerLog`). */
export interface LogTracer extends TracerCommon {
  readonly "@type": "Log";
  readonly ansi: boolean;
  readonly multiline: boolean;
  readonly path: string;
  readonly prefix: string;
  readonly rotate: LogRotateFrequency;
}

/** schema.json at v0.16.18, object `Tracer`, variants `OtelHttp` and `OtelGrpc` (`x:TracerOtelHttp`, `x:TracerOtelGrpc`). */
export interface OpenTelemetryTracer extends TracerCommon {
  readonly "@type": "OtelHttp" | "OtelGrpc";
  readonly endpoint: string;
  readonly enableLogExporter: boolean;
  readonly enableSpanExporter: boolean;
  readonly throttle: number;
  readonly timeout: number;
  readonly httpAuth: { readonly "@type": "Unauthenticated" };
  readonly httpHeaders: Readonly<Record<string, string>>;
}

export type Tracer = StdoutTracer | LogTracer | OpenTelemetryTracer;

/** schema.json at v0.16.18, `x:MetricsPrometheus`: Basic authentication needs both a user name and a secret. */
export type MetricsPrometheus =
  | { readonly "@type": "Disabled" }
  | { readonly "@type": "Enabled"; readonly authUsername: string | null; readonly authSecret: OptionalSecretReference };

/** schema.json at v0.16.18, `x:MetricsOtel` (variants `Disabled`, `Http`, `Grpc`); durations in ms. */
export type MetricsOpenTelemetry =
  | { readonly "@type": "Disabled" }
  | { readonly "@type": "Http"; readonly endpoint: string; readonly interval: number; readonly timeout: number; readonly httpAuth: { readonly "@type": "Unauthenticated" }; readonly httpHeaders: Readonly<Record<string, string>> }
  | { readonly "@type": "Grpc"; readonly endpoint: string; readonly interval: number; readonly timeout: number };

/** schema.json at v0.16.18, singleton `Metrics` (`x:Metrics`): the export settings this library owns. */
export interface MetricsPatch {
  readonly prometheus: MetricsPrometheus;
  readonly openTelemetry: MetricsOpenTelemetry;
}

/** The enum `ClusterTaskType` of schema.json at v0.16.18. */
export type ClusterTaskType =
  | "storeMaintenance"
  | "accountMaintenance"
  | "metricsCalculate"
  | "metricsPush"
  | "pushNotifications"
  | "searchIndexing"
  | "spamClassifierTraining"
  | "outboundMta"
  | "taskQueueProcessing"
  | "taskScheduler";

/**
 * schema.json at v0.16.18, object `ClusterRole` (`x:ClusterRole`, with `x:ClusterTaskGroup` and
 * `x:ClusterListenerGroup`). A node runs the role its `STALWART_ROLE` names.
 */
export interface ClusterRole {
  readonly name: string;
  readonly description: string;
  readonly tasks: { readonly "@type": "DisableSome"; readonly taskTypes: JmapSet } | { readonly "@type": "EnableAll" };
  readonly listeners: { readonly "@type": "EnableAll" };
}

/**
 * schema.json at v0.16.18, object `Application` (`x:Application`, label `description`): a web application the
 * server downloads and serves. Only the fields the plan sets; the rest keep what the server has.
 */
export interface Application {
  readonly description: string;
  readonly resourceUrl: string;
  readonly urlPrefix: JmapSet;
}

// Plan operations ------------------------------------------------------------------------------------------------

/** What each object name of the plan carries. */
export interface PlanObjects {
  Domain: Domain;
  Certificate: Certificate;
  NetworkListener: NetworkListener;
  Tracer: Tracer;
  ClusterRole: ClusterRole;
  Application: Application;
}

/** What each singleton's `update` carries. */
export interface PlanSingletons {
  SystemSettings: SystemSettingsPatch;
  Coordinator: Coordinator;
  Metrics: MetricsPatch;
}

/**
 * `upsert` (stalwart-cli apply.rs `RawOp`): match each value on `matchOn` (or on every scalar with `"*"`),
 * update the match or create it. Value keys are client ids that later operations reference as `#id`.
 */
export type UpsertOperation<Name extends keyof PlanObjects = keyof PlanObjects> = {
  [N in Name]: { readonly "@type": "upsert"; readonly object: N; readonly matchOn: readonly (keyof PlanObjects[N] & string)[] | "*"; readonly value: Readonly<Record<string, PlanObjects[N]>> };
}[Name];

/** `reconcile` (apply.rs `RawOp`): an upsert that also destroys the objects of the type it did not match. */
export type ReconcileOperation<Name extends keyof PlanObjects = keyof PlanObjects> = {
  [N in Name]: { readonly "@type": "reconcile"; readonly object: N; readonly matchOn: readonly (keyof PlanObjects[N] & string)[] | "*"; readonly value: Readonly<Record<string, PlanObjects[N]>> };
}[Name];

/** `update` of a singleton (apply.rs `RawOp`): no id; a patch of the named fields, or a new variant. */
export type UpdateOperation<Name extends keyof PlanSingletons = keyof PlanSingletons> = {
  [N in Name]: { readonly "@type": "update"; readonly object: N; readonly value: PlanSingletons[N] };
}[Name];

/** The operations a plan of this library holds: never `create` or `destroy`, so that every plan can be re-applied. */
export type PlanOperation = UpsertOperation | ReconcileOperation | UpdateOperation;

/** The `@type`s of the operations above. */
export const PLAN_OPERATION_TYPES: readonly PlanOperation["@type"][] = ["upsert", "reconcile", "update"];
