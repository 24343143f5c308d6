import type { Awareness } from 'y-protocols/awareness'
import type { Hex } from '../core/bytes.ts'
import type { Replica } from '../core/replica.ts'
import { backgroundTimer } from './backgroundTimer.ts'
import { BLOCK_KEY } from './causalOrder.ts'
import type { ChannelDoc } from './channelDoc.ts'

/** What a peer advertises in awareness. Display and catch-up hints only: nothing here is trusted for state. */
export type Presence = {
  v: 1
  /** participant index the peer claims to be */
  participant: number
  /** seq of its own latest block, 0 before the first */
  seq: number
  head: Hex | null
  /** blocks in its replica */
  blocks: number
  /** a few of its DAG heads: ids a peer lacking them will fetch (catchUp.ts) */
  heads: Hex[]
  /** per participant, the seq of the latest block it holds: lets a peer whose storage was wiped see its own */
  seqs: number[]
  /**
   * a browser following the channel read-only because the wallet's session key is in another one (store/runtime.ts
   * `otherDevice`): not the participant's signer, so not counted as that participant online
   */
  follows?: true
}

export const MAX_PRESENCE_HEADS = 8

export function presenceOf(replica: Replica, participant: number, follows = false): Presence {
  const own = replica.latest[participant]
  return {
    v: 1,
    participant,
    seq: own?.seq ?? 0,
    head: own?.hex ?? null,
    blocks: replica.order.length,
    heads: replica.headIds().slice(-MAX_PRESENCE_HEADS),
    seqs: replica.latest.map((n) => n?.seq ?? 0),
    ...(follows ? { follows: true as const } : {}),
  }
}

/** A peer's claims, sanitised, next to what this replica knows of the same participant. */
export type PeerPresence = {
  clientID: number
  /** undefined when the claim is not a participant index of this channel */
  participant: number | undefined
  claimedSeq: number
  /** seq of that participant's latest block in this replica */
  knownSeq: number
  /** how many of that participant's blocks this replica still lacks, by its own claim */
  lag: number
  /** whether its claimed head is a block this replica holds */
  headKnown: boolean
  blocks: number
  /** how many blocks it is behind this replica, by its own claim (negative: ahead) */
  behind: number
  heads: Hex[]
  /** per participant of this channel, the latest seq it claims to hold (0 where malformed) */
  seqs: number[]
}

const count = (x: unknown) => (Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : 0)
const id = (x: unknown) => (typeof x === 'string' && BLOCK_KEY.test(x) ? (x as Hex) : null)

/**
 * Reads remote awareness states defensively: anything malformed becomes a neutral value, lists are capped, and
 * claims are set beside what the replica knows, so a UI can show "claims participant 2, 3 blocks ahead" without
 * believing it.
 */
export function readPresence(states: Map<number, unknown>, replica: Replica, self: number): PeerPresence[] {
  const out: PeerPresence[] = []
  for (const [clientID, state] of states) {
    if (clientID === self || typeof state !== 'object' || state === null) continue
    const p = (state as { presence?: unknown }).presence
    if (typeof p !== 'object' || p === null || (p as { v?: unknown }).v !== 1) continue
    const raw = p as Record<string, unknown>
    // a follower's entry claims no participant: its heads still serve catch-up
    const participant =
      raw.follows !== true &&
      Number.isSafeInteger(raw.participant) &&
      (raw.participant as number) >= 0 &&
      (raw.participant as number) < replica.n
        ? (raw.participant as number)
        : undefined
    const claimedSeq = count(raw.seq)
    const knownSeq = participant === undefined ? 0 : (replica.latest[participant]?.seq ?? 0)
    const head = id(raw.head)
    const heads = Array.isArray(raw.heads)
      ? raw.heads
          .slice(0, MAX_PRESENCE_HEADS)
          .map(id)
          .filter((h): h is Hex => h !== null)
      : []
    const blocks = count(raw.blocks)
    out.push({
      clientID,
      participant,
      claimedSeq,
      knownSeq,
      lag: Math.max(0, claimedSeq - knownSeq),
      headKnown: head !== null && replica.nodes.has(head),
      blocks,
      behind: replica.order.length - blocks,
      heads: head && !heads.includes(head) ? [...heads, head] : heads,
      seqs: Array.from({ length: replica.n }, (_, i) => (Array.isArray(raw.seqs) ? count(raw.seqs[i]) : 0)),
    })
  }
  return out.sort((a, b) => a.clientID - b.clientID)
}

/**
 * Whether the local participant may author: no peer claims a later own block than this replica holds. After
 * this browser's storage is wiped the own-block store is empty, and sealing before the room gave the old blocks
 * back would reuse a seq, i.e. equivocate. Claims are untrusted: a false high claim only delays authoring, which
 * the UI should show ("waiting for your block 12 from peers") rather than hide.
 */
export function authorGate(
  peers: readonly PeerPresence[],
  replica: Replica,
  participant: number,
): { safe: boolean; known: number; claimed: number } {
  const known = replica.latest[participant]?.seq ?? 0
  let claimed = 0
  for (const p of peers) claimed = Math.max(claimed, p.seqs[participant] ?? 0)
  return { safe: claimed <= known, known, claimed }
}

export type StartPresenceParameters = {
  awareness: Awareness
  replica: Replica
  channelDoc: ChannelDoc
  participant: number
  /** this browser follows read-only, the wallet's session key being elsewhere (Presence.follows) */
  follows?: boolean
  /** least time between two local presence updates (ms) */
  throttleMs?: number
}

/**
 * Publishes this peer's presence whenever the channel doc flushes (throttled), and turns the heads other peers
 * advertise into wants, so blocks this peer lacks get fetched by id even when nothing it holds refers to them.
 */
export function startPresence(p: StartPresenceParameters): { peers(): PeerPresence[]; stop(): void } {
  const { awareness, replica, channelDoc } = p
  const throttleMs = p.throttleMs ?? 500
  let cancel: (() => void) | undefined
  const publish = () => {
    cancel = undefined
    awareness.setLocalStateField('presence', presenceOf(replica, p.participant, p.follows === true))
  }
  const schedule = () => {
    cancel ??= backgroundTimer(publish, throttleMs)
  }
  // only the peers whose state just changed: reading all n states on each of the n peers' heartbeats is O(n²) per
  // second per participant, which at 100 participants kept a 2-core machine busy with nothing to do
  const onChange = ({ added, updated }: { added: number[]; updated: number[] }) => {
    const all = awareness.getStates()
    const changed = new Map<number, unknown>()
    for (const c of [...added, ...updated]) if (all.has(c)) changed.set(c, all.get(c))
    const wanted: Hex[] = []
    for (const peer of readPresence(changed, replica, awareness.clientID))
      for (const h of peer.heads) if (!channelDoc.holds(h)) wanted.push(h)
    if (wanted.length > 0) channelDoc.want(wanted)
  }
  const unsubscribe = channelDoc.subscribe(schedule)
  awareness.on('change', onChange)
  publish()
  return {
    peers: () => readPresence(awareness.getStates(), replica, awareness.clientID),
    stop() {
      unsubscribe()
      awareness.off('change', onChange)
      cancel?.()
    },
  }
}
