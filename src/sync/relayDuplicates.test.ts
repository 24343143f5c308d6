import type { Extension } from '@hocuspocus/server'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { startRelay } from '../../scripts/relay.ts'
import { toHex } from '../core/bytes.ts'
import { OpTag } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelDoc } from './channelDoc.ts'
import { joinRelay, type RelayLink, relayDocName } from './relay.ts'

// Every peer on the relay and on a direct link (WebRTC's place: each update made here is applied at once to every
// other peer's doc, so the relay's copy always comes second). Per block, each peer used to run the relay's copy
// through the guard's inspection and a Yjs decode and apply that changed nothing — and the same for its own
// blocks, which the relay sends back to their sender.

const N = 3
const AMOUNT = 1_000_000n
const tc = makeTestChannel({ participants: N, label: 'relay-duplicates' })
const deposits = testDeposits(N, 2, AMOUNT)
const NAME = relayDocName('chx-dup', 'password')
/** the origin of updates the direct link applies */
const DIRECT = 'direct'

type Peer = {
  doc: Y.Doc
  replica: Replica
  cd: ChannelDoc
  link: RelayLink
  noops: () => number
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function peer(index: number, url: string): Peer {
  const doc = new Y.Doc()
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index, schedule: (f) => setTimeout(f, 0) })
  const timer = setInterval(() => {
    const sealed = replica.tick(Date.now())
    if (sealed) cd.publishOwn(sealed)
  }, 2)
  // no periodic resync: every relay sync message below is a block update (or the first sync); forwards every 3 s:
  // on a loaded machine the relay's copies of the last blocks can take longer than a second
  const link = joinRelay({
    url,
    name: NAME,
    doc,
    WebSocket,
    resyncMs: 600_000,
    fromPeer: (o) => o === DIRECT,
    forwardMs: 3000,
  })
  // relay messages Yjs decoded and applied without any change
  let noops = 0
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.origin !== link.provider || tr.deleteSet.clients.size > 0) return
    const before = tr.beforeState
    if ([...tr.afterState].every(([c, clock]) => before.get(c) === clock)) noops++
  })
  cleanups.push(() => {
    clearInterval(timer)
    link.destroy()
    cd.destroy()
    doc.destroy()
  })
  return { doc, replica, cd, link, noops: () => noops }
}

/** Each update a peer makes itself reaches the others at once (minus what `drop` says), before the relay's copy. */
function directLinks(peers: Peer[], drop: () => boolean = () => false): void {
  for (const p of peers)
    p.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === DIRECT || origin === p.link.provider) return
      for (const q of peers) if (q !== p && !drop()) Y.applyUpdate(q.doc, u, DIRECT)
    })
}

async function trade(peers: Peer[], rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of peers.entries()) {
      const { sealed } = p.replica.submit(
        { tag: OpTag.Transfer, to: (i + 1) % N, token: 0, amount: 1n },
        Date.now(),
      )
      if (sealed) p.cd.publishOwn(sealed)
    }
    await sleep(20)
  }
}

/** Every peer holds the same state with `transfers` transfers final (how many blocks carry them depends on timing). */
async function converged(peers: Peer[], transfers: number, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const roots = peers.map((p) => toHex(p.replica.stateRoot()))
    if (roots.every((r) => r === roots[0]) && peers.every((p) => finalTransfers(p) >= transfers)) return
    if (Date.now() > end) throw new Error(`no convergence: ${peers.map(finalTransfers)}`)
    await sleep(50)
  }
}

function finalTransfers(p: Peer): number {
  let n = 0
  for (const node of p.replica.order.slice(0, p.replica.finalCount))
    node.block.ops.forEach((op, i) => {
      if (op.tag === OpTag.Transfer && node.results[i] === Reject.None) n++
    })
  return n
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a block that came over the direct link first: the relay copy costs no decode (bench:sync, issue #8)', () => {
  it('the relay copy of every block and the echo of our own are dropped as duplicates, never applied; what the relay sent is not forwarded back to it', async () => {
    // block entries the relay receives in doc updates: each author's own, and the peers' forwards of the direct link's
    let received = 0
    const count: Extension = {
      async beforeSync({ type, payload }) {
        if (type !== 2) return
        for (const s of Y.decodeUpdate(payload).structs)
          if (s instanceof Y.Item && s.content instanceof Y.ContentBinary) received++
      },
    }
    const relay = await startRelay({ port: 0, extensions: [count] })
    cleanups.push(relay.stop)
    const peers = [0, 1, 2].map((i) => peer(i, relay.url))
    directLinks(peers)
    await Promise.all(peers.map((p) => waitFor(() => p.link.status() === 'connected')))
    await trade(peers, 10)
    await converged(peers, 30)
    // the relay's copies of the last blocks, and the forwards of direct updates (≤ 3 s late), have arrived
    await sleep(3500)
    for (const p of peers) {
      // the first sync with the relay may be a no-op; a block's copy never is, any more
      expect(p.noops()).toBeLessThanOrEqual(1)
      expect(p.link.guard.stats.duplicates).toBeGreaterThanOrEqual(10)
      expect(p.link.guard.stats.strikes).toBe(0)
      expect(p.cd.stats.invalid).toBe(0)
    }
    // each block once from its author; the two other peers forwarded every one the direct link brought them (~3 each)
    // before, and now only those the relay had not sent back before the forward
    const blocks = peers[0]!.replica.order.length
    expect(received).toBeGreaterThanOrEqual(blocks)
    expect(received).toBeLessThan(blocks * 1.5)
  })

  it('what the direct link lost still comes through the relay (only copies are dropped)', async () => {
    const relay = await startRelay({ port: 0 })
    cleanups.push(relay.stop)
    const peers = [0, 1, 2].map((i) => peer(i, relay.url))
    const rng = new Rng(3)
    directLinks(peers, () => rng.int(0, 2) === 0)
    await Promise.all(peers.map((p) => waitFor(() => p.link.status() === 'connected')))
    await trade(peers, 10)
    await converged(peers, 30)
    for (const p of peers) expect(p.link.guard.stats.strikes).toBe(0)
  })
})

async function waitFor(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(20)
  }
}
