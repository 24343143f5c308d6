// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
/**
 * What grows in a long run with pruning (issue #8): the bench:frontier scenario (4 replicas in lockstep, 400
 * transfers per channel-clock second, a checkpoint every 10 s, pruning at every certified checkpoint), with two V8
 * heap snapshots and a count of each per-replica structure at `--at A,B` ops.
 *
 * node --expose-gc --import tsx scripts/profileFrontier.ts [--at 20000,100000] [--participants P] [--top N]
 *
 * Prints, between the two points: the heap growth by constructor (count and self bytes, biggest first), the growth
 * per checkpoint and per op, and each structure's size at both points. Last line: JSON.
 */
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import type { SignedCheckpoint } from '../src/core/checkpoint.ts'
import type { Replica } from '../src/core/replica.ts'
import { frontierScenario } from './frontierScenario.ts'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1]! : fallback
}
const AT = arg('at', '20000,100000').split(',').map(Number)
const P = Number(arg('participants', '4'))
const TOP = Number(arg('top', '15'))

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

type Heap = Map<string, { count: number; bytes: number }>

/** A heap snapshot summed by node type and constructor name (self sizes). */
function heapByConstructor(): Heap {
  gc!()
  const file = join(tmpdir(), `frontier-${process.pid}-${Date.now()}.heapsnapshot`)
  writeHeapSnapshot(file)
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: {
      meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }
    }
    nodes: number[]
    edges: number[]
    strings: string[]
  }
  rmSync(file)
  const fields = snap.snapshot.meta.node_fields
  const stride = fields.length
  const [T, N, S] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')]
  const types = snap.snapshot.meta.node_types[0]
  // internal arrays are named by what holds them: the retainer's constructor and the edge's name
  const E = snap.snapshot.meta.edge_fields
  const [ET, EN, TO, EC] = [
    E.indexOf('type'),
    E.indexOf('name_or_index'),
    E.indexOf('to_node'),
    fields.indexOf('edge_count'),
  ]
  const edgeTypes = snap.snapshot.meta.edge_types[0]
  const holder = new Map<number, string>()
  // the first retainer of every node (not weak), to name where the biggest arrays hang
  const parent = new Map<number, { from: number; edge: string }>()
  for (let i = 0, e = 0; i < snap.nodes.length; i += stride) {
    const from = snap.strings[snap.nodes[i + N]!]!
    for (let k = 0; k < snap.nodes[i + EC]!; k++, e += E.length) {
      const to = snap.edges[e + TO]!
      const kind = edgeTypes[snap.edges[e + ET]!]
      if (kind !== 'weak' && !parent.has(to))
        parent.set(to, {
          from: i,
          edge:
            kind === 'element' || kind === 'hidden'
              ? `[${snap.edges[e + EN]}]`
              : String(snap.strings[snap.edges[e + EN]!]),
        })
      if (types[snap.nodes[to + T]!] !== 'array' || holder.has(to)) continue
      const et = edgeTypes[snap.edges[e + ET]!]
      const name = et === 'element' || et === 'hidden' ? '[]' : snap.strings[snap.edges[e + EN]!]
      holder.set(to, `${from}.${name}`)
    }
  }
  const biggest: { i: number; size: number }[] = []
  for (let i = 0; i < snap.nodes.length; i += stride)
    if (types[snap.nodes[i + T]!] === 'array') biggest.push({ i, size: snap.nodes[i + S]! })
  biggest.sort((x, y) => y.size - x.size)
  for (const { i, size } of biggest.slice(0, 8)) {
    const path: string[] = []
    for (let at: number | undefined = i, k = 0; at !== undefined && k < 8; k++) {
      const p = parent.get(at)
      if (!p) break
      path.push(`${snap.strings[snap.nodes[p.from + N]!]!.slice(0, 30)}.${p.edge}`)
      at = p.from
    }
    console.log(`  ${size} B: ${path.join(' < ')}`)
  }
  const out: Heap = new Map()
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + T]!]!
    // strings, numbers and code by type; objects by constructor; arrays by holder
    const key =
      type === 'object' || type === 'closure'
        ? snap.strings[snap.nodes[i + N]!]!
        : type === 'array'
          ? `(array) ${holder.get(i) ?? snap.strings[snap.nodes[i + N]!]} < ${(() => {
              const up = parent.get(parent.get(i)?.from ?? -1)
              return up ? `${snap.strings[snap.nodes[up.from + N]!]!.slice(0, 20)}.${up.edge}` : '?'
            })()}`
          : `(${type})`
    const e = out.get(key) ?? { count: 0, bytes: 0 }
    e.count++
    e.bytes += snap.nodes[i + S]!
    out.set(key, e)
  }
  return out
}

