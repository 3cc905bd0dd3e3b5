/** `tracer.*`: the console tracer `kubectl logs` shows, a log file tracer for the web admin, OpenTelemetry export. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

function consoleEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const console = spec.tracer.console;
  const field = "spec.tracer.console";
  return [
    entry("tracer.console.type", "console", field),
    entry("tracer.console.level", console.level, `${field}.level`),
    entry("tracer.console.ansi", console.ansi, `${field}.ansi`),
    entry("tracer.console.enable", true, field),
  ];
}

function fileEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const file = spec.tracer.file;
  if (!file) return [];
  const field = "spec.tracer.file";
  return [
    entry("tracer.log.type", "log", field),
    entry("tracer.log.path", file.path, `${field}.path`),
    entry("tracer.log.prefix", file.prefix, `${field}.prefix`),
    entry("tracer.log.rotate", file.rotate, `${field}.rotate`),
    entry("tracer.log.level", file.level, `${field}.level`),
    entry("tracer.log.ansi", file.ansi, `${field}.ansi`),
    entry("tracer.log.enable", true, field),
  ];
}

function openTelemetryEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const otel = spec.tracer.openTelemetry;
  if (!otel) return [];
  const signals = [
    { id: "otel-logs", signal: otel.logs, field: "spec.tracer.openTelemetry.logs", logs: true },
    { id: "otel-traces", signal: otel.traces, field: "spec.tracer.openTelemetry.traces", logs: false },
  ];
  // One tracer per signal: with `http` each signal has its own URL. `enable` itself is left out, as its
  // default is on and TOML cannot hold `enable` beside the `enable.*` table.
  return signals.flatMap(({ id, signal, field, logs }) => {
    if (!signal) return [];
    const entries = [
      entry(`tracer.${id}.type`, "open-telemetry", field),
      entry(`tracer.${id}.transport`, signal.transport, `${field}.transport`),
      entry(`tracer.${id}.endpoint`, signal.endpoint, `${field}.endpoint`),
      entry(`tracer.${id}.level`, signal.level, `${field}.level`),
      entry(`tracer.${id}.throttle`, otel.throttle, "spec.tracer.openTelemetry.throttle"),
      entry(`tracer.${id}.enable.log-exporter`, logs, field),
      entry(`tracer.${id}.enable.span-exporter`, !logs, field),
    ];
    if (otel.headers) entries.push(entry(`tracer.${id}.headers`, otel.headers, "spec.tracer.openTelemetry.headers"));
    return entries;
  });
}

export function tracingEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  return [...consoleEntries(spec), ...fileEntries(spec), ...openTelemetryEntries(spec)];
}
