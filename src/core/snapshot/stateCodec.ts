import { bytesEqual, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import type { Checkpoint } from '../checkpoint.ts'
import { checkpointStateRoot } from '../finalWindow.ts'
import { balancesTree, stateRoot } from '../roots.ts'
import { ChannelState } from '../state.ts'
import { readAmm, writeAmm } from './amm.ts'
import { readBooks, writeBooks } from './books.ts'
import { Reader, SnapshotDecodeError, Writer } from './bytesIO.ts'
import { readLedger, writeLedger } from './ledger.ts'
import { readLending, writeLending } from './lending.ts'
import { readPerps, writePerps } from './perps.ts'

export { SnapshotDecodeError }

/** 'CXS' ‖ format: a snapshot of the whole channel state. */
const MAGIC = [0x43, 0x58, 0x53]
const FORMAT = 3

/**
 * The canonical binary form of a ChannelState: everything the fold reads later and everything the state root
 * covers — ledger, deposit and forced attestations, minStake, locks, books, perps (with the funding history shown
 * to users), AMM pools, the lending pool and the counters the fold continues from. Equal states give equal bytes:
 * maps are written in key order, tier weights and attester counts are left out (restore recomputes them). The
 * execution log (`trades`) is display history, not state, and is not included.
 *
 * `magic ‖ u8 format ‖ channelId[32] ‖ u16 P ‖ u16 T ‖ u16 M ‖ u8 modules ‖ ledger ‖ books ‖ perps? ‖ amm? ‖ lending?`
 */
export function encodeState(s: ChannelState): Uint8Array {
  const w = new Writer()
  w.bytes(Uint8Array.from(MAGIC))
  w.num(FORMAT, 1)
  w.bytes(s.channel.channelId)
  w.num(s.P, 2)
  w.num(s.T, 2)
  w.num(s.books.length, 2)
  w.num(modules(s), 1)
  writeLedger(w, s)
  writeBooks(w, s)
  if (s.perps) writePerps(w, s.perps)
  if (s.amm) writeAmm(w, s.amm)
  if (s.lending) writeLending(w, s.lending)
  return w.finish()
}

function modules(s: ChannelState): number {
  return (s.perps ? 1 : 0) | (s.amm ? 2 : 0) | (s.lending ? 4 : 0) | (s.stake.required ? 8 : 0)
}

/**
 * Decodes a snapshot of `channel`'s state. Throws SnapshotDecodeError when the bytes are not the canonical encoding
 * of a state of this channel (another channel, another shape, truncated, padded or non-canonical). A decoded state
 * is only as good as where it came from: restoreAtCheckpoint checks it against a signed checkpoint.
 */
export function decodeState(channel: Channel, bytes: Uint8Array): ChannelState {
  const r = new Reader(bytes)
  r.check(bytesEqual(r.bytes(3), Uint8Array.from(MAGIC)), 'not a state snapshot')
  r.check(r.num(1) === FORMAT, 'unknown snapshot format')
  r.check(bytesEqual(r.bytes(32), channel.channelId), 'snapshot of another channel')
  const s = new ChannelState(channel)
  r.check(r.num(2) === s.P && r.num(2) === s.T && r.num(2) === s.books.length, 'snapshot of another shape')
  r.check(r.num(1) === modules(s), 'snapshot with other modules')
  readLedger(r, s)
  readBooks(r, s)
  // not in the state root, but what TooManyOrders reads: each participant's resting orders, counted from the books
  const resting = new Array<number>(s.P).fill(0)
  for (const book of s.books) for (const o of book.orders()) resting[o.owner] = (resting[o.owner] ?? 0) + 1
  r.check(
    resting.every((n, p) => n === s.openOrders[p]),
    'open order counts differ from the books',
  )
  if (s.perps) readPerps(r, s.perps)
  if (s.amm) readAmm(r, s.amm)
  if (s.lending) readLending(r, s.lending)
  r.end()
  if (!bytesEqual(encodeState(s), bytes)) throw new SnapshotDecodeError('snapshot is not canonical')
  return s
}

/** A snapshot that does not match the checkpoint it claims to be the state of. */
export class SnapshotMismatchError extends Error {
  override name = 'SnapshotMismatchError'
}

/**
 * Restores the state a checkpoint commits to from a snapshot: decodes it, then recomputes the state root (hashed with
 * `windowRoot`, the final window's root the checkpoint commits to beside it: finalWindow.ts), the balances root and
 * the deposit and forced counts and refuses the snapshot unless every one equals the checkpoint's. Never trusts a
 * snapshot blindly, local or received: only the checkpoint (whose signatures the caller checked) vouches for it.
 */
export function restoreAtCheckpoint(
  channel: Channel,
  bytes: Uint8Array,
  cp: Checkpoint,
  windowRoot: Uint8Array,
): ChannelState {
  const s = decodeState(channel, bytes)
  const root = checkpointStateRoot(stateRoot(s), windowRoot)
  if (!bytesEqual(root, cp.stateRoot))
    throw new SnapshotMismatchError(
      `snapshot state root and final window hash to ${toHex(root)}, not checkpoint ${cp.version}'s ${toHex(cp.stateRoot)}`,
    )
  if (s.depositCount !== cp.depositCount || s.forcedCount !== cp.forcedCount)
    throw new SnapshotMismatchError(`snapshot counts differ from checkpoint ${cp.version}'s`)
  if (!bytesEqual(balancesTree(s, cp.version).root, cp.balancesRoot))
    throw new SnapshotMismatchError(`snapshot balances root differs from checkpoint ${cp.version}'s`)
  return s
}
