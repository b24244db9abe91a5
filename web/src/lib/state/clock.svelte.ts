const TICK_MS = 15_000;

/** "3 minutes ago" labels read `clock.now`, so they age on screen without a refetch. */
class Clock {
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;
  #readers = 0;

  get now(): number {
    return this.#now;
  }

  /** Ticks only while some component uses it; returns the release for its cleanup. */
  use(): () => void {
    if (this.#readers++ === 0) this.#timer = setInterval(() => (this.#now = Date.now()), TICK_MS);
    return () => {
      if (--this.#readers === 0) clearInterval(this.#timer);
    };
  }
}

export const clock = new Clock();
