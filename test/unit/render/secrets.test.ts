import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { invoke } from "../../../src/invocation.ts";
import { renderConfigToml } from "../../../src/render/config-toml.ts";
import { isSecretKey, masked, secretIn } from "../../../src/render/config/secrets.ts";
import { stalwartConfig } from "../../support/fixtures.ts";
import { kustomizeInput } from "../../support/kustomize-input.ts";
import { settingsFor } from "../../support/settings.ts";

const SECRET = "s3cr3t-Val.ue";

/** Keys Stalwart v0.14.1 reads as credentials (see src/render/config/secrets.ts for where). */
const STALWART_SECRET_KEYS = [
  "oauth.key",
  "oauth.oidc.signature-key",
  "webhook.alerts.signature-key",
  "webhook.alerts.auth.secret",
  "webhook.alerts.auth.token",
  "enterprise.api-key",
  "enterprise.license-key",
  "enterprise.ai.chat.auth.token",
  "store.blobs.azure-access-key",
  "store.blobs.sas-token",
  "store.s3.access-key",
  "store.s3.secret-key",
  "store.s3.security-token",
  "store.s3.session-token",
  "store.pg.password",
  "store.nats.credentials",
  "acme.letsencrypt.secret",
  "acme.letsencrypt.key",
  "acme.letsencrypt.consumer-key",
  "acme.letsencrypt.eab.hmac-key",
  "certificate.acme-le-abc.account-key",
  "certificate.mail.private-key",
  "signature.rsa.private-key",
  "directory.ldap.bind.secret",
  "directory.memory.principals.0000.secret",
  "authentication.master.secret",
  "metrics.prometheus.auth.secret",
  "queue.route.relay.auth.secret",
  "session.hook.spam.auth.secret",
];

test("every key Stalwart reads a credential from is a secret key; the names of password attributes and columns are not", () => {
  for (const key of STALWART_SECRET_KEYS) assert.ok(isSecretKey(key), key);
  for (const key of ["directory.ldap.attributes.secret", "directory.sql.columns.secret", "queue.limiter.inbound.key", "http-lookup.x.index.key", "oauth.oidc.signature-algorithm", "config.local-keys", "auth.dkim.sign"]) {
    assert.ok(!isSecretKey(key), key);
  }
});

test("values that carry a secret whatever their key, and the macros that refer to one instead", () => {
  const found: [unknown, string | undefined][] = [
    ["https://user:pass@mail.example.com", "userinfo"],
    ["'https://user:pass@mail.example.com'", "userinfo"],
    ["redis://:pass@redis:6379", "userinfo"],
    ["https://user@mail.example.com", undefined],
    ["https://user:@mail.example.com", undefined],
    ["https://user:%{env:PASSWORD}%@mail.example.com", undefined],
    ["https://%{env:USER}%:%{file:/run/secrets/pw}%@mail.example.com", undefined],
    ["https://user:pw%{env:X}%@mail.example.com", "userinfo"],
    ["Authorization: Bearer abc.def", "header"],
    ["authorization:Basic dXNlcjpwYXNz", "header"],
    ["X-Api-Key: 123", "header"],
    ["Authorization: Bearer %{env:OTEL_TOKEN}%", undefined],
    ["Bearer abcdef", "header"],
    ["X-Scope: mail", undefined],
    ["-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "pem"],
    ["-----BEGIN CERTIFICATE-----", "pem"],
    [["ok", "https://a:b@c"], "userinfo"],
    ["mx.example.com", undefined],
  ];
  for (const [value, kind] of found) assert.equal(secretIn("queue.outbound.hostname", value), kind, JSON.stringify(value));
  assert.equal(secretIn("oauth.key", SECRET), "key");
  assert.equal(secretIn("oauth.key", 12345), "key");
  assert.equal(secretIn("oauth.key", "%{env:OAUTH_KEY}%"), undefined);
  assert.equal(secretIn("oauth.key", "%{env:OAUTH_KEY}%tail"), "key");
});

function render(spec: Record<string, unknown>) {
  return renderConfigToml(settingsFor(spec));
}

test("secrets in fields that reach config.toml are refused naming the field, once, without the value", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ publicUrl: `https://admin:${SECRET}@mail.example.com` }, "spec.publicUrl"],
    [{ tracer: { openTelemetry: { logs: { transport: "http", endpoint: `https://u:${SECRET}@otel.example.com/v1/logs` } } } }, "spec.tracer.openTelemetry.logs.endpoint"],
    [{ tracer: { openTelemetry: { traces: { transport: "grpc", endpoint: "https://otel:4317" }, logs: { transport: "http", endpoint: "https://otel/v1/logs" }, headers: [`Authorization: Bearer ${SECRET}`] } } }, "spec.tracer.openTelemetry.headers"],
    [{ metrics: { openTelemetry: { transport: "grpc", endpoint: `https://u:${SECRET}@otel:4317` } } }, "spec.metrics.openTelemetry.endpoint"],
    [{ extraConfig: { "oauth.key": SECRET } }, 'spec.extraConfig["oauth.key"]'],
    [{ extraConfig: { "webhook.alerts.signature-key": SECRET } }, 'spec.extraConfig["webhook.alerts.signature-key"]'],
    [{ extraConfig: { "store.blobs.azure-access-key": SECRET } }, 'spec.extraConfig["store.blobs.azure-access-key"]'],
    [{ extraConfig: { "enterprise.api-key": SECRET } }, 'spec.extraConfig["enterprise.api-key"]'],
    [{ extraConfig: { "certificate.acme-le-x.account-key": SECRET } }, 'spec.extraConfig["certificate.acme-le-x.account-key"]'],
    [{ extraConfig: { "acme.ovh.consumer-key": SECRET } }, 'spec.extraConfig["acme.ovh.consumer-key"]'],
    [{ extraConfig: { "store.redis.urls": [`redis://:${SECRET}@redis:6379`] } }, 'spec.extraConfig["store.redis.urls"]'],
    // A PEM block has line breaks, which the check for control characters would otherwise quote.
    [{ extraConfig: { "queue.tls.cert": `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----` } }, 'spec.extraConfig["queue.tls.cert"]'],
    // The number check would otherwise quote a huge number.
    [{ extraConfig: { "store.s3.secret-key": 123456789012345678901234 } }, 'spec.extraConfig["store.s3.secret-key"]'],
  ];
  for (const [spec, field] of cases) {
    const { results } = render(spec);
    assert.equal(results.length, 1, `${field}: ${JSON.stringify(results)}`);
    const [result] = results;
    assert.equal(result?.field?.path, field);
    assert.match(result?.message ?? "", /secrets must not land in a ConfigMap .*(%\{env:NAME\}%|%\{file:\/path\}%)/);
    assert.ok(!JSON.stringify(result).includes(SECRET) && !JSON.stringify(result).includes("123456789"), JSON.stringify(result));
  }
  assert.deepEqual(render({ publicUrl: "https://admin:%{env:URL_PASSWORD}%@mail.example.com" }).results, []);
});

