import { computed, nextTick, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useMessage } from 'naive-ui';
import { can } from '../../access';
import { ApiError } from '../../api/client';
import { useSessionStore } from '../../stores/session';
import { useErrorText } from '../../utils/errors';

/** The API's message without the field path it starts with ("name: Too small…" → "Too small…"). */
const messageOf = (error: ApiError): string =>
  error.field !== undefined && error.message.startsWith(`${error.field}: `)
    ? error.message.slice(error.field.length + 2)
    : error.message;

/**
 * A form that sends one command at a time and shows the API's refusal where it belongs: next to the field the
 * API named (its path, such as `routing.maxQueueWaitSeconds` or `settings.ivrMenus.0.options.1.digit`), or at
 * the top of the form when the field is not one the form shows.
 *
 * @param shown the paths (or path prefixes) of the fields the form shows.
 */
export const useCommandForm = (shown: () => readonly string[]) => {
  const error = ref<unknown>();
  const busy = ref(false);
  const errorText = useErrorText();

  const matches = (field: string, path: string): boolean => field === path || field.startsWith(`${path}.`);

  /** The API's message for this field (or anything inside it), when the last attempt failed there. */
  const fieldError = (path: string): string | undefined => {
    const e = error.value;
    if (!(e instanceof ApiError) || e.field === undefined) return undefined;
    return matches(e.field, path) ? messageOf(e) : undefined;
  };

  /** A failure no field of the form shows. */
  const formError = computed<string | undefined>(() => {
    const e = error.value;
    if (e === undefined) return undefined;
    if (
      e instanceof ApiError &&
      e.field !== undefined &&
      shown().some((path) => matches(e.field ?? '', path))
    ) {
      return undefined;
    }
    return errorText(e);
  });

  /** Runs the work; true when it went through, false when it failed (the failure is then shown). */
  const submit = async (work: () => Promise<unknown>): Promise<boolean> => {
    // The form being sent is the one whose button has the focus.
    const form = document.activeElement?.closest('form') ?? undefined;
    busy.value = true;
    error.value = undefined;
    try {
      await work();
      return true;
    } catch (e) {
      error.value = e;
      await reveal(form);
      return false;
    } finally {
      busy.value = false;
    }
  };

  const reset = (): void => {
    error.value = undefined;
  };

  return { error, busy, fieldError, formError, submit, reset };
};

/**
 * Brings the refusal into view, in a long form or a scrolled drawer: the field at fault gets the focus (its
 * message is tied to it and read out), or else the form's own alert is scrolled to.
 */
const reveal = async (form: HTMLFormElement | undefined): Promise<void> => {
  await nextTick();
  const root: ParentNode = form ?? document;
  const field = root.querySelector('.admin-field.invalid');
  const control = field?.querySelector<HTMLElement>('input, select, textarea');
  if (field && control) {
    field.scrollIntoView({ block: 'center' });
    control.focus({ preventScroll: true });
    return;
  }
  root.querySelector('.admin-form-alert, .admin-inline-error')?.scrollIntoView({ block: 'center' });
};

/** What the signed-in person may do here, and the tenant their commands name. */
export const useAdminSession = () => {
  const session = useSessionStore();
  return {
    session,
    tenantId: (): string => session.tenantId ?? '',
    /** Departments, agents and numbers: tenant admins (supervisors read them). */
    canConfigure: computed(() => can(session.role, 'configure')),
    /** Articles and scripts: tenant admins and supervisors. */
    canEditKnowledge: computed(() => can(session.role, 'knowledge')),
  };
};

/** A one-off action from a list (publish, enable, archive…): success or the API's refusal as a toast. */
export const useRowAction = () => {
  const message = useMessage();
  const errorText = useErrorText();
  const { t } = useI18n();
  const pending = ref<string | undefined>();
  const run = async (key: string, work: () => Promise<unknown>, done: string): Promise<boolean> => {
    pending.value = key;
    try {
      await work();
      message.success(done);
      return true;
    } catch (e) {
      message.error(errorText(e), { duration: 8000 });
      return false;
    } finally {
      pending.value = undefined;
    }
  };
  return { pending, run, t };
};

/** "Bright Smile – Sales!" → "bright-smile-sales": an id the API accepts (letters, digits, "-", up to 80). */
export const slugOf = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');

/** "en, es-MX ,," → ["en", "es-MX"]. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** A number typed in a field: undefined when empty (the API's default or refusal then applies). */
export const numberOf = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** Keeps keys whose value is undefined out of a command, as JSON would. */
export const defined = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
