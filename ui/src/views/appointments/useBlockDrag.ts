import { onBeforeUnmount, ref } from 'vue';
import type { Appointment } from '../../api/scheduling';
import type { DropTarget } from './useCalendar';

/** How far the pointer must travel before a press is a drag rather than a click. */
const THRESHOLD_PX = 5;

/**
 * Dragging appointment blocks with pointer events (mouse, pen and touch alike). The view says what lies under
 * a point (`targetAt`); a press that does not travel is left to the block's click, which opens the details (and
 * is how the keyboard reaches the same move, through the drawer's form).
 */
export const useBlockDrag = (
  targetAt: (x: number, y: number) => DropTarget | undefined,
  onDrop: (appointment: Appointment, target: DropTarget) => void,
) => {
  const dragging = ref<{ appointment: Appointment; target: DropTarget | undefined } | undefined>();
  let press: { appointment: Appointment; x: number; y: number; pointerId: number } | undefined;
  /** A drag ends with a click on whatever lies under the pointer; that click must not open anything. */
  let swallowClick = false;

  const onMove = (event: PointerEvent): void => {
    if (press === undefined || event.pointerId !== press.pointerId) return;
    if (dragging.value === undefined) {
      if (Math.hypot(event.clientX - press.x, event.clientY - press.y) < THRESHOLD_PX) return;
      dragging.value = { appointment: press.appointment, target: undefined };
    }
    dragging.value.target = targetAt(event.clientX, event.clientY);
  };
  const stop = (): void => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onCancel);
    press = undefined;
    dragging.value = undefined;
  };
  const onUp = (event: PointerEvent): void => {
    if (press === undefined || event.pointerId !== press.pointerId) return;
    const drag = dragging.value;
    if (drag !== undefined) {
      swallowClick = true;
      setTimeout(() => (swallowClick = false), 0);
      const target = targetAt(event.clientX, event.clientY);
      if (target !== undefined) onDrop(drag.appointment, target);
    }
    stop();
  };
  const onCancel = (): void => stop();

  const onPointerDown = (event: PointerEvent, appointment: Appointment): void => {
    if (event.button !== 0 || press !== undefined) return;
    press = { appointment, x: event.clientX, y: event.clientY, pointerId: event.pointerId };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onCancel);
  };
  /** For the block's click handler: false right after a drag. */
  const isClick = (): boolean => !swallowClick;

  onBeforeUnmount(stop);
  return { dragging, onPointerDown, isClick };
};

/** The drop target under a point: the nearest element marked with data-drop-date (and its staff, its hours). */
export const dropTargetAt = (
  x: number,
  y: number,
  grid: { start: number; pxPerMinute: number; step: number } | undefined,
): DropTarget | undefined => {
  const cell = document
    .elementsFromPoint(x, y)
    .find((el): el is HTMLElement => el instanceof HTMLElement && el.dataset['dropDate'] !== undefined);
  if (cell === undefined) return undefined;
  const date = cell.dataset['dropDate'] ?? '';
  const resourceId = cell.dataset['dropResource'];
  const base = { date, ...(resourceId !== undefined && resourceId !== '' && { resourceId }) };
  if (grid === undefined) return base;
  const offset = (y - cell.getBoundingClientRect().top) / grid.pxPerMinute;
  const minutes = grid.start + Math.max(0, Math.floor(offset / grid.step) * grid.step);
  return { ...base, minutes: Math.min(minutes, 24 * 60 - grid.step) };
};
