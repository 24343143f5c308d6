// Finds the native executable of a tool that npm ships as one package per platform (Biome, anvil, forge), the
// way esbuild does: package.json declares every platform package as an optional dependency, npm installs only the
// one whose `os`/`cpu` match this machine, and this module resolves that one. An environment variable (BIOME,
// ANVIL, FORGE) overrides it; without a matching package, the tool on PATH is used, and if there is none either,
// `missingToolMessage` says what to install.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Whether this Linux uses musl libc (Alpine): Biome publishes separate packages for it. */
function isMusl() {
  if (process.platform !== 'linux') return false
  try {
    return !process.report.getReport().header.glibcVersionRuntime
  } catch {
    return existsSync('/etc/alpine-release')
  }
}

/**
 * The npm package holding `tool`'s executable for a platform, or undefined where the tool publishes none.
 * Biome: @biomejs/cli-<os>-<x64|arm64>[-musl]; Foundry: @foundry-rs/<tool>-<os>-<amd64|arm64> (no Windows on ARM).
 * @param {'biome' | 'anvil' | 'forge'} tool
 * @param {string} platform process.platform
 * @param {string} arch process.arch
 * @param {boolean} musl
 */
export function platformPackage(tool, platform, arch, musl = false) {
  if (!['linux', 'darwin', 'win32'].includes(platform) || !['x64', 'arm64'].includes(arch)) return undefined
  if (tool === 'biome') return `@biomejs/cli-${platform}-${arch}${musl ? '-musl' : ''}`
  if (platform === 'win32' && arch === 'arm64') return undefined
  return `@foundry-rs/${tool}-${platform}-${arch === 'x64' ? 'amd64' : 'arm64'}`
}

/**
 * The executable to run for `tool`: $BIOME / $ANVIL / $FORGE, else the installed platform package's binary, else
 * the bare name (a Foundry or Biome install on PATH). `found` is false in the last case.
 * @param {'biome' | 'anvil' | 'forge'} tool
 * @returns {{ path: string, found: boolean, pkg: string | undefined }}
 */
export function resolveTool(tool) {
  const fromEnv = process.env[tool.toUpperCase()]
  const pkg = platformPackage(tool, process.platform, process.arch, isMusl())
  if (fromEnv) return { path: fromEnv, found: true, pkg }
  if (pkg) {
    const dir = `${root}node_modules/${pkg}`
    const exe = process.platform === 'win32' ? `${tool}.exe` : tool
    for (const rel of [exe, `bin/${exe}`])
      if (existsSync(`${dir}/${rel}`)) return { path: `${dir}/${rel}`, found: true, pkg }
  }
  return { path: tool, found: false, pkg }
}

/**
 * What to tell someone whose machine lacks `tool`.
 * @param {'biome' | 'anvil' | 'forge'} tool
 * @param {string | undefined} pkg
 */
export function missingToolMessage(tool, pkg) {
  const where = `${process.platform}-${process.arch}`
  const variable = tool.toUpperCase()
  if (process.env[variable])
    return `${tool}: ${variable}=${process.env[variable]} could not be run; fix or unset ${variable}`
  const install =
    tool === 'biome'
      ? 'install Biome 2.6 (https://biomejs.dev) and put `biome` on PATH, or set BIOME to its path'
      : `install Foundry 1.7 (foundryup) so that \`${tool}\` is on PATH, or set ${tool.toUpperCase()} to its path`
  const declared = pkg && declaredOptional().includes(pkg)
  return pkg
    ? `${tool}: the package ${pkg} for ${where} is ${declared ? 'declared but not installed (run `npm install`; was it installed with --no-optional?)' : 'not declared in package.json'}; or ${install}`
    : `${tool}: npm publishes no ${tool} package for ${where}; ${install}`
}

function declaredOptional() {
  try {
    return Object.keys(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).optionalDependencies ?? {})
  } catch {
    return []
  }
}
