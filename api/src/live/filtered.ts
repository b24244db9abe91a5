/** Passes on the items of `source` that match, and ends `source` when the consumer stops. */
export function filtered<T>(
  source: AsyncIterableIterator<T> & { return?(): Promise<unknown> },
  match: (item: T) => boolean,
): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const item = await source.next();
        if (item.done || match(item.value)) return item;
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
