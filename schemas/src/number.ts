// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const numberCommands = [] as const;
export const numberEvents = [] as const;
