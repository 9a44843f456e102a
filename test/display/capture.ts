// Test helper: captures what the library sends to Jupyter by standing in for tslab's writer.
import type { DisplayMessage } from "../../src/display/jupyter-display.js";

export interface Sent {
  message: DisplayMessage;
  isUpdate: boolean;
}

export function captureDisplays<T>(body: () => T): { result: T; sent: Sent[] } {
  const jupyter = require("tslab/dist/jupyter");
  const previous = jupyter.lastWriteDisplayData;
  const sent: Sent[] = [];
  jupyter.lastWriteDisplayData = (message: DisplayMessage, isUpdate: boolean) => sent.push({ message, isUpdate });
  try {
    return { result: body(), sent };
  } finally {
    jupyter.lastWriteDisplayData = previous;
  }
}

export async function captureDisplaysAsync<T>(body: () => Promise<T>): Promise<{ result: T; sent: Sent[] }> {
  const jupyter = require("tslab/dist/jupyter");
  const previous = jupyter.lastWriteDisplayData;
  const sent: Sent[] = [];
  jupyter.lastWriteDisplayData = (message: DisplayMessage, isUpdate: boolean) => sent.push({ message, isUpdate });
  try {
    return { result: await body(), sent };
  } finally {
    jupyter.lastWriteDisplayData = previous;
  }
}

export function captureConsole<T>(body: () => T): { result: T; lines: string[] } {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    return { result: body(), lines };
  } finally {
    console.log = original;
  }
}
