import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './serve-process.js';

/**
 * Tools from outside npm that some tests need: independent reference decoders, a browser, the native addons, a
 * tmpfs. `npm install && npm test` must pass on a machine with only Node and npm, so a test whose tool is missing is
 * skipped with one line naming it and the Debian package that brings it; the line is also appended to
 * `skippedLog`, and `npm test` prints those lines at its end. `.ci/run` installs every tool and sets
 * `UNISIGHT_REQUIRE_OUTSIDE_TOOLS=1`, under which a missing tool throws instead: CI runs every test or fails.
 */
export interface OutsideTool {
  /** What is missing, as the skip line names it. */
  description: string;
  /** How to get it on Debian. */
  remedy: string;
  /** Skipped even under `requireAllVariable`: CI cannot install it (the Electron binary, downloaded at install). */
  mayBeMissingInCi?: boolean;
  /** Null when present, else why not. */
  probe: () => string | null;
}

/** Debian's Python, where apt's python3-pydicom lives (a pyenv or venv `python3` first in PATH would lack it). */
export const debianPython = '/usr/bin/python3';

export const skippedLog = path.join(projectRoot, 'test-results', 'skipped-tests.log');
export const requireAllVariable = 'UNISIGHT_REQUIRE_OUTSIDE_TOOLS';

function commandRuns(command: string, args: string[]): string | null {
  const run = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  if (run.error) return `${command}: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}`;
  return run.status === 0 ? null : `${command} ${args.join(' ')} exited with ${run.status ?? run.signal}`;
}

export const outsideTools = {
  dcmtk: { description: 'dcmtk', remedy: 'apt install dcmtk', probe: () => commandRuns('dcmdump', ['--version']) },
  pydicom: {
    description: "pydicom with NumPy and GDCM (Debian's python3)",
    remedy: 'apt install python3-pydicom python3-numpy python3-gdcm python3-pil',
    probe: () => commandRuns(debianPython, ['-c', 'import pydicom, numpy, gdcm']),
  },
  chromium: {
    description: 'Chromium',
    remedy: 'apt install chromium (or set UNISIGHT_CHROMIUM to a Chromium binary)',
    probe: () => commandRuns(chromiumPath(), ['--version']),
  },
  pytorch: {
    description: "PyTorch with torch.distributed and gloo (Debian's python3)",
    remedy: 'apt install python3-torch',
    probe: () =>
      commandRuns(debianPython, [
        '-c',
        'import torch, torch.distributed as d; assert d.is_available() and d.is_gloo_available()',
      ]),
  },
  softwareGpu: {
    description:
      "a software Vulkan driver WebGPU can use (libvulkan1, and SwiftShader's driver from Debian's chromium)",
    remedy: 'apt install libvulkan1 chromium',
    probe: () => webGpuAdapterProblem(),
  },
} satisfies Record<string, OutsideTool>;

/** SwiftShader's Vulkan driver, as Debian's chromium package installs it: exact, slow, enough for tests. */
export const swiftShaderDriver = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The environment under which Dawn finds SwiftShader (and no other driver): for tests of the WebGPU route. */
export function softwareGpuEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, VK_ICD_FILENAMES: swiftShaderDriver };
}

/** Null when Dawn (the webgpu package) finds an adapter on SwiftShader, else why not; asked in a child process. */
function webGpuAdapterProblem(): string | null {
  if (!fs.existsSync(swiftShaderDriver)) return `${swiftShaderDriver} is missing`;
  const script = `const { create } = await import('webgpu');
    const adapter = await create([]).requestAdapter();
    process.stdout.write(adapter ? 'adapter' : 'none');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: projectRoot,
    env: softwareGpuEnvironment(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.stdout === 'adapter') return null;
  return run.stdout === 'none'
    ? 'Dawn found no Vulkan adapter (is libvulkan1 installed?)'
    : `Dawn did not start: ${(run.stderr || String(run.status)).trim().split('\n')[0]}`;
}

export type OutsideToolName = keyof typeof outsideTools;

export function chromiumPath(): string {
  return process.env.UNISIGHT_CHROMIUM ?? '/usr/bin/chromium';
}

/**
 * Null when `problem` is null; else the skip line (what was skipped, what is missing, how to get it), printed and
 * logged, or thrown under `requireAllVariable`.
 */
export function skipUnless(
  tests: string,
  requirement: Omit<OutsideTool, 'probe'>,
  problem: string | null,
): string | null {
  if (problem === null) return null;
  const line = `${tests}: skipped, ${requirement.description} is missing (${problem}); ${requirement.remedy}`;
  if (process.env[requireAllVariable] === '1' && !requirement.mayBeMissingInCi)
    throw new Error(`${requireAllVariable}=1 but ${line}`);
  console.warn(line);
  fs.mkdirSync(path.dirname(skippedLog), { recursive: true });
  fs.appendFileSync(skippedLog, `${line}\n`);
  return line;
}

/** Null when every tool named is there; else the skip line for the first one missing (see `skipUnless`). */
export function missingOutsideTool(tests: string, ...names: OutsideToolName[]): string | null {
  for (const name of names) {
    const tool: OutsideTool = outsideTools[name];
    const skipped = skipUnless(tests, tool, tool.probe());
    if (skipped !== null) return skipped;
  }
  return null;
}
