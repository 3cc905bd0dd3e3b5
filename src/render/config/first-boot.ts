/**
 * What Stalwart otherwise makes up at first start (crates/common/src/manager/boot.rs, v0.14.1 lines 330-415):
 * the OAuth key it signs sessions with, and the web admin bundle and spam filter rules it downloads.
 */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";
import { LINES } from "../../lines.js";

/** The variable base/cluster sets from Secret `stalwart-oauth-key`. */
export const OAUTH_KEY_ENV = "STALWART_OAUTH_KEY";

/** What the workload tells the renderer: whether it provides the OAuth key. */
export interface FirstBootContext {
  oauthKeyFromEnv?: boolean;
}

export function firstBootEntries(spec: StalwartConfigSpec, context: FirstBootContext): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  // Without it, every node that finds no `oauth.key` generates its own and writes it to the shared store; with
  // `podManagementPolicy: Parallel` all do, and each signs tokens (auth/oauth/token.rs lines 58, 168) with a key
  // the others do not have. A key in the file wins over the store's (boot.rs line 330) on every node alike.
  if (context.oauthKeyFromEnv) entries.push(entry("oauth.key", `%{env:${OAUTH_KEY_ENV}}%`, spec.cluster ? "spec.cluster" : "spec"));
  // Read verbatim by ConfigManager::get (manager/config.rs lines 79-91): macros are not expanded here. The
  // defaults are the releases made for the line (src/lines.ts); Stalwart's own default is `releases/latest`.
  const line = LINES[spec.version];
  const webadmin = spec.webadmin.resource ?? line.webadmin;
  if (webadmin) entries.push(entry("webadmin.resource", webadmin, "spec.webadmin.resource"));
  const spamFilter = spec.spamFilter.resource ?? line.spamFilter;
  if (spamFilter) entries.push(entry("spam-filter.resource", spamFilter, "spec.spamFilter.resource"));
  return entries;
}