test("neither stderr nor the KRM results repeat a secret that another check quotes, as a message or as field.currentValue", () => {
  // A space breaks the pattern of spec.publicUrl, whose message quotes the value it got.
  const spec = { hostname: "mail.example.com", publicUrl: `https://admin:${SECRET} x@mail.example.com`, tracer: { openTelemetry: { headers: [`Authorization: Bearer ${SECRET}`, 7] } } };
  const legacy = invoke({ args: ["c.yaml"], stdin: Buffer.from(kustomizeInput("overlays/single")), readFile: () => Buffer.from(JSON.stringify(stalwartConfig(spec))) });
  assert.equal(legacy.exitCode, 1);
  assert.match(legacy.stderr, /spec\.publicUrl: has the wrong form/);
  assert.ok(!legacy.stderr.includes(SECRET), legacy.stderr);
  const list = { apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: parse(`[${kustomizeInput("overlays/single").split(/^---\n/m).map((doc) => JSON.stringify(parse(doc))).join(",")}]`), functionConfig: stalwartConfig(spec) };
  const krm = invoke({ args: [], stdin: Buffer.from(JSON.stringify(list)), readFile: () => new Uint8Array() });
  assert.equal(krm.exitCode, 1);
  const results = (parse(krm.stdout) as { results: { field?: { path: string; currentValue?: unknown } }[] }).results;
  assert.ok(results.some((result) => result.field?.path === "spec.publicUrl" && result.field.currentValue !== undefined), krm.stdout);
  assert.ok(!krm.stdout.includes(SECRET) && !krm.stderr.includes(SECRET), krm.stdout);
});

test("masking leaves the function's own words alone", () => {
  const message = "holds a PEM block (`-----BEGIN ...`), and Basic words stay; see https://example.com/a:b";
  assert.equal(masked(message), message);
  assert.equal(masked("Authorization: Bearer abc"), "Authorization: (not shown)");
  assert.equal(masked('["Bearer abcdefgh12"]'), '["Bearer (not shown)"]');
  assert.equal(masked('"https://u:p w@h"'), '"https://u:(not shown)@h"');
});

test("the StalwartConfig's name, which the header of config.toml quotes, is checked too", () => {
  const settings = settingsFor({});
  settings.metadata.name = `https://admin:${SECRET}@example.com`;
  const { results } = renderConfigToml(settings);
  assert.equal(results[0]?.field?.path, "metadata.name");
  assert.ok(!results[0]?.message.includes(SECRET));
  const config = stalwartConfig({ hostname: "mail.example.com" }, settings.metadata.name);
  const answer = invoke({ args: ["c.yaml"], stdin: Buffer.from(kustomizeInput("overlays/single")), readFile: () => Buffer.from(JSON.stringify(config)) });
  assert.match(answer.stderr, /StalwartConfig\/https:\/\/admin:\(not shown\)@example\.com metadata\.name: holds a password in a URL/);
  assert.ok(!answer.stderr.includes(SECRET), answer.stderr);
});
