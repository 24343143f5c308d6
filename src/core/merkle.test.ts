import fc from 'fast-check'
import { concat, encodeAbiParameters, type Hex, keccak256 as viemKeccak } from 'viem'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, ZERO32 } from './bytes.ts'
import { type BalanceLeaf, balanceLeafHash, hashPair, MerkleTree, verifyProof } from './merkle.ts'

// ─── a tiny independent reference: what OpenZeppelin's MerkleProof.verify and the contract's leaf compute ───

/** keccak256(bytes.concat(keccak256(abi.encode(channelId, version, participant, token, amount)))) */
function refLeaf(channelId: Hex, version: bigint, l: BalanceLeaf): Hex {
  const inner = viemKeccak(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
      ],
      [channelId, version, l.participant, l.token, l.amount],
    ),
  )
  return viemKeccak(inner)
}
/** Hashes.commutativeKeccak256: the smaller word first. Equal-length lowercase hex compares like bytes. */
const refPair = (a: Hex, b: Hex): Hex => viemKeccak(a < b ? concat([a, b]) : concat([b, a]))
/** MerkleProof.processProof + equality */
const refVerify = (proof: Hex[], root: Hex, leaf: Hex) => proof.reduce(refPair, leaf) === root

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b))
const leafArb = fc.record({
  participant: address,
  token: address,
  amount: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
})

describe('balance leaves match the contract’s double-hashed leaf (THREATS row 12)', () => {
  it('equals the viem reference for random leaves', () => {
    fc.assert(
      fc.property(bytes32, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), leafArb, (id, version, leaf) => {
        expect(toHex(balanceLeafHash(id, version, leaf))).toBe(refLeaf(toHex(id), version, leaf))
      }),
      { numRuns: 200 },
    )
  })

  it('binds channel, version, participant, token and amount', () => {
    const id = new Uint8Array(32).fill(1)
    const leaf: BalanceLeaf = {
      participant: '0x00000000000000000000000000000000000000a1',
      token: '0x00000000000000000000000000000000000000b1',
      amount: 100n,
    }
    const h = toHex(balanceLeafHash(id, 3n, leaf))
    const variants = [
      balanceLeafHash(new Uint8Array(32).fill(2), 3n, leaf),
      balanceLeafHash(id, 4n, leaf),
      balanceLeafHash(id, 3n, { ...leaf, participant: '0x00000000000000000000000000000000000000a2' }),
      balanceLeafHash(id, 3n, { ...leaf, token: '0x00000000000000000000000000000000000000b2' }),
      balanceLeafHash(id, 3n, { ...leaf, amount: 101n }),
      // participant and token swapped
      balanceLeafHash(id, 3n, { ...leaf, participant: leaf.token, token: leaf.participant }),
    ].map(toHex)
    expect(new Set([h, ...variants]).size).toBe(variants.length + 1)
  })
})

describe('Merkle tree and proofs follow OpenZeppelin MerkleProof (THREATS row 12)', () => {
  it('hashPair is commutative keccak(min ‖ max)', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        expect(toHex(hashPair(a, b))).toBe(toHex(hashPair(b, a)))
        expect(toHex(hashPair(a, b))).toBe(refPair(toHex(a), toHex(b)))
      }),
      { numRuns: 200 },
    )
  })

  it('the empty tree has root zero; a single leaf is its own root with an empty proof', () => {
    expect(toHex(new MerkleTree([]).root)).toBe(toHex(ZERO32))
    const leaf = new Uint8Array(32).fill(5)
    const t = new MerkleTree([leaf])
    expect(toHex(t.root)).toBe(toHex(leaf))
    expect(t.proof(leaf)).toEqual([])
    expect(verifyProof([], t.root, leaf)).toBe(true)
  })

  it('every leaf of trees of 1..40 leaves verifies, with ours and with the reference', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) =>
        fromHex(viemKeccak(`0x${i.toString(16).padStart(4, '0')}`)),
      )
      const t = new MerkleTree(leaves)
      const root = toHex(t.root)
      for (const l of leaves) {
        const proof = t.proof(l)
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)))
        expect(verifyProof(proof, t.root, l)).toBe(true)
        expect(refVerify(proof.map(toHex), root, toHex(l))).toBe(true)
      }
    }
  })

  it('the root does not depend on the order leaves are given in', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(bytes32, { minLength: 1, maxLength: 20, selector: toHex })
          .chain((ls) =>
            fc.tuple(
              fc.constant(ls),
              fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length }),
            ),
          ),
        ([a, b]) => {
          expect(toHex(new MerkleTree(a).root)).toBe(toHex(new MerkleTree(b).root))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('a leaf that is not in the tree has no proof', () => {
    const t = new MerkleTree([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)])
    expect(() => t.proof(new Uint8Array(32).fill(3))).toThrow()
  })
})

