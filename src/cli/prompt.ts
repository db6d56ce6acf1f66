import { createInterface } from 'node:readline/promises';

/** Asks one question on the terminal; undefined when there is no terminal to ask on. */
export async function ask(question: string, input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string | undefined> {
  if (!input.isTTY) return undefined;
  const rl = createInterface({ input, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
