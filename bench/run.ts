/**
 * `npm run bench`: side-by-side timings in one run, reported as medians and ratios (absolute times depend on
 * the machine, ratios far less). Not a test: nothing here fails on a number.
 *
 * 1. Start-up: the plugin on the overlays/cluster input against `node -e 0`, the floor for any Node.js
 *    function; without the code cache (a first run) and with it; and on an empty stream, which is loading alone.
 * 2. What start-up choices cost: compiling the schema with Ajv at start-up against the standalone validator.
 * 3. `kubectl kustomize` of overlays/cluster with the plugin against the same build of its pre-rendered output,
 *    and against the overlay with a stand-in plugin that only echoes (kustomize's own share).
 * 4. Pass-through: the function with 1,000 and 10,000 unrelated objects added to the stream.
 * 5. Growth: the pure core (in-process, warm) with more listeners and replicas; linear is at most their ratio.
 * 6. Against the tool this library replaces: every ready overlay built by `kubectl kustomize` (kustomize 5.5) and
 *    by kubectl 1.35 (kustomize 5.7, the one Argo CD bundles), against `helm template` of the seed chart with
 *    the same features; and what the function adds to the build against what it costs alone.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { PLUGIN_PATH } from "../scripts/build.ts";
import { transform } from "../src/transform.ts";
import { readObject } from "../test/support/fixtures.ts";
import { kubectlKustomize, PLUGIN_BIN, PLUGIN_HOME, REPO_ROOT } from "../test/support/tools.ts";
import { kustomizeInput } from "../test/support/kustomize-input.ts";
import { streamWithUnrelated } from "../test/support/unrelated.ts";
import { CLUSTER_CONFIG, clusterStream, itemsWithListeners, itemsWithReplicas } from "./inputs.ts";
import { CHART_VALUES, helm, kubectl135, seedChart } from "./comparison-tools.ts";
import { interleaved, ms, ratio, spawn } from "./measure.ts";

const scratch = mkdtempSync(join(tmpdir(), "stalwart-bench-"));
const rows: string[][] = [];
const row = (...cells: string[]) => {
  rows.push(cells);
  console.log(cells.join("  |  "));
};

try {
  // 1. Start-up.
  const cache = join(scratch, "code-cache");
  mkdirSync(cache, { mode: 0o700 });
  const withCache = { ...process.env, STALWART_FN_CODE_CACHE: cache };
  const noCache = { ...process.env, STALWART_FN_CODE_CACHE: "off" };
  const stream = clusterStream();
  const startup = interleaved(
    {
      node: spawn(process.execPath, ["-e", "0"], { env: noCache }),
      firstRun: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: stream, env: noCache }),
      cachedRun: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: stream, env: withCache }),
      // An empty stream is refused at once: what is left is loading the plugin.
      loadOnly: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: "", env: withCache, status: 1 }),
    },
    20,
  );
  row("plugin on overlays/cluster, code cache warm / `node -e 0`", ratio(startup.cachedRun, startup.node), `${ms(startup.cachedRun)} / ${ms(startup.node)}`);
  row("plugin on overlays/cluster, first run (no code cache) / `node -e 0`", ratio(startup.firstRun, startup.node), `${ms(startup.firstRun)} / ${ms(startup.node)}`);
  row("of which loading (empty stream, cache warm) / `node -e 0`", ratio(startup.loadOnly, startup.node), `${ms(startup.loadOnly)} / ${ms(startup.node)}`);
  row("plugin bundle", `${(readFileSync(PLUGIN_BIN).length / 1024).toFixed(0)} KiB`, "");

  // 2. The schema: compiled at every start-up, or ahead of time into standalone code.
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, "src/settings/stalwartconfig.schema.json"), "utf8"));
  const options = { allErrors: true, useDefaults: true, strict: true, inlineRefs: false };
  const code = standaloneCode.default(new Ajv.default({ ...options, code: { source: true } }), new Ajv.default({ ...options, code: { source: true } }).compile(schema));
  const schemaCost = interleaved(
    {
      compile: () => new Ajv.default(options).compile(schema),
      standalone: () => new Function("module", "exports", "require", code)({ exports: {} }, {}, () => ({ default: () => 0 })),
    },
    30,
  );
  row("schema: Ajv compile at start-up / standalone code", ratio(schemaCost.compile, schemaCost.standalone), `${ms(schemaCost.compile)} / ${ms(schemaCost.standalone)}`);

  // 3. kustomize with the plugin, against the same objects without it.
  const prerendered = join(scratch, "prerendered");
  mkdirSync(prerendered);
  const build = kubectlKustomize(join(REPO_ROOT, "overlays/cluster"));
  if (build.status !== 0) throw new Error(build.stderr);
  writeFileSync(join(prerendered, "rendered.yaml"), build.stdout);
  writeFileSync(join(prerendered, "kustomization.yaml"), "resources:\n  - rendered.yaml\n");
  // A stand-in plugin that only echoes its input: what is left is kustomize's own work on the overlay.
  const standIn = join(scratch, "stand-in");
  mkdirSync(join(standIn, dirname(PLUGIN_PATH)), { recursive: true });
  writeFileSync(join(standIn, PLUGIN_PATH), "#!/bin/sh\nexec cat\n", { mode: 0o755 });
  const overlay = join(REPO_ROOT, "overlays/cluster");
  const kustomize = interleaved(
    {
      withPlugin: spawn("kubectl", ["kustomize", "--enable-alpha-plugins", overlay], { env: { ...withCache, KUSTOMIZE_PLUGIN_HOME: PLUGIN_HOME } }),
      standIn: spawn("kubectl", ["kustomize", "--enable-alpha-plugins", overlay], { env: { ...withCache, KUSTOMIZE_PLUGIN_HOME: standIn } }),
      prerendered: spawn("kubectl", ["kustomize", prerendered]),
    },
    10,
  );
  row("`kubectl kustomize overlays/cluster` with the plugin / pre-rendered", ratio(kustomize.withPlugin, kustomize.prerendered), `${ms(kustomize.withPlugin)} / ${ms(kustomize.prerendered)}`);
  row("the same with the plugin / with a stand-in that only echoes", ratio(kustomize.withPlugin, kustomize.standIn), `${ms(kustomize.withPlugin)} / ${ms(kustomize.standIn)}`);

  // 4. Pass-through of objects the function does not own.
  const passThrough = interleaved(
    {
      none: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: stream, env: withCache }),
      thousand: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: streamWithUnrelated(1_000), env: withCache }),
      tenThousand: spawn(PLUGIN_BIN, [CLUSTER_CONFIG], { input: streamWithUnrelated(10_000), env: withCache }),
    },
    5,
  );
  const perThousand = (total: number, count: number) => ((total - passThrough.none) / count) * 1000;
  row("1,000 unrelated objects passed through / none", ratio(passThrough.thousand, passThrough.none), `${ms(passThrough.thousand)} / ${ms(passThrough.none)}`);
  row("10,000 unrelated objects passed through / none", ratio(passThrough.tenThousand, passThrough.none), `${ms(passThrough.tenThousand)} / ${ms(passThrough.none)}`);
  row("cost per 1,000 objects, at 10,000 / at 1,000 (linear: 1.00×)", ratio(perThousand(passThrough.tenThousand, 10_000), perThousand(passThrough.thousand, 1_000)), `${ms(perThousand(passThrough.tenThousand, 10_000))} / ${ms(perThousand(passThrough.thousand, 1_000))}`);

  // 5. Growth of the pure core with listeners and replicas, warm and in-process.
  // The extra listeners have no container ports: acknowledged, so the warning does not stop the measurement.
  const clusterConfig = readObject("overlays/cluster/stalwartconfig.yaml");
  const functionConfig = { ...clusterConfig, spec: { ...(clusterConfig.spec as Record<string, unknown>), acknowledgeWarnings: ["listener-port-missing"] } };
  const core = (items: ReturnType<typeof itemsWithListeners>) => () => {
    const output = transform({ items, functionConfig });
    if (output.results.some((result) => result.severity === "error")) throw new Error(output.results.map((result) => result.message).join("\n"));
  };
  const growth = interleaved(
    {
      listeners5: core(itemsWithListeners(5)),
      listeners50: core(itemsWithListeners(50)),
      replicas5: core(itemsWithReplicas(5)),
      replicas50: core(itemsWithReplicas(50)),
      replicas500: core(itemsWithReplicas(500)),
    },
    20,
  );
  const listenerCount = (extra: number) => Object.keys((itemsWithListeners(extra).find((item) => item.kind === "StalwartConfig" && (item.spec as { listeners?: unknown }).listeners)?.spec as { listeners: object }).listeners).length;
  const [few, many] = [listenerCount(5), listenerCount(50)];
  row(`core with ${many} / ${few} listeners (linear: at most ${(many / few).toFixed(2)}×)`, ratio(growth.listeners50, growth.listeners5), `${ms(growth.listeners50)} / ${ms(growth.listeners5)}`);
  row("core with 50 / 5 replicas (linear: at most 10×)", ratio(growth.replicas50, growth.replicas5), `${ms(growth.replicas50)} / ${ms(growth.replicas5)}`);
  row("core with 500 / 50 replicas (linear: at most 10×)", ratio(growth.replicas500, growth.replicas50), `${ms(growth.replicas500)} / ${ms(growth.replicas50)}`);

  // 6. Against Helm, and kustomize 5.7 beside 5.5.
  const [helmTool, chart, kubectlNew] = [helm(), seedChart(), kubectl135()];
  const missing = [helmTool, chart, kubectlNew].flatMap((tool) => (tool.missing ? [tool.missing] : []));
  if (missing.length > 0) {
    row("ready overlays against `helm template`", "not measured", missing.join("; "));
  } else {
    for (const [name, values] of Object.entries(CHART_VALUES)) {
      const dir = join(REPO_ROOT, name);
      const pluginEnv = { ...withCache, KUSTOMIZE_PLUGIN_HOME: PLUGIN_HOME };
      const times = interleaved(
        {
          helm: spawn(helmTool.path ?? "", ["template", "stalwart", chart.path ?? "", ...values]),
          kustomize55: spawn("kubectl", ["kustomize", "--enable-alpha-plugins", dir], { env: pluginEnv }),
          kustomize57: spawn(kubectlNew.path ?? "", ["kustomize", "--enable-alpha-plugins", dir], { env: pluginEnv }),
          standIn: spawn("kubectl", ["kustomize", "--enable-alpha-plugins", dir], { env: { ...withCache, KUSTOMIZE_PLUGIN_HOME: standIn } }),
          functionAlone: spawn(PLUGIN_BIN, [join(dir, "stalwartconfig.yaml")], { input: kustomizeInput(name), env: withCache }),
        },
        11,
      );
      row(`\`kubectl kustomize ${name}\` (kustomize 5.5) / \`helm template\``, ratio(times.kustomize55, times.helm), `${ms(times.kustomize55)} / ${ms(times.helm)}`);
      row(`the same with kubectl 1.35 (kustomize 5.7) / \`helm template\``, ratio(times.kustomize57, times.helm), `${ms(times.kustomize57)} / ${ms(times.helm)}`);
      row(`what the function adds to that build (5.5) / the function alone`, ratio(times.kustomize55 - times.standIn, times.functionAlone), `${ms(times.kustomize55 - times.standIn)} / ${ms(times.functionAlone)}`);
    }
  }

  console.log(`\nMarkdown for the README (medians; ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}):\n`);
  console.log("| Measured | Ratio | Medians |\n| --- | --- | --- |");
  for (const cells of rows) console.log(`| ${cells.join(" | ")} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
