import boundaries from 'eslint-plugin-boundaries';

// Each top-level folder is a workspace package (@ccp/<name>): others reach it only through its entry files, and
// only downwards: schemas ← command-service ← projections ← stream-processors ← media-gateway / query-api ← infra.
// The console (ui) talks to the platform over HTTP only; tests may use every package, through its entries.
const LAYERS = {
  schemas: [],
  'command-service': ['schemas'],
  projections: ['schemas', 'command-service'],
  'stream-processors': ['schemas', 'command-service', 'projections'],
  'media-gateway': ['schemas', 'command-service', 'projections', 'stream-processors'],
  'query-api': ['schemas', 'command-service', 'projections', 'stream-processors'],
  ui: [],
  infra: [
    'schemas',
    'command-service',
    'projections',
    'stream-processors',
    'media-gateway',
    'query-api',
    'ui',
  ],
  tests: [
    'schemas',
    'command-service',
    'projections',
    'stream-processors',
    'media-gateway',
    'query-api',
    'ui',
    'infra',
  ],
};
const PACKAGES = Object.keys(LAYERS).filter((name) => name !== 'tests');
const ENTRY_FILES = '!{index,testing,simulator}.ts';

const policies = (layers) =>
  Object.entries(layers).flatMap(([from, below]) => {
    const others = PACKAGES.filter((name) => name !== from);
    const above = others.filter((name) => !below.includes(name));
    return [
      ...(above.length
        ? [
            {
              from: { element: { type: from } },
              disallow: { to: { element: { types: { anyOf: above } } } },
              message: `${from} may not depend on {{to.element.type}}: the layers run ${'schemas ← command-service ← projections ← stream-processors ← media-gateway / query-api ← infra'}`,
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
      'boundaries/elements': Object.keys(LAYERS).map((name) => ({
        type: name,
        pattern: name,
        partialMatch: false,
      })),
      'import/resolver': { typescript: { project: ['tsconfig.json'] }, node: true },
    },
    rules: { 'boundaries/dependencies': ['error', { default: 'allow', policies: policies(LAYERS) }] },
  },
  {
    // A package's own tests may bring up what sits above it (the Kafka bus test starts infra's broker).
    files: ['**/*.test.ts'],
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: policies(Object.fromEntries(Object.keys(LAYERS).map((name) => [name, PACKAGES]))),
        },
      ],
    },
  },
];
