// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const departmentCommands = [] as const;
export const departmentEvents = [] as const;
