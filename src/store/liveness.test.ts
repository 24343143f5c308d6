import { describe, expect, it } from 'vitest'
import {
  finalityText,
  HEARTBEAT_MS,
  heartbeatDue,
  type Liveness,
  OFFLINE_AFTER_MS,
  updateLiveness,
} from './liveness.ts'

const names = ['you', 'B', 'C']
const time = (ms: number) => `t${ms}`

describe('liveness', () => {
  it('a participant not heard from for a few seconds is offline, since when it was last heard from', () => {
    let l: Liveness[] = []
    l = updateLiveness(
      l,
      3,
      0,
      [
        { participant: 1, lastUpdated: 1000 },
        { participant: 2, lastUpdated: 1000 },
      ],
      1000,
    )
    expect(l.map((x) => x.online)).toEqual([true, true, true])
    expect(l[1]!.since).toBe(1000)
    // B keeps announcing; C's tab closed after its 1000 ms heartbeat
    l = updateLiveness(
      l,
      3,
      0,
      [
        { participant: 1, lastUpdated: 4500 },
        { participant: 2, lastUpdated: 1000 },
      ],
      4500,
    )
    expect(l[2]!.online).toBe(true)
    l = updateLiveness(
      l,
      3,
      0,
      [
        { participant: 1, lastUpdated: 5500 },
        { participant: 2, lastUpdated: 1000 },
      ],
      1000 + OFFLINE_AFTER_MS,
    )
    expect(l[2]).toEqual({ online: false, since: 1000 })
    // online since is kept while it stays online
    expect(l[1]).toEqual({ online: true, since: 1000 })
    // its awareness state removed altogether: still offline since its last heartbeat
    l = updateLiveness(l, 3, 0, [{ participant: 1, lastUpdated: 9000 }], 9000)
    expect(l[2]).toEqual({ online: false, since: 1000 })
    // never seen, and claims outside the channel are ignored
    const fresh = updateLiveness(
      [],
      3,
      0,
      [
        { participant: 7, lastUpdated: 1 },
        { participant: undefined, lastUpdated: 1 },
      ],
      5,
    )
    expect(fresh[1]).toEqual({ online: false, since: undefined })
  })

  it('says in words why operations are pending', () => {
    const all: Liveness[] = [
      { online: true, since: 0 },
      { online: true, since: 0 },
      { online: true, since: 0 },
    ]
    const base = { n: 3, q: 2, names, time, pendingOps: 0, oldestPendingRound: undefined }
    expect(finalityText({ ...base, liveness: all })).toBe('Everything is final · 3 of 3 participants online')
    const cOff: Liveness[] = [all[0]!, all[1]!, { online: false, since: 723 }]
    expect(finalityText({ ...base, pendingOps: 2, oldestPendingRound: 12, liveness: cOff })).toBe(
      '2 operations pending: waiting for round 12 to commit · 2 of 3 participants online (2 needed) · C offline since t723',
    )
    const bcOff: Liveness[] = [all[0]!, { online: false, since: undefined }, cOff[2]!]
    expect(finalityText({ ...base, pendingOps: 1, oldestPendingRound: 3, liveness: bcOff })).toBe(
      '1 operation pending: nothing can become final until 1 more participant comes online (2 of 3 needed) · 1 of 3 participants online · B not seen yet, C offline since t723',
    )
    // after the channel is finalized on chain nothing pending is waiting for anyone: it never becomes final
    expect(
      finalityText({ ...base, pendingOps: 1, oldestPendingRound: 3, liveness: bcOff, finalized: true }),
    ).toBe(
      '1 operation pending will never be final: the channel is finalized on chain, and it paid out the checkpoint it settled at',
    )
  })
})

describe('heartbeatDue', () => {
  it('announces when nothing went out for a beat, and not right after a presence update', () => {
    expect(heartbeatDue(undefined, 10_000)).toBe(true)
    expect(heartbeatDue(10_000 - HEARTBEAT_MS, 10_000)).toBe(true)
    expect(heartbeatDue(10_000 - HEARTBEAT_MS + 1, 10_000)).toBe(false)
    expect(heartbeatDue(9_000, 10_000, 2_500)).toBe(false)
    // the longest silence a skipped tick allows stays inside the offline threshold
    expect(2 * HEARTBEAT_MS).toBeLessThan(OFFLINE_AFTER_MS)
  })
})
