export const SNAPSHOT: string;
export const OUTPUT: string;
export function readDocument(path?: string): unknown;
export function generate(doc?: unknown): Promise<string>;
