/**
 * ExecutionStatus (API.md §6.4). The set keeps growing across ZenML versions,
 * so anything not known to be finished counts as in progress, which is
 * what `body.in_progress` reports.
 */
export const EXECUTION_STATUSES = [
  'initializing',
  'provisioning',
  'queued',
  'running',
  'failed',
  'completed',
  'cached',
  'skipped',
  'retrying',
  'retried',
  'cancelling',
  'cancelled',
  'paused',
  'resuming',
  'stopped',
  'stopping',
] as const;

export const FINISHED_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'completed',
  'cached',
  'skipped',
  'retried',
  'stopped',
  'cancelled',
]);

export function isFinished(status: string): boolean {
  return FINISHED_STATUSES.has(status);
}
