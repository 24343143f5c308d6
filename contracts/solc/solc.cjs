#!/usr/bin/env node
// Offline stand-in for a native `solc` binary, used by forge through `solc = ...` in foundry.toml.
// Forge needs two things from a compiler executable: `--version` in solc's format, and
// `--standard-json` (input on stdin, output on stdout). The npm `solc` package (solc-js, pinned in
// package.json) provides both without downloading anything at run time.
'use strict'

const fs = require('node:fs')
const path = require('node:path')

const solc = require('solc')
const args = process.argv.slice(2)

if (args.includes('--version') || args.includes('-v')) {
  // solc-js reports e.g. "0.8.30+commit.73712a01.Emscripten.clang"; forge parses the native format.
  const [semver, commit] = solc.version().split('+')
  const hash = (commit ?? 'commit.00000000').split('.').slice(0, 2).join('.')
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${semver}+${hash}.Linux.g++\n`,
  )
  process.exit(0)
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc.cjs: only --version and --standard-json are supported\n')
  process.exit(2)
}

// Forge normally inlines every source into the standard-JSON input; this callback only serves
// imports it left out, resolved against --base-path, --include-path and the working directory.
const roots = [process.cwd()]
for (let i = 0; i < args.length - 1; i++) {
  if (args[i] === '--base-path' || args[i] === '--include-path') roots.push(args[i + 1])
}
function findImports(importPath) {
  for (const root of roots) {
    const file = path.resolve(root, importPath)
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') }
  }
  return { error: `File not found: ${importPath}` }
}

const chunks = []
process.stdin.on('data', (chunk) => chunks.push(chunk))
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8')
  process.stdout.write(solc.compile(input, { import: findImports }))
})
