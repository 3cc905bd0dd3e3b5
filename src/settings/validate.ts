/**
 * Validates merged settings against the published JSON Schema (compiled ahead of time by Ajv, which also
 * fills in defaults) and translates every Ajv error into a result that names the field and the fix.
 */
import type { ErrorObject } from "ajv";
import validateSchema from "./generated/validate-stalwartconfig.cjs";
import type { StalwartConfig } from "./generated/stalwartconfig.js";
import schema from "./stalwartconfig.schema.json" with { type: "json" };
import { isRecord } from "../kube.js";
import { quote, refTo, type Result } from "../results.js";
import { pointerSegments, pointerToFieldPath, fieldPath } from "./field-path.js";
import { originOf, type MergedSettings } from "./merge.js";
import { closest } from "./suggest.js";
import { whyMalformed } from "./forms.js";
import type { Fragment } from "./fragments.js";

export type { StalwartConfig, StalwartConfigSpec } from "./generated/stalwartconfig.js";

export interface Validation {
  settings?: StalwartConfig;
  results: Result[];
}

type SchemaNode = Record<string, unknown>;

function resolveRef(node: unknown): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; isRecord(current) && typeof current.$ref === "string" && hops < 8; hops++) {
    let target: unknown = schema;
    for (const segment of pointerSegments(current.$ref.replace(/^#/, ""))) target = isRecord(target) ? target[segment] : undefined;
    current = target;
  }
  return isRecord(current) ? current : undefined;
}

/**
 * The schema that applies at an instance location. Ajv's schemaPath is relative to the last `$ref` it followed,
 * so the schema is found by walking the instance path instead.
 */
function schemaAt(segments: readonly string[]): SchemaNode | undefined {
  let node = resolveRef(schema);
  for (const segment of segments) {
    const properties = node?.properties as Record<string, unknown> | undefined;
    const next = properties?.[segment] ?? (isRecord(node?.additionalProperties) ? node?.additionalProperties : undefined) ?? node?.items;
    node = resolveRef(next);
  }
  return node;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (isRecord(value)) return "an object";
  return `${typeof value} ${quote(value)}`;
}

function listOf(values: readonly unknown[]): string {
  return values.map((value) => `\`${String(value)}\``).join(", ");
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  return node;
}

function example(node: SchemaNode | undefined): string {
  const examples = node?.examples;
  return Array.isArray(examples) && examples.length > 0 ? `, for example ${quote(examples[0])}` : "";
}

interface Explained {
  segments: string[];
  message: string;
  currentValue?: unknown;
  proposedValue?: unknown;
}

/** Turns one Ajv error into a message in plain words, or undefined when another error already says it. */
function explain(error: ErrorObject, data: unknown): Explained | undefined {
  const segments = pointerSegments(error.instancePath);
  const current = valueAt(data, segments);
  const parent = schemaAt(segments);
  const params = error.params as Record<string, unknown>;
  // Branch errors of anyOf and the inner errors of propertyNames are summarised by their parent error.
  if (error.schemaPath.includes("/anyOf/") || (error as { propertyName?: string }).propertyName !== undefined) return undefined;

  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const known = Object.keys((parent?.properties as SchemaNode | undefined) ?? {});
      const suggestion = closest(name, known);
      return {
        segments: [...segments, name],
        message: suggestion
          ? `unknown field \`${name}\`; did you mean \`${suggestion}\`?`
          : `unknown field \`${name}\`; the known fields here are ${listOf(known)}`,
        ...(suggestion ? { proposedValue: suggestion } : {}),
      };
    }
    case "required": {
      const name = String(params.missingProperty);
      const property = (parent?.properties as Record<string, SchemaNode> | undefined)?.[name];
      return { segments: [...segments, name], message: `is required: set \`${fieldPath([...segments, name])}\`${example(property)}` };
    }
    case "type":
      return { segments, message: `must be ${/^[aeiou]/.test(String(params.type)) ? "an" : "a"} ${String(params.type)}, got ${typeName(current)}`, currentValue: current };
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      const suggestion = typeof current === "string" ? closest(current, allowed.map(String)) : undefined;
      return suggestion
        ? { segments, message: `must be one of ${listOf(allowed)}, got ${quote(current)}; did you mean \`${suggestion}\`?`, currentValue: current, proposedValue: suggestion }
        : { segments, message: `must be one of ${listOf(allowed)}, got ${quote(current)}`, currentValue: current };
    }
    case "const":
      return { segments, message: `must be ${quote(params.allowedValue)}, got ${quote(current)}`, currentValue: current, proposedValue: params.allowedValue };
    case "minimum":
    case "maximum": {
      const range = parent && typeof parent.minimum === "number" && typeof parent.maximum === "number";
      const bound = error.keyword === "minimum" ? "at least" : "at most";
      return {
        segments,
        message: range ? `must be from ${String(parent.minimum)} to ${String(parent.maximum)}, got ${quote(current)}` : `must be ${bound} ${String(params.limit)}, got ${quote(current)}`,
        currentValue: current,
      };
    }
    case "maxLength":
    case "minLength":
      return { segments, message: `must be ${error.keyword === "maxLength" ? "at most" : "at least"} ${String(params.limit)} characters long`, currentValue: current };
    case "maxItems":
    case "maxProperties":
      return { segments, message: `must have at most ${String(params.limit)} entries` };
    case "pattern": {
      const why = whyMalformed(segments, current);
      if (why) return { segments, message: `has the wrong form: got ${quote(current)}; ${why}`, currentValue: current };
      return { segments, message: `has the wrong form: got ${quote(current)}${example(parent).replace(", for example", ", expected something like")}`, currentValue: current };
    }
    case "propertyNames": {
      const names = (parent?.propertyNames as SchemaNode | undefined) ?? {};
      const rule = typeof names.description === "string" ? ` ${names.description}` : "";
      return { segments: [...segments, String(params.propertyName)], message: `is not a valid key.${rule}`, currentValue: params.propertyName };
    }
    case "anyOf":
      return { segments, message: `must be ${parent && typeof parent.description === "string" ? parent.description.replace(/^A /, "a ").replace(/\.$/, "") : "another type"}, got ${typeName(current)}`, currentValue: current };
    default:
      return { segments, message: `${error.message ?? "is not valid"}`, currentValue: current };
  }
}

