export interface Waiting {
  completion: { token: string; result: unknown };
  resolve: (stale: string | null) => void;
  reject: (error: unknown) => void;
}

/** At most this many completions in one request (the server's completeJobs limit). */
export const MAX_PER_REQUEST = 500;

/**
 * Completions of jobs that end together go to the server together: the first is sent at once, what
 * ends while it is out goes next in one completeJobs request (one HTTP round trip and one transaction
 * on the server for many jobs). Idle it adds no wait.
 */
export class CompletionBatches {
  private waiting: Waiting[] = [];
  private busy = false;

  constructor(private readonly send: (completions: Waiting['completion'][]) => Promise<{ token: string; error?: string | null }[]>) {}

  /** Resolves with null once written, or with why nothing was written (a stale lease); rejects when the request failed. */
  complete(token: string, result: unknown): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ completion: { token, result }, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_PER_REQUEST);
      try {
        const answers = await this.send(batch.map((w) => w.completion));
        batch.forEach((w, i) => w.resolve(answers[i]?.error ?? null));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.busy = false;
  }
}
