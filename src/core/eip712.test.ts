import fc from 'fast-check'
import {
  concat,
  hashDomain,
  hashStruct,
  hashTypedData,
  recoverTypedDataAddress,
  stringToHex,
  keccak256 as viemKeccak,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { blockHeader, blockId, createBlock } from './block.ts'
import { fromHex, type Hex, toHex, ZERO32 } from './bytes.ts'
import { sessionKeyDigest } from './channel.ts'
import { type Checkpoint, checkpointDigest, checkpointFields } from './checkpoint.ts'
import {
  BLOCK_TYPE,
  BLOCK_TYPEHASH,
  blockStructHash,
  CHECKPOINT_TYPE,
  CHECKPOINT_TYPEHASH,
  CLOSE_TYPE,
  CLOSE_TYPEHASH,
  checkpointStructHash,
  DOMAIN_TYPE,
  DOMAIN_TYPEHASH,
  domainSeparator,
  EIP712_NAME,
  EIP712_VERSION,
  SESSION_KEY_TYPE,
  SESSION_KEY_TYPEHASH,
  sessionKeyStructHash,
  TYPED_DATA_TYPES,
  typedDataDigest,
} from './eip712.ts'
import { OpTag } from './ops.ts'
import { addressFromPrivateKey, recoverAddress, signDigest } from './signature.ts'
import { keyFromLabel, makeTestChannel } from './testing.ts'

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b))
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const domainArb = fc.record({
  chainId: fc.oneof(fc.constantFrom(1n, 31337n, 11155111n), fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })),
  verifyingContract: address,
})
const viemDomain = (d: { chainId: bigint; verifyingContract: Hex }) => ({
  name: EIP712_NAME,
  version: EIP712_VERSION,
  chainId: d.chainId,
  verifyingContract: d.verifyingContract,
})
const DOMAIN_TYPES = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const

/** EIP-712 encodeType of a struct without nested structs: Name(type1 name1,type2 name2,…) */
const encodeType = (name: string, fields: readonly { name: string; type: string }[]) =>
  `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`

describe('EIP-712 type strings and typehashes', () => {
  it('pins the type strings of the wire formats (contracts/src/ChannelSettlement.sol must declare the same)', () => {
    expect(BLOCK_TYPE).toBe(
      'Block(bytes32 channelId,address author,uint64 seq,uint64 round,uint64 time,bytes32 prev,bytes32 parentsHash,bytes32 opsHash)',
    )
    expect(CHECKPOINT_TYPE).toBe(
      'Checkpoint(bytes32 channelId,uint64 version,bytes32 leader,uint64 time,uint64 depositCount,uint64 forcedCount,bytes32 stateRoot,bytes32 balancesRoot)',
    )
    expect(SESSION_KEY_TYPE).toBe('SessionKey(bytes32 channelId,address participant,address sessionKey)')
  })

  it('typehashes are keccak256 of the strings (values recomputed independently with viem)', () => {
    expect(toHex(BLOCK_TYPEHASH)).toBe('0x75ff40898d2a2ccbbf6f4b698fd6ed3fd57b62907207cbc96548245ac3ad8f2e')
    expect(toHex(CHECKPOINT_TYPEHASH)).toBe(
      '0x1840835a77d62eef9fc48ace33df6252f108a1a116fe14d2a51c75e85989e02a',
    )
    expect(toHex(SESSION_KEY_TYPEHASH)).toBe(
      '0x755ca7fb27892370397b705163403aa5674ecff38c35c1e724ddf23fbb847032',
    )
    for (const [t, h] of [
      [BLOCK_TYPE, BLOCK_TYPEHASH],
      [CHECKPOINT_TYPE, CHECKPOINT_TYPEHASH],
      [CLOSE_TYPE, CLOSE_TYPEHASH],
      [SESSION_KEY_TYPE, SESSION_KEY_TYPEHASH],
      [DOMAIN_TYPE, DOMAIN_TYPEHASH],
    ] as const)
      expect(toHex(h)).toBe(viemKeccak(stringToHex(t)))
  })

  it('the wallet-facing TYPED_DATA_TYPES encode to exactly the same strings', () => {
    expect(encodeType('Block', TYPED_DATA_TYPES.Block)).toBe(BLOCK_TYPE)
    expect(encodeType('Checkpoint', TYPED_DATA_TYPES.Checkpoint)).toBe(CHECKPOINT_TYPE)
    expect(encodeType('Close', TYPED_DATA_TYPES.Close)).toBe(CLOSE_TYPE)
    expect(encodeType('SessionKey', TYPED_DATA_TYPES.SessionKey)).toBe(SESSION_KEY_TYPE)
    expect(encodeType('EIP712Domain', DOMAIN_TYPES.EIP712Domain)).toBe(DOMAIN_TYPE)
  })
})

