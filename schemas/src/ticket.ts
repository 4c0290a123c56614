// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const ticketCommands = [] as const;
export const ticketEvents = [] as const;
