import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  RawContractError,
} from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeSettlementError, SettlementRevertedError } from './errors.ts'
import { channelSettlementAbi, testTokenAbi } from './generated/abis.ts'

const settlement = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

function reverted(data: `0x${string}`, abi: readonly unknown[] = channelSettlementAbi) {
  return new ContractFunctionExecutionError(
    new ContractFunctionRevertedError({ abi: abi as never, data, functionName: 'propose' }),
    { abi: abi as never, functionName: 'propose', args: [], contractAddress: settlement },
  )
}

describe('decodeSettlementError', () => {
  it('names the custom error, its arguments by name and its NatSpec notice', () => {
    const data = encodeErrorResult({
      abi: channelSettlementAbi,
      errorName: 'ChannelSettlementStaleVersion',
      args: [1n, 2n],
    })
    const e = decodeSettlementError(reverted(data))!
    expect(e).toBeInstanceOf(SettlementRevertedError)
    expect(e.errorName).toBe('ChannelSettlementStaleVersion')
    expect(e.args).toEqual([1n, 2n])
    expect(e.argsByName).toEqual({ version: 1n, current: 2n })
    expect(e.shortMessage).toBe('ChannelSettlementStaleVersion(version: 1, current: 2)')
    expect(e.notice).toBe('A challenge must carry a strictly higher version than `current`.')
    expect(e.details).toContain('function: propose')
    expect(e.details).toContain(settlement)
    expect(e.cause).toBeInstanceOf(ContractFunctionExecutionError)
  })

  it('decodes errors a token bubbles up through the contract (not in the called ABI)', () => {
    const data = encodeErrorResult({
      abi: testTokenAbi,
      errorName: 'ERC20InsufficientBalance',
      args: ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 5n, 9n],
    })
    // viem could not decode it against a narrower ABI; the raw data is enough
    const e = decodeSettlementError(reverted(data, []))!
    expect(e.errorName).toBe('ERC20InsufficientBalance')
    expect(e.args).toEqual(['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 5n, 9n])
  })

  it('finds raw revert data on RPC-level errors and reports require strings and unknown selectors', () => {
    const raw = new RawContractError({
      data: encodeErrorResult({ abi: channelSettlementAbi, errorName: 'ChannelSettlementInvalidProof' }),
    })
    expect(decodeSettlementError(raw)!.shortMessage).toBe('ChannelSettlementInvalidProof()')
    const require = new RawContractError({
      data: encodeErrorResult({
        abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }],
        errorName: 'Error',
        args: ['nope'],
      }),
    })
    expect(decodeSettlementError(require)!.errorName).toBe('Error')
    const unknown = decodeSettlementError(new RawContractError({ data: '0xdeadbeef' }))!
    expect(unknown.errorName).toBe('UnknownRevert')
    expect(unknown.details).toContain('0xdeadbeef')
  })

  it('leaves everything that is not a revert alone', () => {
    expect(decodeSettlementError(new Error('user rejected'))).toBeUndefined()
    expect(decodeSettlementError('x')).toBeUndefined()
  })
})
