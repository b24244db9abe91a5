import { describe, expect, it } from 'vitest';
import { EndpointThrottle, type Admission } from './endpoint-throttle.js';

const kinds = (list: Admission[]) => list.map((a) => a.kind);

describe('EndpointThrottle', () => {
  it('starts everything for an endpoint without limits, and keeps no state for it', () => {
    const t = new EndpointThrottle();
    for (let i = 0; i < 1000; i++) expect(t.admit(1, null, i, 10)).toEqual({ kind: 'start' });
    expect(t.admit(1, { concurrency: null, rateLimit: null }, 0, 10).kind).toBe('start');
  });

  it('holds a sliding rate: the 6th start within 1 s is deferred to when the first start leaves the window', () => {
    const t = new EndpointThrottle();
    const limits = { concurrency: null, rateLimit: { max: 5, perMs: 1000 } };
    const at = [0, 100, 200, 300, 400].map((ms) => t.admit(7, limits, ms, 10));
    expect(kinds(at)).toEqual(['start', 'start', 'start', 'start', 'start']);
    for (let i = 0; i < 5; i++) t.finished(7);
    expect(t.admit(7, limits, 500, 10)).toEqual({ kind: 'defer', untilMs: 1000 });
    // Later deferrals line up behind, spaced by perMs / max, so they come due in order at the rate.
    expect(t.admit(7, limits, 501, 10)).toEqual({ kind: 'defer', untilMs: 1200 });
    expect(t.admit(7, limits, 1000, 10).kind).toBe('start');
    expect(t.admit(7, limits, 1050, 10).kind).toBe('defer');
    expect(t.admit(7, limits, 1100, 10).kind).toBe('start');
  });

  it('caps attempts in flight; a few wait in the queue, the rest are deferred by the pace', () => {
    const t = new EndpointThrottle();
    const limits = { concurrency: 2, rateLimit: null };
    expect(kinds([0, 0, 0, 0, 0].map((ms) => t.admit(3, limits, ms, 100)))).toEqual(['start', 'start', 'wait', 'wait', 'defer']);
    // Another endpoint is not held back.
    expect(t.admit(4, limits, 0, 100).kind).toBe('start');
    t.finished(3);
    t.unwaited(3);
    expect(t.admit(3, limits, 10, 100).kind).toBe('start');
    t.unwaited(3);
    expect(t.admit(3, limits, 10, 100)).toEqual({ kind: 'wait' });
  });

  it('applies both limits together', () => {
    const t = new EndpointThrottle();
    const limits = { concurrency: 1, rateLimit: { max: 2, perMs: 1000 } };
    expect(t.admit(9, limits, 0, 5).kind).toBe('start');
    expect(t.admit(9, limits, 1, 5).kind).toBe('wait');
    t.finished(9);
    t.unwaited(9);
    expect(t.admit(9, limits, 2, 5).kind).toBe('start');
    t.finished(9);
    expect(t.admit(9, limits, 3, 5)).toEqual({ kind: 'defer', untilMs: 1000 });
  });
});
