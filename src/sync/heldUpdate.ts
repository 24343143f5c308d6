import * as Y from 'yjs'

/** V1 struct info: low 5 bits the content kind, then parentSub, right origin, origin flags (yjs 13 encoding) */
const KIND = 0b1_1111
const HAS_PARENT_SUB = 0b10_0000
const HAS_RIGHT_ORIGIN = 0b100_0000
const HAS_ORIGIN = 0b1000_0000
/** the kinds an honest block update carries: GC, deleted content, binary, and the Skip of a merged update */
const GC = 0
const DELETED = 1
const BINARY = 3
const SKIP = 10

/** Thrown by the reader on truncated input or a varuint past 2^53: the update is not known to be held. */
const UNKNOWN = Symbol('unknown')

/**
 * Whether applying a V1 update to `doc` would certainly change nothing: every struct it carries lies below the
 * doc's state vector (so Yjs already integrated it) and it deletes nothing. Every block reaches a browser twice —
 * over WebRTC and through the relay — and its author gets its own block back from the relay; the second copy used
 * to cost a structural decode in the guard and a full decode and no-op apply in Yjs (bench:sync, 5 contexts).
 *
 * A skim of the struct headers: lengths and ids, no content decoded and nothing allocated but the reader. Only
 * the struct kinds honest block traffic carries are read (GC, deleted, binary, Skip); any other kind, a delete set,
 * trailing bytes or malformed input answer `false`, and the update goes the whole way (guard inspection, Yjs,
 * ChannelDoc) as before. So a `true` can only drop a message that adds nothing — whoever crafted it — and a
 * `false` costs what every update cost before.
 */
export function updateHeld(doc: Y.Doc, update: Uint8Array): boolean {
  return coveredBy(update, (client) => Y.getState(doc.store, client))
}

/**
 * Whether every struct of a V1 update lies below `state(client)` and it deletes nothing (as `updateHeld`, against
 * any state vector: what a transport's far end has shown it holds, for instance).
 */
export function coveredBy(update: Uint8Array, state: (client: number) => number): boolean {
  try {
    return skim(new Reader(update), (client, end) => end <= state(client))
  } catch (e) {
    if (e === UNKNOWN) return false
    throw e
  }
}

/**
 * Raises `seen` (client → clock) to the end of every struct range a V1 update carries; leaves it unchanged for an
 * update the skim cannot read. A peer or relay that sent us these structs holds everything of those clients below
 * (Yjs integrates each client's structs in order, and a relay sends what its doc integrated).
 */
export function noteClocks(update: Uint8Array, seen: Map<number, number>): void {
  const ends: [number, number][] = []
  try {
    if (!skim(new Reader(update), (client, end) => ends.push([client, end]) > 0)) return
  } catch (e) {
    if (e === UNKNOWN) return
    throw e
  }
  for (const [client, end] of ends) if (end > (seen.get(client) ?? 0)) seen.set(client, end)
}

/** Reads the struct headers, asking `covered` about each client's range end; false as soon as it says no. */
function skim(r: Reader, covered: (client: number, end: number) => boolean): boolean {
  const clients = r.uint()
  for (let c = 0; c < clients; c++) {
    const structs = r.uint()
    const client = r.uint()
    let clock = r.uint()
    for (let s = 0; s < structs; s++) {
      const info = r.byte()
      const kind = info & KIND
      if (kind === GC || kind === SKIP) {
        clock += r.uint()
        continue
      }
      if ((info & HAS_ORIGIN) !== 0) r.skipId()
      if ((info & HAS_RIGHT_ORIGIN) !== 0) r.skipId()
      if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
        // parent: 1 = a root type's name, 0 = the id of a nested type; then the map key if any
        if (r.uint() === 1) r.skipBytes()
        else r.skipId()
        if ((info & HAS_PARENT_SUB) !== 0) r.skipBytes()
      }
      if (kind === BINARY) {
        r.skipBytes()
        clock += 1
      } else if (kind === DELETED) clock += r.uint()
      else return false
    }
    if (!covered(client, clock)) return false
  }
  // a delete set: deletions are not compared with the doc's; the update goes the whole way
  if (r.uint() !== 0) return false
  return r.done()
}

class Reader {
  private pos = 0
  constructor(private readonly b: Uint8Array) {}

  byte(): number {
    const v = this.b[this.pos++]
    if (v === undefined) throw UNKNOWN
    return v
  }

  /** lib0's varuint (7 bits a byte, little end first), refused past Number.MAX_SAFE_INTEGER */
  uint(): number {
    let v = 0
    let mult = 1
    for (;;) {
      const x = this.byte()
      v += (x & 0x7f) * mult
      if (x < 0x80) return v
      mult *= 128
      if (v > Number.MAX_SAFE_INTEGER || mult > 2 ** 56) throw UNKNOWN
    }
  }

  skipId(): void {
    this.uint()
    this.uint()
  }

  /** a varuint length, then that many bytes (a string or a binary value) */
  skipBytes(): void {
    const n = this.uint()
    if (n > this.b.length - this.pos) throw UNKNOWN
    this.pos += n
  }

  done(): boolean {
    return this.pos === this.b.length
  }
}
