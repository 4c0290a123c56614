import { readFileSync } from 'node:fs';
import boundaries from 'eslint-plugin-boundaries';

// Each top-level folder is a workspace package (@ccp/<name>): others reach it only through its entry files, and a
// package may import only the @ccp packages its package.json declares, all of them below it in LAYERS (checked
// here, so a declared upward dependency fails the lint too). The console (ui) talks to the platform over HTTP
// only; tests may use every package, through its entries.
const LAYERS = [
  'schemas',
  'command-service',
  'projections',
  'stream-processors',
  'media-gateway',
  'query-api',
  'ui',
  'infra',
];
const ORDER =
  'schemas ← command-service ← projections ← stream-processors ← media-gateway / query-api ← infra';

const declaredDependencies = (name) => {
  const manifest = JSON.parse(readFileSync(new URL(`../${name}/package.json`, import.meta.url), 'utf8'));
  const declared = Object.keys(manifest.dependencies ?? {})
    .filter((dependency) => dependency.startsWith('@ccp/'))
    .map((dependency) => dependency.slice('@ccp/'.length));
  const upward = declared.filter((dependency) => !(LAYERS.indexOf(dependency) < LAYERS.indexOf(name)));
  if (upward.length)
    throw new Error(`${name}/package.json depends on ${upward.join(', ')}: the layers run ${ORDER}`);
  return declared;
};
const ALLOWED = {
  ...Object.fromEntries(LAYERS.map((name) => [name, declaredDependencies(name)])),
  tests: LAYERS,
};
const ENTRY_FILES = '!{index,testing,simulator}.ts';

const policies = (layers) =>
  Object.entries(layers).flatMap(([from, below]) => {
    const others = LAYERS.filter((name) => name !== from);
    const above = others.filter((name) => !below.includes(name));
    return [
      ...(above.length
        ? [
            {
              from: { element: { type: from } },
              disallow: { to: { element: { types: { anyOf: above } } } },
              message: `${from} may not depend on {{to.element.type}} (not in its package.json; the layers run ${ORDER})`,
            },
          ]
        : []),
      {
        from: { element: { type: from } },
        disallow: { to: { element: { types: { anyOf: others }, fileInternalPath: ENTRY_FILES } } },
        message: 'import @ccp/{{to.element.type}} (its index.ts), not a file inside it',
      },
    ];
  });

export const packageBoundaries = [
  {
    plugins: { boundaries },
    settings: {
      'boundaries/elements': Object.keys(ALLOWED).map((name) => ({
        type: name,
        pattern: name,
        partialMatch: false,
      })),
      'import/resolver': { typescript: { project: ['tsconfig.json'] }, node: true },
    },
    rules: { 'boundaries/dependencies': ['error', { default: 'allow', policies: policies(ALLOWED) }] },
  },
  {
    // A package's own tests may bring up what sits above it (the Kafka bus test starts infra's broker).
    files: ['**/*.test.ts'],
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: policies(Object.fromEntries(Object.keys(ALLOWED).map((name) => [name, LAYERS]))),
        },
      ],
    },
  },
];
