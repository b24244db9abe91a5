import type { Client } from '@urql/core';
import { ViewerDocument, type Role } from '#lib/graphql/generated/graphql.ts';
import { auth } from './auth.svelte.ts';

/** Who the dashboard's token is: pages hide the actions a VIEWER may not take. Read again when the token changes. */
export class ViewerState {
  #name = $state<string | null>(null);
  #role = $state<Role | null>(null);

  get name(): string | null {
    return this.#name;
  }

  /** True only once the server said so: until then actions show, and the server refuses them anyway. */
  get readOnly(): boolean {
    return this.#role === 'VIEWER';
  }

  /** Loads the viewer now and after each token change; returns the cleanup. */
  listen(client: Client): () => void {
    const load = async () => {
      const res = await client.query(ViewerDocument, {}, { requestPolicy: 'network-only' }).toPromise();
      this.#name = res.data?.viewer.name ?? null;
      this.#role = res.data?.viewer.role ?? null;
    };
    void load();
    return auth.onChange(() => void load());
  }
}

export const viewer = new ViewerState();
