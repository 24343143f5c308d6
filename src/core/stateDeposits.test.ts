import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEPOSIT_WINDOW } from './attestations.ts'
import { toHex } from './bytes.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import { deposit, expectReject, setup } from './state.fixture.ts'
import { ChannelState, type DepositRecord } from './state.ts'

describe('deposits: credited at q identical attestations, in index order', () => {
  /** P = 4, q = 3: participant 3 plays the liar where one is needed */
  const fresh = () => setup({ participants: 4, credit: false })
  const rec = (index: bigint, participant = 1, token = 0, amount = 500n): DepositRecord => ({
    index,
    participant,
    token,
    amount,
  })

  it('q − 1 attestations credit nothing; the q-th credits the record’s participant and token', () => {
    const h = fresh()
    expect(h.q).toBe(3)
    const r = rec(0n, 2, 1)
    expect(h.apply(0, deposit(r))).toBe(Reject.None)
    expect(h.apply(3, deposit(r))).toBe(Reject.None)
    expect(h.state.isCredited(0n)).toBe(false)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.holdings(2, 1)).toBe(0n)
    expect(h.state.attestations.get(0n)).toEqual([{ record: r, by: 0b1001n, count: 2 }])
    expect(h.apply(1, deposit(r))).toBe(Reject.None)
    expect(h.state.isCredited(0n)).toBe(true)
    expect(h.state.isCredited(1n)).toBe(false)
    expect(h.state.depositCount).toBe(1n)
    expect(h.avail(2, 1)).toBe(500n)
    // credited once: nothing else moved, and the attestations are gone
    for (let p = 0; p < 4; p++)
      for (let t = 0; t < 2; t++) if (p !== 2 || t !== 1) expect(h.avail(p, t)).toBe(0n)
    expect(h.state.attestations.size).toBe(0)
  })

  it('attestations of different content do not add up; the content with q attesters is what is credited', () => {
    const h = fresh()
    const real = rec(0n)
    const variants = [
      { ...real, amount: 501n },
      { ...real, participant: 2 },
      { ...real, token: 1 },
    ]
    // q attestations in total but of four different contents: none credits
    expect(h.apply(3, deposit(variants[0]!))).toBe(Reject.None)
    expect(h.apply(0, deposit(variants[1]!))).toBe(Reject.None)
    expect(h.apply(1, deposit(variants[2]!))).toBe(Reject.None)
    expect(h.apply(2, deposit(real))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.attestations.get(0n)).toHaveLength(4)
    for (let p = 0; p < 4; p++) for (let t = 0; t < 2; t++) expect(h.state.holdings(p, t)).toBe(0n)
  })

  it('a record with a quorum waits for every lower index; crediting that one credits the run behind it', () => {
    const h = fresh()
    const rs = [rec(0n, 0, 0, 10n), rec(1n, 1, 0, 20n), rec(2n, 2, 1, 30n)]
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rs[2]!))).toBe(Reject.None)
    for (const a of [1, 2, 3]) expect(h.apply(a, deposit(rs[1]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.isCredited(1n) || h.state.isCredited(2n)).toBe(false)
    expect(h.avail(1, 0) + h.avail(2, 1)).toBe(0n)
    expect(h.apply(3, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.apply(0, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.apply(2, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(3n)
    expect([h.avail(0, 0), h.avail(1, 0), h.avail(2, 1)]).toEqual([10n, 20n, 30n])
    expect(h.state.attestations.size).toBe(0)
  })

  it('a made-up record attested by fewer than q is never credited, and a missing index holds back later ones', () => {
    const h = fresh()
    const liar = 3
    // the liar invents record 0 (a deposit to itself) and attests it; honest participants attest the real one
    expect(h.apply(liar, deposit(rec(0n, liar, 0, 1n << 100n)))).toBe(Reject.None)
    for (const a of [0, 1]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.apply(2, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.state.holdings(liar, 0)).toBe(0n)
    expect(h.avail(1, 0)).toBe(500n)
    // an index no honest participant saw on chain: the liar's attestation alone never credits it…
    expect(h.apply(liar, deposit(rec(1n, liar)))).toBe(Reject.None)
    // …and records behind it wait, even with a quorum, until index 1 itself has one
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(2n, 2)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.state.holdings(liar, 0)).toBe(0n)
    expect(h.state.holdings(2, 0)).toBe(0n)
  })

  it('an honest quorum attesting the real records always credits all of them, whatever the order and the lies', () => {
    const chainRecords = fc.array(
      fc.record({
        participant: fc.integer({ min: 0, max: 3 }),
        token: fc.integer({ min: 0, max: 1 }),
        amount: fc.bigInt({ min: 1n, max: 1n << 64n }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    const h0 = fresh()
    fc.assert(
      fc.property(
        chainRecords,
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        fc.boolean(),
        (raw, liar, seed, lies) => {
          const records = raw.map((r, i) => ({ ...r, index: BigInt(i) }))
          const state = new ChannelState(h0.state.channel)
          // every (attester, record) pair once: honest attesters the real content, the liar made-up content
          const events: [number, DepositRecord][] = []
          for (const r of records)
            for (let a = 0; a < 4; a++)
              if (a !== liar) events.push([a, r])
              else if (lies)
                events.push([a, { ...r, participant: (r.participant + 1) % 4, amount: r.amount + 1n }])
          // a deterministic shuffle from the seed
          let x = seed
          for (let i = events.length - 1; i > 0; i--) {
            x = (x * 1103515245 + 12345) % 2147483648
            const j = x % (i + 1)
            ;[events[i], events[j]] = [events[j]!, events[i]!]
          }
          for (const [a, r] of events) {
            const result = state.apply(deposit(r), {
              author: a,
              seq: 1n,
              index: 0,
              height: 0,
              block: 'x',
              time: 0n,
            })
            // the only refusal is the late one: attesting a record already credited
            expect([Reject.None, Reject.DepositAlreadyCredited]).toContain(result)
          }
          expect(state.depositCount).toBe(BigInt(records.length))
          expect(state.attestations.size).toBe(0)
          for (let p = 0; p < 4; p++)
            for (let t = 0; t < 2; t++) {
              let want = 0n
              for (const r of records) if (r.participant === p && r.token === t) want += r.amount
              expect(state.holdings(p, t)).toBe(want)
            }
        },
      ),
      { numRuns: 100 },
    )
  })

  it(`attestations are accepted up to DEPOSIT_WINDOW (${DEPOSIT_WINDOW}) records ahead; the window slides`, () => {
    const h = fresh()
    const far = DEPOSIT_WINDOW
    expectReject(h, 0, deposit(rec(far)), Reject.UnknownDeposit)
    expect(h.apply(0, deposit(rec(far - 1n)))).toBe(Reject.None)
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.apply(0, deposit(rec(far)))).toBe(Reject.None)
    expectReject(h, 0, deposit(rec(far + 1n)), Reject.UnknownDeposit)
    expect([...h.state.attestations.keys()].sort()).toEqual([far - 1n, far])
  })

  it('the state root covers pending attestations: who attested what, at which index', () => {
    const roots = new Set<string>()
    const variants: [number, DepositRecord][][] = [
      [],
      [[0, rec(0n)]],
      [[1, rec(0n)]],
      [[0, rec(1n)]],
      [[0, rec(0n, 2)]],
      [[0, rec(0n, 1, 1)]],
      [[0, rec(0n, 1, 0, 501n)]],
      [
        [0, rec(0n)],
        [1, rec(0n)],
      ],
    ]
    for (const v of variants) {
      const h = fresh()
      for (const [a, r] of v) expect(h.apply(a, deposit(r))).toBe(Reject.None)
      roots.add(toHex(stateRoot(h.state)))
    }
    expect(roots.size).toBe(variants.length)
  })

  it('creditGenesis credits records 0, 1, 2, … before any block and refuses gaps', () => {
    const h = fresh()
    const s = h.state
    s.creditGenesis([rec(0n, 0, 0, 7n), rec(1n, 3, 1, 9n)])
    expect(s.depositCount).toBe(2n)
    expect(s.isCredited(1n)).toBe(true)
    expect(s.isCredited(2n)).toBe(false)
    expect([s.avail[0], s.avail[3 * 2 + 1]]).toEqual([7n, 9n])
    expect(() => s.creditGenesis([rec(3n)])).toThrow(RangeError)
    expect(() => new ChannelState(s.channel).creditGenesis([rec(1n)])).toThrow(RangeError)
    // attestations continue from there
    expectReject(h, 0, deposit(rec(1n, 3, 1, 9n)), Reject.DepositAlreadyCredited)
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(2n)))).toBe(Reject.None)
    expect(s.depositCount).toBe(3n)
  })

  it('a clone’s attestations are its own', () => {
    const h = fresh()
    expect(h.apply(0, deposit(rec(0n)))).toBe(Reject.None)
    const root = toHex(stateRoot(h.state))
    const c = h.state.clone()
    for (const a of [1, 2]) expect(c.apply(deposit(rec(0n)), { ...h.ctx(a) })).toBe(Reject.None)
    expect(c.depositCount).toBe(1n)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.attestations.get(0n)).toEqual([{ record: rec(0n), by: 1n, count: 1 }])
    expect(toHex(stateRoot(h.state))).toBe(root)
    // and the original can still reach its own quorum
    for (const a of [3, 2]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
  })
})

// ─── invariants over random op sequences ─────────────────────────────────────────────────────────────────
