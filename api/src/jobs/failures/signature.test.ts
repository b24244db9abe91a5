import { describe, expect, it } from 'vitest';
import { errorClassOf, failureSignature, MAX_SIGNATURE_CHARS, normalizeMessage } from './signature.js';

describe('normalizeMessage', () => {
  it.each([
    ['user 42 not found', 'user <n> not found'],
    ['took 1,250.5 ms', 'took <n> ms'],
    ['GET https://api.example.com/v1/users/42?x=1 returned 503', 'GET <url> returned <n>'],
    ['order 3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f is locked', 'order <uuid> is locked'],
    ['no such key "cache:user:42"', 'no such key <str>'],
    ["can't open 'report-7.pdf'", "can't open <str>"],
    ['bad pointer 0xDEADBEEF', 'bad pointer <hex>'],
    ['commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing', 'commit <hex> missing'],
    ['customer cus_8Hx2kQ9z has no card', 'customer <id> has no card'],
    ['lease expired at 2026-12-03T06:48:46.123Z', 'lease expired at <time>'],
    ['  two\n\tlines  ', 'two lines'],
  ])('%s → %s', (message, normalized) => {
    expect(normalizeMessage(message)).toBe(normalized);
  });

  it('keeps plain words, hex-looking ones included', () => {
    expect(normalizeMessage('deadline exceeded in facade')).toBe('deadline exceeded in facade');
  });

  it('gives one shape for messages that differ only in their values', () => {
    const a = normalizeMessage('charge ch_1AbCdEfGh of 12.50 EUR for "alice@example.com" failed after 3 tries');
    const b = normalizeMessage('charge ch_9ZyXwVuTs of 7 EUR for "bob@example.org" failed after 11 tries');
    expect(a).toBe(b);
  });
});

describe('errorClassOf', () => {
  it.each([
    ['TypeError: x is not a function\n    at f (a.js:1:1)', 'TypeError'],
    ['PaymentDeclined: card 4242 declined', 'PaymentDeclined'],
    ['RangeError\n    at g', 'RangeError'],
    ['    at f (a.js:1:1)', 'Error'],
    [null, 'Error'],
  ])('%s → %s', (stack, name) => {
    expect(errorClassOf(stack)).toBe(name);
  });
});

describe('failureSignature', () => {
  it('is the class and the normalized message', () => {
    expect(failureSignature('user 42 not found', 'NotFound: user 42 not found\n    at x')).toBe('NotFound: user <n> not found');
    expect(failureSignature('timed out after 500 ms (timeoutMs)', null)).toBe('Error: timed out after <n> ms (timeoutMs)');
  });

  it('is cut to the column', () => {
    expect(failureSignature('x'.repeat(1000))).toHaveLength(MAX_SIGNATURE_CHARS);
  });
});
