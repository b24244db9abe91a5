/** An endpoint's own delivery limits; null fields do not limit. */
export interface EndpointLimits {
  /** Attempts in flight to the endpoint at once. */
  concurrency: number | null;
  /** At most `max` attempts start in any window of `perMs` (sliding). */
  rateLimit: { max: number; perMs: number } | null;
}

/** What the sender does with a claimed delivery: send it now, wait for a slot, or hand it back due later. */
export type Admission = { kind: 'start' } | { kind: 'wait' } | { kind: 'defer'; untilMs: number };

const START: Admission = { kind: 'start' };
const WAIT: Admission = { kind: 'wait' };

interface EndpointState {
  inFlight: number;
  /** Start times inside the current window, oldest first. */
  starts: number[];
  /** Deliveries of this endpoint waiting in the sender's queue for one of its slots. */
  waiting: number;
  /** The latest due time handed out by `defer`: later deferrals queue behind it, keeping their order. */
  lastDeferMs: number;
}

/**
 * The per-endpoint limits of one sending process. A delivery over the endpoint's rate is handed back
 * due at the time a start frees up, so it holds no slot and no place in the sender's queue; one over
 * its concurrency waits in the queue while few of its endpoint's do, else it is handed back too.
 * Endpoints without limits cost one map lookup.
 */
export class EndpointThrottle {
  private readonly state = new Map<number, EndpointState>();

  /** Decides for one delivery of `endpointId` at `nowMs`; a `start` counts against the limits at once. */
  admit(endpointId: number, limits: EndpointLimits | null, nowMs: number, paceMs: number): Admission {
    if (!limits || (limits.concurrency === null && limits.rateLimit === null)) return START;
    const s = this.of(endpointId);
    const rate = limits.rateLimit;
    if (rate) {
      while (s.starts.length > 0 && s.starts[0] <= nowMs - rate.perMs) s.starts.shift();
      if (s.starts.length >= rate.max) return this.defer(s, s.starts[s.starts.length - rate.max] + rate.perMs, rate.perMs / rate.max);
    }
    if (limits.concurrency !== null && s.inFlight >= limits.concurrency) {
      if (s.waiting < limits.concurrency) {
        s.waiting++;
        return WAIT;
      }
      return this.defer(s, nowMs + Math.max(50, paceMs), Math.max(1, paceMs / limits.concurrency));
    }
    s.inFlight++;
    if (rate) s.starts.push(nowMs);
    return START;
  }

  /** A delivery that waited (`wait`) left the queue: started by a later `admit`, or given back. */
  unwaited(endpointId: number): void {
    const s = this.state.get(endpointId);
    if (s && s.waiting > 0) s.waiting--;
  }

  /** An attempt to the endpoint finished (its response is in, or it failed). */
  finished(endpointId: number): void {
    const s = this.state.get(endpointId);
    if (!s) return;
    if (s.inFlight > 0) s.inFlight--;
    if (s.inFlight === 0 && s.starts.length === 0 && s.waiting === 0) this.state.delete(endpointId);
  }

  private defer(s: EndpointState, earliestMs: number, spacingMs: number): Admission {
    const untilMs = Math.max(earliestMs, s.lastDeferMs + spacingMs);
    s.lastDeferMs = untilMs;
    return { kind: 'defer', untilMs: Math.ceil(untilMs) };
  }

  private of(endpointId: number): EndpointState {
    let s = this.state.get(endpointId);
    if (!s) this.state.set(endpointId, (s = { inFlight: 0, starts: [], waiting: 0, lastDeferMs: 0 }));
    return s;
  }
}
