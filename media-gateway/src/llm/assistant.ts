import type { LanguageModel, LlmResponse } from './port.js';

/**
 * The offline engine leads and a model assists (LLM_MODE=assist): every reply is the offline engine's — its
 * bookings, messages, callbacks and hand-overs are deterministic and instant — except where it has no good
 * answer (nothing found for a question, a line it did not understand), which the model answers instead, with
 * the same tools and the same guards. A small local model answers worse than the offline engine where that one
 * is sure, and better only where it is not; so the call is never worse than the offline engine's and the
 * model's time is spent only on the lines that need it.
 */
export const withAssistant = (
  lead: LanguageModel,
  assistant: LanguageModel,
  log: (message: string) => void = () => undefined,
): LanguageModel => {
  const warm = assistant.warm?.bind(assistant);
  return {
    name: `${lead.name}+${assistant.name}`,
    respond: async (request): Promise<LlmResponse> => {
      const own = await lead.respond(request);
      // A turn falling back (the assistant's reply refused) keeps the lead's answer.
      if (own.unsure !== true || request.preferFallback === true) return own;
      try {
        const help = await assistant.respond(request);
        // The assistant's own fallback is the lead: its answer is already here.
        return help.fallback === true ? own : help;
      } catch (error) {
        log(`llm: ${assistant.name} could not assist: ${String(error)}; ${lead.name} answers`);
        return own;
      }
    },
    ...(warm && { warm }),
  };
};