describe('exit-proof tricks fail (THREATS row 12)', () => {
  const channelId = new Uint8Array(32).fill(0xcc)
  const leaves: BalanceLeaf[] = Array.from({ length: 7 }, (_, i) => ({
    participant: `0x${(0xa0 + (i >> 1)).toString(16).padStart(40, '0')}` as Hex,
    token: `0x${(0xb0 + (i & 1)).toString(16).padStart(40, '0')}` as Hex,
    amount: BigInt(1000 * (i + 1)),
  }))
  const version = 5n
  const hashes = leaves.map((l) => balanceLeafHash(channelId, version, l))
  const tree = new MerkleTree(hashes)

  it('every honest claim verifies', () => {
    for (const h of hashes) expect(verifyProof(tree.proof(h), tree.root, h)).toBe(true)
  })

  it('a proof against another root fails (an older checkpoint, another tree)', () => {
    const older = new MerkleTree(leaves.map((l) => balanceLeafHash(channelId, version - 1n, l)))
    const otherTree = new MerkleTree(hashes.slice(1))
    for (const h of hashes) {
      expect(verifyProof(tree.proof(h), older.root, h)).toBe(false)
      expect(verifyProof(tree.proof(h), otherTree.root, h)).toBe(false)
    }
  })

  it('a claim for another amount, version, channel, participant or token fails with the honest proof', () => {
    leaves.forEach((l, i) => {
      const proof = tree.proof(hashes[i]!)
      const forged = [
        balanceLeafHash(channelId, version, { ...l, amount: l.amount + 1n }),
        balanceLeafHash(channelId, version + 1n, l),
        balanceLeafHash(new Uint8Array(32).fill(0xcd), version, l),
        balanceLeafHash(channelId, version, {
          ...l,
          participant: '0x00000000000000000000000000000000000000ff',
        }),
        balanceLeafHash(channelId, version, { ...l, token: '0x00000000000000000000000000000000000000ff' }),
      ]
      for (const f of forged) expect(verifyProof(proof, tree.root, f)).toBe(false)
    })
  })

  it('a tampered proof fails', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (li, pi, bit) => {
        const h = hashes[li % hashes.length]!
        const proof = tree.proof(h).map((p) => p.slice())
        const p = proof[pi % proof.length]!
        p[bit >> 3]! ^= 1 << (bit & 7)
        expect(verifyProof(proof, tree.root, h)).toBe(false)
      }),
      { numRuns: 100 },
    )
  })

  it('an internal node cannot be claimed as a leaf: leaves are double-hashed', () => {
    const [level0, level1] = [tree.levels[0]!, tree.levels[1]!]
    // the internal node over the first two leaves, and the 64 bytes it hashes
    const node = level1[0]!
    const preimage = toHex(new Uint8Array([...level0[0]!, ...level0[1]!]))
    expect(viemKeccak(preimage)).toBe(toHex(node))
    // its proof one level up does verify for the node itself: the tree alone cannot tell nodes from leaves...
    const upper = tree.proof(level0[0]!).slice(1)
    expect(verifyProof(upper, tree.root, node)).toBe(true)
    // ...so with single-hashed leaves, "leaf data" = those 64 bytes would pass as a claim
    expect(refVerify(upper.map(toHex), toHex(tree.root), viemKeccak(preimage))).toBe(true)
    // but a claim's leaf is hashed twice, so the same bytes as leaf data give another hash and fail
    expect(refVerify(upper.map(toHex), toHex(tree.root), viemKeccak(viemKeccak(preimage)))).toBe(false)
    // and no balance leaf equals any internal node (odd nodes carried up unchanged are not internal nodes)
    const leafSet = new Set(hashes.map(toHex))
    const internal = tree.levels
      .slice(1)
      .flat()
      .map(toHex)
      .filter((h) => !leafSet.has(h))
    expect(internal.length).toBeGreaterThan(0)
    for (let d = 1; d < tree.levels.length; d++)
      for (let i = 0; i + 1 < tree.levels[d - 1]!.length; i += 2)
        expect(leafSet.has(toHex(hashPair(tree.levels[d - 1]![i]!, tree.levels[d - 1]![i + 1]!)))).toBe(false)
  })
})
