import { computed, ref, watch } from 'vue';
import { useI18n } from 'vue-i18n';
import { useMessage } from 'naive-ui';
import { can } from '../../access';
import { command, config } from '../../api/admin';
import {
  appointmentsIn,
  scheduling,
  type Appointment,
  type Resource,
  type Service,
} from '../../api/scheduling';
import { useSessionStore } from '../../stores/session';
import { useErrorText } from '../../utils/errors';
import { readUntil } from '../campaigns/read-after-write';
import { daysOf, instantOf, minutesOf, rangeOf, stepOf, wallOf, type CalendarMode } from './calendar-time';

/** Where a dragged appointment was dropped: a day, a time of day, and (in the day view) a staff column. */
export interface DropTarget {
  date: string;
  /** Absent in the month view: the appointment keeps its time of day. */
  minutes?: number;
  /** Absent: the appointment keeps its resource. */
  resourceId?: string;
}

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * The calendar's state: the period shown, the staff filter, the appointments in it, and moves. A move is shown
 * at once where it was dropped and sent as RescheduleAppointment; a refusal puts the block back and says why.
 */
export const useCalendar = () => {
  const { t, locale } = useI18n();
  const message = useMessage();
  const errorText = useErrorText();
  const session = useSessionStore();

  const zone = ref(browserZone());
  const mode = ref<CalendarMode>('week');
  const anchor = ref(wallOf(new Date().toISOString(), zone.value).date);
  const staffFilter = ref('');
  const resources = ref<Resource[]>([]);
  const services = ref<Service[]>([]);
  const loaded = ref<Appointment[]>([]);
  const loading = ref(true);
  const loadError = ref<unknown>();
  const moveError = ref<string | undefined>();
  /** Moves sent and not yet answered: shown where they were dropped. */
  const pending = ref(new Map<string, { startsAt: string; endsAt: string; resourceId?: string }>());

  const days = computed(() => daysOf(mode.value, anchor.value));
  const staff = computed(() => resources.value.filter((r) => !r.removed));

  const appointments = computed<Appointment[]>(() =>
    loaded.value
      .map((a) => {
        const moved = pending.value.get(a.appointmentId);
        return moved === undefined
          ? a
          : { ...a, ...moved, ...(moved.resourceId !== undefined && { resourceId: moved.resourceId }) };
      })
      .filter((a) => staffFilter.value === '' || a.resourceId === staffFilter.value),
  );

  const timeFormat = computed(
    () =>
      new Intl.DateTimeFormat(locale.value === 'es' ? 'es-ES' : 'en-US', {
        timeZone: zone.value,
        hour: 'numeric',
        minute: '2-digit',
      }),
  );
  const timeOf = (iso: string): string => timeFormat.value.format(new Date(iso));
  const dateTimeOf = (iso: string): string =>
    new Intl.DateTimeFormat(locale.value === 'es' ? 'es-ES' : 'en-US', {
      timeZone: zone.value,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(new Date(iso));

  /** The hours the time grid shows: the working hours of the staff shown and every appointment, whole hours. */
  const hours = computed(() => {
    const shown =
      staffFilter.value === '' ? staff.value : staff.value.filter((r) => r.resourceId === staffFilter.value);
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const r of shown) {
      for (const i of r.workingHours) {
        first = Math.min(first, minutesOf(i.open));
        last = Math.max(last, minutesOf(i.close));
      }
    }
    for (const a of appointments.value) {
      const start = wallOf(a.startsAt, zone.value);
      const end = wallOf(a.endsAt, zone.value);
      first = Math.min(first, start.minutes);
      last = Math.max(last, end.date === start.date ? end.minutes : 24 * 60);
    }
    if (!Number.isFinite(first)) return { start: 8 * 60, end: 18 * 60 };
    return { start: Math.floor(first / 60) * 60, end: Math.min(24 * 60, Math.ceil(last / 60) * 60) };
  });

  let controller: AbortController | undefined;
  const loadAppointments = async (): Promise<void> => {
    controller?.abort();
    controller = new AbortController();
    loading.value = true;
    loadError.value = undefined;
    try {
      loaded.value = await appointmentsIn(rangeOf(days.value, zone.value), controller.signal);
      loading.value = false;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      loadError.value = e;
      loading.value = false;
    }
  };

  const load = async (): Promise<void> => {
    try {
      const [r, s] = await Promise.all([scheduling.resources(), scheduling.services()]);
      resources.value = r;
      services.value = s;
      // The tenant's zone is the tenant admin's to read; everyone else sees the zone the staff work in.
      const tenantZone = can(session.role, 'team')
        ? await config.tenant().then(
            (tenant) => tenant.settings.timeZone,
            () => undefined,
          )
        : undefined;
      const next = tenantZone ?? r.find((x) => !x.removed)?.timeZone ?? zone.value;
      if (next !== zone.value) {
        zone.value = next;
        anchor.value = wallOf(new Date().toISOString(), next).date;
      }
    } catch (e) {
      loadError.value = e;
    }
    await loadAppointments();
  };
  watch([days, zone], loadAppointments);

  const step = (direction: 1 | -1): void => {
    anchor.value = stepOf(mode.value, anchor.value, direction);
  };
  const today = (): void => {
    anchor.value = wallOf(new Date().toISOString(), zone.value).date;
  };
  const showDay = (date: string): void => {
    anchor.value = date;
    mode.value = 'day';
  };

  const nameOf = (resourceId: string | undefined): string =>
    resourceId === undefined
      ? t('appointments.calendar.unassigned')
      : (resources.value.find((r) => r.resourceId === resourceId)?.name ?? resourceId);

  /** Re-reads one appointment until the read side shows what `shows` expects, then the whole period. */
  const settle = async (appointmentId: string, shows: (a: Appointment) => boolean): Promise<void> => {
    await readUntil(
      () => scheduling.appointment(appointmentId).then((answer) => answer.appointment),
      shows,
    ).catch(() => undefined);
    await loadAppointments();
  };

  const move = async (appointment: Appointment, target: DropTarget): Promise<void> => {
    const minutes = target.minutes ?? wallOf(appointment.startsAt, zone.value).minutes;
    const startsAt = instantOf(target.date, minutes, zone.value);
    const resourceId =
      appointment.resourceId === undefined ? undefined : (target.resourceId ?? appointment.resourceId);
    if (startsAt === appointment.startsAt && resourceId === appointment.resourceId) return;
    const endsAt = new Date(Date.parse(startsAt) + appointment.durationMinutes * 60_000).toISOString();
    moveError.value = undefined;
    pending.value.set(appointment.appointmentId, {
      startsAt,
      endsAt,
      ...(resourceId !== undefined && { resourceId }),
    });
    try {
      await command('RescheduleAppointment', {
        tenantId: session.tenantId ?? '',
        appointmentId: appointment.appointmentId,
        startsAt,
        // A placed appointment's reservation moves with it; one without a placement takes no resource.
        ...(resourceId !== undefined && { resourceId }),
      });
      message.success(t('appointments.calendar.moved', { time: dateTimeOf(startsAt) }));
      await settle(appointment.appointmentId, (a) => a.startsAt === startsAt);
    } catch (e) {
      moveError.value = t('appointments.calendar.notMoved', { message: errorText(e) });
    } finally {
      pending.value.delete(appointment.appointmentId);
    }
  };

  return {
    zone,
    mode,
    anchor,
    staffFilter,
    resources,
    staff,
    services,
    appointments,
    loading,
    loadError,
    moveError,
    pending,
    days,
    hours,
    load,
    loadAppointments,
    step,
    today,
    showDay,
    nameOf,
    timeOf,
    dateTimeOf,
    settle,
    move,
  };
};

export type Calendar = ReturnType<typeof useCalendar>;
