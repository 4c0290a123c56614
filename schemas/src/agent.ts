// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const agentCommands = [] as const;
export const agentEvents = [] as const;
