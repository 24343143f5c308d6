import { describe, expect, it } from 'vitest'
import type { Hex } from '../core/bytes.ts'
import { OpTag } from '../core/ops.ts'
import { Rng } from '../core/sim/rng.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { now, type Peer, peer, settle, transfer } from './rejoinScenario.ts'
import { DocNet } from './testing.ts'

const has = (p: Peer, id: Hex) => p.doc.getMap(BLOCKS_MAP).has(id)

/** Participants 0 and 1 trade (checkpoints on request) until quiet; `steps` times. */
function trade(peers: Peer[], net: DocNet, steps: number): void {
  for (let k = 0; k < steps; k++) {
    for (const p of peers) p.replica.submit(transfer((p.index + 1) % 3, 1n), now())
    peers[0]!.replica.submit({ tag: OpTag.CheckpointRequest }, now())
    settle(peers, net)
  }
}

/**
 * Participant 2 seals a block X while cut off; the others trade on past the expiry horizon (D + K rounds, K = D)
 * without pruning; then everything is delivered both ways. X expires everywhere (core CONTEXT.md, "Chain restart"):
 * at 2 it leaves the pending tail, at 0 and 1 it joins as a header, the prev of 2's next block.
 */
function expiredScenario(seed: number) {
  const net = new DocNet({ seed })
  const ids = new Rng(0x5eed + seed)
  const peers = [0, 1, 2].map((i) => peer(i, net, ids))
  const [a, b, c] = peers as [Peer, Peer, Peer]
  trade(peers, net, 2)
  net.isolate(c.doc)
  c.replica.submit(transfer(0, 1n), now())
  settle([c], net)
  const x = c.replica.latest[2]!
  trade([a, b], net, 4)
  expect(a.replica.dag.expiredBelow).toBeGreaterThan(x.round)
  net.heal()
  net.flush()
  for (const p of peers) expect(p.replica.nodes.get(x.hex)?.expired).toBe(true)
  return { net, peers, a, b, c, x: x.hex }
}

describe('the entry of an expired block (issue #7)', () => {
  it('stays while its author may still extend its chain from it: a pruning does not drop it', () => {
    const { peers, a, x } = expiredScenario(31)
    for (const p of peers) expect(p.replica.isSpent(p.replica.nodes.get(x)!)).toBe(false)
    expect(a.replica.prune()).toBeDefined()
    a.cd.dropPruned()
    for (const p of peers) expect(has(p, x)).toBe(true)
  })

  it('goes once its author’s chain passed it below a certified checkpoint: nobody repairs its deletion', () => {
    const { net, peers, a, b, c, x } = expiredScenario(32)
    // 2 trades again: its next block (prev X) and later ones become final, and checkpoints pass them
    trade(peers, net, 4)
    const repaired = peers.map((p) => p.cd.stats.repaired)
    // 0 and 1 prune (X, a header no longer its author's latest, is forgotten with the stubs); 2 does not prune
    for (const p of [a, b]) {
      expect(p.replica.prune()).toBeDefined()
      p.cd.dropPruned()
    }
    net.flush()
    settle(peers, net)
    // 2 still holds X (it never pruned) and, knowing the checkpoint, takes the deletion as final
    expect(c.replica.nodes.get(x)?.expired).toBe(true)
    expect(c.replica.isSpent(c.replica.nodes.get(x)!)).toBe(true)
    for (const p of peers) expect(has(p, x), `entry of X at ${p.index}`).toBe(false)
    expect(peers.map((p) => p.cd.stats.repaired)).toEqual(repaired)
  })
})
