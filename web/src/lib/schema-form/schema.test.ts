import { describe, expect, it } from 'vitest';
import {
  buildForm,
  buildNode,
  fieldKeys,
  getAt,
  initialValue,
  newItem,
  parentKey,
  pathKey,
  payloadKeyOf,
  placeErrors,
  pointerPath,
  removeAt,
  setAt,
  type FormNode,
  type JsonSchema,
} from './schema.ts';
import { validatePayload } from './validate.ts';

const ORDER: JsonSchema = {
  type: 'object',
  required: ['customer', 'items'],
  additionalProperties: false,
  properties: {
    customer: {
      type: 'object',
      required: ['email'],
      properties: {
        email: { type: 'string', minLength: 3, description: 'Where the receipt goes' },
        vip: { type: 'boolean', default: false },
      },
    },
    items: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    quantity: { type: 'integer', minimum: 1, default: 1 },
    ratio: { type: ['number', 'null'] },
    channel: { enum: ['email', 'sms'] },
    mode: {
      oneOf: [
        { const: 'fast', title: 'Fast' },
        { const: 'safe', title: 'Safe' },
      ],
    },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: { description: 'Anything' },
    note: { type: 'string', maxLength: 5000 },
    choice: { anyOf: [{ type: 'string' }, { type: 'number' }] },
  },
};

