import eslintConfigPrettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Architecture rules live here so the build fails when a layer boundary is crossed.

const driverImports = {
  paths: [
    {
      name: 'better-sqlite3',
      message: 'Modules reach the database only through the Store (src/db/store.ts).',
    },
    {
      name: 'drizzle-orm/better-sqlite3',
      message: 'Modules reach the database only through the Store.',
    },
    { name: 'pg', message: 'Modules reach the database only through the Store.' },
    {
      name: 'drizzle-orm/node-postgres',
      message: 'Modules reach the database only through the Store.',
    },
  ],
  patterns: [
    {
      group: ['**/db/sqlite*', '**/db/migrate*', '**/db/postgres*', '**/db/schema-pg*'],
      message: 'Use the Store seam, not one of its implementations.',
    },
  ],
};

// Query results are always awaited builders: `.get()/.all()/.run()/.values()` would tie module
// code to a synchronous driver, and `.prepare()` belongs to store.statement().
const driverCalls = [
  {
    selector: 'CallExpression[callee.property.name=/^(get|values)$/][arguments.length=0]',
    message: 'Await the query builder instead of calling .get()/.values() (Store seam).',
  },
  {
    selector:
      "CallExpression[callee.property.name=/^(all|run)$/]:not([callee.object.name='Promise'])",
    message: 'Await the query builder instead of calling .all()/.run() (Store seam).',
  },
  {
    selector: "CallExpression[callee.property.name='prepare']",
    message: 'Prepared statements go through store.statement().',
  },
];

/** The module-wide driver rules plus one layer's own (flat config replaces, never merges, a rule). */
function layerImports(extra) {
  return {
    paths: [...driverImports.paths, ...extra.paths],
    patterns: [...driverImports.patterns, ...extra.patterns],
  };
}

// Repositories and the storage helpers they are built from: rows in, records out.
const dataLayerFiles = [
  'src/modules/**/*.repository.ts',
  'src/modules/articles/articles.embed.ts',
  'src/modules/articles/articles.public.queries.ts',
  'src/modules/articles/articles.revisions.ts',
  'src/modules/articles/articles.search-index.ts',
  'src/modules/shared/keyset.ts',
  'src/modules/shared/record-errors.ts',
  'src/modules/shared/slugs.ts',
  'src/modules/shared/visibility.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'migrations/', 'openapi/'] },
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', driverImports],
      'no-restricted-syntax': ['error', ...driverCalls],
    },
  },
  {
    files: dataLayerFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        layerImports({
          paths: [
            { name: 'fastify', message: 'Repositories never import Fastify.' },
            { name: 'fastify-type-provider-zod', message: 'Repositories never import Fastify.' },
          ],
          patterns: [
            {
              group: ['**/errors.ts', '**/plugins/*'],
              message:
                'Repositories know no HTTP: return undefined or throw a record error (shared/record-errors.ts); the service answers.',
            },
            {
              group: ['**/schemas.ts', '**/*.schemas.ts'],
              message:
                'Repositories take and return records, not the HTTP contract: define the fields here.',
            },
            { group: ['**/*.routes*', '**/*.service*'], message: 'Layers point one way.' },
          ],
        }),
      ],
    },
  },
  {
    files: ['src/modules/**/*.service.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        layerImports({
          paths: [
            { name: 'fastify', message: 'Services never import Fastify: routes do HTTP.' },
            {
              name: 'fastify-type-provider-zod',
              message: 'Services never import Fastify: routes do HTTP.',
            },
            { name: 'drizzle-orm', message: 'Services never build queries: repositories do.' },
          ],
          patterns: [
            { group: ['drizzle-orm/*'], message: 'Services never build queries: repositories do.' },
            { group: ['**/*.routes*', '**/plugins/*'], message: 'Layers point one way.' },
          ],
        }),
      ],
    },
  },
  {
    files: ['src/modules/**/*.routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        layerImports({
          paths: [
            {
              name: 'drizzle-orm',
              message: 'Routes never build queries; call the service.',
            },
          ],
          patterns: [
            { group: ['drizzle-orm/*'], message: 'Routes never build queries; call the service.' },
            {
              group: ['**/db/*', '**/*.repository*'],
              message: 'Routes reach storage only through their service.',
            },
          ],
        }),
      ],
    },
  },
  eslintConfigPrettier,
);
