/**
 * A task's payload JSON Schema turned into form fields, and the payload the form edits read and
 * written by path. Only the subset a form can show is turned into inputs (strings, numbers,
 * booleans, enums, objects with properties, arrays); any other sub-schema becomes a small JSON
 * field, and the full JSON editor stays one click away.
 */

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema | boolean>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | boolean;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  oneOf?: (JsonSchema | boolean)[];
  anyOf?: (JsonSchema | boolean)[];
  allOf?: (JsonSchema | boolean)[];
  $ref?: string;
  [keyword: string]: unknown;
};

/** Where a value sits in the payload: property names and array indexes. */
export type Path = (string | number)[];

interface FieldBase {
  /** The path as the API names it after `input.payload.`: `a.b`, `watch[0]`; '' for the payload itself. */
  key: string;
  path: Path;
  label: string;
  description?: string;
  required: boolean;
  schema: JsonSchema;
}

export type FormNode =
  | (FieldBase & { kind: 'string'; multiline: boolean })
  | (FieldBase & { kind: 'number'; integer: boolean })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'enum'; options: { label: string; value: unknown }[] })
  | (FieldBase & { kind: 'object'; fields: FormNode[] })
  | (FieldBase & { kind: 'array'; items: JsonSchema })
  | (FieldBase & { kind: 'json' });

export type FormKind = FormNode['kind'];

/** `['a', 3, 'b']` → `a[3].b`, the way the API's `extensions.field` names it after `input.payload`. */
export function pathKey(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Ajv's JSON pointer (`/a/3/b`) → a path; digits become indexes. */
export function pointerPath(pointer: string): Path {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * The API's field for a payload error (`input.payload.a.b`, `inputs[2].payload.x[0]`) → the key of
 * the form field it is about ('' for the payload itself); null when the field is not in the payload.
 */
export function payloadKeyOf(field: string): string | null {
  const match = /^(?:input|inputs\[\d+\])\.payload(.*)$/.exec(field);
  if (!match) return null;
  return match[1].replace(/^\./, '');
}

function asSchema(schema: JsonSchema | boolean | undefined): JsonSchema {
  return typeof schema === 'object' && schema !== null ? schema : {};
}

/** The first type that is not "null": `["string", "null"]` is a string field that may be left out. */
function mainType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** Values an enum-like schema allows: `enum`, `const`, or a oneOf/anyOf of consts. */
function choices(schema: JsonSchema): { label: string; value: unknown }[] | null {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => ({ label: labelOf(value), value }));
  if ('const' in schema) return [{ label: labelOf(schema.const), value: schema.const }];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives && alternatives.length > 0 && alternatives.every((a) => typeof a === 'object' && a !== null && 'const' in a)) {
    return (alternatives as JsonSchema[]).map((a) => ({ label: a.title ?? labelOf(a.const), value: a.const }));
  }
  return null;
}

function labelOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A schema the form cannot show field by field: composition, references, conditionals. */
function composite(schema: JsonSchema): boolean {
  return Boolean(schema.$ref || schema.allOf || schema.if || schema.not || ((schema.oneOf || schema.anyOf) && !choices(schema)));
}

/** The form field for one (sub-)schema at `path`. */
export function buildNode(schemaIn: JsonSchema | boolean | undefined, path: Path, required: boolean, name?: string): FormNode {
  const schema = asSchema(schemaIn);
  const base: FieldBase = {
    key: pathKey(path),
    path,
    label: schema.title ?? name ?? (path.length ? String(path[path.length - 1]) : 'Payload'),
    description: schema.description,
    required,
    schema,
  };
  const options = choices(schema);
  if (options) return { ...base, kind: 'enum', options };
  if (composite(schema)) return { ...base, kind: 'json' };
  switch (mainType(schema)) {
    case 'string':
      return { ...base, kind: 'string', multiline: (schema.maxLength ?? 0) > 200 && !schema.format };
    case 'number':
      return { ...base, kind: 'number', integer: false };
    case 'integer':
      return { ...base, kind: 'number', integer: true };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0) return { ...base, kind: 'json' };
      const needed = new Set(schema.required ?? []);
      const fields = properties.map(([prop, sub]) => buildNode(sub, [...path, prop], needed.has(prop), prop));
      return { ...base, kind: 'object', fields };
    }
    case 'array':
      // Tuples (items as a list, prefixItems) stay JSON.
      if (Array.isArray(schema.items) || schema.prefixItems) return { ...base, kind: 'json' };
      return { ...base, kind: 'array', items: asSchema(schema.items) };
    default:
      return { ...base, kind: 'json' };
  }
}

