import { describe, expect, it } from 'vitest'
import { decodeBlock } from './block.ts'
import { fromHex, toHex } from './bytes.ts'
import { closeDigestOf, closeSigner } from './close.ts'
import { OpTag } from './ops.ts'
import { addressFromPrivateKey, signDigest } from './signature.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const tc = makeTestChannel({ participants: 3 })
const deposits = testDeposits(3, 2, 1_000n)
const network = () => authoringReplicas(tc, deposits)

/** three replicas with a certified v1 */
function certified() {
  const reps = network()
  reps[0]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 5n })
  reps[0]!.submit({ tag: OpTag.CheckpointRequest })
  runToQuiet(reps)
  const v1 = reps[2]!.latestCertified()!
  expect(v1.version).toBe(1n)
  return { reps, v1 }
}

describe('cooperative close through the channel (Close ops)', () => {
  it('a close request travels in blocks; each participant adds its signature; every replica sees all of them', () => {
    const { reps, v1 } = certified()
    reps[1]!.submit(reps[1]!.closeOp(1n))
    runToQuiet(reps)
    // the request: one signature, by participant 1, for v1 as every replica computed it
    for (const r of reps) {
      const [req] = r.closes.list()
      expect(req).toMatchObject({ version: 1n, checkpointDigest: v1.digest.toLowerCase(), requestedBy: 1 })
      expect([...req!.signatures.keys()]).toEqual([1])
    }
    reps[0]!.submit(reps[0]!.closeOp(1n))
    reps[2]!.submit(reps[2]!.closeOp(1n))
    runToQuiet(reps)
    for (const r of reps) {
      const req = r.closes.list()[0]!
      expect([...req.signatures.keys()].sort()).toEqual([0, 1, 2])
      // each one is that participant's session key over Close(channelId, 1, digest(v1)): what the contract checks
      for (const [i, sig] of req.signatures)
        expect(closeSigner(tc.channel, v1, sig)).toBe(addressFromPrivateKey(tc.members[i]!.sessionKey))
    }
    // closes are not trading: no new checkpoint is due because of them
    expect(reps[0]!.latestCheckpointVersion).toBe(1n)
  })

  it('refuses to sign a version it has not computed; ignores a close signed by another key than the author’s', () => {
    const { reps, v1 } = certified()
    expect(() => reps[0]!.closeOp(2n)).toThrow(/not computed that checkpoint/)
    // participant 2 puts a close signed by participant 0's key in its block: not participant 2's signature
    const forged = signDigest(
      closeDigestOf(tc.channel, 1n, fromHex(v1.digest, 32)),
      tc.members[0]!.sessionKey,
    )
    reps[2]!.submit({
      tag: OpTag.Close,
      version: 1n,
      checkpointDigest: fromHex(v1.digest, 32),
      signature: forged,
    })
    const blocks = runToQuiet(reps)
    expect(blocks.some((b) => decodeBlock(b).ops.some((op) => op.tag === OpTag.Close))).toBe(true)
    for (const r of reps) expect(r.closes.list()).toEqual([])
  })

  it('an author’s second close at one version, for another checkpoint, is ignored', () => {
    const { reps, v1 } = certified()
    reps[0]!.submit(reps[0]!.closeOp(1n))
    const other = fromHex(`0x${'77'.repeat(32)}`, 32)
    const sig = signDigest(closeDigestOf(tc.channel, 1n, other), tc.members[0]!.sessionKey)
    reps[0]!.submit({ tag: OpTag.Close, version: 1n, checkpointDigest: other, signature: sig })
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.closes.list().map((q) => q.checkpointDigest)).toEqual([v1.digest.toLowerCase()])
      expect(r.closes.signedBy(0, 1n)).toBe(toHex(fromHex(v1.digest, 32)))
    }
  })
})
