import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

const apiTarget = process.env.API_URL ?? 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [
    tailwindcss(),
    sveltekit({
      // A single-page app: the API serves index.html for every dashboard route.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: true }),
    }),
  ],
  server: {
    port: 3000,
    strictPort: true,
    proxy: { '/graphql': { target: apiTarget, ws: true, changeOrigin: true } },
  },
});
