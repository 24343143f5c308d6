import fc from 'fast-check'
import { concat, encodeAbiParameters, type Hex, keccak256 as viemKeccak } from 'viem'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'
import { balanceLeafHash, verifyProof } from './merkle.ts'
import { type Op, OpTag, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { balanceLeaves, balancesTree, exitProofs, stateRoot } from './roots.ts'
import { ChannelState, type DepositRecord } from './state.ts'
import { makeTestChannel, testDeposits } from './testing.ts'

const P = 3
const { channel } = makeTestChannel({ participants: P, label: 'roots' })
const AMOUNT = 1_000_000n
const q = channel.config.threshold
const extra: DepositRecord = { index: BigInt(P * 2), participant: 2, token: 0, amount: 5n }

type Step = [author: number, op: Op]
const dep = (r: DepositRecord): Op => ({
  tag: OpTag.Deposit,
  depositIndex: r.index,
  participant: r.participant,
  token: r.token,
  amount: r.amount,
})
/** Attestations of `r` by participants 0 … q − 1: a quorum, so the record is credited (when next in order). */
const attested = (r: DepositRecord): Step[] => Array.from({ length: q }, (_, a): Step => [a, dep(r)])
const place = (side: Side, price: bigint, qty: bigint, more: Partial<PlaceOp> = {}): Op => ({
  tag: OpTag.Place,
  market: 0,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty,
  ...more,
})

/** Builds a fresh state by applying `steps` (seq = position + 1, so order keys are reproducible). */
function build(steps: Step[], height = 0): ChannelState {
  const s = new ChannelState(channel)
  steps.forEach(([author, op], i) => {
    const r = s.apply(op, { author, seq: BigInt(i + 1), index: 0, height, block: `b${i}`, time: 0n })
    expect(r, `step ${i}`).toBe(Reject.None)
  })
  return s
}
const funded: Step[] = testDeposits(P, 2, AMOUNT).flatMap(attested)
const root = (s: ChannelState) => toHex(stateRoot(s))

/** keccak256(bytes.concat(keccak256(abi.encode(channelId, version, participant, token, amount)))), via viem */
function refLeaf(version: bigint, participant: Hex, token: Hex, amount: bigint): Hex {
  return viemKeccak(
    viemKeccak(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'uint256' },
          { type: 'address' },
          { type: 'address' },
          { type: 'uint256' },
        ],
        [toHex(channel.channelId), version, participant, token, amount],
      ),
    ),
  )
}
const refVerify = (proof: Hex[], rootHex: Hex, leaf: Hex) =>
  proof.reduce((h, p) => viemKeccak(h < p ? concat([h, p]) : concat([p, h])), leaf) === rootHex

describe('balance leaves and exit proofs (THREATS row 12)', () => {
  // participant 1 has funds in every bucket: available, reserved (resting order), locked, pending withdrawal
  const s = build([
    ...funded,
    [1, place(Side.Buy, 100n, 7n)],
    [1, { tag: OpTag.Lock, token: 0, amount: 300n, until: 9n, reason: 0 }],
    [1, { tag: OpTag.Withdraw, token: 0, amount: 200n }],
    [2, { tag: OpTag.Withdraw, token: 1, amount: AMOUNT }],
    [0, { tag: OpTag.Transfer, to: 2, token: 0, amount: AMOUNT }],
  ])

  it('one leaf per non-zero holding, in (participant, token) order, amount = total holdings', () => {
    const leaves = balanceLeaves(s)
    const { participants, tokens } = channel.config
    const expected = [
      // participant 0 gave all of token 0 away
      { p: 0, t: 1, amount: AMOUNT },
      { p: 1, t: 0, amount: AMOUNT },
      { p: 1, t: 1, amount: AMOUNT },
      { p: 2, t: 0, amount: 2n * AMOUNT },
      { p: 2, t: 1, amount: AMOUNT }, // pending withdrawal still counts until settled
    ]
    expect(leaves).toEqual(
      expected.map((e) => ({
        participant: participants[e.p]!.address.toLowerCase(),
        token: tokens[e.t],
        amount: e.amount,
      })),
    )
  })

  it('every participant’s exit proofs verify against the balances root with the contract’s leaf formula', () => {
    for (const version of [1n, 7n]) {
      const tree = balancesTree(s, version)
      let covered = 0
      for (let p = 0; p < P; p++) {
        const proofs = exitProofs(s, version, p)
        for (const x of proofs) {
          const leaf = refLeaf(version, x.leaf.participant, x.leaf.token, x.leaf.amount)
          expect(toHex(balanceLeafHash(channel.channelId, version, x.leaf))).toBe(leaf)
          expect(x.root).toBe(toHex(tree.root))
          expect(refVerify(x.proof, x.root, leaf)).toBe(true)
          // a claim for one unit more fails
          expect(
            refVerify(
              x.proof,
              x.root,
              refLeaf(version, x.leaf.participant, x.leaf.token, x.leaf.amount + 1n),
            ),
          ).toBe(false)
        }
        // the claims add up to exactly what the participant holds
        for (let t = 0; t < 2; t++) {
          const claimed = proofs
            .filter((x) => x.leaf.token === channel.config.tokens[t])
            .reduce((a, x) => a + x.leaf.amount, 0n)
          expect(claimed).toBe(s.holdings(p, t))
        }
        covered += proofs.length
      }
      expect(covered).toBe(balanceLeaves(s).length)
    }
  })

  it('a proof for one version does not verify against another version’s root', () => {
    const x = exitProofs(s, 3n, 1)[0]!
    const other = balancesTree(s, 4n)
    const leaf = balanceLeafHash(channel.channelId, 3n, x.leaf)
    expect(
      verifyProof(
        x.proof.map((h) => fromHex(h)),
        other.root,
        leaf,
      ),
    ).toBe(false)
    expect(toHex(other.root)).not.toBe(x.root)
  })
})