/**
 * The form for a payload schema, or null when a form would show nothing useful: no schema, or a
 * root that is not an object with named properties (then the JSON editor is the way in).
 */
export function buildForm(schema: unknown): (FormNode & { kind: 'object' }) | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const root = buildNode(schema as JsonSchema, [], true);
  return root.kind === 'object' ? root : null;
}

/**
 * The payload a new form starts from: each property's `default`, and required nested objects made
 * (so their own required fields are the ones reported, not the parent).
 */
export function initialValue(schemaIn: JsonSchema | boolean | undefined): unknown {
  const schema = asSchema(schemaIn);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (mainType(schema) !== 'object' || !schema.properties) return undefined;
  const needed = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [prop, subIn] of Object.entries(schema.properties)) {
    const sub = asSchema(subIn);
    if (sub.default !== undefined) out[prop] = structuredClone(sub.default);
    else if (needed.has(prop) && mainType(sub) === 'object' && sub.properties) out[prop] = initialValue(sub);
  }
  return out;
}

/** The value at `path` (undefined where a step is missing). */
export function getAt(root: unknown, path: Path): unknown {
  let at: unknown = root;
  for (const step of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/**
 * Writes `value` at `path` in place, making the objects and arrays on the way; `undefined` removes
 * a property (an array item stays, set to undefined: use `removeAt` to drop it).
 */
export function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  if (path.length === 0) throw new Error('setAt needs a path: replace the payload itself instead');
  let at: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i];
    let next = at[step];
    if (typeof next !== 'object' || next === null) {
      at[step] = typeof path[i + 1] === 'number' ? [] : {};
      // Read it back: a reactive root stores a proxy of what it is given, and that is what must change.
      next = at[step];
    }
    at = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined && !Array.isArray(at)) delete at[last];
  else at[last] = value;
}

/** Removes the array item at `path` (its last step is the index). */
export function removeAt(root: Record<string, unknown>, path: Path): void {
  const list = getAt(root, path.slice(0, -1));
  const index = path[path.length - 1];
  if (Array.isArray(list) && typeof index === 'number') list.splice(index, 1);
}

/** A new array item for `items`: its default, an object's initial value, or nothing yet. */
export function newItem(items: JsonSchema): unknown {
  const value = initialValue(items);
  if (value !== undefined) return value;
  const type = mainType(items);
  if (type === 'string') return '';
  if (type === 'boolean') return false;
  return undefined;
}

/** Every field key the form shows for this value (array items included), for placing errors. */
export function fieldKeys(node: FormNode, value: unknown, out = new Set<string>()): Set<string> {
  out.add(node.key);
  if (node.kind === 'object') for (const field of node.fields) fieldKeys(field, value, out);
  if (node.kind === 'array') {
    const list = getAt(value, node.path);
    if (Array.isArray(list)) list.forEach((_, i) => fieldKeys(buildNode(node.items, [...node.path, i], true), value, out));
  }
  return out;
}

/** A schema error where it belongs: `key` is the field's path key ('' for the payload itself). */
export interface PayloadError {
  key: string;
  message: string;
}

/**
 * Puts each error on the field it is about, or on the nearest field above it the form shows
 * (a property the schema does not list, an item past the end); '' when none is shown.
 */
export function placeErrors(errors: PayloadError[], shown: Set<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    let key = error.key;
    while (key !== '' && !shown.has(key)) key = parentKey(key);
    // Once moved up to a parent, say which inner property the message is about.
    const rest = key === error.key ? '' : error.key.slice(key.length).replace(/^\./, '');
    const message = rest ? `${rest}: ${error.message}` : error.message;
    const list = (out[key] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return out;
}

/** `a.b[2]` → `a.b`, `a.b` → `a`, `a` → ''. */
export function parentKey(key: string): string {
  const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
  return cut <= 0 ? '' : key.slice(0, cut);
}
