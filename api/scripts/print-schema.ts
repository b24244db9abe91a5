/** Rewrites the root schema.graphql from the type-graphql classes (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printAppSchema } from '../src/graphql/schema.js';

const target = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
writeFileSync(target, await printAppSchema());
console.log(`wrote ${target}`);
