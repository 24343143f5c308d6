import { describe, expect, it } from 'vitest'
import { decodeBlock } from './block.ts'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { Rng } from './sim/rng.ts'
import { pruneTraffic } from './snapshot/pruneTraffic.fixture.ts'

const P = 4
const { channel, options, traffic, network } = pruneTraffic(P, 'own-signature-resume')

/** versions of the checkpoint signatures author `a` carried in `blocks` */
const signedVersions = (blocks: Uint8Array[], a: number) =>
  blocks
    .map((b) => decodeBlock(b))
    .filter((b) => channel.config.participants[a]!.address === `0x${Buffer.from(b.author).toString('hex')}`)
    .flatMap((b) => b.ops.filter((op) => op.tag === OpTag.Checkpoint).map((op) => op.version))

describe('a replica that replays blocks its own key wrote (another device, or before a restart from a base)', () => {
  it('takes every version its key signed there as signed: it never signs one of them again', () => {
    const net = network()
    const rng = new Rng(5)
    const clock = { now: 0 }
    traffic(net, rng, 300, clock)
    const before = net[2]!.blocksInOrder()
    const signed = signedVersions(before, 1)
    expect(signed.length).toBeGreaterThan(1)
    const highest = signed.reduce((x, y) => (y > x ? y : x))
    // participant 1 on a fresh device: the blocks, then its first seal (the old device is gone)
    const fresh = new Replica(channel, options(1))
    fresh.receiveMany(before)
    expect(fresh.latestCheckpointVersion).toBe(highest)
    fresh.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n }, clock.now)
    const sealed = fresh.tick(clock.now)
    expect(sealed).toBeDefined()
    expect(signedVersions([sealed!], 1)).toEqual([])
    // and the channel goes on: the next version is signed once, as usual
    const live = [net[0]!, fresh, net[2]!, net[3]!]
    for (const r of live) if (r !== fresh) r.receive(sealed!)
    net[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(live, rng, 60, clock)
    const after = signedVersions(net[2]!.blocksInOrder(), 1)
    expect(after.filter((v) => v > highest).length).toBeGreaterThan(0)
    expect(new Set(after).size).toBe(after.length)
  })
})
