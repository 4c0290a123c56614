import OpenAI from 'openai';
import { z } from 'zod';
import type { IntentClassifier, IntentResult } from './intent-classifier.js';

export interface LlmIntentOptions {
  readonly apiKey: string;
  /** Any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp); OpenAI's when omitted. */
  readonly baseURL?: string;
  readonly model: string;
  /** The intents to choose from: the same labels as the local classifier, so reports stay comparable. */
  readonly intents: readonly string[];
  /** Used when the LLM fails or answers outside the contract, so a provider outage never stalls the processor. */
  readonly fallback: () => Promise<IntentClassifier>;
  readonly log?: (message: string) => void;
  readonly timeoutMs?: number;
}

/**
 * The LLM implementation of the intent port: one chat completion per utterance, constrained by a JSON schema to
 * one of the known intents with a confidence. Its answer is validated; anything else falls back to the local
 * classifier.
 */
export const createLlmIntentClassifier = (options: LlmIntentOptions): IntentClassifier => {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: options.timeoutMs ?? 10_000,
    maxRetries: 1,
  });
  const Answer = z.object({
    intent: z.enum(options.intents as [string, ...string[]]),
    confidence: z.number().min(0).max(1),
  });
  const system =
    'You classify what a caller to a business wants, from one thing they said on the phone. ' +
    `Answer with the single best intent among: ${options.intents.join(', ')}; ` +
    'and your confidence from 0 to 1 that it is right.';

  return {
    classify: async (text): Promise<IntentResult> => {
      try {
        const completion = await client.chat.completions.create({
          model: options.model,
          temperature: 0,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: text },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'intent',
              strict: true,
              schema: {
                type: 'object',
                properties: {
                  intent: { type: 'string', enum: [...options.intents] },
                  confidence: { type: 'number' },
                },
                required: ['intent', 'confidence'],
                additionalProperties: false,
              },
            },
          },
        });
        const content = completion.choices[0]?.message.content ?? '';
        return Answer.parse(JSON.parse(content));
      } catch (error) {
        options.log?.(`intent: the LLM classifier failed, using the local one: ${String(error)}`);
        return (await options.fallback()).classify(text);
      }
    },
  };
};
