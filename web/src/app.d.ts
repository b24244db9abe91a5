/// <reference types="vite/client" />
// Vite's client types: `?worker` imports (the playground's editor workers) and import.meta.env.
export {};
