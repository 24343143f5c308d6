/**
 * A timer for work nobody waits on — the UI snapshot, the doc's IndexedDB copy, forwarding peers' updates and
 * awareness, presence — that runs at the browser's background priority (`scheduler.postTask`, Chromium), so a task
 * on the critical path of finality that is queued at the same time goes first: the IndexedDB commit of an own block
 * completing (then it is published), a block arriving over WebRTC or the relay (then it is validated and the next
 * round sealed). bench:sync, 5 contexts on 2 cores: each renderer is busy about half of every second, and every hop
 * of the critical path waited in line behind such work (docs/BENCHMARKS.md). Background tasks still run whenever
 * nothing more urgent is queued, i.e. within a renderer's idle half. Where there is no task scheduler (Node: the
 * agent, tests; other browsers) it is `setTimeout`.
 *
 * Returns a cancel function; a cancelled timer never runs.
 */
export function backgroundTimer(run: () => void, ms: number): () => void {
  const scheduler = (globalThis as { scheduler?: PostTaskScheduler }).scheduler
  if (typeof scheduler?.postTask !== 'function') {
    const t = setTimeout(run, ms)
    return () => clearTimeout(t)
  }
  const abort = new AbortController()
  const task = () => {
    try {
      run()
    } catch (e) {
      // reported like an error thrown in any task (the task's promise would swallow it)
      reportError(e)
    }
  }
  scheduler.postTask(task, { priority: 'background', delay: ms, signal: abort.signal }).catch(() => {
    // aborted: cancelled before it ran
  })
  return () => abort.abort()
}

type PostTaskScheduler = {
  postTask(
    run: () => void,
    options: { priority: 'background'; delay: number; signal: AbortSignal },
  ): Promise<unknown>
}