/** The checkpoint records a replica holds (also before the list was bounded, to profile both). */
function held(r: Replica): SignedCheckpoint[] {
  const old = r as unknown as { checkpoints?: SignedCheckpoint[] }
  return old.checkpoints ?? r.heldCheckpoints()
}

/** Sizes of replica 0's per-replica structures (entries, not bytes): what could grow with the channel's age. */
function structures(r: Replica): Record<string, number> {
  const cp = r.checkpointer as unknown as Record<string, unknown>
  const committer = r.committer as unknown as { directCache: Map<unknown, unknown> }
  const dag = r.dag as unknown as { roundAuthors: Map<unknown, unknown> }
  let signatures = 0
  for (const c of held(r)) signatures += c.signatures.size
  let seen = 0
  for (const list of r.checkpointer.seenSignatures.values()) seen += list.length
  let committedSeqs = 0
  for (const s of r.finalOrder.committedSeqs) committedSeqs += s.size
  let committedRounds = 0
  for (const s of r.finalOrder.committedRounds) committedRounds += s.size
  return {
    'checkpointer.checkpoints (held)': held(r).length,
    'checkpointer.checkpoints[].signatures': signatures,
    'checkpointer.seenSignatures (entries)': seen,
    'checkpointer.signedVersions': (cp.signedVersions as Set<bigint> | undefined)?.size ?? 0,
    'checkpointer.signedVersionsBy': (cp.signedVersionsBy as bigint[][]).reduce(
      (a, l) => a + (l?.length ?? 0),
      0,
    ),
    'checkpointer.checkpointConflicts': r.checkpointConflicts.length,
    'dag.nodes': r.dag.nodes.size,
    'dag.byRound': r.dag.byRound.size,
    'dag.roundAuthors': dag.roundAuthors.size,
    'dag.skipVoters': r.dag.skipVoters.size,
    'committer.directCache': committer.directCache.size,
    'execution.order': r.order.length,
    'execution.commitTimes': r.execution.commitTimes.length,
    'execution.snapshots': r.execution.snapshots.length,
    'execution.trades': r.execution.trades.length,
    'finalOrder.leaders': r.leaders.length,
    'finalOrder.committedSeqs': committedSeqs,
    'finalOrder.committedRounds': committedRounds,
  }
}

const { replicas: reps, step } = frontierScenario(P)
let ops = 0
const points: { ops: number; checkpoints: bigint; heap: Heap; structures: Record<string, number> }[] = []
while (points.length < AT.length) {
  ops = step()
  if (ops >= AT[points.length]!) {
    const r0 = reps[0]!
    points.push({
      ops,
      checkpoints: held(r0).at(-1)?.version ?? 0n,
      heap: heapByConstructor(),
      structures: structures(r0),
    })
    console.log(`sampled at ${ops} ops`)
  }
}

const [a, b] = [points[0]!, points[points.length - 1]!]
const dOps = b.ops - a.ops
const dCheckpoints = Number(b.checkpoints - a.checkpoints)
const growth = [...b.heap]
  .map(([k, e]) => {
    const was = a.heap.get(k) ?? { count: 0, bytes: 0 }
    return { k, count: e.count - was.count, bytes: e.bytes - was.bytes }
  })
  .sort((x, y) => y.bytes - x.bytes)
let total = 0
for (const g of growth) total += g.bytes
console.log(`\nheap growth ${a.ops} → ${b.ops} ops (${dCheckpoints} checkpoints, ${P} replicas): ${total} B`)
console.log('constructor'.padEnd(34), 'count'.padStart(8), 'bytes'.padStart(10), 'B/checkpoint'.padStart(13))
for (const g of growth.slice(0, TOP))
  console.log(
    g.k.slice(0, 34).padEnd(34),
    String(g.count).padStart(8),
    String(g.bytes).padStart(10),
    String(Math.round(g.bytes / Math.max(1, dCheckpoints))).padStart(13),
  )
console.log(
  '\nreplica 0 structures (entries)'.padEnd(42),
  String(a.ops).padStart(8),
  String(b.ops).padStart(8),
)
for (const k of Object.keys(b.structures))
  console.log(k.padEnd(41), String(a.structures[k]).padStart(8), String(b.structures[k]).padStart(8))
console.log(
  JSON.stringify({
    from: a.ops,
    to: b.ops,
    checkpoints: dCheckpoints,
    heapGrowthBytes: total,
    perCheckpoint: Math.round(total / Math.max(1, dCheckpoints)),
    perOp: Number((total / dOps).toFixed(2)),
    top: growth.slice(0, TOP),
    structures: { [a.ops]: a.structures, [b.ops]: b.structures },
  }),
)
