/** The part of a job's log line the tail orders by. */
export interface Sequenced {
  seq: number;
}

/**
 * Lines from the first page, later pages and the live subscription, in `seq` order and each once:
 * they can arrive in any order (the subscription may answer before the query), and the marker of
 * dropped lines (seq 0) is replaced by its newer count. Returns `lines` itself when nothing changed.
 */
export function mergeLines<T extends Sequenced>(lines: T[], incoming: T[]): T[] {
  let out = lines;
  for (const line of incoming) {
    const last = out[out.length - 1];
    if (!last || line.seq > last.seq) {
      out = out === lines ? [...lines, line] : (out.push(line), out);
      continue;
    }
    const at = out.findIndex((l) => l.seq >= line.seq);
    if (out[at].seq === line.seq && line.seq !== 0) continue;
    if (out === lines) out = [...lines];
    out.splice(at, out[at].seq === line.seq ? 1 : 0, line);
  }
  return out;
}

/** The newest `seq` held (the marker does not count): where a catch-up read continues with `after`. */
export function lastSeq(lines: Sequenced[]): number | undefined {
  const last = lines[lines.length - 1];
  return last && last.seq > 0 ? last.seq : undefined;
}

/** Whether a scrolled box shows its end (within a few pixels, as zoom rounds). */
export function atBottom(el: { scrollTop: number; scrollHeight: number; clientHeight: number }, slack = 8): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= slack;
}
