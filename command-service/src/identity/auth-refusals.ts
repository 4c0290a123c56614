import { CommandRejected } from '../application/errors.js';

/** Refusals more than one part of auth gives. */
export const INVALID_LOGIN = new CommandRejected(401, 'INVALID_CREDENTIALS', 'email or password is wrong');
export const MEMBER_NOT_FOUND = new CommandRejected(404, 'MEMBER_NOT_FOUND', 'no such member', 'userId');