describe('EIP-712 digests agree with viem (so Solidity agrees) — THREATS rows 3, 6', () => {
  it('domain separator', () => {
    fc.assert(
      fc.property(domainArb, (d) => {
        expect(toHex(domainSeparator(d))).toBe(hashDomain({ domain: viemDomain(d), types: DOMAIN_TYPES }))
      }),
      { numRuns: 100 },
    )
  })

  it('SessionKey', () => {
    fc.assert(
      fc.property(domainArb, bytes32, address, address, (d, channelId, participant, sessionKey) => {
        const ours = sessionKeyDigest(d, channelId, participant, sessionKey)
        const viem = hashTypedData({
          domain: viemDomain(d),
          types: TYPED_DATA_TYPES,
          primaryType: 'SessionKey',
          message: { channelId: toHex(channelId), participant, sessionKey },
        })
        expect(toHex(ours)).toBe(viem)
        expect(
          toHex(
            typedDataDigest(domainSeparator(d), sessionKeyStructHash(channelId, participant, sessionKey)),
          ),
        ).toBe(viem)
      }),
      { numRuns: 100 },
    )
  })

  it('Block header', () => {
    fc.assert(
      fc.property(
        domainArb,
        fc.record({
          channelId: bytes32,
          author: fc.uint8Array({ minLength: 20, maxLength: 20 }),
          seq: u64,
          round: u64,
          time: u64,
          prev: bytes32,
          parentsHash: bytes32,
          opsHash: bytes32,
        }),
        (d, h) => {
          const message = {
            channelId: toHex(h.channelId),
            author: toHex(h.author),
            seq: h.seq,
            round: h.round,
            time: h.time,
            prev: toHex(h.prev),
            parentsHash: toHex(h.parentsHash),
            opsHash: toHex(h.opsHash),
          }
          const viem = hashTypedData({
            domain: viemDomain(d),
            types: TYPED_DATA_TYPES,
            primaryType: 'Block',
            message,
          })
          expect(toHex(blockStructHash(h))).toBe(
            hashStruct({ data: message, primaryType: 'Block', types: TYPED_DATA_TYPES }),
          )
          expect(toHex(typedDataDigest(domainSeparator(d), blockStructHash(h)))).toBe(viem)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('block ids: parentsHash = keccak(concat parents), opsHash = keccak(ops bytes)', () => {
    const { channel, members } = makeTestChannel({ participants: 2, label: 'eip712-block' })
    const m = members[1]!
    const parents = [new Uint8Array(32).fill(3), new Uint8Array(32).fill(1)]
    for (const [seq, round, time, ps] of [
      [1n, 1n, 0n, []],
      [2n, 7n, 1_700_000_000_000n, parents],
    ] as const) {
      const { block, id } = createBlock({
        channelId: channel.channelId,
        author: fromHex(m.address, 20),
        seq,
        round,
        time,
        prev: seq === 1n ? ZERO32 : new Uint8Array(32).fill(9),
        parents: [...ps],
        ops: [{ tag: OpTag.Transfer, to: 0, token: 1, amount: 12345n }],
        sessionKey: m.sessionKey,
        domainSeparator: channel.domainSeparator,
      })
      const viem = hashTypedData({
        domain: viemDomain(channel.config),
        types: TYPED_DATA_TYPES,
        primaryType: 'Block',
        message: {
          channelId: toHex(channel.channelId),
          author: m.address,
          seq,
          round,
          time,
          prev: toHex(block.prev),
          parentsHash: viemKeccak(block.parents.length === 0 ? '0x' : concat(block.parents.map(toHex))),
          opsHash: viemKeccak(toHex(block.opsBytes)),
        },
      })
      expect(toHex(id)).toBe(viem)
      expect(toHex(blockId(block, channel.domainSeparator))).toBe(viem)
      expect(toHex(blockHeader(block).opsHash)).toBe(viemKeccak(toHex(block.opsBytes)))
    }
  })

  it('Checkpoint', () => {
    fc.assert(
      fc.property(
        domainArb,
        bytes32,
        fc.record({
          version: u64,
          leader: bytes32,
          time: u64,
          depositCount: u64,
          forcedCount: u64,
          stateRoot: bytes32,
          balancesRoot: bytes32,
        }),
        (d, channelId, cp) => {
          const message = {
            channelId: toHex(channelId),
            version: cp.version,
            leader: toHex(cp.leader),
            time: cp.time,
            depositCount: cp.depositCount,
            forcedCount: cp.forcedCount,
            stateRoot: toHex(cp.stateRoot),
            balancesRoot: toHex(cp.balancesRoot),
          }
          const viem = hashTypedData({
            domain: viemDomain(d),
            types: TYPED_DATA_TYPES,
            primaryType: 'Checkpoint',
            message,
          })
          const sep = domainSeparator(d)
          expect(toHex(checkpointDigest(sep, channelId, cp))).toBe(viem)
          const structHash = checkpointStructHash(checkpointFields(channelId, cp))
          expect(toHex(structHash)).toBe(
            hashStruct({ data: message, primaryType: 'Checkpoint', types: TYPED_DATA_TYPES }),
          )
          expect(toHex(typedDataDigest(sep, structHash))).toBe(viem)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('the checkpoint digest covers every field', () => {
    const sep = domainSeparator({
      chainId: 1n,
      verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    })
    const channelId = new Uint8Array(32).fill(7)
    const cp: Checkpoint = {
      version: 3n,
      leader: new Uint8Array(32).fill(1),
      time: 1000n,
      depositCount: 4n,
      forcedCount: 5n,
      stateRoot: new Uint8Array(32).fill(2),
      balancesRoot: new Uint8Array(32).fill(3),
    }
    const variants: Checkpoint[] = [
      { ...cp, version: 4n },
      { ...cp, leader: new Uint8Array(32).fill(9) },
      { ...cp, time: 1001n },
      { ...cp, depositCount: 5n },
      { ...cp, forcedCount: 6n },
      { ...cp, stateRoot: new Uint8Array(32).fill(9) },
      { ...cp, balancesRoot: new Uint8Array(32).fill(9) },
    ]
    const digests = new Set([cp, ...variants].map((c) => toHex(checkpointDigest(sep, channelId, c))))
    digests.add(toHex(checkpointDigest(sep, new Uint8Array(32).fill(8), cp)))
    expect(digests.size).toBe(variants.length + 2)
  })

  it('a digest changes with the domain: chain, contract', () => {
    const d = { chainId: 1n, verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Hex }
    const id = new Uint8Array(32).fill(1)
    const a = '0x00000000000000000000000000000000000000a1' as Hex
    const base = toHex(sessionKeyDigest(d, id, a, a))
    expect(toHex(sessionKeyDigest({ ...d, chainId: 2n }, id, a, a))).not.toBe(base)
    expect(toHex(sessionKeyDigest({ ...d, verifyingContract: a }, id, a, a))).not.toBe(base)
  })
})

describe('EIP-712 signatures interoperate with viem wallets', () => {
  const walletKey = keyFromLabel('eip712/wallet')
  const account = privateKeyToAccount(toHex(walletKey))
  const domain = { chainId: 31337n, verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Hex }
  const channelId = new Uint8Array(32).fill(0x42)
  const sessionKey = addressFromPrivateKey(keyFromLabel('eip712/session'))
  const typed = {
    domain: viemDomain(domain),
    types: TYPED_DATA_TYPES,
    primaryType: 'SessionKey' as const,
    message: { channelId: toHex(channelId), participant: account.address, sessionKey },
  }

  it('a wallet signature (viem signTypedData) recovers with our recoverAddress', async () => {
    const sig = await account.signTypedData(typed)
    const digest = sessionKeyDigest(domain, channelId, account.address, sessionKey)
    expect(recoverAddress(digest, fromHex(sig))).toBe(account.address.toLowerCase())
    // ...but not under another chain: the domain is bound
    const other = sessionKeyDigest({ ...domain, chainId: 1n }, channelId, account.address, sessionKey)
    expect(recoverAddress(other, fromHex(sig))).not.toBe(account.address.toLowerCase())
  })

  it('our signDigest recovers with viem recoverTypedDataAddress', async () => {
    const digest = sessionKeyDigest(domain, channelId, account.address, sessionKey)
    const sig = signDigest(digest, walletKey)
    const recovered = await recoverTypedDataAddress({ ...typed, signature: toHex(sig) })
    expect(recovered).toBe(account.address)
  })

  it('the test channel authorisations verify in viem', async () => {
    const { channel } = makeTestChannel({ participants: 3, label: 'eip712-auth' })
    for (const p of channel.config.participants) {
      const recovered = await recoverTypedDataAddress({
        domain: viemDomain(channel.config),
        types: TYPED_DATA_TYPES,
        primaryType: 'SessionKey',
        message: { channelId: toHex(channel.channelId), participant: p.address, sessionKey: p.sessionKey },
        signature: p.authSignature,
      })
      expect(recovered.toLowerCase()).toBe(p.address.toLowerCase())
    }
  })
})
