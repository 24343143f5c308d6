import * as Y from 'yjs'
import { Rng } from '../core/sim/rng.ts'

/** A Y.Doc whose client id comes from `rng`, so Yjs's tie-breaks (by client id) replay with the seed. */
export function seededDoc(rng: Rng): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = rng.u32()
  return doc
}

type Message = { from: Y.Doc; to: Y.Doc; update: Uint8Array }

export type DocNetParameters = {
  seed: number
  /** how a delivered update is applied; default Y.applyUpdate */
  apply?: (doc: Y.Doc, update: Uint8Array, origin: unknown) => void
}

/**
 * An in-process network of Y.Docs for tests, in the manner of Yjs's own test connector: every update a doc emits
 * goes to the docs it is linked to (relayed onward, as y-webrtc does), and delivery order is chosen by a seeded
 * generator, so a failing seed replays. Links can be cut (partitions, offline peers): messages in flight on a
 * cut link are lost, and relinking runs a state-vector exchange like y-protocols' sync steps 1 and 2.
 */
export class DocNet {
  readonly rng: Rng
  private readonly docs: Y.Doc[] = []
  private readonly links = new Map<Y.Doc, Set<Y.Doc>>()
  private readonly handlers = new Map<Y.Doc, (update: Uint8Array, origin: unknown) => void>()
  private queue: Message[] = []
  private readonly apply: (doc: Y.Doc, update: Uint8Array, origin: unknown) => void
  delivered = 0

  constructor(p: DocNetParameters) {
    this.rng = new Rng(p.seed)
    this.apply = p.apply ?? ((doc, update, origin) => Y.applyUpdate(doc, update, origin))
  }

  /** Adds a doc linked to every doc already present (full mesh). */
  add(doc: Y.Doc): void {
    this.docs.push(doc)
    this.links.set(doc, new Set())
    const handler = (update: Uint8Array) => {
      for (const to of this.links.get(doc) ?? []) this.queue.push({ from: doc, to, update })
    }
    this.handlers.set(doc, handler)
    doc.on('update', handler)
    for (const other of this.docs) if (other !== doc) this.link(doc, other)
  }

  remove(doc: Y.Doc): void {
    this.isolate(doc)
    doc.off('update', this.handlers.get(doc)!)
    this.handlers.delete(doc)
    this.links.delete(doc)
    this.docs.splice(this.docs.indexOf(doc), 1)
  }

  link(a: Y.Doc, b: Y.Doc): void {
    if (a === b || this.links.get(a)!.has(b)) return
    this.links.get(a)!.add(b)
    this.links.get(b)!.add(a)
    this.queue.push({ from: a, to: b, update: Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)) })
    this.queue.push({ from: b, to: a, update: Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)) })
  }

  unlink(a: Y.Doc, b: Y.Doc): void {
    this.links.get(a)?.delete(b)
    this.links.get(b)?.delete(a)
    this.queue = this.queue.filter((m) => !((m.from === a && m.to === b) || (m.from === b && m.to === a)))
  }

  /** Cuts every link that crosses groups; docs in no group are isolated. */
  partition(groups: Y.Doc[][]): void {
    const groupOf = new Map<Y.Doc, number>()
    groups.forEach((g, i) => {
      for (const d of g) groupOf.set(d, i)
    })
    for (const a of this.docs)
      for (const b of [...this.links.get(a)!])
        if (groupOf.get(a) === undefined || groupOf.get(a) !== groupOf.get(b)) this.unlink(a, b)
  }

  isolate(doc: Y.Doc): void {
    for (const b of [...(this.links.get(doc) ?? [])]) this.unlink(doc, b)
  }

  /** Relinks every pair (full mesh again). */
  heal(): void {
    for (const a of this.docs) for (const b of this.docs) if (a !== b) this.link(a, b)
  }

  /** Delivers one queued message chosen at random; returns false when nothing is queued. */
  step(): boolean {
    if (this.queue.length === 0) return false
    const i = this.rng.int(0, this.queue.length)
    const m = this.queue[i]!
    this.queue[i] = this.queue[this.queue.length - 1]!
    this.queue.pop()
    this.delivered++
    this.apply(m.to, m.update, this)
    return true
  }

  /** Delivers until quiet (relays included). */
  flush(maxSteps = 1_000_000): void {
    for (let i = 0; i < maxSteps; i++) if (!this.step()) return
    throw new Error('DocNet.flush: not quiet after maxSteps')
  }

  get pending(): number {
    return this.queue.length
  }
}

/** A participant as `settle` drives it: its replica seals, its channel doc publishes. */
export type SettlingPeer = {
  replica: { tick(now: number): Uint8Array | undefined }
  cd: { publishOwn(bytes: Uint8Array): void }
}

/**
 * Lockstep over a DocNet: the net delivers everything, then every peer may seal a block at the clock `now()` gives
 * for the pass and publishes it; until a pass seals nothing. Throws when peers still seal after 1,000 passes.
 */
export function settle(peers: readonly SettlingPeer[], net: DocNet, now: () => number): void {
  net.flush()
  for (let pass = 0; pass < 1000; pass++) {
    let sealed = 0
    const at = now()
    for (const p of peers) {
      const b = p.replica.tick(at)
      if (b) {
        p.cd.publishOwn(b)
        sealed++
      }
    }
    net.flush()
    if (sealed === 0) return
  }
  throw new Error('settle: still sealing')
}
