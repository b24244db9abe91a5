import { browser } from '$app/env';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'theme';

/**
 * Follows the system colour scheme until the user picks one with the toggle; the pick is remembered.
 * app.html applies the same rule before first paint so there is no flash.
 */
export class ThemeState {
  #choice = $state<Theme | null>(null);
  #systemDark = $state(false);

  constructor() {
    if (!browser) return;
    const saved = localStorage.getItem(STORAGE_KEY);
    this.#choice = saved === 'light' || saved === 'dark' ? saved : null;
    const media = matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = media.matches;
    media.addEventListener('change', (e) => {
      this.#systemDark = e.matches;
      this.#apply();
    });
    this.#apply();
  }

  get current(): Theme {
    return this.#choice ?? (this.#systemDark ? 'dark' : 'light');
  }

  toggle(): void {
    this.#choice = this.current === 'dark' ? 'light' : 'dark';
    localStorage.setItem(STORAGE_KEY, this.#choice);
    this.#apply();
  }

  #apply(): void {
    document.documentElement.classList.toggle('dark', this.current === 'dark');
  }
}

export const theme = new ThemeState();
