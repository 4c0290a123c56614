/** Online backups of the embedded platform's data directory, their restore, and the erasure ledger. */
export * from './erasure-ledger.js';
export * from './manifest.js';
export * from './restore.js';
export * from './scheduled-backups.js';
export * from './take-backup.js';
export * from './offsite.js';
export * from './s3-offsite.js';
