import { toHex } from '../src/core/bytes.ts'
import { checkpointDigest } from '../src/core/checkpoint.ts'
import { type Op, OpTag } from '../src/core/ops.ts'
import { Replica } from '../src/core/replica.ts'
import { signDigest } from '../src/core/signature.ts'
import type { PrunedBase } from '../src/core/snapshot/base.ts'
import { testDeposits } from '../src/core/testing.ts'
import { type BenchMix, DEPOSIT, makeStream, TAIL_ROUNDS } from './benchStream.ts'

export type PrunedFixture = {
  stream: ReturnType<typeof makeStream>
  /** every block of the channel, in stream order */
  all: Uint8Array[]
  /** the base the replica pruned at (after the newest checkpoint, certified by every participant) */
  base: PrunedBase
  /** the blocks kept after pruning, ancestors first */
  tail: Uint8Array[]
  /** the final state root at the end */
  root: string
  deposits: ReturnType<typeof testDeposits>
}

/**
 * The reload benchmarks' channel (bench:reload in Node, bench:reload:browser in Chromium): a valid signed stream of
 * `ops` ops (benchStream.ts), a checkpoint requested after the last op, signed by every participant in its next
 * block, empty rounds until those are final, then the replica prunes at it.
 */
export function prunedFixture(
  ops: number,
  block: number,
  participants: number,
  mix: BenchMix,
): PrunedFixture {
  const stream = makeStream(participants, ops, 1, block, mix)
  const { tc, writer } = stream
  const deposits = testDeposits(participants, 2, DEPOSIT)
  const live = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
  live.receiveMany(stream.blocks)
  const extra: Uint8Array[] = []
  const rounds = (count: number, make: (a: number, r: number) => Op[]) => {
    const out: Uint8Array[] = []
    for (let r = 0; r < count; r++) {
      for (const m of tc.members) out.push(writer.block(m.index, make(m.index, r)).bytes)
      writer.next()
    }
    live.receiveMany(out)
    extra.push(...out)
  }
  // a checkpoint request after the last op (the Settle button), empty rounds until it is final and computed
  rounds(1 + TAIL_ROUNDS, (a, r) => (a === 0 && r === 0 ? [{ tag: OpTag.CheckpointRequest }] : []))
  const cp = live.heldCheckpoints().at(-1)
  if (!cp) throw new Error('the stream produced no checkpoint')
  // every participant signs it in its next block (a quorum certifies it), empty rounds make those final
  const digest = checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, cp)
  rounds(1 + TAIL_ROUNDS, (a, r) =>
    r === 0
      ? [{ tag: OpTag.Checkpoint, ...cp, signature: signDigest(digest, tc.members[a]!.sessionKey) }]
      : [],
  )
  const base = live.prune()
  if (!base) throw new Error('nothing to prune: the checkpoint is not certified')
  return {
    stream,
    all: [...stream.blocks, ...extra],
    base,
    tail: live.blocksInOrder(),
    root: toHex(live.stateRoot()),
    deposits,
  }
}
