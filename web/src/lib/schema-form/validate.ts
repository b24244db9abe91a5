import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { pathKey, pointerPath, type PayloadError } from './schema.ts';

// The API's options (strict off: unknown keywords and formats are ignored there too), but every error at once.
const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
const compiled = new WeakMap<object, ValidateFunction | null>();

function compile(schema: object): ValidateFunction | null {
  if (!compiled.has(schema)) {
    try {
      compiled.set(schema, ajv.compile(schema));
    } catch {
      // The server compiled it at start; a schema this browser cannot compile is checked on submit only.
      compiled.set(schema, null);
    }
  }
  return compiled.get(schema) ?? null;
}

/** The error's field: the instance path, plus the property a `required` or `additionalProperties` error names. */
function keyOf(error: ErrorObject): string {
  const path = pointerPath(error.instancePath);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) path.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) path.push(params.additionalProperty);
  return pathKey(path);
}

/** Worded as the API words it, so the browser and the server say the same thing. */
function reasonOf(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[] };
  if (error.keyword === 'enum' && params.allowedValues)
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed here (the schema lists no such property)';
  return error.message ?? 'does not match the schema';
}

/**
 * Checks a payload against a task's schema, as the API will on submit; [] when it passes (or when
 * there is no schema). An empty payload is checked as `{}`, as the API does.
 */
export function validatePayload(schema: unknown, payload: unknown): PayloadError[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const check = compile(schema);
  if (!check || check(payload ?? {})) return [];
  const seen = new Set<string>();
  const out: PayloadError[] = [];
  for (const error of check.errors ?? []) {
    // anyOf/oneOf report each branch and then themselves; the summary is enough.
    if (error.keyword === 'if') continue;
    const item = { key: keyOf(error), message: reasonOf(error) };
    const id = `${item.key}\u0000${item.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(item);
    }
  }
  return out;
}
