/**
 * A sleep that `wake()` cuts short. A wake while nobody sleeps is remembered, so the next sleep
 * returns at once: a notification that arrives mid-work is never lost.
 */
export class WakeableSleep {
  private wakeUp: (() => void) | null = null;
  private pending = false;

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
