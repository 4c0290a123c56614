// Placeholder until this aggregate's contracts are written; catalog.ts and index.ts already include it.
export const appointmentCommands = [] as const;
export const appointmentEvents = [] as const;
