import { computed, ref } from 'vue';
import { ApiError } from '../../api/client';
import { useErrorText } from '../../utils/errors';

/** The API prefixes a validation message with the field's path ("tenantId: ..."); beside the field it is noise. */
const withoutPath = (message: string, field: string): string =>
  message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;

/**
 * A form that sends a command. A refusal naming one of the form's fields (`fields`: the API's paths, such as
 * `settings.timeZone`; `tags` also claims `tags.1`) is shown beside that field; any other refusal above the
 * buttons.
 */
export const useCommandForm = (fields: readonly string[]) => {
  const errorText = useErrorText();
  const error = ref<unknown>();
  const busy = ref(false);

  const owner = (field: string | undefined): string | undefined =>
    field === undefined ? undefined : fields.find((name) => field === name || field.startsWith(`${name}.`));

  /** The API's words for a field of this form, or undefined when it is not at fault. */
  const errorFor = (name: string): string | undefined => {
    const e = error.value;
    if (!(e instanceof ApiError) || e.field === undefined || owner(e.field) !== name) return undefined;
    return withoutPath(e.message, e.field);
  };

  /** A refusal that names no field of this form (a business rule, a conflict, the network...). */
  const formError = computed(() => {
    const e = error.value;
    if (e === undefined) return undefined;
    if (e instanceof ApiError && owner(e.field) !== undefined) return undefined;
    return errorText(e);
  });

  /** Runs the command; resolves true when it was accepted. */
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    busy.value = true;
    error.value = undefined;
    try {
      await work();
      return true;
    } catch (e) {
      error.value = e;
      return false;
    } finally {
      busy.value = false;
    }
  };

  const reset = (): void => {
    error.value = undefined;
  };

  return { error, busy, errorFor, formError, run, reset };
};

export type CommandForm = ReturnType<typeof useCommandForm>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads again until the read side shows what a command just recorded (projections follow the log within a
 * moment), or gives up after a few seconds and keeps what it last read.
 */
export const reloadUntil = async <T>(
  load: () => Promise<T>,
  done: (value: T) => boolean,
  attempts = 20,
): Promise<T> => {
  let value = await load();
  for (let i = 1; i < attempts && !done(value); i++) {
    await sleep(300);
    value = await load();
  }
  return value;
};
