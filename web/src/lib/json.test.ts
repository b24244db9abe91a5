import { describe, expect, it } from 'vitest';
import { parseJson, parsePayload } from './json.ts';

describe('parseJson', () => {
  it('accepts what JSON.parse accepts, and treats an empty editor as no payload', () => {
    expect(parseJson('{"a": [1, -2.5e3, "x\\n\\u00e9", true, null]}')).toEqual({ ok: true, value: { a: [1, -2500, 'x\né', true, null] } });
    expect(parseJson('  \n')).toEqual({ ok: true, value: null });
  });

  it.each([
    ['{\n  "to": "a",\n  "retry": tru\n}', 3, 12, 'expected true'],
    ['{"a": 1,}', 1, 9, 'expected a property name in double quotes, found "}"'],
    ["{'a': 1}", 1, 2, 'expected a property name in double quotes'],
    ['{"a": 1 "b": 2}', 1, 9, 'expected "," or "}" after a property value'],
    ['[1, 2', 1, 6, 'expected "," or "]" after an array item, found the end of the text'],
    ['{"a": "open}', 1, 13, 'missing its closing quote'],
    ['{"a": 01}', 1, 8, 'expected "," or "}"'],
    ['{} x', 1, 4, 'after the end of the JSON value'],
  ])('locates the mistake in %j at line %i, column %i', (text, line, column, message) => {
    const parsed = parseJson(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect({ line: parsed.line, column: parsed.column }).toEqual({ line, column });
    expect(parsed.message).toContain(message);
  });

  it('requires an object for a payload', () => {
    expect(parsePayload('[1]')).toMatchObject({ ok: false, message: expect.stringContaining('must be a JSON object') });
    expect(parsePayload('"text"').ok).toBe(false);
    expect(parsePayload('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});
