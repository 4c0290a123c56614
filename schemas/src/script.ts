// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const scriptCommands = [] as const;
export const scriptEvents = [] as const;
