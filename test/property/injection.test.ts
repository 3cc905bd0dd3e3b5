/**
 * No string from the input can add, remove or rename a config.toml key, or add an object to the output: for
 * every string that reaches config.toml (from the StalwartConfig, and from the workload the function reads),
 * an injection attempt is either refused or renders exactly the keys and objects a harmless string in the same
 * place renders, with the string itself as the value Stalwart reads. And no secret lands in a ConfigMap: a
 * secret-looking value under an extraConfig key that names a secret is refused naming the key, or appears in no
 * ConfigMap at all; so is a secret carried by the value itself (a URL's password, a credential header, a PEM
 * block) wherever config.toml takes a string from, and no message, KRM result or field value repeats it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isRecord, type KubeObject } from "../../src/kube.ts";
import { stalwartConfig } from "../support/fixtures.ts";
import { assertGoReadsAlike } from "../support/go-read.ts";
import type { FlatConfig } from "../support/stalwart-toml.ts";
import { hostileString, INJECTIONS } from "./arbitraries.ts";
import { assertContract, assertRendered, configMapsWithToml, identities } from "./contract.ts";
import { asUtf8, documentsOf, overlay, resourceListText, runKrm, runLegacy, runs, streamText, yamlText, type Mode, type Overlay } from "./harness.ts";
import { RICH_SPEC } from "./seeds.ts";

type Spec = Record<string, unknown>;

/** One place a string from the input goes, and how config.toml must show it. */
interface Placement {
  name: string;
  overlay: Overlay;
  harmless: string;
  /** Free text, where much gets through; other fields have a pattern that refuses nearly every injection. */
  freeText: boolean;
  /** Ways to embed an injection: alone, or inside an otherwise valid value. */
  forms: readonly ((injection: string) => string)[];
  /** Puts the value into the StalwartConfig or the items (both copies). */
  place: (value: string, config: KubeObject, items: KubeObject[]) => void;
  /** The flat key holding the value, and what Stalwart must read there. */
  key?: (value: string) => string;
  expected?: (value: string) => string;
  /** Where the value is part of keys: what each key of the harmless run becomes (default: only `key` changes). */
  rename?: (key: string, value: string) => string;
}

