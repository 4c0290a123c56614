import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { packageBoundaries } from './infra/lint-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/**', '**/dist/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Requests to addresses a tenant chose go through the outbound guard (command-service/src/net), never a bare
    // fetch: a bare one would reach loopback, private and link-local addresses.
    files: [
      'command-service/src/**/*.ts',
      'query-api/src/**/*.ts',
      'stream-processors/src/**/*.ts',
      'projections/src/**/*.ts',
      'media-gateway/src/**/*.ts',
    ],
    ignores: ['**/*.test.ts', 'media-gateway/src/simulator/**', 'command-service/src/net/outbound-guard.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message: "call URLs through the platform's outbound guard (PlatformContext.outbound)",
        },
      ],
    },
  },
  ...packageBoundaries,
  {
    // A module past this has more than one responsibility: split it (its path can stay as the entry).
    files: ['*/src/**/*.ts', 'infra/**/*.ts'],
    // The console's message catalogues are data, one line per text.
    ignores: ['**/*.test.ts', 'ui/src/i18n/**'],
    rules: { 'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
