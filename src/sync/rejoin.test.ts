import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Rng } from '../core/sim/rng.ts'
import { decodeBase, encodeBase, type PrunedBase } from '../core/snapshot/base.ts'
import { MAX_OFFERED_BASE_BYTES } from '../core/snapshot/offeredBase.ts'
import { encodeState } from '../core/snapshot/stateCodec.ts'
import { LagWatch } from './lagWatch.ts'
import { BASES_MAP, PeerBases } from './peerBases.ts'
import {
  make,
  now,
  type Peer,
  peer,
  restart,
  root,
  scenario,
  settle,
  tc,
  transfer,
} from './rejoinScenario.ts'
import { DocNet, seededDoc } from './testing.ts'
import { inspectUpdate } from './updateGuard.ts'

describe('a participant behind everyone’s pruning point catches up from a peer’s certified base', () => {
  it('returning after the others pruned: stuck on blocks, restored from the newest base, same root, then trades', () => {
    const { net, peers, a, b, c } = scenario(11, 'returning')
    // the blocks it needs are gone: the tail waits for pruned ancestors and nothing becomes final
    const watch = new LagWatch(1000)
    settle([a, b], net)
    expect(c.replica.bufferedCount).toBeGreaterThan(0)
    expect(root(c)).not.toBe(root(a))
    expect(watch.lagging(c.replica, 0)).toBe(false)
    expect(watch.lagging(c.replica, 1000)).toBe(true)
    const best = c.bases.best(make(2), c.replica.latestCheckpointVersion)
    if (!best.ok) throw new Error(best.reason)
    expect(best.base.version).toBe(a.replica.prunedVersion)
    expect(best.signers).toBeGreaterThanOrEqual(2)
    restart(c, best.replica)
    settle(peers, net)
    expect(root(c)).toBe(root(a))
    expect(root(b)).toBe(root(a))
    expect(new LagWatch(1000).lagging(c.replica, 0)).toBe(false)
    // and it trades: its op becomes final everywhere
    const before = a.replica.state.holdings(0, 0)
    c.replica.submit(transfer(0, 777n), now())
    settle(peers, net)
    for (const p of peers) {
      expect(p.replica.pendingOps).toBe(0)
      expect(p.replica.state.holdings(0, 0)).toBe(before + 777n)
      expect(root(p)).toBe(root(a))
    }
  })

  it('a new device (nothing local) joins the pruned channel from a base and trades', () => {
    const { net, peers, a, c } = scenario(12, 'new device')
    net.flush()
    expect(c.replica.nodes.size).toBe(0)
    expect(new LagWatch().lagging(c.replica, 0)).toBe(true)
    const best = c.bases.best(make(2), c.replica.latestCheckpointVersion)
    if (!best.ok) throw new Error(best.reason)
    restart(c, best.replica)
    settle(peers, net)
    expect(root(c)).toBe(root(a))
    c.replica.submit(transfer(1, 5n), now())
    settle(peers, net)
    for (const p of peers) expect(root(p)).toBe(root(a))
    expect(c.replica.pendingOps).toBe(0)
  })

  it('forged, stale, wrong-root, garbage and oversized bases change nothing and the newest honest one wins', () => {
    const { net, a, b, c, published } = scenario(13, 'returning')
    settle([a, b], net)
    const rootBefore = root(c)
    // participant 1 turns hostile: it stops repairing its entry and offers what it likes
    b.bases.destroy()
    const offer = (bytes: Uint8Array) => {
      b.doc.getMap(BASES_MAP).set('1', bytes)
      net.flush()
    }
    const honest = a.replica.base()!
    const tamper = (f: (x: PrunedBase) => void) => {
      const x = decodeBase(encodeBase(honest))
      f(x)
      return encodeBase(x)
    }
    const sigsOf = (x: PrunedBase) => x.checkpoints.find((k) => k.version === x.version)!.signatures
    const attacks: [string, Uint8Array, RegExp][] = [
      ['too few signatures', tamper((x) => sigsOf(x).delete([...sigsOf(x).keys()][0]!)), /quorum/],
      [
        'forged signatures',
        tamper((x) => {
          for (const [k, s] of sigsOf(x))
            sigsOf(x).set(
              k,
              s.map((v, i) => (i === 10 ? v ^ 1 : v)),
            )
        }),
        /quorum|signature/,
      ],
      // a valid state, but not the one the checkpoint's roots commit to
      ['wrong roots', tamper((x) => (x.state = encodeState(c.replica.state))), /root|mismatch|differ/i],
      ['garbage', new Rng(1).bytes(5000), /malformed/],
      [
        'a rotation',
        tamper((x) => x.epochs[0]!.push({ key: '0x01', fromSeq: 5n, fromVersion: 0n })),
        /rotation/,
      ],
    ]
    // participant 0 offers nothing (yet): every hostile offer alone is refused
    a.bases.destroy()
    a.doc.getMap(BASES_MAP).delete('0')
    net.flush()
    for (const [what, bytes, why] of attacks) {
      offer(bytes)
      const best = c.bases.best(make(2), c.replica.latestCheckpointVersion)
      expect(best.ok, what).toBe(false)
      if (!best.ok) expect(best.refused.map((r) => r.reason).join(), what).toMatch(why)
      expect(root(c), what).toBe(rootBefore)
    }
    // oversized: the ingress guard refuses the update, and a reader ignores such an entry anyway
    const big = new Uint8Array(MAX_OFFERED_BASE_BYTES + 1)
    const probe = seededDoc(new Rng(9))
    probe.getMap(BASES_MAP).set('1', big)
    expect(inspectUpdate(Y.encodeStateAsUpdate(probe))).toBe('entry-oversize')
    // an older certified base from 1 while 0 offers the newest: the newest wins
    const older = published[0]!
    expect(older.version).toBeLessThan(honest.version)
    offer(encodeBase(older))
    const again = new PeerBases({ doc: a.doc, channel: tc.channel, me: 0 })
    again.publish(encodeBase(honest))
    net.flush()
    const best = c.bases.best(make(2), c.replica.latestCheckpointVersion)
    if (!best.ok) throw new Error(best.reason)
    expect(best.from).toBe(0)
    expect(best.base.version).toBe(honest.version)
    // a base no newer than what the replica computed is not offered to it
    const stale = c.bases.best(make(2), honest.version)
    expect(stale.ok).toBe(false)
  })

  it('a participant re-writes its own entry when another writer overwrites it', () => {
    const net = new DocNet({ seed: 14 })
    const ids = new Rng(7)
    const [x, y] = [0, 1].map((i) => peer(i, net, ids)) as [Peer, Peer]
    x.bases.publish(new Uint8Array([1, 2, 3]))
    net.flush()
    y.doc.getMap(BASES_MAP).set('0', new Uint8Array([9]))
    net.flush()
    expect([...(y.doc.getMap(BASES_MAP).get('0') as Uint8Array)]).toEqual([1, 2, 3])
  })
})
