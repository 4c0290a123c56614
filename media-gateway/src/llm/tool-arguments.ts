/** JSON objects only: arrays and null are objects to `typeof` but never a tool's arguments. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A tool call's arguments as OpenAI-style servers send them: a JSON text that must hold an object. Some local
 * servers send an empty string for a tool without parameters, which means no arguments rather than a fault.
 * Returns undefined when the text is not a JSON object.
 */
export const parseToolArguments = (text: string): Record<string, unknown> | undefined => {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
};
