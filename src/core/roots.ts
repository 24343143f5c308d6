import { ammRootParts } from './amm/root.ts'
import { type Hex, toHex, uintToBytes } from './bytes.ts'
import { keccak256 } from './hash.ts'
import { lendingRootBytes } from './lending/root.ts'
import { type BalanceLeaf, balanceLeafHash, MerkleTree } from './merkle.ts'
import type { ChannelState } from './state.ts'

/** Every non-zero (participant, token) holding, in (participant, token) order. */
export function balanceLeaves(state: ChannelState): BalanceLeaf[] {
  const { participants, tokens } = state.channel.config
  const out: BalanceLeaf[] = []
  for (let p = 0; p < state.P; p++)
    for (let t = 0; t < state.T; t++) {
      const amount = state.holdings(p, t)
      if (amount > 0n)
        out.push({
          participant: participants[p]!.address.toLowerCase() as Hex,
          token: tokens[t]! as Hex,
          amount,
        })
    }
  return out
}

export function balancesTree(state: ChannelState, version: bigint): MerkleTree {
  const id = state.channel.channelId
  return new MerkleTree(balanceLeaves(state).map((l) => balanceLeafHash(id, version, l)))
}

export type ExitProof = { leaf: BalanceLeaf; version: bigint; root: Hex; proof: Hex[] }

/** Exit proofs for every token one participant holds, against the balances root at `version`. */
export function exitProofs(state: ChannelState, version: bigint, participant: number): ExitProof[] {
  const tree = balancesTree(state, version)
  const addr = state.channel.config.participants[participant]!.address.toLowerCase()
  return balanceLeaves(state)
    .filter((l) => l.participant === addr)
    .map((leaf) => ({
      leaf,
      version,
      root: toHex(tree.root),
      proof: tree.proof(balanceLeafHash(state.channel.channelId, version, leaf)).map(toHex),
    }))
}

/**
 * A digest of the whole ledger and books, written in a fixed order (participant, token; market, bids then asks
 * best-first, FIFO): equal roots mean equal state. Rejected ops leave no trace in it, by design, so a spammer's
 * skipped ops cannot make honest roots differ.
 */
export function stateRoot(state: ChannelState): Uint8Array {
  const parts: Uint8Array[] = []
  const u = (v: bigint, n = 16) => parts.push(uintToBytes(v, n))
  u(BigInt(state.P), 4)
  u(BigInt(state.T), 4)
  for (let i = 0; i < state.P * state.T; i++) {
    u(state.avail[i]!)
    u(state.locked[i]!)
    u(state.reserved[i]!)
    u(state.pendingWithdrawal[i]!)
  }
  u(state.depositCount, 8)
  const attested = [...state.attestations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  u(BigInt(attested.length), 8)
  for (const [index, list] of attested) {
    u(index, 8)
    u(BigInt(list.length), 2)
    for (const a of list) {
      u(BigInt(a.record.participant), 2)
      u(BigInt(a.record.token), 2)
      u(a.record.amount)
      u(a.by, 32)
    }
  }
  const locks = [...state.locks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  u(BigInt(locks.length), 8)
  const enc = new TextEncoder()
  for (const [k, l] of locks) {
    parts.push(enc.encode(`${k};`))
    u(l.amount)
    u(l.until, 8)
    u(BigInt(l.token), 2)
    u(BigInt(l.reason), 1)
  }
  u(BigInt(state.tradeCount), 8)
  // the placement counters too (display order of open orders): a snapshot from a peer is checked against this root,
  // so nothing it carries may be left out of it (src/core/CONTEXT.md, "Rejoin after everyone pruned")
  u(BigInt(state.placed), 6)
  for (const book of state.books) {
    for (const o of book.orders()) {
      parts.push(enc.encode(`${o.key};`))
      u(BigInt(o.side), 1)
      u(o.price, 8)
      u(o.remaining, 8)
      u(o.reserved)
      u(BigInt(o.placedAt), 6)
    }
    parts.push(enc.encode('|'))
  }
  // perps (only in channels with perp markets, so spot-only roots are unchanged): margin accounts, market
  // prices and funding, positions in (participant, market) order, reduce-only resting orders
  const ps = state.perps
  if (ps) {
    const i = (v: bigint, n = 16) => parts.push(uintToBytes(BigInt.asUintN(n * 8, v), n))
    for (const m of ps.margin) i(m)
    i(ps.insurance)
    i(ps.collateral)
    for (const m of ps.perpMarkets) {
      const f = ps.funding[m]!
      u(ps.oracle[m] ?? 0n, 8)
      u(ps.lastTrade[m] ?? 0n, 8)
      i(f.cum)
      u(f.epoch === undefined ? 0n : f.epoch + 1n, 8)
      i(f.rate)
      // the funding payments shown to users (at most FUNDING_HISTORY): covered like everything a snapshot carries
      const history = ps.fundingHistory[m]!
      u(BigInt(history.length), 2)
      for (const e of history) {
        u(e.epoch, 8)
        u(e.intervals, 8)
        i(e.rate)
        i(e.cum)
        u(e.mark, 8)
        u(e.index, 8)
        i(e.openInterest)
        i(e.paid)
      }
      for (let p = 0; p < ps.P; p++) {
        const pos = ps.positions[p * ps.M + m]
        if (!pos) continue
        u(BigInt(p), 2)
        i(pos.size)
        i(pos.cost)
        i(pos.fundingSnap)
        i(pos.realized)
        i(pos.fundingPaid)
      }
      for (const o of state.books[m]!.orders()) if (o.reduceOnly) parts.push(enc.encode(`r${o.key};`))
      parts.push(enc.encode('|'))
    }
  }
  // AMM pools (only in channels with params.amm, so other roots are unchanged)
  if (state.amm) parts.push(...ammRootParts(state.amm))
  // the lending pool (only in channels with params.lending)
  if (state.lending) parts.push(lendingRootBytes(state.lending))
  // who may trade under minStake (empty without a minStake, so other roots are unchanged)
  parts.push(state.stake.rootBytes())
  // forced inclusion (only once a forced record was attested, so roots of channels without one are unchanged)
  if (state.forcedCount > 0n || state.forcedAttestations.size > 0) {
    parts.push(enc.encode('F|'))
    u(state.forcedCount, 8)
    const forced = [...state.forcedAttestations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    u(BigInt(forced.length), 8)
    for (const [index, list] of forced) {
      u(index, 8)
      u(BigInt(list.length), 2)
      for (const a of list) {
        u(BigInt(a.participant), 2)
        u(BigInt(a.op.length), 2)
        parts.push(a.op)
        u(a.by, 32)
      }
    }
  }
  // authors proven to fork in the final order (only once one is, so other roots are unchanged)
  if (state.proven !== 0n) {
    parts.push(enc.encode('V|'))
    u(state.proven, 32)
  }
  let n = 0
  for (const p of parts) n += p.length
  const buf = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    buf.set(p, o)
    o += p.length
  }
  return keccak256(buf)
}
