import { browser } from '$app/env';

const STORAGE_KEY = 'jobs.apiToken';

type Listener = (token: string | null) => void;

/**
 * The API token the user typed when the server answered UNAUTHENTICATED. Kept in localStorage so a
 * reload does not ask again; sent as `Authorization: Bearer …` over HTTP and as
 * `connectionParams.authorization` over the WebSocket.
 */
export class AuthState {
  #token = $state<string | null>(null);
  #asking = $state(false);
  #reason = $state('');
  // Callbacks to notify, not state to render: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | undefined) {
    this.#token = storage?.getItem(STORAGE_KEY) ?? null;
  }

  get token(): string | null {
    return this.#token;
  }

  get asking(): boolean {
    return this.#asking;
  }

  get reason(): string {
    return this.#reason;
  }

  get authorization(): string | undefined {
    return this.#token ? `Bearer ${this.#token}` : undefined;
  }

  /**
   * Opens the token prompt (once, however many requests and the socket failed at the same time).
   * The reason depends only on whether a token was sent, so HTTP and WebSocket refusals agree.
   */
  ask(): void {
    this.#reason = this.#token ? 'The API rejected the saved token.' : 'The API requires a token.';
    this.#asking = true;
  }

  dismiss(): void {
    this.#asking = false;
  }

  set(token: string | null): void {
    const value = token?.trim() || null;
    this.#token = value;
    this.#asking = false;
    if (value) this.storage?.setItem(STORAGE_KEY, value);
    else this.storage?.removeItem(STORAGE_KEY);
    for (const listener of this.#listeners) listener(value);
  }

  /** Called with the new token whenever it changes; returns the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const auth = new AuthState(browser ? localStorage : undefined);
