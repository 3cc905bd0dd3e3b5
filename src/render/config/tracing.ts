/** `tracer.*`: the console tracer that `kubectl logs` shows. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

export function tracingEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const console = spec.tracer.console;
  const field = "spec.tracer.console";
  return [
    entry("tracer.console.type", "console", field),
    entry("tracer.console.level", console.level, `${field}.level`),
    entry("tracer.console.ansi", console.ansi, `${field}.ansi`),
    entry("tracer.console.enable", true, field),
  ];
}
