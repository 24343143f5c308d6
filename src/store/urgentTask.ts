type PostTask = (task: () => void, options: { priority: 'user-blocking' }) => Promise<unknown>

/**
 * Runs `task` in a task of its own ahead of ordinary ones where the browser can (the Prioritized Task Scheduling
 * API, `scheduler.postTask` with priority 'user-blocking'), else after a zero timeout. For the channel's block
 * ingestion: a block that arrived should not wait behind chain polls, timers and renders queued before it, and a
 * burst still yields between flushes (each flush is its own task, never a microtask chain).
 */
export function urgentTask(task: () => void): void {
  const scheduler = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler
  if (scheduler?.postTask) void scheduler.postTask(task, { priority: 'user-blocking' })
  else setTimeout(task, 0)
}
