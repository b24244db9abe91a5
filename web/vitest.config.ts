import { createRequire } from 'node:module';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Browser end-to-end tests: Debian's Chromium (playwright-core) against the real API, started in this
 * process from api/src/app.ts and serving the freshly built dashboard. The SvelteKit plugin is not
 * loaded: the browser tests drive the built app; only the rune modules' unit tests need Svelte's compiler.
 */
export default defineConfig({
  // Compiles runes in lib/state/*.svelte.ts for their unit tests.
  plugins: [svelte()],
  // The API's type-graphql and MikroORM classes use legacy decorators.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    // One graphql instance for type-graphql, Apollo and graphql-ws ("Duplicate graphql modules").
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Pages update over the network; give polled expectations time on a loaded machine.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // One browser and one server at a time: the machine has two cores shared with the API suites.
    fileParallelism: false,
  },
});
