import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents, generated from the reviewed contract (`schema.graphql`).
 * One output per consumer; today the dashboard is the only one (`npm run codegen`).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'web/src/lib/graphql/operations/*.graphql',
  ignoreNoDocuments: false,
  generates: {
    'web/src/lib/graphql/generated/': {
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
  },
};

export default config;
