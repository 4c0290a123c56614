// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const articleCommands = [] as const;
export const articleEvents = [] as const;
