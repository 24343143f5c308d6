import * as Y from 'yjs'
import { MAX_BLOCK_BYTES } from '../core/block.ts'
import { MAX_OFFERED_BASE_BYTES } from '../core/snapshot/offeredBase.ts'
import { BLOCK_KEY } from './causalOrder.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { BASE_KEY, BASES_MAP } from './peerBases.ts'

/** What one root map of the channel doc may hold: its values' kind, key form and size. */
export type RootRule = {
  /** 'binary': Uint8Array values only; 'any': JSON-like values (strings, numbers, plain objects and arrays) */
  content: 'binary' | 'any'
  key: RegExp
  maxEntryBytes: number
}

export type UpdateLimits = {
  /** bytes of one Yjs update (V1) */
  maxUpdateBytes: number
  /** the root maps honest peers write, by name; anything else is refused */
  roots: Record<string, RootRule>
}

export const DEFAULT_UPDATE_LIMITS: UpdateLimits = {
  maxUpdateBytes: 8 * 1024 * 1024,
  roots: {
    [BLOCKS_MAP]: { content: 'binary', key: BLOCK_KEY, maxEntryBytes: MAX_BLOCK_BYTES },
    // session-key authorisations posted before the channel opens (lobby.ts): address → { sessionKey, signature }
    lobby: { content: 'any', key: /^0x[0-9a-f]{40}$/, maxEntryBytes: 1024 },
    // each participant's newest pruned base, offered to peers behind everyone's pruning point (peerBases.ts)
    [BASES_MAP]: { content: 'binary', key: BASE_KEY, maxEntryBytes: MAX_OFFERED_BASE_BYTES },
  },
}

export type UpdateRejection =
  | 'empty'
  | 'oversize'
  | 'malformed'
  /** content a root does not allow: nested types, subdocuments, text, or the wrong value kind */
  | 'content'
  | 'entry-oversize'
  /** an item outside the allowed root maps */
  | 'foreign-type'
  /** a key of the wrong form for its root, or a list insertion into a map */
  | 'bad-key'

/**
 * Checks a V1 update against what honest peers ever write to a channel doc — values of the allowed kind and
 * size under well-formed keys of the allowed root maps, and deletions — without touching any doc. Size first,
 * then a structural decode in a try block (in yjs 13.6 a V1 decode consumes input at every step, so its work is
 * linear in the size). An item whose parent yjs infers from its neighbour is held to the loosest root's rules.
 * Returns why the update is refused, or undefined when it may be applied.
 */
export function inspectUpdate(
  update: Uint8Array,
  limits: UpdateLimits = DEFAULT_UPDATE_LIMITS,
  /** collects the Yjs client ids whose items the update carries (a connection's share of them is bounded) */
  clients?: Set<number>,
): UpdateRejection | undefined {
  if (!(update instanceof Uint8Array)) return 'malformed'
  // an empty update makes older yjs versions spin (yjs#498)
  if (update.byteLength === 0) return 'empty'
  if (update.byteLength > limits.maxUpdateBytes) return 'oversize'
  let structs: ReturnType<typeof Y.decodeUpdate>['structs']
  try {
    structs = Y.decodeUpdate(update).structs
  } catch {
    return 'malformed'
  }
  const rules = Object.values(limits.roots)
  const loosest = Math.max(...rules.map((r) => r.maxEntryBytes))
  for (const s of structs) {
    clients?.add(s.id.client)
    if (!(s instanceof Y.Item) || s.content instanceof Y.ContentDeleted) continue
    // parent: a root name (string), a nested type (ID), or null when inferred from the origin
    const parent: unknown = s.parent
    if (parent === null) {
      const size = contentSize(s.content, loosest)
      if (size === undefined || !rules.some((r) => r.content === kindOf(s.content))) return 'content'
      if (size > loosest) return 'entry-oversize'
      continue
    }
    const rule = typeof parent === 'string' ? limits.roots[parent] : undefined
    if (!rule) return 'foreign-type'
    if (kindOf(s.content) !== rule.content) return 'content'
    const size = contentSize(s.content, rule.maxEntryBytes)
    if (size === undefined) return 'content'
    if (size > rule.maxEntryBytes) return 'entry-oversize'
    if (s.parentSub === null || !rule.key.test(s.parentSub)) return 'bad-key'
  }
  return undefined
}

function kindOf(c: Y.Item['content']): RootRule['content'] | undefined {
  if (c instanceof Y.ContentBinary) return 'binary'
  if (c instanceof Y.ContentAny) return 'any'
  return undefined
}

/** Approximate encoded size of binary or JSON-like content, or undefined for anything else. Stops past `cap`. */
function contentSize(c: Y.Item['content'], cap: number): number | undefined {
  if (c instanceof Y.ContentBinary) return c.content.byteLength
  if (!(c instanceof Y.ContentAny)) return undefined
  let size = 0
  const stack: unknown[] = [...c.arr]
  while (stack.length > 0 && size <= cap) {
    const v = stack.pop()
    if (typeof v === 'string') size += v.length + 1
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) size += 9
    else if (typeof v === 'bigint') size += 9
    else if (v instanceof Uint8Array) size += v.byteLength + 1
    else if (Array.isArray(v)) {
      size += 1
      stack.push(...v)
    } else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        size += k.length + 1
        stack.push(x)
      }
    } else return undefined
  }
  return size
}

export type GuardedApplyResult = { ok: true } | { ok: false; reason: UpdateRejection; detail?: string }

/**
 * Applies a remote update only if inspectUpdate accepts it, catching decode errors; then trims Yjs's buffer of
 * structs waiting for missing dependencies (an attacker can grow it with updates that never become applicable).
 */
export function applyUpdateGuarded(
  doc: Y.Doc,
  update: Uint8Array,
  origin?: unknown,
  limits: UpdateLimits = DEFAULT_UPDATE_LIMITS,
): GuardedApplyResult {
  const reason = inspectUpdate(update, limits)
  if (reason !== undefined) return { ok: false, reason }
  try {
    Y.applyUpdate(doc, update, origin)
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: e instanceof Error ? e.message : String(e) }
  } finally {
    trimPending(doc, limits.maxUpdateBytes)
  }
  return { ok: true }
}

/**
 * Drops the doc's pending (not yet applicable) structs and deletions once they exceed `maxBytes`. Honest data
 * dropped here comes back with the next state-vector exchange (see the periodic resync in guardProvider.ts).
 */
export function trimPending(doc: Y.Doc, maxBytes: number): boolean {
  const store = doc.store
  const size = (store.pendingStructs?.update.byteLength ?? 0) + (store.pendingDs?.byteLength ?? 0)
  if (size <= maxBytes) return false
  store.pendingStructs = null
  store.pendingDs = null
  return true
}
