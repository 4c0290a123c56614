// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const callCommands = [] as const;
export const callEvents = [] as const;
export const callUpcasters = [] as const;
