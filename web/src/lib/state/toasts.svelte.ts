export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const VISIBLE_MS = 5_000;
const MAX_VISIBLE = 4;

/** Short notices for actions and finished jobs; errors stay until dismissed. */
export class ToastState {
  #items = $state<Toast[]>([]);
  #nextId = 1;

  get items(): readonly Toast[] {
    return this.#items;
  }

  push(kind: ToastKind, message: string): number {
    const id = this.#nextId++;
    this.#items = [...this.#items, { id, kind, message }].slice(-MAX_VISIBLE);
    if (kind !== 'error') setTimeout(() => this.dismiss(id), VISIBLE_MS);
    return id;
  }

  success = (message: string) => this.push('success', message);
  error = (message: string) => this.push('error', message);
  info = (message: string) => this.push('info', message);

  dismiss(id: number): void {
    this.#items = this.#items.filter((t) => t.id !== id);
  }
}

export const toasts = new ToastState();