function blame(merged: MergedSettings, pointer: string, keyword: string): Fragment | undefined {
  // A missing field is added in the user's own StalwartConfig, whoever left it out.
  if (keyword === "required") {
    const own = [...merged.origins.values()].find((fragment) => fragment.isFunctionConfig);
    if (own) return own;
  }
  return originOf(merged, pointer);
}

/** Validates (and defaults) the merged settings; returns them typed only when they are valid. */
export function validateSettings(merged: MergedSettings): Validation {
  const data = merged.object;
  if (validateSchema(data)) return { settings: data as unknown as StalwartConfig, results: [] };

  const results: Result[] = [];
  const seen = new Set<string>();
  const errors = (validateSchema.errors ?? []).flatMap((error) => {
    const explained = explain(error, data);
    return explained ? [{ error, explained }] : [];
  });
  // `hostnme: x` is one mistake: its did-you-mean says it all, and "`spec.hostname` is required" would mislead.
  const misspelt = new Set(errors.flatMap(({ error, explained }) =>
    error.keyword === "additionalProperties" && typeof explained.proposedValue === "string"
      ? [fieldPath([...explained.segments.slice(0, -1), explained.proposedValue])]
      : [],
  ));
  for (const { error, explained } of errors) {
    const path = fieldPath(explained.segments);
    const key = `${path}\n${explained.message}`;
    if (seen.has(key) || (error.keyword === "required" && misspelt.has(path))) continue;
    seen.add(key);
    const origin = blame(merged, error.instancePath, error.keyword);
    const result: Result = {
      severity: "error",
      message: explained.message,
      field: {
        path,
        ...("currentValue" in explained && explained.currentValue !== undefined ? { currentValue: explained.currentValue } : {}),
        ...(explained.proposedValue !== undefined ? { proposedValue: explained.proposedValue } : {}),
      },
    };
    if (origin) {
      result.resourceRef = refTo(origin.object);
      if (origin.filePath) result.file = { path: origin.filePath };
    }
    results.push(result);
  }
  return { results };
}

export { pointerToFieldPath };