describe('state root: equal states, equal roots; any difference shows (THREATS row 14)', () => {
  const scenario: Step[] = [
    ...funded,
    [1, place(Side.Sell, 101n, 4n)],
    [2, place(Side.Buy, 99n, 6n)],
    [0, place(Side.Buy, 101n, 1n)],
    [1, { tag: OpTag.Lock, token: 1, amount: 50n, until: 3n, reason: 2 }],
    [2, { tag: OpTag.Withdraw, token: 0, amount: 10n }],
    ...attested(extra),
    // pending: two contents claimed for the next record, one for a later one
    [0, dep({ index: extra.index + 1n, participant: 1, token: 1, amount: 9n })],
    [1, dep({ index: extra.index + 1n, participant: 1, token: 1, amount: 8n })],
    [2, dep({ index: extra.index + 3n, participant: 0, token: 0, amount: 7n })],
  ]

  it('is equal for two states built by the same ops, and for a clone', () => {
    const a = build(scenario)
    const b = build(scenario)
    expect(root(a)).toBe(root(b))
    expect(root(a.clone())).toBe(root(a))
  })

  it('differs when the same balances come from a different number of credited deposits', () => {
    const a = build([...funded, ...attested(extra)])
    const b = build([
      ...funded,
      ...attested({ ...extra, amount: 3n }),
      ...attested({ ...extra, index: extra.index + 1n, amount: 2n }),
    ])
    expect(a.holdings(2, 0)).toBe(b.holdings(2, 0))
    expect(b.depositCount).toBe(a.depositCount + 1n)
    expect(root(a)).not.toBe(root(b))
  })

  it('differs with pending attestations alone (who attested, what, at which index)', () => {
    const base = root(build(funded))
    const roots = [
      [[0, dep(extra)]],
      [[1, dep(extra)]],
      [[0, dep({ ...extra, index: extra.index + 1n })]],
      [[0, dep({ ...extra, amount: 6n })]],
      [[0, dep({ ...extra, participant: 1 })]],
      [[0, dep({ ...extra, token: 1 })]],
      [
        [0, dep(extra)],
        [1, dep(extra)],
      ],
    ].map((v) => root(build([...funded, ...(v as Step[])])))
    expect(new Set([base, ...roots]).size).toBe(roots.length + 1)
  })

  it('differs when funds sit in another bucket with the same holdings (lock vs withdraw)', () => {
    const a = build([...funded, [1, { tag: OpTag.Lock, token: 0, amount: 10n, until: 0n, reason: 0 }]])
    const b = build([...funded, [1, { tag: OpTag.Withdraw, token: 0, amount: 10n }]])
    expect(a.holdings(1, 0)).toBe(b.holdings(1, 0))
    expect(root(a)).not.toBe(root(b))
  })

  it('differs with a lock’s expiry or reason', () => {
    const lock = (until: bigint, reason: number): Step => [
      1,
      { tag: OpTag.Lock, token: 0, amount: 10n, until, reason },
    ]
    const roots = [lock(1n, 0), lock(2n, 0), lock(1n, 1)].map((l) => root(build([...funded, l])))
    expect(new Set(roots).size).toBe(3)
  })

  it('differs with resting orders: price, size, owner, and time priority within a level', () => {
    const variants: Step[][] = [
      [[1, place(Side.Sell, 101n, 4n)]],
      [[1, place(Side.Sell, 102n, 4n)]],
      [[1, place(Side.Sell, 101n, 5n)]],
      [[2, place(Side.Sell, 101n, 4n)]],
      [[1, place(Side.Buy, 1n, 4n)]],
      [
        [1, place(Side.Sell, 101n, 4n)],
        [2, place(Side.Sell, 101n, 4n)],
      ],
      [
        [2, place(Side.Sell, 101n, 4n)],
        [1, place(Side.Sell, 101n, 4n)],
      ],
    ]
    const roots = variants.map((v) => root(build([...funded, ...v])))
    expect(new Set(roots).size).toBe(variants.length)
  })

  it('a rejected op leaves the root unchanged, an accepted one changes it', () => {
    const s = build(scenario)
    const before = root(s)
    const ctx = { author: 2, seq: 99n, index: 0, height: 0, block: 'x', time: 0n }
    expect(s.apply({ tag: OpTag.Transfer, to: 2, token: 0, amount: 1n }, ctx)).toBe(Reject.SelfTransfer)
    expect(s.apply(place(Side.Buy, 100n, 10n ** 12n), ctx)).toBe(Reject.InsufficientFunds)
    expect(root(s)).toBe(before)
    expect(s.apply({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, ctx)).toBe(Reject.None)
    expect(root(s)).not.toBe(before)
  })

  it('covers every bucket of every account, every order field, lock and credited deposit', () => {
    const s = build(scenario)
    const base = root(s)
    const changed = (mutate: (c: ChannelState) => void) => {
      const c = s.clone()
      mutate(c)
      return root(c) !== base
    }
    for (const bucket of ['avail', 'locked', 'reserved', 'pendingWithdrawal'] as const)
      for (let i = 0; i < s.P * s.T; i++)
        expect(
          changed((c) => (c[bucket][i]! += 1n)),
          `${bucket}[${i}]`,
        ).toBe(true)
    const keys = [...s.books[0]!.orders()].map((o) => o.key)
    expect(keys.length).toBeGreaterThan(1)
    for (const key of keys)
      for (const field of ['price', 'remaining', 'reserved'] as const)
        expect(
          changed((c) => (c.books[0]!.byKey.get(key)![field] += 1n)),
          `${key}.${field}`,
        ).toBe(true)
    const [lockKey] = [...s.locks.keys()]
    for (const patch of [{ amount: 51n }, { until: 4n }, { reason: 3 }, { token: 0 }])
      expect(
        changed((c) => c.locks.set(lockKey!, { ...c.locks.get(lockKey!)!, ...patch })),
        JSON.stringify(patch, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
      ).toBe(true)
    expect(changed((c) => (c.depositCount += 1n))).toBe(true)
    expect(changed((c) => (c.depositCount -= 1n))).toBe(true)
    const pending = [...s.attestations.entries()]
    expect(pending.map(([i, l]) => [i, l.length])).toEqual([
      [extra.index + 1n, 2],
      [extra.index + 3n, 1],
    ])
    for (const [index, list] of pending) {
      expect(changed((c) => c.attestations.delete(index))).toBe(true)
      expect(
        changed((c) => {
          c.attestations.delete(index)
          c.attestations.set(index + 1n, list)
        }),
      ).toBe(true)
      for (let k = 0; k < list.length; k++) {
        const a = list[k]!
        const patches = [
          // (count is the number of bits in `by`, derived, so the root need not cover it)
          { by: a.by | 8n },
          { record: { ...a.record, participant: a.record.participant + 1 } },
          { record: { ...a.record, token: a.record.token + 1 } },
          { record: { ...a.record, amount: a.record.amount + 1n } },
        ]
        for (const patch of patches)
          expect(
            changed((c) =>
              c.attestations.set(
                index,
                list.map((x, j) => (j === k ? { ...x, ...patch } : x)),
              ),
            ),
            `attestation ${index}/${k} ${Object.keys(patch)[0]}`,
          ).toBe(true)
      }
    }
    expect(changed((c) => c.tradeCount++)).toBe(true)
  })

  it('does not depend on the order attestations arrived in, nor on map insertion order (determinism)', () => {
    const a = build(funded)
    const pendingA = build([
      ...funded,
      ...[1n, 2n, 3n].map((k): Step => [0, dep({ ...extra, index: extra.index + k })]),
    ])
    fc.assert(
      fc.property(
        fc.shuffledSubarray(funded, { minLength: funded.length, maxLength: funded.length }),
        fc.shuffledSubarray([1n, 2n, 3n], { minLength: 3, maxLength: 3 }),
        (order, later) => {
          const b = new ChannelState(channel)
          for (const [author, op] of order) {
            const r = b.apply(op, { author, seq: 1n, index: 0, height: 0, block: 'x', time: 0n })
            expect(r).toBe(Reject.None)
          }
          expect(root(b)).toBe(root(a))
          for (const k of later)
            b.apply(dep({ ...extra, index: extra.index + k }), {
              author: 0,
              seq: 1n,
              index: 0,
              height: 0,
              block: 'x',
              time: 0n,
            })
          expect(root(b)).toBe(root(pendingA))
        },
      ),
      { numRuns: 30 },
    )
  })
})
