/** Names starting with the query first, then names containing it, then descriptions containing it. */
export function searchTasks<T extends { name: string; description?: string | null }>(all: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return all;
  const rank = (t: T) => {
    const name = t.name.toLowerCase();
    if (name.startsWith(q)) return 0;
    if (name.includes(q)) return 1;
    if (t.description?.toLowerCase().includes(q)) return 2;
    return 3;
  };
  return all
    .map((t) => ({ t, r: rank(t) }))
    .filter((x) => x.r < 3)
    .sort((a, b) => a.r - b.r || a.t.name.localeCompare(b.t.name))
    .map((x) => x.t);
}
