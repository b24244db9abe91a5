import { format, resolveConfig } from 'prettier';
import { fileURLToPath } from 'node:url';
import { renderEventTypesDoc } from '../src/webhooks/event-types-doc.js';

/** Where the generated page of webhook event types lives. */
export const EVENT_TYPES_DOC = fileURLToPath(new URL('../../docs/webhook-events.md', import.meta.url));

/** The page as it is committed: rendered, then formatted with the repository's prettier settings. */
export async function formatEventTypesDoc(): Promise<string> {
  return format(renderEventTypesDoc(), { ...(await resolveConfig(EVENT_TYPES_DOC)), filepath: EVENT_TYPES_DOC });
}
