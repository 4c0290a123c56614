// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const loginCommands = [] as const;
export const loginEvents = [] as const;
