/** @ccp/schemas: every command and event (zod schema = validator + type + JSON Schema), the envelope, upcasters, plans. */
export * from './src/index.js';
