// Placeholder until this aggregate's routes are written; commands/index.ts already includes it.
import type { CommandRoute, Reactions } from './route.js';

export const departmentRoutes: readonly CommandRoute[] = [];
export const departmentReactions: Reactions = {};
