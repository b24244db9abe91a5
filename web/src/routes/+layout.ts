// A client-rendered SPA: the API serves the fallback page for every route and data comes over GraphQL.
export const ssr = false;
export const prerender = false;
