// Types of scripts/test-nodes.mjs for the TypeScript that imports it (the sizing bench).
export interface TestNode {
  label: string;
  path: string;
  version: string;
}
export declare const SECOND_NODE: { major: number; version: string; package: string; integrity: string };
export declare function secondNodePath(): string;
export declare function nodeVersion(bin: string): string | null;
export declare function testNodes(which?: string): TestNode[];
