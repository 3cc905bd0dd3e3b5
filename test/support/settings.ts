/** Validated settings for renderer and check tests, built the way the function builds them. */
import { mergeFragments } from "../../src/settings/merge.ts";
import { validateSettings, type StalwartConfig } from "../../src/settings/validate.ts";
import { fragment, listeners, stalwartConfig } from "./fixtures.ts";

/** The base listeners plus the given user spec, merged and validated; throws when invalid. */
export function settingsFor(userSpec: Record<string, unknown>): StalwartConfig {
  const validation = validateSettings(
    mergeFragments([
      { object: fragment({ listeners: listeners() }, "base-common"), isFunctionConfig: false },
      { object: stalwartConfig({ hostname: "mail.example.com", ...userSpec }), isFunctionConfig: true },
    ]),
  );
  if (!validation.settings) throw new Error(`invalid test settings: ${JSON.stringify(validation.results)}`);
  return validation.settings;
}
