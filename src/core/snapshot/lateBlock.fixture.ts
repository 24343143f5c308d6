import { expect } from 'vitest'
import { blockId, decodeBlock } from '../block.ts'
import { fromHex, toHex } from '../bytes.ts'
import { OpTag } from '../ops.ts'
import { Rng } from '../sim/rng.ts'
import { decodeBase, encodeBase } from './base.ts'
import type { PrunedRef } from './frontier.ts'
import { pruneTraffic } from './pruneTraffic.fixture.ts'
import { sealOf } from './stubSeal.ts'

export const late = pruneTraffic(4, 'diverged-joiner')

/**
 * Participant 3 seals X, which reaches nobody while 0–2 trade on, checkpoint and prune past its round (`honest`, the
 * base 0 offers then); then X reaches everyone and the channel commits it. `xRef` is X as a stub of a base.
 */
export function lateBlockScenario({ channel, traffic, network }: ReturnType<typeof pruneTraffic>) {
  const net = network()
  const rng = new Rng(41)
  const clock = { now: 0 }
  traffic(net, rng, 200, clock)
  net[3]!.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n }, clock.now)
  const x = decodeBlock(net[3]!.tick(clock.now)!)
  const live = net.slice(0, 3)
  traffic(live, rng, 100, clock)
  net[0]!.submit({ tag: OpTag.CheckpointRequest })
  traffic(live, rng, 40, clock)
  const honest = net[0]!.prune()!
  expect(honest).toBeDefined()
  const xId = toHex(blockId(x, channel.domainSeparator))
  expect(Number(x.round)).toBeLessThan(honest.nextRound - 1)
  expect(honest.frontier.some((r) => r.id === xId)).toBe(false)
  // X and everything else reaches everyone; the channel goes on and commits X
  net[3]!.receiveMany(net[1]!.blocksInOrder())
  for (const r of live) r.receiveMany(net[3]!.blocksInOrder())
  traffic(net, rng, 100, clock)
  expect(net[1]!.isFinal(net[1]!.nodes.get(xId)!)).toBe(true)
  const xRef: PrunedRef = {
    id: xId,
    author: channel.config.participants.findIndex((p) =>
      fromHex(p.address, 20).every((v, i) => v === x.author[i]),
    ),
    seq: Number(x.seq),
    round: Number(x.round),
    time: x.time,
    seal: sealOf(x),
  }
  return { net, rng, clock, honest, xRef, tail: () => net[1]!.blocksInOrder() }
}

/**
 * The scenario above with the forgery a Byzantine pruner can make of 0's base (CONTEXT.md, "What remains the peer's
 * word"): X as an expired stub. A joiner restored from it never applies X's ops, and its state leaves the channel's.
 */
export function lateBlockChannel() {
  const s = lateBlockScenario(late)
  const forged = decodeBase(encodeBase(s.honest))
  forged.frontier.push({ ...s.xRef, expired: true })
  return { ...s, forged }
}
