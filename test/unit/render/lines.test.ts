import assert from "node:assert/strict";
import { test } from "node:test";
import { renderConfigToml } from "../../../src/render/config-toml.ts";
import { keyNotReadBy } from "../../../src/lines.ts";
import { lineOfTag, parseImage } from "../../../src/render/image.ts";
import { flattenToml } from "../../support/stalwart-toml.ts";
import { settingsFor } from "../../support/settings.ts";
import { unknownStalwartKeys } from "../../support/stalwart-keys.ts";

const render = (spec: Record<string, unknown>) => {
  const rendered = renderConfigToml(settingsFor(spec));
  return { ...rendered, flat: flattenToml(rendered.toml), messages: rendered.results.map((result) => result.message).join("\n") };
};

test("extraConfig keys a line does not read are refused, naming the line and what to write instead", () => {
  const renamed = render({ version: "0.15", extraConfig: { "storage.full-text.default-language": "en" } });
  assert.equal(renamed.results[0]?.field?.path, 'spec.extraConfig["storage.full-text.default-language"]');
  assert.match(renamed.messages, /read by Stalwart 0.14 only, and `spec.version` is "0.15"; use `storage.search-index.default-language` instead/);
  assert.deepEqual(render({ version: "0.14", extraConfig: { "storage.full-text.default-language": "en" } }).results, []);
  assert.match(render({ version: "0.14", extraConfig: { "spam-filter.classifier.model": "ftrl-fh" } }).messages, /read by Stalwart 0.15 only/);
  assert.match(render({ version: "0.15", extraConfig: { "spam-filter.bayes.enable": true } }).messages, /use `spam-filter.classifier.\*` instead/);
  // The boolean of 0.14 became a table in 0.15: each line refuses the other's form.
  assert.match(render({ version: "0.15", extraConfig: { "spam-filter.card-is-ham": true } }).messages, /use `spam-filter.card-is-ham.enable` instead/);
  assert.match(render({ version: "0.14", extraConfig: { "spam-filter.card-is-ham.enable": true } }).messages, /read by Stalwart 0.15 only/);
  assert.deepEqual(render({ version: "0.15", extraConfig: { "spam-filter.card-is-ham.enable": true, "spam-filter.enable": true } }).results, []);
});

test("Elasticsearch authenticates with user and password on 0.14, with auth.* on 0.15; Meilisearch is 0.15's", () => {
  const es = (version: string, keys: Record<string, unknown>) => render({ version, extraConfig: { "store.es.type": "elasticsearch", "store.es.url": "https://es:9200", ...keys } });
  assert.deepEqual(es("0.14", { "store.es.user": "stalwart", "store.es.password": "%{env:ES_PASSWORD}%" }).results, []);
  assert.deepEqual(es("0.15", { "store.es.auth.username": "stalwart", "store.es.auth.secret": "%{env:ES_PASSWORD}%" }).results, []);
  assert.match(es("0.15", { "store.es.user": "stalwart" }).messages, /Elasticsearch key "store.es.user" is read by Stalwart 0.14 only; 0.15 authenticates with `auth.username` and `auth.secret`/);
  assert.match(es("0.14", { "store.es.auth.token": "%{env:ES_TOKEN}%" }).messages, /read by Stalwart 0.15 only; 0.14 authenticates with `user` and `password`/);
  // `user` of another store type is that store's own.
  assert.deepEqual(render({ version: "0.15", extraConfig: { "store.pg.type": "postgresql", "store.pg.user": "stalwart" } }).results, []);
  assert.match(render({ version: "0.14", extraConfig: { "store.meili.type": "meilisearch" } }).messages, /store type "meilisearch" is new in Stalwart 0.15/);
});

test("roles render under the line's keys, and every key is one the line reads", () => {
  const cluster = (version: string, roles: Record<string, unknown>) => ({ version, cluster: { nats: { addresses: ["nats://nats:4222"] }, roles } });
  const on015 = render(cluster("0.15", { spamTraining: [[1]], mergeThreads: [[1, 2], [3]] }));
  assert.equal(on015.flat["cluster.roles.spam-training.0000"], "1");
  assert.equal(on015.flat["cluster.roles.merge-threads.0001"], "3");
  assert.deepEqual(unknownStalwartKeys(Object.keys(on015.flat), "0.15"), []);
  assert.deepEqual(unknownStalwartKeys(Object.keys(on015.flat), "0.14"), ["cluster.roles.spam-training.0000", "cluster.roles.merge-threads.0000", "cluster.roles.merge-threads.0001"]);
  const on014 = render(cluster("0.14", { bayesTraining: [[1]] }));
  assert.equal(on014.flat["cluster.roles.bayes-training.0000"], "1");
  assert.deepEqual(unknownStalwartKeys(Object.keys(on014.flat), "0.14"), []);
});

test("the key table matches whole segments only", () => {
  assert.equal(keyNotReadBy("0.15", "spam-filter.bayesian"), undefined);
  assert.equal(keyNotReadBy("0.15", "storage.full-text.default-language.x"), undefined);
  assert.equal(keyNotReadBy("0.15", "store.es.cloud-id")?.readBy, "0.14");
  assert.equal(keyNotReadBy("0.14", "store.es.cloud-id"), undefined);
});

test("image references: registry ports, digests and version tags", () => {
  assert.deepEqual(parseImage("registry.example.com:5000/stalwart"), { repository: "registry.example.com:5000/stalwart" });
  assert.deepEqual(parseImage("registry.example.com:5000/stalwart:v0.15.5-fdb"), { repository: "registry.example.com:5000/stalwart", tag: "v0.15.5-fdb" });
  assert.deepEqual(parseImage("stalwartlabs/stalwart:v0.15@sha256:ab"), { repository: "stalwartlabs/stalwart", tag: "v0.15", digest: "sha256:ab" });
  assert.equal(lineOfTag("v0.15.5"), "0.15");
  assert.equal(lineOfTag("0.14.1-alpine"), "0.14");
  assert.equal(lineOfTag("v0.15"), "0.15");
  assert.equal(lineOfTag("latest"), undefined);
  assert.equal(lineOfTag("edge"), undefined);
});