/** Sets a field of the spec by path, making the objects on the way. */
function setIn(spec: Spec, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = spec;
  path.slice(0, -1).forEach((segment, index) => {
    node = (node[segment] ??= typeof path[index + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
  });
  node[path.at(-1) as string | number] = value;
}

/** The Stalwart container of the workload among the items (the items are a copy, changed in place). */
function stalwartContainer(items: KubeObject[]): Record<string, unknown> {
  const workload = items.find((item) => item.kind === "Deployment" || item.kind === "StatefulSet");
  const pod = (workload?.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
  const container = pod.containers.find((candidate) => candidate.name === "stalwart");
  assert.ok(container);
  return container;
}

function namedEntry(container: Record<string, unknown>, list: string, name: string): Record<string, unknown> {
  const entries = container[list] as Record<string, unknown>[];
  const found = entries.find((entry) => entry.name === name);
  assert.ok(found, `${list} ${name}`);
  return found;
}

const field = (path: readonly (string | number)[]) => (value: string, config: KubeObject) => setIn(config.spec as Spec, path, value);
const same = (value: string) => value;
const fixed = (key: string) => () => key;

const PLACEMENTS: readonly Placement[] = [
  { name: "metadata.name", overlay: "overlays/single", freeText: true, harmless: "stalwart", forms: [same, (s) => `stalwart${s}`], place: (value, config) => void (config.metadata.name = value) },
  { name: "spec.hostname", overlay: "overlays/single", freeText: false, harmless: "mail.example.com", forms: [same, (s) => `mail${s}.example.com`, (s) => `mail.example.com${s}`], place: field(["hostname"]), key: fixed("server.hostname"), expected: same },
  { name: "spec.publicUrl", overlay: "overlays/single", freeText: true, harmless: "https://mail.example.com", forms: [same, (s) => `https://mail.example.com/${s}`, (s) => `https://${s}`, (s) => `https://mail.example.com/${s.replace(/[\s'\\]/g, "")}`], place: field(["publicUrl"]), key: fixed("http.url"), expected: (s) => `'${s}'` },
  { name: "spec.tls.dnsNames[1]", overlay: "overlays/single", freeText: false, harmless: "imap.example.com", forms: [same, (s) => `imap${s}.example.com`], place: field(["tls", "dnsNames", 1]) },
  { name: "spec.tracer.file.path", overlay: "overlays/single", freeText: true, harmless: "/opt/stalwart/data/log", forms: [same, (s) => `/opt/stalwart/data/${s}`], place: field(["tracer", "file", "path"]), key: fixed("tracer.log.path"), expected: same },
  { name: "spec.tracer.file.path (cluster)", overlay: "overlays/cluster", freeText: true, harmless: "/tmp/log", forms: [(s) => `/tmp/${s}`], place: field(["tracer", "file", "path"]), key: fixed("tracer.log.path"), expected: same },
  { name: "spec.tracer.file.prefix", overlay: "overlays/single", freeText: false, harmless: "stalwart.log", forms: [same, (s) => `stalwart${s}.log`], place: field(["tracer", "file", "prefix"]), key: fixed("tracer.log.prefix"), expected: same },
  { name: "spec.tracer.openTelemetry.logs.endpoint", overlay: "overlays/single", freeText: true, harmless: "https://otel.example.com/v1/logs", forms: [(s) => `https://otel.example.com/${s}`, same], place: field(["tracer", "openTelemetry", "logs", "endpoint"]), key: fixed("tracer.otel-logs.endpoint"), expected: same },
  { name: "spec.tracer.openTelemetry.headers[0]", overlay: "overlays/single", freeText: true, harmless: "X-Scope: mail", forms: [(s) => `X-Scope: ${s}`, (s) => `${s}: mail`], place: field(["tracer", "openTelemetry", "headers", 0]), key: fixed("tracer.otel-traces.headers.0000"), expected: same },
  { name: "spec.metrics.openTelemetry.endpoint", overlay: "overlays/single", freeText: true, harmless: "https://otel.example.com:4317", forms: [(s) => `https://otel.example.com/${s}`], place: field(["metrics", "openTelemetry", "endpoint"]), key: fixed("metrics.open-telemetry.endpoint"), expected: same },
  { name: "spec.storage.rocksdb.path", overlay: "overlays/single", freeText: true, harmless: "/opt/stalwart/data/db", forms: [(s) => `/opt/stalwart/data/${s}`], place: field(["storage", "rocksdb", "path"]), key: fixed("store.rocksdb.path"), expected: same },
  { name: "spec.extraConfig value", overlay: "overlays/single", freeText: true, harmless: "mx.example.com", forms: [same], place: field(["extraConfig", "queue.outbound.hostname"]), key: fixed("queue.outbound.hostname"), expected: same },
  { name: "spec.extraConfig list item", overlay: "overlays/single", freeText: true, harmless: "10.0.0.2", forms: [same], place: field(["extraConfig", "server.allowed-ip.list", 1]), key: fixed("server.allowed-ip.list.0001"), expected: same },
  {
    name: "spec.extraConfig key",
    overlay: "overlays/single",
    freeText: false,
    harmless: "limit",
    forms: [(s) => `queue.${s}`],
    place: (value, config) => setIn(config.spec as Spec, ["extraConfig", value], "1h"),
    key: same,
    expected: () => "1h",
  },
  { name: "spec.proxyProtocol.trustedNetworks[0]", overlay: "overlays/single", freeText: false, harmless: "10.0.0.0/16", forms: [same, (s) => `10.0.0.0/${s}`], place: field(["proxyProtocol", "trustedNetworks", 0]), key: fixed("server.listener.smtp.proxy.trusted-networks.0000"), expected: same },
  { name: "spec.tracer.openTelemetry.throttle", overlay: "overlays/single", freeText: false, harmless: "1s", forms: [same, (s) => `1${s}`], place: field(["tracer", "openTelemetry", "throttle"]), key: fixed("tracer.otel-logs.throttle"), expected: same },
  {
    name: "a listener id",
    overlay: "overlays/single",
    freeText: false,
    harmless: "smtp",
    forms: [same, (s) => `smtp${s}`],
    // The smtp listener under another id: a key of config.toml (`server.listener.<id>`) taken from a map key.
    place: (value, config) => setIn(config.spec as Spec, ["listeners"], { smtp: { enabled: false }, [value]: { protocol: "smtp", port: 25, tls: "starttls" } }),
    key: (value) => `server.listener.${value}.protocol`,
    expected: () => "smtp",
    rename: (key, value) => key.replace(/^server\.listener\.smtp\./, `server.listener.${value}.`),
  },
  { name: "spec.cluster.nats.pingInterval", overlay: "overlays/cluster", freeText: false, harmless: "60s", forms: [same, (s) => `60${s}`], place: field(["cluster", "nats", "pingInterval"]), key: fixed("store.nats.ping-interval"), expected: same },
  { name: "spec.cluster.nats.addresses[0]", overlay: "overlays/cluster", freeText: false, harmless: "nats://nats-a:4222", forms: [same, (s) => `nats://nats${s}:4222`], place: field(["cluster", "nats", "addresses", 0]), key: fixed("store.nats.address.0000"), expected: same },
  { name: "spec.storage.foundationdb.datacenterId", overlay: "overlays/cluster", freeText: false, harmless: "dc-1", forms: [same, (s) => `dc-${s}`], place: field(["storage", "foundationdb", "datacenterId"]), key: fixed("store.foundationdb.ids.datacenter"), expected: same },
  {
    name: "the workload's FDB_CLUSTER_FILE",
    overlay: "overlays/cluster",
    freeText: true,
    harmless: "/var/dynamic-conf/fdb.cluster",
    forms: [(s) => `/var/dynamic-conf/${s}`],
    place: (value, _, items) => void (namedEntry(stalwartContainer(items), "env", "FDB_CLUSTER_FILE").value = value),
    key: fixed("store.foundationdb.cluster-file"),
    expected: same,
  },
  {
    name: "the workload's mount path of the tls volume",
    overlay: "overlays/single",
    freeText: true,
    harmless: "/etc/stalwart/tls",
    forms: [(s) => `/etc/stalwart/tls${s}`, (s) => `/${s}`],
    place: (value, _, items) => void (namedEntry(stalwartContainer(items), "volumeMounts", "tls").mountPath = value),
    key: fixed("certificate.default.cert"),
    expected: (s) => `%{file:${s.replace(/\/$/, "")}/tls.crt}%`,
  },
];

interface Rendered {
  keys: string[];
  identities: string[];
  flat: FlatConfig;
}

/** Every so many accepted runs, Go's YAML reader reads the output too: dozens of kubectl runs, not hundreds. */
const GO_READ_EVERY = 12;
let acceptedRenders = 0;

const inputs = new Map(["overlays/single", "overlays/cluster"].map((name) => [name, overlay(name as Overlay).items]));

/** Runs the overlay's items and the rich spec with the value placed; undefined when refused. */
function render(placement: Placement, value: string): Rendered | undefined {
  const config = stalwartConfig(structuredClone(RICH_SPEC[placement.overlay]));
  const items = structuredClone(inputs.get(placement.overlay) ?? []);
  placement.place(value, config, items);
  const answer = runLegacy(yamlText(config), streamText(documentsOf(items)));
  const checked = assertContract(answer, "legacy");
  if (checked.exitCode === 1) return undefined;
  const flat = assertRendered(checked, answer);
  if (acceptedRenders++ % GO_READ_EVERY === 0) assertGoReadsAlike(answer.stdout, checked.objects, true);
  return { keys: Object.keys(flat).sort(), identities: identities(checked.objects), flat };
}

const injection = fc.oneof({ arbitrary: fc.constantFrom(...INJECTIONS), weight: 1 }, { arbitrary: hostileString, weight: 2 });
const RUNS_PER_PLACEMENT = 15;

for (const placement of PLACEMENTS) {
  test(`an injection through ${placement.name} is refused or changes no config.toml key and no output object`, () => {
    const baseline = render(placement, placement.harmless);
    assert.ok(baseline, `the harmless value ${JSON.stringify(placement.harmless)} must be accepted, or the property proves nothing`);
    const baselineKey = placement.key?.(placement.harmless);
    let accepted = 0;
    fc.assert(
      fc.property(injection, fc.nat(placement.forms.length - 1), (text, form) => {
        const value = (placement.forms[form] ?? same)(text);
        const rendered = render(placement, value);
        if (!rendered) return;
        accepted++;
        const key = placement.key?.(value);
        const rename = placement.rename ?? ((existing: string) => (existing === baselineKey && key ? key : existing));
        const expectedKeys = baseline.keys.map((existing) => rename(existing, value)).sort();
        assert.deepEqual(rendered.keys, expectedKeys, `${JSON.stringify(value)} changed the keys of config.toml`);
        assert.deepEqual(rendered.identities, baseline.identities, `${JSON.stringify(value)} changed the objects written`);
        if (key && placement.expected) assert.equal(rendered.flat[key], placement.expected(asUtf8(value)), `Stalwart reads ${key} differently`);
      }),
      runs(RUNS_PER_PLACEMENT),
    );
    // Where the field takes free text, some injections must get through to rendering, or nothing was compared.
    if (placement.freeText) assert.ok(accepted > 0, "no injection was accepted");
  });
}

/** Values a secret has: base64, passwords, long digit strings (YAML reads them as numbers), a PEM line. */
const secretCore = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9+/]{16,40}={0,2}$/),
  fc.stringMatching(/^[A-Za-z0-9!@#$^&*()_+-]{12,32}$/),
  fc.stringMatching(/^[1-9][0-9]{9,14}$/),
  fc.stringMatching(/^[A-Za-z0-9+/]{24,48}$/).map((body) => `-----BEGIN PRIVATE KEY-----${body}-----END PRIVATE KEY-----`),
);

/** How a secret is written down: bare, as a number, beside a macro (which does not hide it), in a list. */
const secretValue = fc.tuple(secretCore, fc.constantFrom("bare", "number", "macro-before", "macro-after", "list")).map(([core, form]) => {
  const value: unknown =
    form === "number" && /^[0-9]+$/.test(core) ? Number(core)
    : form === "macro-before" ? `%{env:STALWART_SECRET}%${core}`
    : form === "macro-after" ? `${core}%{file:/etc/stalwart/secret}%`
    : form === "list" ? ["%{env:STALWART_SECRET}%", core]
    : core;
  return { core: typeof value === "number" ? String(value) : core, value };
});

const secretKey = fc
  .tuple(
    fc.constantFrom("store.s3", "directory.ldap.bind", "webhook.alerts", "auth.dkim", "acme.letsencrypt.eab", "ai-models.chat.auth", "enterprise", "queue.relay.auth", "authentication.master"),
    fc.constantFrom("secret", "secret-key", "password", "private-key", "token", "credentials", "hmac-key", "license-key", "auth.secret", "bind.secret", "api-token"),
  )
  .map(([prefix, suffix]) => `${prefix}.${suffix}`);

test("a secret under an extraConfig key that names one is refused naming the key, or lands in no ConfigMap", () => {
  const single = overlay("overlays/single");
  const stream = streamText(documentsOf(single.items));
  fc.assert(
    fc.property(secretKey, secretValue, (key, { core, value }) => {
      const spec = { ...(single.config.spec as Spec), extraConfig: { "queue.outbound.hostname": "mx.example.com", [key]: value } };
      const answer = runLegacy(yamlText(stalwartConfig(spec)), stream);
      const checked = assertContract(answer, "legacy");
      if (checked.exitCode === 1) {
        assert.ok(checked.errorLines.some((line) => line.includes(JSON.stringify(key))), `the error names ${key}\n${answer.stderr}`);
        return;
      }
      for (const object of checked.objects.filter((item) => item.kind === "ConfigMap")) {
        const data = isRecord(object.data) ? Object.values(object.data) : [];
        assert.ok(!data.some((text) => typeof text === "string" && text.includes(core)), `${key}: ${JSON.stringify(value)} landed in ConfigMap ${object.metadata.name}`);
      }
      assert.ok(configMapsWithToml(checked.objects).length === 1);
    }),
    runs(150),
  );
});

/** Ways a value carries a secret whatever its key. */
const CARRIERS: readonly ((secret: string) => string)[] = [
  (secret) => `https://admin:${secret}@mail.example.com`,
  (secret) => `redis://:${secret}@redis.example.com:6379`,
  (secret) => `Authorization: Bearer ${secret}`,
  (secret) => `X-Api-Key: ${secret}`,
  (secret) => `-----BEGIN RSA PRIVATE KEY-----\n${secret}\n-----END RSA PRIVATE KEY-----`,
];

/** Fields that reach config.toml, each with the carriers (by index) its schema accepts. */
const CARRYING_FIELDS: readonly { field: string; set: (spec: Spec, value: string) => void; forms: readonly number[] }[] = [
  { field: "spec.publicUrl", set: (spec, value) => void (spec.publicUrl = value), forms: [0] },
  { field: "spec.tracer.openTelemetry.traces.endpoint", set: (spec, value) => setIn(spec, ["tracer", "openTelemetry", "traces", "endpoint"], value), forms: [0] },
  { field: "spec.metrics.openTelemetry.endpoint", set: (spec, value) => setIn(spec, ["metrics", "openTelemetry", "endpoint"], value), forms: [0] },
  { field: "spec.tracer.openTelemetry.headers", set: (spec, value) => setIn(spec, ["tracer", "openTelemetry", "headers", 0], value), forms: [2, 3] },
  { field: 'spec.extraConfig["queue.outbound.hostname"]', set: (spec, value) => setIn(spec, ["extraConfig", "queue.outbound.hostname"], value), forms: [0, 1, 2, 3, 4] },
  { field: 'spec.extraConfig["server.allowed-ip.list"]', set: (spec, value) => setIn(spec, ["extraConfig", "server.allowed-ip.list", 1], value), forms: [0, 1, 2, 3, 4] },
];

test("a secret carried by a value is refused naming its field, and no message or result repeats it", () => {
  const single = overlay("overlays/single");
  const stream = streamText(documentsOf(single.items));
  const cases = fc.record({
    mode: fc.constantFrom<Mode>("legacy", "krm"),
    place: fc.nat(CARRYING_FIELDS.length - 1),
    form: fc.nat(),
    secret: fc.stringMatching(/^[A-Za-z0-9]{12,24}$/),
  });
  fc.assert(
    fc.property(cases, ({ mode, place, form, secret }) => {
      const target = CARRYING_FIELDS[place];
      assert.ok(target);
      const make = CARRIERS[target.forms[form % target.forms.length] ?? 0] as (value: string) => string;
      const spec = structuredClone(RICH_SPEC["overlays/single"]);
      target.set(spec, make(secret));
      const config = stalwartConfig(spec);
      const answer = mode === "legacy" ? runLegacy(yamlText(config), stream) : runKrm(resourceListText({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", functionConfig: config }, documentsOf(single.items)));
      const checked = assertContract(answer, mode);
      assert.equal(checked.exitCode, 1, `${target.field}: ${make(secret)} was accepted`);
      assert.ok(checked.errorLines.some((line) => line.includes(` ${target.field}: `) && line.includes("secrets must not land in a ConfigMap")), `the error names ${target.field}\n${answer.stderr}`);
      assert.ok(!answer.stderr.includes(secret), `stderr repeats the secret\n${answer.stderr}`);
      if (mode === "krm") assert.ok(!answer.stdout.includes(secret), "the ResourceList written (its results, their field values) repeats the secret");
    }),
    runs(80),
  );
});
