import { describe, expect, it } from 'vitest'
import { Rng } from '../core/sim/rng.ts'
import { BASES_MAP } from '../sync/peerBases.ts'
import { make, now, peer, restart, root, scenario, settle, transfer } from '../sync/rejoinScenario.ts'
import { DocNet } from '../sync/testing.ts'
import { Rejoiner } from './rejoin.ts'

/** A Rejoiner on participant 2 whose holds are counted (ChannelSession.hold in the runtime). */
function rejoinerOf(c: ReturnType<typeof peer>, stuckMs = 1000) {
  const holds = { open: 0 }
  const rejoiner = new Rejoiner({
    bases: c.bases,
    replica: c.replica,
    make: make(2),
    hold: () => {
      holds.open++
      return () => holds.open--
    },
    stuckMs,
  })
  return { rejoiner, holds }
}

describe('Rejoiner: when the runtime restarts from a peer’s base, and when it holds sealing', () => {
  it('a new device in a pruned channel: held at once, restarts from the newest verified base', () => {
    const { net, peers, a, c } = scenario(21, 'new device')
    net.flush()
    const { rejoiner, holds } = rejoinerOf(c)
    const r = rejoiner.check(0)
    expect(r).toBeDefined()
    expect(holds.open).toBe(1)
    expect(rejoiner.lagging).toBe(true)
    expect(rejoiner.status).toMatchObject({ phase: 'restoring', signers: 2, participants: 3 })
    expect(r!.base.version).toBe(a.replica.prunedVersion)
    // the runtime's restart: a replica from that base, the doc's tail
    restart(c, make(2)())
    c.replica.restore(r!.base)
    c.cd.flush()
    settle(peers, net)
    expect(root(c)).toBe(root(a))
    rejoiner.stop()
    expect(holds.open).toBe(0)
  })

  it('a new channel (everyone empty, nothing offered) is not held: it must author its first blocks', () => {
    const net = new DocNet({ seed: 22 })
    const c = peer(2, net, new Rng(1))
    const { rejoiner, holds } = rejoinerOf(c)
    expect(rejoiner.check(0)).toBeUndefined()
    expect(rejoiner.check(10_000)).toBeUndefined()
    expect(holds.open).toBe(0)
    expect(rejoiner.status.phase).toBe('idle')
  })

  it('stuck with no verifiable base: a clear failure, and a replica holding blocks is not held', () => {
    const { net, a, b, c } = scenario(23, 'returning')
    // nobody offers a base that verifies: 0's entry gone, 1's garbage
    a.bases.destroy()
    b.bases.destroy()
    a.doc.getMap(BASES_MAP).delete('0')
    b.doc.getMap(BASES_MAP).set('1', new Uint8Array([1, 2, 3]))
    a.replica.submit(transfer(1, 1n), now())
    settle([a, b], net)
    const { rejoiner, holds } = rejoinerOf(c)
    expect(rejoiner.check(0)).toBeUndefined()
    expect(rejoiner.status.phase).toBe('idle')
    expect(rejoiner.check(1000)).toBeUndefined()
    expect(rejoiner.status).toMatchObject({ phase: 'failed' })
    if (rejoiner.status.phase === 'failed') expect(rejoiner.status.reason).toMatch(/participant 2: malformed/)
    expect(holds.open).toBe(0)
  })
})
