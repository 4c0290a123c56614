/** Each provider's model when neither the platform's settings nor a tenant's connection names one. */
export const DEFAULT_MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest' } as const;
