/**
 * The tools the benchmark compares against, which the tests do not need: Helm with the seed chart (the tool
 * this library replaces) and kubectl 1.35, whose kustomize 5.7 is the one Argo CD bundles. `bench/get-tools.sh`
 * puts them in bench/.tools/; BENCH_HELM, BENCH_HELM_CHART and BENCH_KUBECTL_1_35 point elsewhere.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../test/support/tools.ts";

const TOOLS = join(REPO_ROOT, "bench/.tools");

export interface Tool {
  path?: string;
  /** Why it is missing and how to get it, when it is. */
  missing?: string;
}

function find(variable: string, fallback: string, what: string): Tool {
  const path = process.env[variable] || fallback;
  return existsSync(path) ? { path } : { missing: `${what} not found at ${path}: run bench/get-tools.sh, or set ${variable}` };
}

export const helm = () => find("BENCH_HELM", join(TOOLS, "helm/helm"), "helm");
export const kubectl135 = () => find("BENCH_KUBECTL_1_35", join(TOOLS, "kubectl/kubectl"), "kubectl 1.35 (kustomize 5.7)");
export const seedChart = () => {
  const chart = find("BENCH_HELM_CHART", join(TOOLS, "stalwart-chart"), "the seed chart (olsontechllc/stalwart-chart)");
  return chart.path && !existsSync(join(chart.path, "Chart.yaml")) ? { missing: `${chart.path} holds no Chart.yaml` } : chart;
};

/**
 * The chart's values for the features each ready overlay has. The chart always stores on FoundationDB and
 * always issues the mail certificate; the overlays differ in layout and FoundationDB TLS.
 */
export const CHART_VALUES: Record<string, readonly string[]> = {
  "overlays/single": ["--set", "tls.dnsNames={mail.example.com}"],
  "overlays/cluster": ["--set", "tls.dnsNames={mail.example.com}", "--set", "clustering.enabled=true"],
  "overlays/cluster-fdb-tls": ["--set", "tls.dnsNames={mail.example.com}", "--set", "clustering.enabled=true", "--set", "fdbClientCert.enabled=true"],
};
