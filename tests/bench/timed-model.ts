import type { LanguageModel } from '@ccp/media-gateway';

/** The model as the gateway calls it, each answer's time (ms, failures included) pushed to `into`. */
export const timedModel =
  (into: number[]) =>
  (model: LanguageModel): LanguageModel => ({
    name: model.name,
    respond: async (request) => {
      const started = performance.now();
      try {
        return await model.respond(request);
      } finally {
        into.push(performance.now() - started);
      }
    },
  });
