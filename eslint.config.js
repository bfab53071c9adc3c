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
  ],
  patterns: [
    {
      group: ['**/db/sqlite*', '**/db/migrate*'],
      message: 'Use the Store seam, not its SQLite implementation.',
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
    files: ['src/modules/**/*.repository.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...driverImports,
          paths: [
            ...driverImports.paths,
            { name: 'fastify', message: 'Repositories never import Fastify.' },
          ],
          patterns: [
            ...driverImports.patterns,
            { group: ['**/*.routes*'], message: 'Layers point one way.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/modules/**/*.routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...driverImports,
          paths: [
            ...driverImports.paths,
            {
              name: 'drizzle-orm',
              message: 'Routes never build queries; call the repository or service.',
            },
          ],
        },
      ],
    },
  },
  eslintConfigPrettier,
);
