/** Rewrites the root schema.graphql from the type-graphql classes, and docs/webhook-events.md (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printAppSchema } from '../src/graphql/schema.js';
import { EVENT_TYPES_DOC, formatEventTypesDoc } from './event-types-doc.js';

const target = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
writeFileSync(target, await printAppSchema());
console.log(`wrote ${target}`);
writeFileSync(EVENT_TYPES_DOC, await formatEventTypesDoc());
console.log(`wrote ${EVENT_TYPES_DOC}`);
