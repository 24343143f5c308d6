import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type FoundryTool = 'anvil' | 'forge'

/**
 * Path of a Foundry executable (Node only). Order: the `ANVIL` / `FORGE` environment variable, the npm platform
 * package in node_modules (Linux x64), then the bare name so that an installation on PATH (foundryup, Homebrew
 * on macOS) is used.
 */
export function foundryBinary(tool: FoundryTool): string {
  const fromEnv = process.env[tool.toUpperCase()]
  if (fromEnv) return fromEnv
  const local = fileURLToPath(new URL(`../../../node_modules/.bin/${tool}`, import.meta.url))
  return existsSync(local) ? local : tool
}
