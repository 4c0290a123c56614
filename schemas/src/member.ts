// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const memberCommands = [] as const;
export const memberEvents = [] as const;
