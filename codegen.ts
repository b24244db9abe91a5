import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents, generated from the reviewed contract (`schema.graphql`).
 * One output per consumer: the dashboard, the typed-client example and the client package (`npm run codegen`).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // Node's ESM resolution (the api example) needs .js on relative imports; Vite accepts it too.
  importExtension: '.js',
  generates: {
    'web/src/lib/graphql/generated/': {
      documents: 'web/src/lib/graphql/operations/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
    // The example of a typed client in another service (README: "Typed clients").
    'api/examples/generated/': {
      documents: 'api/examples/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, strictScalars: true, scalars: { DateTime: 'string', JSON: 'unknown' } },
    },
    // The client package (`client/`): its operations as typed strings, sent with fetch and graphql-ws.
    'client/src/generated/': {
      documents: 'client/src/operations.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