function field(node: FormNode, name: string): FormNode {
  if (node.kind !== 'object') throw new Error(`${node.key} is not an object`);
  const found = node.fields.find((f) => f.path[f.path.length - 1] === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

describe('buildForm', () => {
  const form = buildForm(ORDER)!;

  it('makes one field per property, in order, with its kind, required mark and help text', () => {
    expect(form.fields.map((f) => [f.key, f.kind, f.required])).toEqual([
      ['customer', 'object', true],
      ['items', 'array', true],
      ['quantity', 'number', false],
      ['ratio', 'number', false],
      ['channel', 'enum', false],
      ['mode', 'enum', false],
      ['headers', 'json', false],
      ['body', 'json', false],
      ['note', 'string', false],
      ['choice', 'json', false],
    ]);
    const email = field(field(form, 'customer'), 'email');
    expect(email).toMatchObject({ key: 'customer.email', kind: 'string', required: true, description: 'Where the receipt goes' });
    expect(field(field(form, 'customer'), 'vip')).toMatchObject({ kind: 'boolean', required: false });
  });

  it('tells integers from numbers, lists enum options (const alternatives by title) and makes long strings multiline', () => {
    expect(field(form, 'quantity')).toMatchObject({ integer: true });
    expect(field(form, 'ratio')).toMatchObject({ integer: false });
    expect(field(form, 'channel')).toMatchObject({
      options: [
        { label: 'email', value: 'email' },
        { label: 'sms', value: 'sms' },
      ],
    });
    expect(field(form, 'mode')).toMatchObject({
      options: [
        { label: 'Fast', value: 'fast' },
        { label: 'Safe', value: 'safe' },
      ],
    });
    expect(field(form, 'note')).toMatchObject({ multiline: true });
    expect(field(field(form, 'customer'), 'email')).toMatchObject({ multiline: false });
  });

  it('uses the title as the label when there is one', () => {
    expect(buildNode({ type: 'string', title: 'E-mail address' }, ['to'], false, 'to').label).toBe('E-mail address');
    expect(buildNode({ type: 'string' }, ['to'], false, 'to').label).toBe('to');
  });

  it('gives no form where it would show nothing: no schema, any object, a non-object root, a $ref root', () => {
    expect(buildForm(null)).toBeNull();
    expect(buildForm({ type: 'object' })).toBeNull();
    expect(buildForm({ type: 'string' })).toBeNull();
    expect(buildForm({ $ref: '#/definitions/x', definitions: { x: { type: 'object' } } })).toBeNull();
    expect(buildForm({ properties: { a: { type: 'string' } } })?.fields).toHaveLength(1);
  });

  it('keeps tuples and untyped values as JSON fields', () => {
    expect(buildNode({ type: 'array', items: [{ type: 'string' }] } as unknown as JsonSchema, ['t'], false).kind).toBe('json');
    expect(buildNode(true, ['x'], false).kind).toBe('json');
  });
});

describe('initialValue and newItem', () => {
  it('fills defaults and makes required nested objects', () => {
    expect(initialValue(ORDER)).toEqual({ customer: { vip: false }, quantity: 1 });
  });

  it('copies defaults, so editing the form never changes the schema', () => {
    const schema: JsonSchema = { type: 'object', properties: { tags: { type: 'array', default: ['a'] } } };
    const value = initialValue(schema) as { tags: string[] };
    value.tags.push('b');
    expect((schema.properties!.tags as JsonSchema).default).toEqual(['a']);
  });

  it('starts new array items empty, or from their default', () => {
    expect(newItem({ type: 'string' })).toBe('');
    expect(newItem({ type: 'boolean' })).toBe(false);
    expect(newItem({ type: 'number' })).toBeUndefined();
    expect(newItem({ type: 'object', properties: { a: { type: 'number', default: 2 } } })).toEqual({ a: 2 });
  });
});

describe('paths', () => {
  it('names paths as the API does after input.payload', () => {
    expect(pathKey([])).toBe('');
    expect(pathKey(['a', 'b'])).toBe('a.b');
    expect(pathKey(['watch', 0])).toBe('watch[0]');
    expect(pathKey(['a', 3, 'b'])).toBe('a[3].b');
    expect(pointerPath('/a/3/b~1c')).toEqual(['a', 3, 'b/c']);
    expect(parentKey('a[3].b')).toBe('a[3]');
    expect(parentKey('a[3]')).toBe('a');
    expect(parentKey('a')).toBe('');
  });

  it("reads the API's error field back into a form key", () => {
    expect(payloadKeyOf('input.payload.a.b')).toBe('a.b');
    expect(payloadKeyOf('input.payload.watch[0]')).toBe('watch[0]');
    expect(payloadKeyOf('inputs[3].payload.x')).toBe('x');
    expect(payloadKeyOf('input.payload')).toBe('');
    expect(payloadKeyOf('input.maxAttempts')).toBeNull();
  });

  it('writes in place, making objects and arrays on the way, and removes properties set to undefined', () => {
    const root: Record<string, unknown> = {};
    setAt(root, ['customer', 'email'], 'a@b.c');
    setAt(root, ['items', 0], 'x');
    setAt(root, ['rows', 0, 'name'], 'n');
    expect(root).toEqual({ customer: { email: 'a@b.c' }, items: ['x'], rows: [{ name: 'n' }] });
    expect(getAt(root, ['rows', 0, 'name'])).toBe('n');
    expect(getAt(root, ['nothing', 'here'])).toBeUndefined();
    setAt(root, ['customer', 'email'], undefined);
    expect(root.customer).toEqual({});
    setAt(root, ['items', 1], 'y');
    removeAt(root, ['items', 0]);
    expect(root.items).toEqual(['y']);
  });
});

describe('errors at their fields', () => {
  const form = buildForm(ORDER)!;

  it('validates with the same schema and reports every error at its path, worded as the API words it', () => {
    const errors = validatePayload(ORDER, { customer: { email: 'x' }, items: [''], quantity: 0, channel: 'fax', extra: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        { key: 'customer.email', message: 'must NOT have fewer than 3 characters' },
        { key: 'items[0]', message: 'must NOT have fewer than 1 characters' },
        { key: 'quantity', message: 'must be >= 1' },
        { key: 'channel', message: 'must be one of "email", "sms"' },
        { key: 'extra', message: 'is not allowed here (the schema lists no such property)' },
      ]),
    );
    expect(validatePayload(ORDER, { customer: {}, items: [] })).toEqual(
      expect.arrayContaining([
        { key: 'customer.email', message: 'is required' },
        { key: 'items', message: 'must NOT have fewer than 1 items' },
      ]),
    );
    expect(validatePayload(ORDER, { customer: { email: 'abc' }, items: ['one'] })).toEqual([]);
  });

  it('checks an empty payload as {} and passes anything without a schema', () => {
    expect(validatePayload(ORDER, null)).toEqual(expect.arrayContaining([{ key: 'customer', message: 'is required' }]));
    expect(validatePayload(null, { anything: true })).toEqual([]);
  });

  it('lists the keys the form shows, array items included', () => {
    const keys = fieldKeys(form, { customer: {}, items: ['a', 'b'] });
    expect([...keys]).toEqual(expect.arrayContaining(['', 'customer', 'customer.email', 'items', 'items[0]', 'items[1]', 'headers']));
    expect(keys.has('items[2]')).toBe(false);
  });

  it('moves an error with no field of its own to the nearest field above it, saying what it is about', () => {
    const shown = fieldKeys(form, { items: ['a'] });
    const placed = placeErrors(
      [
        { key: 'customer.email', message: 'is required' },
        { key: 'headers.x-a', message: 'must be string' },
        { key: 'extra', message: 'is not allowed here' },
        { key: '', message: 'must be object' },
        { key: 'items[0]', message: 'too short' },
        { key: 'items[0]', message: 'too short' },
      ],
      shown,
    );
    expect(placed).toEqual({
      'customer.email': ['is required'],
      headers: ['x-a: must be string'],
      '': ['extra: is not allowed here', 'must be object'],
      'items[0]': ['too short'],
    });
  });
});
