/**
 * Deploys ChannelSettlement and two mintable test tokens to a local chain (anvil) and gives anvil's ten dev
 * accounts generous balances of both.
 *
 *   node --import tsx scripts/deployLocal.ts [--rpc-url http://127.0.0.1:8545] [--out deployment.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  parseUnits,
} from 'viem'
import { deployContract, getChainId, waitForTransactionReceipt, writeContract } from 'viem/actions'
import { foundry } from 'viem/chains'
import { devAccounts } from '../src/chain/devAccounts.ts'
import {
  channelSettlementAbi,
  channelSettlementBytecode,
  testTokenAbi,
  testTokenBytecode,
} from '../src/chain/generated/abis.ts'

export type TokenDeployment = { address: Address; name: string; symbol: string; decimals: number }
export type LocalDeployment = {
  chainId: number
  rpcUrl: string
  settlement: Address
  /** USD Coin test (6 decimals): the quote token of the default market */
  quote: TokenDeployment
  /** Wrapped Ether test (18 decimals): the base token */
  base: TokenDeployment
  /** the accounts that received test tokens (anvil's dev accounts by default) */
  funded: Address[]
  /** block of the first deployment: where log scans can start */
  deployBlock: number
}
export type DeployLocalParameters = {
  rpcUrl: string
  /** who deploys: anvil's dev account 0 by default */
  deployer?: Parameters<typeof createWalletClient>[0]['account']
  /** who gets tokens: anvil's ten dev accounts by default */
  fund?: Address[]
}

export const QUOTE = { name: 'USD Coin test', symbol: 'USDC', decimals: 6, mint: parseUnits('1000000', 6) }
export const BASE = { name: 'Wrapped Ether test', symbol: 'WETH', decimals: 18, mint: parseUnits('1000', 18) }

/** Deploys the settlement contract and the two tokens, mints to every funded account, returns the addresses. */
export async function deployLocal({
  rpcUrl,
  deployer,
  fund,
}: DeployLocalParameters): Promise<LocalDeployment> {
  const accounts = devAccounts(10)
  const account = deployer ?? accounts[0]!
  const transport = http(rpcUrl)
  const chainId = await getChainId(createPublicClient({ transport }))
  const chain: Chain = { ...foundry, id: chainId, rpcUrls: { default: { http: [rpcUrl] } } }
  const wallet = createWalletClient({ account, chain, transport })
  const client = createPublicClient({ chain, transport })

  const deployed = async (hash: Hex) => {
    const receipt = await waitForTransactionReceipt(client, { hash })
    if (!receipt.contractAddress || receipt.status !== 'success') throw new Error(`deployment ${hash} failed`)
    return { address: getAddress(receipt.contractAddress), block: Number(receipt.blockNumber) }
  }
  const token = (t: typeof QUOTE) =>
    deployContract(wallet, {
      abi: testTokenAbi,
      bytecode: testTokenBytecode,
      args: [t.name, t.symbol, t.decimals],
    })
  const settlement = await deployed(
    await deployContract(wallet, { abi: channelSettlementAbi, bytecode: channelSettlementBytecode }),
  )
  const quote = await deployed(await token(QUOTE))
  const base = await deployed(await token(BASE))

  const funded = fund ?? accounts.map((a) => a.address)
  let last: Hex | undefined
  for (const to of funded)
    for (const [token, amount] of [
      [quote.address, QUOTE.mint],
      [base.address, BASE.mint],
    ] as const)
      last = await writeContract(wallet, {
        address: token,
        abi: testTokenAbi,
        functionName: 'mint',
        args: [to, amount],
      })
  if (last) await waitForTransactionReceipt(client, { hash: last })

  const info = (address: Address, t: typeof QUOTE) => ({
    address,
    name: t.name,
    symbol: t.symbol,
    decimals: t.decimals,
  })
  return {
    chainId,
    rpcUrl,
    settlement: settlement.address,
    quote: info(quote.address, QUOTE),
    base: info(base.address, BASE),
    funded,
    deployBlock: settlement.block,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { 'rpc-url': { type: 'string', default: 'http://127.0.0.1:8545' }, out: { type: 'string' } },
  })
  const deployment = await deployLocal({ rpcUrl: values['rpc-url'] })
  const json = `${JSON.stringify(deployment, null, 2)}\n`
  if (values.out) {
    const path = resolve(values.out)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, json)
    console.log(`deployed to chain ${deployment.chainId}; addresses written to ${path}`)
  } else process.stdout.write(json)
}
