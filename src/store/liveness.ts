/**
 * Presence and finality in plain words: who is online (from awareness heartbeats, so a closed tab or a dropped
 * connection shows as offline within seconds instead of awareness's 30 s timeout), since when, and why operations
 * are still pending. Pure: the runtime feeds it awareness timestamps, the UI shows the text.
 */

/** How often the app re-announces its presence (ms). */
export const HEARTBEAT_MS = 1000
/**
 * Whether a heartbeat tick (every `beatMs`) should announce: not when this tab's awareness state went out less than
 * `beatMs` ago (a presence update while blocks flow: peers heard from us then, and a tick later will announce if
 * nothing else does, so the longest silence stays under 2·beatMs, well inside OFFLINE_AFTER_MS). Saves every peer
 * one awareness update per participant and second while trading.
 */
export function heartbeatDue(lastSentMs: number | undefined, now: number, beatMs = HEARTBEAT_MS): boolean {
  return lastSentMs === undefined || now - lastSentMs >= beatMs
}

/** A participant not heard from for this long is offline (ms): a few missed heartbeats. */
export const OFFLINE_AFTER_MS = 4000

/** One awareness entry: the participant it claims to be and when its state last arrived (local ms). */
export type Seen = { participant: number | undefined; lastUpdated: number }

export type Liveness = {
  online: boolean
  /**
   * online: since when this page has seen it online; offline: when it was last heard from (undefined if this
   * page never saw it)
   */
  since: number | undefined
}

/** Updates each participant's liveness from the awareness entries seen now. The local participant is online. */
export function updateLiveness(
  prev: readonly Liveness[],
  n: number,
  me: number,
  seen: readonly Seen[],
  now: number,
  offlineAfterMs = OFFLINE_AFTER_MS,
): Liveness[] {
  const last = new Array<number | undefined>(n).fill(undefined)
  for (const s of seen)
    if (s.participant !== undefined && s.participant >= 0 && s.participant < n)
      last[s.participant] = Math.max(last[s.participant] ?? 0, s.lastUpdated)
  return Array.from({ length: n }, (_, p) => {
    const before = prev[p]
    if (p === me) return { online: true, since: before?.online ? before.since : now }
    const heard = last[p]
    const online = heard !== undefined && now - heard < offlineAfterMs
    if (online) return { online, since: before?.online ? before.since : now }
    return { online: false, since: heard ?? before?.since }
  })
}

export type FinalityInput = {
  /** ops applied locally and not final yet (blocks without ops, acknowledgements, are not the user's concern) */
  pendingOps: number
  /** the round of the oldest block with ops not final yet, if known */
  oldestPendingRound: number | undefined
  n: number
  /** the channel's quorum */
  q: number
  names: readonly string[]
  liveness: readonly Liveness[]
  /** how to show a time (e.g. 12:03) */
  time: (ms: number) => string
  /** the channel is finalized on chain: what is still pending never becomes final (nor is it paid) */
  finalized?: boolean
}

const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`

/** "C offline since 12:03", "C not seen yet". */
export function offlineList(input: Pick<FinalityInput, 'names' | 'liveness' | 'time'>): string[] {
  return input.liveness.flatMap((l, p) =>
    l.online
      ? []
      : [
          `${input.names[p]} ${l.since === undefined ? 'not seen yet' : `offline since ${input.time(l.since)}`}`,
        ],
  )
}

/**
 * The header line in words: whether everything is final, and if not, what it waits for. Commits need blocks from
 * q participants, so with fewer than q online nothing new becomes final until enough come back.
 */
export function finalityText(input: FinalityInput): string {
  const online = input.liveness.filter((l) => l.online).length
  const who = `${online} of ${input.n} participants online`
  const offline = offlineList(input)
  const away = offline.length > 0 ? ` · ${offline.join(', ')}` : ''
  if (input.pendingOps === 0) return `Everything is final · ${who}${away}`
  const what = `${plural(input.pendingOps, 'operation')} pending`
  if (input.finalized)
    return `${what} will never be final: the channel is finalized on chain, and it paid out the checkpoint it settled at`
  if (online < input.q)
    return `${what}: nothing can become final until ${plural(input.q - online, 'more participant')} ${
      input.q - online === 1 ? 'comes' : 'come'
    } online (${input.q} of ${input.n} needed) · ${who}${away}`
  const round =
    input.oldestPendingRound === undefined ? 'the next round' : `round ${input.oldestPendingRound}`
  return `${what}: waiting for ${round} to commit · ${who} (${input.q} needed)${away}`
}
