import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { missingToolMessage, platformPackage, resolveTool } from '../../../scripts/platformTool.mjs'

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  optionalDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

describe('native tools come from per-platform optional packages (issue 11 item 11)', () => {
  const platforms = ['linux', 'darwin', 'win32'] as const
  const arches = ['x64', 'arm64'] as const

  it('names the package each tool publishes per platform, and none where it publishes none', () => {
    expect(platformPackage('anvil', 'darwin', 'arm64')).toBe('@foundry-rs/anvil-darwin-arm64')
    expect(platformPackage('forge', 'linux', 'x64')).toBe('@foundry-rs/forge-linux-amd64')
    expect(platformPackage('forge', 'win32', 'x64')).toBe('@foundry-rs/forge-win32-amd64')
    expect(platformPackage('forge', 'win32', 'arm64')).toBeUndefined()
    expect(platformPackage('biome', 'win32', 'arm64')).toBe('@biomejs/cli-win32-arm64')
    expect(platformPackage('biome', 'linux', 'arm64', true)).toBe('@biomejs/cli-linux-arm64-musl')
    expect(platformPackage('anvil', 'freebsd', 'x64')).toBeUndefined()
    expect(platformPackage('biome', 'linux', 'ia32')).toBeUndefined()
  })

  it('declares every platform package as optional, none as a plain dev dependency (npm install works anywhere)', () => {
    const optional = Object.keys(pkg.optionalDependencies ?? {})
    for (const tool of ['anvil', 'forge', 'biome'] as const)
      for (const p of platforms)
        for (const a of arches)
          for (const musl of p === 'linux' && tool === 'biome' ? [false, true] : [false]) {
            const name = platformPackage(tool, p, a, musl)
            if (name) expect(optional, name).toContain(name)
          }
    const dev = Object.keys(pkg.devDependencies ?? {})
    expect(dev.filter((d) => d.startsWith('@foundry-rs/') || d.startsWith('@biomejs/cli-'))).toEqual([])
  })

  it('resolves the installed package on this machine, and says what to install where nothing fits', () => {
    for (const tool of ['anvil', 'forge', 'biome'] as const) {
      const r = resolveTool(tool)
      expect(r.found, tool).toBe(true)
      expect(existsSync(r.path), r.path).toBe(true)
    }
    expect(missingToolMessage('anvil', undefined)).toMatch(
      /npm publishes no anvil package for .*install Foundry/,
    )
    expect(missingToolMessage('biome', '@biomejs/cli-darwin-arm64')).toMatch(
      /@biomejs\/cli-darwin-arm64 .*(declared but not installed|not declared)/,
    )
  })
})
